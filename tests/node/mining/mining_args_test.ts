import { assertEquals, assertThrows } from "../../assert.ts";
import { readMiningArgs } from "../../../node/mining/mining_args.ts";

function args(values: Record<string, string>) {
  return {
    getArg: (n: string) => values[n],
    getInt: (n: string, f: number) => values[n] === undefined ? f : Number(values[n]),
    isSet: (n: string) => values[n] !== undefined,
  };
}

Deno.test("mining args: Core's defaults, overrides and init errors", () => {
  assertEquals(readMiningArgs(args({}), { regtest: true }), {
    blockMinFeePerKvB: 1n,
    blockReservedWeight: 8000,
    blockMaxWeight: 4_000_000,
    blockVersion: undefined,
  });
  const o = readMiningArgs(
    args({ "-blockmintxfee": "0.0001", "-blockmaxweight": "50000", "-blockversion": "1337" }),
    { regtest: true },
  );
  assertEquals([o.blockMinFeePerKvB, o.blockMaxWeight, o.blockVersion], [10_000n, 50_000, 1337]);
  assertEquals(readMiningArgs(args({ "-blockversion": "1337" }), { regtest: false }).blockVersion, undefined);
  assertThrows(
    () => readMiningArgs(args({ "-blockmintxfee": "x" }), { regtest: true }),
    "Invalid amount for -blockmintxfee=<amount>: 'x'",
  );
  assertThrows(
    () => readMiningArgs(args({ "-blockreservedweight": "1999" }), { regtest: true }),
    "-blockreservedweight (1999) is lower than minimum safety value of (2000)",
  );
  assertThrows(
    () => readMiningArgs(args({ "-blockmaxweight": "4000001" }), { regtest: true }),
    "-blockmaxweight (4000001) exceeds consensus maximum block weight (4000000)",
  );
  assertThrows(
    () => readMiningArgs(args({ "-blockmaxweight": "5000" }), { regtest: true }),
    "-blockreservedweight (8000) exceeds -blockmaxweight (5000)",
  );
});
