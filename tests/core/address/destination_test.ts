import { assert, assertEquals } from "../../assert.ts";
import { hex, readVectorJson } from "../vectors.ts";
import { type Network, NETWORKS } from "../../../core/chain_params_base.ts";
import {
  decodeDestination,
  describeAddress,
  encodeDestination,
  extractDestination,
  getScriptForDestination,
  isDecodedDestination,
  isValidDestinationString,
} from "../../../core/address/destination.ts";
import { decodeSecret } from "../../../core/address/wif.ts";
import { sha256 } from "@noble/hashes/sha2.js";
import { ripemd160 } from "@noble/hashes/legacy.js";

type KeyIoValid = [
  string,
  string,
  { chain: Network; isPrivkey: boolean; isCompressed?: boolean; tryCaseFlip?: boolean },
];

const toHex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");

/** Swaps the case of ASCII letters (Core's key_io test). */
const flipCase = (s: string) =>
  s.replace(/[a-zA-Z]/g, (c) => (c === c.toLowerCase() ? c.toUpperCase() : c.toLowerCase()));

/** The script of a decoded address, or the error. */
function decodeHex(address: string, network: Network): string {
  const res = decodeDestination(address, network);
  return isDecodedDestination(res) ? toHex(res.scriptPubKey) : `error: ${res.error}`;
}

const valid = await readVectorJson<KeyIoValid[]>("key_io_valid.json");
const invalid = await readVectorJson<[string][]>("key_io_invalid.json");

Deno.test("key_io_valid.json: addresses decode to their script, encode back, and case flips as tryCaseFlip says", async (t) => {
  assertEquals(valid.length, 70);
  for (const [i, [str, payload, meta]] of valid.entries()) {
    if (meta.isPrivkey) continue;
    await t.step(`#${i} ${meta.chain} ${str}`, () => {
      assertEquals(decodeHex(str, meta.chain), payload);
      assertEquals(encodeDestination(hex(payload), meta.chain), str);
      const flipped = flipCase(str);
      if (meta.tryCaseFlip) assertEquals(decodeHex(flipped, meta.chain), payload);
      else assert(!isValidDestinationString(flipped, meta.chain), "valid with its case flipped");
      // An address is never a private key.
      assertEquals(decodeSecret(str, meta.chain), undefined);
      assertEquals(decodeSecret(flipped, meta.chain), undefined);
    });
  }
});

Deno.test("key_io_valid.json: private keys are not addresses", async (t) => {
  for (const [i, [str, , meta]] of valid.entries()) {
    if (!meta.isPrivkey) continue;
    await t.step(`#${i} ${meta.chain} ${str}`, () => {
      const res = decodeDestination(str, meta.chain);
      assert(!isDecodedDestination(res), "a private key decoded as an address");
      assertEquals(res.error, "Invalid checksum or length of Base58 address (P2PKH or P2SH)");
    });
  }
});

Deno.test("key_io_invalid.json: no string decodes as an address or a key on any network", async (t) => {
  assertEquals(invalid.length, 70);
  for (const [i, [str]] of invalid.entries()) {
    await t.step(`#${i} ${JSON.stringify(str.slice(0, 50))}`, () => {
      for (const network of NETWORKS) {
        const res = decodeDestination(str, network);
        assert(!isDecodedDestination(res), `address on ${network}`);
        assert(res.error !== "", `no error message on ${network}`);
        assertEquals(decodeSecret(str, network), undefined, `key on ${network}`);
      }
    });
  }
});

Deno.test("decodeDestination: Core's Base58 messages", () => {
  const err = (a: string, n: Network = "main") => {
    const res = decodeDestination(a, n);
    return isDecodedDestination(res) ? "valid" : res.error;
  };
  assertEquals(err("1FsSia9rv4NeEwvJ2GvXrX7LyxYspbN2mo"), "valid");
  // A testnet P2PKH address on main: prefix 111 is neither of main's.
  assertEquals(err("mzK2FFDEhxqHcmrJw1ysqFkVyhUULo45hZ"), "Invalid or unsupported Base58-encoded address.");
  assertEquals(
    err("1FsSia9rv4NeEwvJ2GvXrX7LyxYspbN2mo", "regtest"),
    "Invalid or unsupported Base58-encoded address.",
  );
  // Base58Check with the P2PKH prefix but 19 bytes of hash.
  assertEquals(err("1111111111111111111114oLvT2"), "valid");
  assertEquals(
    err("1AGNa15ZQXAZUgFiqJ2i7Z2DPU2J6hW62"),
    "Invalid checksum or length of Base58 address (P2PKH or P2SH)",
  );
  assertEquals(err("nope", "regtest"), "Invalid checksum or length of Base58 address (P2PKH or P2SH)");
  assertEquals(err("0OIl"), "Invalid or unsupported Segwit (Bech32) or Base58 encoding.");
  assertEquals(err(""), "Invalid checksum or length of Base58 address (P2PKH or P2SH)");
  assertEquals(err("bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4", "main"), "valid");
  assertEquals(
    err("bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4", "test"),
    "Invalid or unsupported Segwit (Bech32) or Base58 encoding.",
  );
  assertEquals(
    err("bcrt1qdavt4j2sd7dlhqsavtnfxvzppw6k7qy97tmnu9", "main"),
    "Invalid or unsupported prefix for Segwit (Bech32) address (expected bc, got bcrt).",
  );
});

Deno.test("decodeDestination: the invalid-length message for a known prefix", async () => {
  const { encodeBase58Check } = await import("../../../core/address/base58.ts");
  const short = encodeBase58Check(Uint8Array.of(0, ...new Uint8Array(19)));
  const res = decodeDestination(short, "main");
  assert(!isDecodedDestination(res));
  assertEquals(res.error, "Invalid length for Base58 address (P2PKH or P2SH)");
  const shortP2sh = encodeBase58Check(Uint8Array.of(196, 1, 2));
  assertEquals(decodeHex(shortP2sh, "signet"), "error: Invalid length for Base58 address (P2PKH or P2SH)");
  assertEquals(
    decodeHex(encodeBase58Check(Uint8Array.of(7, 1, 2)), "signet"),
    "error: Invalid or unsupported Base58-encoded address.",
  );
});

Deno.test("decodeDestination: Bech32 error locations as validateaddress reports them", () => {
  const res = decodeDestination("bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t5", "main");
  assert(!isDecodedDestination(res));
  assertEquals(res, { error: "Invalid Bech32 checksum", errorLocations: [41] });
  const mixed = decodeDestination("tb1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3q0sL5k7", "test");
  assertEquals(mixed, { error: "Invalid character or mixed case", errorLocations: [58] });
});

Deno.test("pay-to-anchor and unknown witness versions have addresses; P2PK, multisig, OP_RETURN do not", () => {
  const anchor = hex("51024e73");
  assertEquals(extractDestination(anchor), { type: "anchor" });
  const addr = encodeDestination(anchor, "main")!;
  assertEquals(addr, "bc1pfeessrawgf");
  const dec = decodeDestination(addr, "main");
  assert(isDecodedDestination(dec));
  assertEquals(dec.destination, { type: "anchor" });
  assertEquals(toHex(dec.scriptPubKey), "51024e73");
  assertEquals(describeAddress(dec.destination), { isscript: true, iswitness: true });
  const p2pk = hex("21" + "02" + "11".repeat(32) + "ac");
  assertEquals(encodeDestination(p2pk, "main"), undefined);
  assertEquals(encodeDestination(hex("6a0401020304"), "main"), undefined);
  assertEquals(encodeDestination(hex("0015" + "00".repeat(21)), "main"), undefined); // v0 of 21 bytes
  assertEquals(encodeDestination(anchor, "regtest"), "bcrt1pfeesnyr2tx"); // Core's functional tests' ANCHOR_ADDRESS
  const v1short = encodeDestination(hex("51020001"), "regtest")!;
  assertEquals(decodeHex(v1short, "regtest"), "51020001");
  assertEquals(encodeDestination(new Uint8Array(), "main"), undefined);
  const unknown = extractDestination(hex("5210751e76e8199196d454941c45d1b3a323"));
  assertEquals(unknown?.type, "witness_unknown");
  assertEquals(describeAddress(unknown!), {
    iswitness: true,
    witness_version: 2,
    witness_program: "751e76e8199196d454941c45d1b3a323",
  });
  assertEquals(toHex(getScriptForDestination(unknown!)), "5210751e76e8199196d454941c45d1b3a323");
});

interface SessionEntry {
  call: [string, unknown[]];
  result?: unknown;
  error?: { code: number; message: string };
}

/** Every (address, scriptPubKey hex) pair in a recorded RPC result. */
function addressPairs(value: unknown, out: [string, string][] = []): [string, string][] {
  if (Array.isArray(value)) {
    for (const v of value) addressPairs(v, out);
  } else if (value !== null && typeof value === "object") {
    const o = value as Record<string, unknown>;
    if (typeof o.address === "string") {
      if (typeof o.scriptPubKey === "string") out.push([o.address, o.scriptPubKey]);
      else if (typeof o.hex === "string" && "type" in o) out.push([o.address, o.hex]);
    }
    for (const v of Object.values(o)) addressPairs(v, out);
  }
  return out;
}

Deno.test("core_regtest_rpc_session.json: every address <-> scriptPubKey pair Core reported, both ways", async (t) => {
  const session = JSON.parse(
    await Deno.readTextFile(
      new URL("../../../../shared/reference/core_regtest_rpc_session.json", import.meta.url),
    ),
  ) as SessionEntry[];
  const pairs = new Map<string, string>();
  for (const entry of session) for (const [a, s] of addressPairs(entry.result)) pairs.set(a, s);
  // decodescript: the script given and the address Core named for it.
  for (const entry of session) {
    const r = entry.result as Record<string, unknown> | undefined;
    if (entry.call[0] === "decodescript" && typeof r?.address === "string") {
      pairs.set(r.address, String(entry.call[1][0]));
    }
  }
  assert(pairs.size >= 5, `only ${pairs.size} pairs found`);
  for (const [address, script] of pairs) {
    await t.step(`${address} <-> ${script}`, () => {
      assertEquals(decodeHex(address, "regtest"), script);
      assertEquals(encodeDestination(hex(script), "regtest"), address);
    });
  }
  // P2SH addresses Core derived: createmultisig's address of its redeemScript, decodescript's "p2sh".
  const hash160 = (b: Uint8Array) => ripemd160(sha256(b));
  for (const entry of session) {
    const r = entry.result as Record<string, unknown> | undefined;
    const derived: [string, string][] = [];
    if (entry.call[0] === "createmultisig" && r) derived.push([String(r.address), String(r.redeemScript)]);
    if (entry.call[0] === "decodescript" && typeof r?.p2sh === "string") {
      derived.push([r.p2sh, String(entry.call[1][0])]);
    }
    for (const [address, redeemScript] of derived) {
      await t.step(`P2SH ${address} of ${redeemScript.slice(0, 20)}…`, () => {
        const script = toHex(
          getScriptForDestination({ type: "scripthash", hash: hash160(hex(redeemScript)) }),
        );
        assertEquals(decodeHex(address, "regtest"), script);
        assertEquals(encodeDestination(hex(script), "regtest"), address);
      });
    }
    if (entry.call[0] === "getnewaddress" && typeof entry.result === "string") {
      const address = entry.result;
      await t.step(`getnewaddress ${address} is valid on regtest, not on main`, () => {
        const res = decodeDestination(address, "regtest");
        assert(isDecodedDestination(res), "invalid on regtest");
        assertEquals(encodeDestination(res.destination, "regtest"), address);
        assertEquals(encodeDestination(res.scriptPubKey, "regtest"), address);
        assert(!isValidDestinationString(address, "main"));
      });
    }
  }
  // validateaddress results: valid ones with their fields, invalid ones with Core's message and locations.
  for (const entry of session) {
    if (entry.call[0] !== "validateaddress" || entry.result === undefined) continue;
    const address = String(entry.call[1][0]);
    const expected = entry.result as Record<string, unknown>;
    await t.step(`validateaddress ${JSON.stringify(address)}`, () => {
      const res = decodeDestination(address, "regtest");
      if (isDecodedDestination(res)) {
        assertEquals(
          {
            isvalid: true,
            address: encodeDestination(res.destination, "regtest"),
            scriptPubKey: toHex(res.scriptPubKey),
            ...describeAddress(res.destination),
          },
          expected,
        );
      } else {
        assertEquals({ isvalid: false, error_locations: res.errorLocations, error: res.error }, expected);
      }
    });
  }
});
