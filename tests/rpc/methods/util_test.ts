import * as tiny from "tiny-secp256k1";
import { encodeSecret } from "../../../core/address/wif.ts";
import { parseDescriptor } from "../../../core/descriptors/descriptor.ts";
import { addChecksum } from "../../../core/descriptors/checksum.ts";
import { sha256, toHex } from "../../../core/hash/hashes.ts";
import { utilMethods } from "../../../rpc/methods/util.ts";
import { RpcTable } from "../../../rpc/table.ts";
import { assert, assertEquals } from "../asserts.ts";
import { call, fails, ok } from "./table_calls.ts";

interface Recorded {
  call: [string, unknown[]];
  result?: unknown;
  error?: { code: number; message: string };
}

async function loadSession(): Promise<Recorded[]> {
  const url = new URL("../../../../shared/reference/core_regtest_rpc_session.json", import.meta.url);
  return JSON.parse(await Deno.readTextFile(url)) as Recorded[];
}

function table(
  network: "regtest" | "main" = "regtest",
  memory?: { heapTotal: number; heapUsed: number },
): RpcTable {
  const t = new RpcTable();
  t.registerAll(utilMethods({ network: () => network, memoryUsage: memory ? () => memory : undefined }));
  return t;
}

function pubkeys(n: number, compressed = true): string[] {
  return Array.from(
    { length: n },
    (_, i) => toHex(tiny.pointFromScalar(sha256(Uint8Array.of(i, 9)), compressed)!),
  );
}

Deno.test("session: validateaddress and createmultisig equal Core's recorded results", async () => {
  const t = table();
  let n = 0;
  for (const rec of await loadSession()) {
    const [method, params] = rec.call;
    if (method !== "validateaddress" && method !== "createmultisig") continue;
    n++;
    assertEquals(await call(t, method, params), rec.error ? { error: rec.error } : { result: rec.result });
  }
  assertEquals(n, 3);
});

Deno.test("validateaddress: every address type; Core's errors with error locations", async () => {
  const t = table("main");
  assertEquals(await ok(t, "validateaddress", ["1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2"]), {
    isvalid: true,
    address: "1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2",
    scriptPubKey: "76a91477bff20c60e522dfaa3350c39b030a5d004e839a88ac",
    isscript: false,
    iswitness: false,
  });
  // Upper case Bech32 is valid; the address is given back in its canonical (lower case) form.
  const upper = "BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4";
  assertEquals(await ok(t, "validateaddress", [upper]), {
    isvalid: true,
    address: upper.toLowerCase(),
    scriptPubKey: "0014751e76e8199196d454941c45d1b3a323f1433bd6",
    isscript: false,
    iswitness: true,
    witness_version: 0,
    witness_program: "751e76e8199196d454941c45d1b3a323f1433bd6",
  });
  // Core's rpc_validateaddress cases.
  const invalid: Array<[string, string, number[]]> = [
    [
      "tc1qw508d6qejxtdg4y5r3zarvary0c5xw7kg3g4ty",
      "Invalid or unsupported Segwit (Bech32) or Base58 encoding.",
      [],
    ],
    ["bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t5", "Invalid Bech32 checksum", [41]],
    [
      "BC13W508D6QEJXTDG4Y5R3ZARVARY0C5XW7KN40WF2",
      "Version 1+ witness address must use Bech32m checksum",
      [],
    ],
    [
      "BC1QR508D6QEJXTDG4Y5R3ZARVARYV98GJ9P",
      "Invalid Bech32 v0 address program size (16 bytes), per BIP141",
      [],
    ],
    ["BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3t4", "Invalid character or mixed case", [40]],
    ["bc1gmk9yu", "Empty Bech32 data section", []],
  ];
  for (const [address, error, locations] of invalid) {
    assertEquals(await ok(t, "validateaddress", [address]), {
      isvalid: false,
      error_locations: locations,
      error,
    });
  }
  await fails(
    t,
    "validateaddress",
    [1],
    -3,
    'Wrong type passed:\n{\n    "Position 1 (address)": "JSON value of type number is not of expected type string"\n}',
  );
});

Deno.test("createmultisig: address types, descriptors (checked with core/descriptors), warnings", async () => {
  const t = table();
  const keys = pubkeys(3);
  type MS = { address: string; redeemScript: string; descriptor: string; warnings?: string[] };
  for (
    const [type, wrap] of [["legacy", "sh(%)"], ["p2sh-segwit", "sh(wsh(%))"], ["bech32", "wsh(%)"]] as const
  ) {
    const r = await ok<MS>(t, "createmultisig", [2, keys, type]);
    const desc = addChecksum(wrap.replace("%", `multi(2,${keys.join(",")})`));
    assertEquals(r.descriptor, desc);
    assertEquals(r.warnings, undefined);
    assertEquals(r.redeemScript, "52" + keys.map((k) => "21" + k).join("") + "53ae");
    assertEquals(parseDescriptor(desc, { network: "regtest" }).addressAt(0), r.address);
  }
  assertEquals((await ok<MS>(t, "createmultisig", [2, keys])).address[0], "2");
  // Named arguments.
  const named = await t.execute(
    JSON.stringify({
      jsonrpc: "2.0",
      id: 1,
      method: "createmultisig",
      params: { nrequired: 1, keys: keys.slice(0, 1), address_type: "bech32" },
    }),
  );
  assert((JSON.parse(named.body) as { result: MS }).result.address.startsWith("bcrt1q"));

  // An uncompressed key forces legacy, with Core's warning for the segwit types.
  const mixed = [keys[0], keys[1], pubkeys(3, false)[2]];
  const legacy = await ok<MS>(t, "createmultisig", [2, mixed, "legacy"]);
  assertEquals(legacy.warnings, undefined);
  for (const type of ["bech32", "p2sh-segwit"]) {
    const r = await ok<MS>(t, "createmultisig", [2, mixed, type]);
    assertEquals(r.address, legacy.address);
    assertEquals(r.warnings, [
      "Unable to make chosen address type, please ensure no uncompressed public keys are present.",
    ]);
  }
  // n-of-n scripts for n up to 20 (bech32: no P2SH size limit).
  const many = pubkeys(21);
  for (let n = 1; n <= 20; n++) {
    const r = await ok<MS>(t, "createmultisig", [n, many.slice(0, n), "bech32"]);
    assert(r.redeemScript.endsWith((n <= 16 ? (0x50 + n).toString(16) : "01" + n.toString(16)) + "ae"));
  }
});

Deno.test("createmultisig: Core's errors", async () => {
  const t = table();
  const keys = pubkeys(21);
  await fails(
    t,
    "createmultisig",
    [16, keys.slice(0, 20), "legacy"],
    -8,
    "redeemScript exceeds size limit: 684 > 520",
  );
  await fails(
    t,
    "createmultisig",
    [16, keys, "p2sh-segwit"],
    -8,
    "Number of keys involved in the multisignature address creation > 20\nReduce the number",
  );
  await fails(
    t,
    "createmultisig",
    [2, keys.slice(0, 2), "bech32m"],
    -5,
    "createmultisig cannot create bech32m multisig addresses",
  );
  await fails(t, "createmultisig", [2, keys.slice(0, 2), "foo"], -5, "Unknown address type 'foo'");
  await fails(
    t,
    "createmultisig",
    [0, keys.slice(0, 2)],
    -8,
    "a multisignature address must require at least one key to redeem",
  );
  await fails(
    t,
    "createmultisig",
    [3, keys.slice(0, 2)],
    -8,
    "not enough keys supplied (got 2 keys, but need at least 3 to redeem)",
  );
  await fails(t, "createmultisig", [1, ["xyz"]], -5, 'Pubkey "xyz" must be a hex string');
  await fails(
    t,
    "createmultisig",
    [1, ["0011"]],
    -5,
    'Pubkey "0011" must have a length of either 33 or 65 bytes',
  );
  const offCurve = "02" + "00".repeat(32);
  await fails(
    t,
    "createmultisig",
    [1, [offCurve]],
    -5,
    `Pubkey "${offCurve}" must be cryptographically valid.`,
  );
  await fails(t, "createmultisig", [1, [5]], -3, "JSON value of type number is not of expected type string");
});

Deno.test("signmessagewithprivkey / verifymessage: Core's functional test values and errors", async () => {
  const t = table();
  const message = "This is just a test message";
  const key = "cUeKHd5orzT3mz8P9pxyREHfsWtVfgsfDjiZZBcjUBAaGk1BTj7N";
  const expected = "INbVnW4e6PeRmsv2Qgu8NuopvrVjkcxob+sX8OcZG0SALhWybUjzMLPdAsXI46YZGb0KQTRii+wWIQzRpG/U+S0=";
  assertEquals(await ok(t, "signmessagewithprivkey", [key, message]), expected);
  assertEquals(await ok(t, "verifymessage", ["mpLQjfK79b7CCV4VMJWEWAj5Mpx8Up5zxB", expected, message]), true);
  assertEquals(
    await ok(t, "verifymessage", ["mpLQjfK79b7CCV4VMJWEWAj5Mpx8Up5zxB", expected, message + "!"]),
    false,
  );
  // Not P2PKH: the key's P2WPKH address.
  const wpkhOfKey = parseDescriptor(addChecksum(`wpkh(${key})`), { network: "regtest" }).addressAt(0);
  assertEquals(
    parseDescriptor(addChecksum(`pkh(${key})`), { network: "regtest" }).addressAt(0),
    "mpLQjfK79b7CCV4VMJWEWAj5Mpx8Up5zxB",
  );
  const wpkh = await call(t, "verifymessage", [wpkhOfKey, expected, message]);
  assertEquals(wpkh, { error: { code: -3, message: "Address does not refer to key" } });
  await fails(t, "signmessagewithprivkey", ["invalid_key", message], -5, "Invalid private key");
  await fails(t, "verifymessage", ["invalid_addr", expected, message], -5, "Invalid address");
  await fails(
    t,
    "verifymessage",
    ["mpLQjfK79b7CCV4VMJWEWAj5Mpx8Up5zxB", "invalid_sig", message],
    -3,
    "Malformed base64 encoding",
  );
  // A well-formed signature from which no key can be recovered.
  assertEquals(
    await ok(t, "verifymessage", ["mpLQjfK79b7CCV4VMJWEWAj5Mpx8Up5zxB", "A".repeat(88), message]),
    false,
  );
  // Round trips with fresh keys, compressed and not.
  for (const compressed of [true, false]) {
    const secret = { key: sha256(Uint8Array.of(compressed ? 1 : 2)), compressed };
    const wif = encodeSecret(secret, "regtest");
    const sig = await ok<string>(t, "signmessagewithprivkey", [wif, "héllo ☃"]);
    const pub = tiny.pointFromScalar(secret.key, compressed)!;
    const desc = addChecksum(`pkh(${toHex(pub)})`);
    const address = parseDescriptor(desc, { network: "regtest" }).addressAt(0);
    assertEquals(await ok(t, "verifymessage", [address, sig, "héllo ☃"]), true);
  }
  // Wrong number of arguments: the help text as an error (-1).
  const help = await call(t, "signmessagewithprivkey", ["a"]);
  assertEquals(help.error!.code, -1);
  assert(help.error!.message.startsWith("signmessagewithprivkey"));
});

Deno.test("getmemoryinfo: Core's field names over the runtime's heap figures; modes", async () => {
  const session = await loadSession();
  const recorded = session.find((r) => r.call[0] === "getmemoryinfo")!.result as {
    locked: Record<string, number>;
  };
  const t = table("regtest", { heapTotal: 5000, heapUsed: 1200 });
  const r = await ok<{ locked: Record<string, number> }>(t, "getmemoryinfo", []);
  assertEquals(Object.keys(r), Object.keys(recorded));
  assertEquals(Object.keys(r.locked), Object.keys(recorded.locked));
  assertEquals(r.locked, { used: 1200, free: 3800, total: 5000, locked: 0, chunks_used: 0, chunks_free: 0 });
  assertEquals(await ok(t, "getmemoryinfo", ["stats"]), r);
  await fails(t, "getmemoryinfo", ["mallocinfo"], -8, "mallocinfo mode not available");
  await fails(t, "getmemoryinfo", ["x"], -8, "unknown mode x");
  // The real runtime's figures are consistent.
  const real = await ok<{ locked: Record<string, number> }>(table(), "getmemoryinfo", []);
  assert(real.locked.used > 0 && real.locked.total >= real.locked.used);
  assertEquals(real.locked.used + real.locked.free, real.locked.total);
  assert(t.help("getmemoryinfo").includes("tsbtc keeps no locked memory"));
});
