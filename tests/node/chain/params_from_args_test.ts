import { assertEquals, assertThrows } from "../../assert.ts";
import { chainParamsFromArgs, parseTestActivationHeights } from "../../../node/chain/params_from_args.ts";

function args(values: Record<string, string[]>) {
  return {
    getArgs: (n: string) => values[n] ?? [],
    getBool: (n: string, f: boolean) => values[n] ? true : f,
  };
}

Deno.test("-testactivationheight: Core's names, heights and errors", () => {
  assertEquals(parseTestActivationHeights(["segwit@432", "csv@1"]), { segwit: 432, csv: 1 });
  assertThrows(
    () => parseTestActivationHeights(["segwit"]),
    "Invalid format (segwit) for -testactivationheight=name@height.",
  );
  assertThrows(() => parseTestActivationHeights(["segwit@-1"]), "Invalid height value (segwit@-1)");
  assertThrows(() => parseTestActivationHeights(["segwit@x"]), "Invalid height value (segwit@x)");
  assertThrows(
    () => parseTestActivationHeights(["taproot@1"]),
    "Invalid name (taproot@1) for -testactivationheight=name@height.",
  );
});

Deno.test("chainParamsFromArgs moves regtest deployments and leaves other networks alone", () => {
  const p = chainParamsFromArgs(args({ "-testactivationheight": ["segwit@432", "bip34@2"] }), "regtest");
  assertEquals(p.consensus.segwitHeight, 432);
  assertEquals(p.consensus.bip34Height, 2);
  const main = chainParamsFromArgs(args({ "-testactivationheight": ["segwit@1"] }), "main");
  assertEquals(main.consensus.segwitHeight, 481824);
});

Deno.test("-minimumchainwork: hex with or without 0x, on every network; Core's error otherwise", () => {
  assertEquals(
    chainParamsFromArgs(args({ "-minimumchainwork": ["0x1000"] }), "regtest").consensus.minimumChainWork,
    0x1000n,
  );
  assertEquals(
    chainParamsFromArgs(args({ "-minimumchainwork": ["1f"] }), "main").consensus.minimumChainWork,
    0x1fn,
  );
  assertEquals(chainParamsFromArgs(args({}), "regtest").consensus.minimumChainWork, 0n);
  assertThrows(
    () => chainParamsFromArgs(args({ "-minimumchainwork": ["xyz"] }), "regtest"),
    "Invalid non-hex (xyz) minimum chain work value specified",
  );
});
