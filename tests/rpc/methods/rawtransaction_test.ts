import * as tiny from "tiny-secp256k1";
import { encodeSecret } from "../../../core/address/wif.ts";
import { hash160, sha256, toHex } from "../../../core/hash/hashes.ts";
import { scriptForMultisig } from "../../../core/script/standard.ts";
import { verifyScript } from "../../../core/script/interpreter.ts";
import { STANDARD_SCRIPT_VERIFY_FLAGS } from "../../../core/script/flags.ts";
import { TransactionSignatureChecker } from "../../../core/script/tx_checker.ts";
import type { OutPoint, TxOut } from "../../../core/wire/types.ts";
import { outPointKey } from "../../../core/wire/outpoint.ts";
import {
  type CoinLike,
  parseFixedPoint,
  rawTransactionMethods,
} from "../../../rpc/methods/rawtransaction.ts";
import { RpcTable } from "../../../rpc/table.ts";
import { decodeHexTx } from "../../../rpc/tx_json.ts";
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

function table(getCoin?: (o: OutPoint) => CoinLike | null): RpcTable {
  const t = new RpcTable();
  t.registerAll(rawTransactionMethods({ network: () => "regtest", getCoin }));
  return t;
}

const TXID_A = "c0ae558b55e205864c28800eca9b1214833d2fda137d07e69786b1cda18551b4";
const TXID_B = "4b9a0b1697723fc5555185c2815082e78ded6911ebc46aa7fe6339dea67b1934";
const ADDR_WPKH = "bcrt1qkxwjh89dsdj9ewueztgx0plrpw6m4ru0te5w6w";
const ADDR_PKH = "mpLQjfK79b7CCV4VMJWEWAj5Mpx8Up5zxB";

Deno.test("session: decoderawtransaction, decodescript and createrawtransaction equal Core's recorded results", async () => {
  const t = table();
  const session = await loadSession();
  const methods = new Set(["decoderawtransaction", "decodescript", "createrawtransaction"]);
  let n = 0;
  for (const rec of session) {
    const [method, params] = rec.call;
    if (!methods.has(method)) continue;
    n++;
    const expected = rec.error ? { error: rec.error } : { result: rec.result };
    assertEquals(await call(t, method, params), expected, method);
  }
  assert(n >= 5, `found ${n} recorded calls`);
});

Deno.test("createrawtransaction: sequences by replaceable and locktime, data outputs, round trip", async () => {
  const t = table();
  const inputs = [{ txid: TXID_A, vout: 0 }, { txid: TXID_B, vout: 7, sequence: 5 }];
  type Dec = {
    version: number;
    locktime: number;
    vin: Array<{ txid: string; vout: number; sequence: number; scriptSig: { hex: string } }>;
    vout: Array<
      { value: number; n: number; scriptPubKey: { hex: string; type: string; asm: string; desc: string } }
    >;
  };
  const decode = async (hex: string) => await ok<Dec>(t, "decoderawtransaction", [hex]);

  const d1 = await decode(
    await ok<string>(t, "createrawtransaction", [inputs, [{ [ADDR_WPKH]: 0.1 }, { data: "00010203" }]]),
  );
  assertEquals(d1.version, 2);
  assertEquals(d1.vin.map((i) => [i.txid, i.vout, i.sequence]), [[TXID_A, 0, 0xfffffffd], [TXID_B, 7, 5]]);
  assertEquals(d1.vout[0].value, 0.1);
  assertEquals(d1.vout[0].scriptPubKey.type, "witness_v0_keyhash");
  assertEquals(d1.vout[1].scriptPubKey.hex, "6a0400010203");
  assertEquals(d1.vout[1].scriptPubKey.asm, "OP_RETURN 50462976");
  assertEquals(d1.vout[1].scriptPubKey.type, "nulldata");
  assert(d1.vout[1].scriptPubKey.desc.startsWith("raw(6a0400010203)#"));
  assertEquals(d1.vout[1].value, 0);

  // replaceable=false: final sequences, or MAX_SEQUENCE_NONFINAL with a locktime.
  const d2 = await decode(
    await ok<string>(t, "createrawtransaction", [[inputs[0]], { [ADDR_PKH]: "1" }, 0, false]),
  );
  assertEquals(d2.vin[0].sequence, 0xffffffff);
  const d3 = await decode(
    await ok<string>(t, "createrawtransaction", [[inputs[0]], { [ADDR_PKH]: 1 }, 500, false, 1]),
  );
  assertEquals([d3.vin[0].sequence, d3.locktime, d3.version], [0xfffffffe, 500, 1]);
  // An object of outputs (the compatibility form) and the data-only transaction with no inputs.
  const d4 = await decode(await ok<string>(t, "createrawtransaction", [[], { data: "ff" }]));
  assertEquals(d4.vin, []);
  assertEquals(d4.vout[0].scriptPubKey.hex, "6a01ff");
  // Empty data is not hex for Core (IsHex wants at least one byte).
  await fails(t, "createrawtransaction", [[], { data: "" }], -8, "Data must be hexadecimal string (not '')");
  // Amounts as strings and exponents (ParseFixedPoint).
  const d5 = await decode(await ok<string>(t, "createrawtransaction", [[], [{ [ADDR_WPKH]: "1e-8" }]]));
  assertEquals(d5.vout[0].value, 0.00000001);
});

Deno.test("createrawtransaction: Core's errors", async () => {
  const t = table();
  const out = [{ [ADDR_WPKH]: 1 }];
  await fails(
    t,
    "createrawtransaction",
    [[{ txid: TXID_A }], out],
    -8,
    "Invalid parameter, missing vout key",
  );
  await fails(
    t,
    "createrawtransaction",
    [[{ txid: TXID_A, vout: "0" }], out],
    -8,
    "Invalid parameter, missing vout key",
  );
  await fails(
    t,
    "createrawtransaction",
    [[{ txid: TXID_A, vout: -1 }], out],
    -8,
    "Invalid parameter, vout cannot be negative",
  );
  await fails(
    t,
    "createrawtransaction",
    [[{ vout: 0 }], out],
    -3,
    "JSON value of type null is not of expected type string",
  );
  await fails(
    t,
    "createrawtransaction",
    [[{ txid: "abc", vout: 0 }], out],
    -8,
    "txid must be of length 64 (not 3, for 'abc')",
  );
  await fails(
    t,
    "createrawtransaction",
    [[{ txid: "z".repeat(64), vout: 0 }], out],
    -8,
    `txid must be hexadecimal string (not '${"z".repeat(64)}')`,
  );
  await fails(
    t,
    "createrawtransaction",
    [["x"], out],
    -3,
    "JSON value of type string is not of expected type object",
  );
  await fails(
    t,
    "createrawtransaction",
    [[{ txid: TXID_A, vout: 0, sequence: 4294967296 }], out],
    -8,
    "Invalid parameter, sequence number is out of range",
  );
  await fails(
    t,
    "createrawtransaction",
    [[{ txid: TXID_A, vout: 0, sequence: 0xffffffff }], out, 0, true],
    -8,
    "Invalid parameter combination: Sequence number(s) contradict replaceable option",
  );
  await fails(t, "createrawtransaction", [[], out, -1], -8, "Invalid parameter, locktime out of range");
  await fails(
    t,
    "createrawtransaction",
    [[], out, 4294967296],
    -8,
    "Invalid parameter, locktime out of range",
  );
  await fails(
    t,
    "createrawtransaction",
    [[], out, 0, true, 4],
    -8,
    "Invalid parameter, version out of range(1~3)",
  );
  await fails(t, "createrawtransaction", [[], out, 0, true, -1], -1, "JSON integer out of range");
  await fails(
    t,
    "createrawtransaction",
    [[], null],
    -8,
    "Invalid parameter, output argument must be non-null",
  );
  await fails(
    t,
    "createrawtransaction",
    [[], "x"],
    -3,
    "JSON value of type string is not of expected type array",
  );
  await fails(
    t,
    "createrawtransaction",
    [[], [1]],
    -8,
    "Invalid parameter, key-value pair not an object as expected",
  );
  await fails(
    t,
    "createrawtransaction",
    [[], [{ a: 1, b: 2 }]],
    -8,
    "Invalid parameter, key-value pair must contain exactly one key",
  );
  await fails(
    t,
    "createrawtransaction",
    [[], [{ data: "00" }, { data: "01" }]],
    -8,
    "Invalid parameter, duplicate key: data",
  );
  await fails(
    t,
    "createrawtransaction",
    [[], [{ data: "0" }]],
    -8,
    "Data must be hexadecimal string (not '0')",
  );
  await fails(
    t,
    "createrawtransaction",
    [[], [{ notanaddress: 1 }]],
    -5,
    "Invalid Bitcoin address: notanaddress",
  );
  // The amount is parsed before the address is checked, as in Core.
  await fails(t, "createrawtransaction", [[], [{ notanaddress: "x" }]], -3, "Invalid amount");
  await fails(
    t,
    "createrawtransaction",
    [[], [{ [ADDR_WPKH]: 1 }, { [ADDR_WPKH.toUpperCase()]: 2 }]],
    -8,
    `Invalid parameter, duplicated address: ${ADDR_WPKH.toUpperCase()}`,
  );
  await fails(t, "createrawtransaction", [[], [{ [ADDR_WPKH]: -1 }]], -3, "Amount out of range");
  await fails(t, "createrawtransaction", [[], [{ [ADDR_WPKH]: 21000001 }]], -3, "Amount out of range");
  await fails(t, "createrawtransaction", [[], [{ [ADDR_WPKH]: 0.000000001 }]], -3, "Invalid amount");
  await fails(
    t,
    "createrawtransaction",
    [[], [{ [ADDR_WPKH]: null }]],
    -3,
    "Amount is not a number or string",
  );
  // A mainnet address on regtest.
  await fails(
    t,
    "createrawtransaction",
    [[], [{ "1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2": 1 }]],
    -5,
    "Invalid Bitcoin address: 1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2",
  );
});

Deno.test("amounts: exact decimal text is kept (no float rounding), Core's ParseFixedPoint", async () => {
  const t = table();
  // 20999999.99999999 is not a double; Core reads the text.
  const hex = await ok<string>(t, "createrawtransaction", [[], [{ [ADDR_WPKH]: { $raw: true } }]]).catch(() =>
    ""
  );
  assertEquals(hex, ""); // an object is not an amount
  const r = await t.execute(
    `{"jsonrpc":"2.0","id":1,"method":"createrawtransaction","params":[[],[{"${ADDR_WPKH}":20999999.99999999}]]}`,
  );
  const txHex = (JSON.parse(r.body) as { result: string }).result;
  assertEquals(decodeHexTx(txHex)!.outputs[0].value, 2_099_999_999_999_999n);
  assertEquals(parseFixedPoint("0.00000001", 8), 1n);
  assertEquals(parseFixedPoint("1e-8", 8), 1n);
  assertEquals(parseFixedPoint("1.5E+1", 8), 1_500_000_000n);
  assertEquals(parseFixedPoint("-0.1", 8), -10_000_000n);
  assertEquals(parseFixedPoint("01", 8), null);
  assertEquals(parseFixedPoint("1.", 8), null);
  assertEquals(parseFixedPoint(".1", 8), null);
  assertEquals(parseFixedPoint("1e-9", 8), null);
  assertEquals(parseFixedPoint("10000000000", 8), null);
  assertEquals(parseFixedPoint("9999999999", 8), 999_999_999_900_000_000n);
});

Deno.test("decoderawtransaction: iswitness, legacy-only 0-input transactions, errors", async () => {
  const t = table();
  const session = await loadSession();
  const segwitHex = session.find((r) => r.call[0] === "decoderawtransaction" && r.result)!
    .call[1][0] as string;
  const seg = await ok<{ txid: string; hash: string }>(t, "decoderawtransaction", [segwitHex, true]);
  assert(seg.txid !== seg.hash);
  await fails(t, "decoderawtransaction", [segwitHex, false], -22, "TX decode failed");
  // A transaction with no inputs is only readable with the legacy serialization.
  const fixed = "02000000" + "00" + "01" + "00e1f50500000000" + "16" + "0014" + "00".repeat(20) + "00000000";
  const d = await ok<{ vin: unknown[]; vout: unknown[] }>(t, "decoderawtransaction", [fixed]);
  assertEquals([d.vin.length, d.vout.length], [0, 1]);
  await fails(t, "decoderawtransaction", [fixed, true], -22, "TX decode failed");
  assertEquals((await ok<{ vin: unknown[] }>(t, "decoderawtransaction", [fixed, false])).vin.length, 0);
  await fails(t, "decoderawtransaction", [""], -22, "TX decode failed");
  await fails(t, "decoderawtransaction", ["zz"], -22, "TX decode failed");
  await fails(t, "decoderawtransaction", [segwitHex + "00"], -22, "TX decode failed");
  await fails(
    t,
    "decoderawtransaction",
    [1],
    -3,
    'Wrong type passed:\n{\n    "Position 1 (hexstring)": "JSON value of type number is not of expected type string"\n}',
  );
});

Deno.test("decodescript: Core's expectations (rpc_decodescript data and cases)", async () => {
  const t = table();
  const pub = "03b0da749730dc9b4b1f4a14d6902877a92541f5368778853d9c4a0cb7802dcfb2";
  const upub = "04" + "b0da749730dc9b4b1f4a14d6902877a92541f5368778853d9c4a0cb7802dcfb2" +
    "d8fe8a1ed9a6c1c3fe3b08e2c1a6fc3e57e7e7f10d9c0a47d9a4f1b2d2cf5e3a";
  type DS = {
    asm: string;
    desc: string;
    type: string;
    address?: string;
    p2sh?: string;
    segwit?: {
      asm: string;
      desc: string;
      type: string;
      hex: string;
      address?: string;
      "p2sh-segwit": string;
    };
  };
  const ds = (hex: string) => ok<DS>(t, "decodescript", [hex]);

  assertEquals(await ds("5120eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee"), {
    asm: "1 eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee",
    desc: "rawtr(eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee)#jk7c6kys",
    address: "bcrt1pamhwamhwamhwamhwamhwamhwamhwamhwamhwamhwamhwamhwamhqz6nvlh",
    type: "witness_v1_taproot",
  });
  assertEquals(await ds("5102eeee"), {
    asm: "1 -28398",
    desc: "addr(bcrt1pamhqk96edn)#vkh8uj5a",
    address: "bcrt1pamhqk96edn",
    type: "witness_unknown",
  });
  assertEquals(await ds("0020" + "ee".repeat(32)), {
    asm: "0 " + "ee".repeat(32),
    desc: "addr(bcrt1qamhwamhwamhwamhwamhwamhwamhwamhwamhwamhwamhwamhwamhqgdn98t)#afaecevx",
    address: "bcrt1qamhwamhwamhwamhwamhwamhwamhwamhwamhwamhwamhwamhwamhqgdn98t",
    type: "witness_v0_scripthash",
    p2sh: "2MwGk8mw1GBP6U9D5X8gTvgvXpuknmAK3fo",
  });
  assertEquals(await ds("a914" + "ee".repeat(20) + "87"), {
    asm: "OP_HASH160 " + "ee".repeat(20) + " OP_EQUAL",
    desc: "addr(2NF2b3KS8xXb9XHvbRMXdZh8s5g92rUZHtp)#ywfcpmh9",
    address: "2NF2b3KS8xXb9XHvbRMXdZh8s5g92rUZHtp",
    type: "scripthash",
  });
  assertEquals(await ds("6a00"), { asm: "OP_RETURN 0", desc: "raw(6a00)#ncfmkl43", type: "nulldata" });
  assertEquals(await ds("6aee"), {
    asm: "OP_RETURN OP_UNKNOWN",
    desc: "raw(6aee)#vsyzgqdt",
    type: "nonstandard",
  });
  assertEquals(await ds("6a02ee"), {
    asm: "OP_RETURN [error]",
    desc: "raw(6a02ee)#gvdwnlzl",
    type: "nonstandard",
  });
  assertEquals(await ds("02eeee"), {
    asm: "-28398",
    desc: "raw(02eeee)#5xzck7pr",
    type: "nonstandard",
    p2sh: "2N34iiGoUUkVSPiaaTFpJjB1FR9TXQu3PGM",
    segwit: {
      asm: "0 96c2368fc30514a438a8bd909f93c49a1549d77198ccbdb792043b666cb24f42",
      desc: "addr(bcrt1qjmprdr7rq522gw9ghkgfly7yng25n4m3nrxtmdujqsakvm9jfapqk795l5)#5akkdska",
      hex: "002096c2368fc30514a438a8bd909f93c49a1549d77198ccbdb792043b666cb24f42",
      address: "bcrt1qjmprdr7rq522gw9ghkgfly7yng25n4m3nrxtmdujqsakvm9jfapqk795l5",
      type: "witness_v0_scripthash",
      "p2sh-segwit": "2MtoejEictTQ6XtmHYzoYttt35Ec6krqFKN",
    },
  });
  assertEquals(await ds("ba"), { asm: "OP_CHECKSIGADD", desc: "raw(ba)#yy0eg44l", type: "nonstandard" });
  assertEquals(await ds("50"), { asm: "OP_RESERVED", desc: "raw(50)#a7tu03xf", type: "nonstandard" });

  // P2PK: pk() descriptor, no address; wrapped as P2SH and P2WPKH.
  const p2pk = await ds("21" + pub + "ac");
  assertEquals(p2pk.type, "pubkey");
  assert(p2pk.desc.startsWith(`pk(${pub})#`));
  assertEquals(p2pk.address, undefined);
  assertEquals(p2pk.segwit!.type, "witness_v0_keyhash");
  assertEquals(p2pk.segwit!.asm, "0 " + toHex(hash160(hexBytes(pub))));
  // Uncompressed P2PK and bare multisig with an uncompressed key: no segwit form.
  const up2pk = await ds("41" + upub + "ac");
  assertEquals(up2pk.type, "pubkey");
  assert(up2pk.p2sh !== undefined && up2pk.segwit === undefined);
  const ums = await ds("52" + "21" + pub + "41" + upub + "52ae");
  assertEquals(ums.type, "multisig");
  assert(ums.desc.startsWith(`multi(2,${pub},${upub})#`));
  assertEquals(ums.segwit, undefined);
  // Bare multisig with compressed keys: the segwit form is wsh(multi(...)) (the script is known).
  const ms = "52" + ("21" + pub).repeat(3) + "53ae";
  const dms = await ds(ms);
  assertEquals(dms.segwit!.type, "witness_v0_scripthash");
  assertEquals(dms.segwit!.asm, "0 " + toHex(sha256(hexBytes(ms))));
  assert(dms.segwit!.desc.startsWith(`wsh(multi(2,${pub},${pub},${pub}))#`));
  // Witness programs are not wrapped in segwit again.
  assertEquals((await ds("0014" + "11".repeat(20))).segwit, undefined);
  // Empty script is valid: raw(), wrapped in P2SH and P2WSH (the SHA-256 of nothing).
  const empty = await ds("");
  assertEquals([empty.asm, empty.type, empty.address], ["", "nonstandard", undefined]);
  assert(empty.desc.startsWith("raw()#"));
  assert(empty.p2sh!.startsWith("2"));
  assertEquals(empty.segwit!.hex, "0020e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  assertEquals(empty.segwit!.desc, `addr(${empty.segwit!.address})#${empty.segwit!.desc.split("#")[1]}`);
  await fails(t, "decodescript", ["zz"], -8, "argument must be hexadecimal string (not 'zz')");
  await fails(t, "decodescript", ["abc"], -8, "argument must be hexadecimal string (not 'abc')");
});

function hexBytes(s: string): Uint8Array {
  return Uint8Array.from(s.match(/../g)!.map((b) => parseInt(b, 16)));
}

// ---------------------------------------------------------------------------------------------------------------
// Signing

function key(n: number, compressed = true) {
  const secret = { key: sha256(Uint8Array.of(n, 7)), compressed };
  return {
    secret,
    wif: encodeSecret(secret, "regtest"),
    pub: tiny.pointFromScalar(secret.key, compressed)!,
  };
}

function p2pkh(pub: Uint8Array): string {
  return "76a914" + toHex(hash160(pub)) + "88ac";
}
function p2wpkh(pub: Uint8Array): string {
  return "0014" + toHex(hash160(pub));
}
function p2sh(script: Uint8Array): string {
  return "a914" + toHex(hash160(script)) + "87";
}
function p2wsh(script: Uint8Array): string {
  return "0020" + toHex(sha256(script));
}

/** Every input of the signed transaction verifies under the standard flags against `spent`. */
function verifyAll(hex: string, spent: TxOut[]): void {
  const tx = decodeHexTx(hex)!;
  for (let i = 0; i < tx.inputs.length; i++) {
    const checker = new TransactionSignatureChecker({
      tx,
      inputIndex: i,
      amount: spent[i].value,
      spentOutputs: spent,
    });
    const err = verifyScript(
      tx.inputs[i].scriptSig,
      spent[i].scriptPubKey,
      tx.inputs[i].witness,
      STANDARD_SCRIPT_VERIFY_FLAGS,
      checker,
    );
    assertEquals(err, null, `input ${i}`);
  }
}

type SignResult = {
  hex: string;
  complete: boolean;
  errors?: Array<
    { txid: string; vout: number; witness: string[]; scriptSig: string; sequence: number; error: string }
  >;
};

Deno.test("signrawtransactionwithkey: P2PKH, P2WPKH, P2SH-P2WPKH, P2SH multisig, P2WSH, P2SH-P2WSH, P2PK, P2TR, anchor", async () => {
  const t = table();
  const k = [1, 2, 3, 4, 5, 6, 7].map((n) => key(n));
  const ms = scriptForMultisig(2, [k[3].pub, k[4].pub, k[5].pub]);
  const wpkhRedeem = hexBytes(p2wpkh(k[2].pub));
  const xonly = k[6].pub.subarray(1);
  const txids = Array.from({ length: 9 }, (_, i) => toHex(sha256(Uint8Array.of(100 + i))));
  const spks = [
    p2pkh(k[0].pub),
    p2wpkh(k[1].pub),
    p2sh(wpkhRedeem),
    p2sh(ms),
    p2wsh(ms),
    p2sh(hexBytes(p2wsh(ms))),
    "21" + toHex(k[0].pub) + "ac",
    "5120" + toHex(xonly),
    "51024e73",
  ];
  const prevtxs = spks.map((spk, i) => {
    const p: Record<string, unknown> = { txid: txids[i], vout: i, scriptPubKey: spk, amount: 1 + i / 10 };
    if (i === 2) p.redeemScript = toHex(wpkhRedeem);
    if (i === 3) p.redeemScript = toHex(ms);
    if (i === 4) p.witnessScript = toHex(ms);
    if (i === 5) {
      p.witnessScript = toHex(ms);
      p.redeemScript = p2wsh(ms);
    }
    return p;
  });
  const raw = await ok<string>(t, "createrawtransaction", [
    txids.map((txid, i) => ({ txid, vout: i })),
    [{ [ADDR_WPKH]: 9 }],
  ]);
  const wifs = [k[0].wif, k[1].wif, k[2].wif, k[3].wif, k[5].wif, k[6].wif];
  const signed = await ok<SignResult>(t, "signrawtransactionwithkey", [raw, wifs, prevtxs]);
  assertEquals(signed.errors, undefined);
  assertEquals(signed.complete, true);
  const spent = spks.map((s, i) => ({
    value: BigInt(Math.round((1 + i / 10) * 1e8)),
    scriptPubKey: hexBytes(s),
  }));
  verifyAll(signed.hex, spent);
  const tx = decodeHexTx(signed.hex)!;
  assertEquals(tx.inputs[8].witness.length, 0); // anchor: nothing to sign
  assertEquals(tx.inputs[7].witness[0].length, 64); // taproot, SIGHASH_DEFAULT
  // Signing again changes nothing (complete inputs are kept), and signing is deterministic.
  assertEquals(
    (await ok<SignResult>(t, "signrawtransactionwithkey", [signed.hex, [], prevtxs])).hex,
    signed.hex,
  );
  assertEquals((await ok<SignResult>(t, "signrawtransactionwithkey", [raw, wifs, prevtxs])).hex, signed.hex);

  // With "ALL|ANYONECANPAY" every signature carries 0x81 (taproot's too: 65 bytes).
  const acp = await ok<SignResult>(t, "signrawtransactionwithkey", [raw, wifs, prevtxs, "ALL|ANYONECANPAY"]);
  assertEquals(acp.complete, true);
  verifyAll(acp.hex, spent);
  const atx = decodeHexTx(acp.hex)!;
  assertEquals(atx.inputs[7].witness[0].length, 65);
  assertEquals(atx.inputs[7].witness[0][64], 0x81);
  assertEquals(atx.inputs[1].witness[0].at(-1), 0x81);
});

Deno.test("signrawtransactionwithkey: Core's functional test keys sign Core's INPUTS completely", async () => {
  const t = table();
  const inputs = [
    {
      txid: "9b907ef1e3c26fc71fe4a4b3580bc75264112f95050014157059c736f0202e71",
      vout: 0,
      scriptPubKey: "76a91460baa0f494b38ce3c940dea67f3804dc52d1fb9488ac",
    },
    {
      txid: "83a4f6a6b73660e13ee6cb3c6063fa3759c50c9b7521d0536022961898f4fb02",
      vout: 0,
      scriptPubKey: "76a914669b857c03a5ed269d5d85a1ffac9ed5d663072788ac",
    },
  ];
  const raw = await ok<string>(t, "createrawtransaction", [inputs, { [ADDR_PKH]: 0.1 }]);
  const keys = [
    "cUeKHd5orzT3mz8P9pxyREHfsWtVfgsfDjiZZBcjUBAaGk1BTj7N",
    "cVKpPfVKSJxKqVpE9awvXNWuLHCa5j5tiE7K6zbUSptFpTEtiFrA",
  ];
  const r = await ok<SignResult>(t, "signrawtransactionwithkey", [raw, keys, inputs]);
  assertEquals([r.complete, r.errors], [true, undefined]);
  verifyAll(r.hex, inputs.map((i) => ({ value: 0n, scriptPubKey: hexBytes(i.scriptPubKey) })));

  await fails(
    t,
    "signrawtransactionwithkey",
    [raw, keys, inputs, "all"],
    -8,
    "'all' is not a valid sighash parameter.",
  );
  await fails(t, "signrawtransactionwithkey", [raw, ["123"]], -5, "Invalid private key");
  await fails(
    t,
    "signrawtransactionwithkey",
    [raw + "00", keys],
    -22,
    "TX decode failed. Make sure the tx has at least one input.",
  );
  // A mainnet key on regtest.
  await fails(
    t,
    "signrawtransactionwithkey",
    [raw, ["5HxWvvfubhXpYYpS3tJkw6fq9jE9j18THftkZjHHfmFiWtmAbrj"]],
    -5,
    "Invalid private key",
  );
});

Deno.test("signrawtransactionwithkey: errors per input and prevtxs checks as Core", async () => {
  const t = table();
  const k1 = key(11), k2 = key(12), k3 = key(13);
  const ms = scriptForMultisig(2, [k1.pub, k2.pub]);
  const txids = [
    toHex(sha256(Uint8Array.of(1))),
    toHex(sha256(Uint8Array.of(2))),
    toHex(sha256(Uint8Array.of(3))),
  ];
  const raw = await ok<string>(t, "createrawtransaction", [
    txids.map((txid, i) => ({ txid, vout: i })),
    [{ [ADDR_WPKH]: 1 }],
  ]);
  const prevtxs = [
    { txid: txids[0], vout: 0, scriptPubKey: p2pkh(k3.pub) },
    { txid: txids[1], vout: 1, scriptPubKey: p2sh(ms), redeemScript: toHex(ms) },
  ];
  const r = await ok<SignResult>(t, "signrawtransactionwithkey", [raw, [k1.wif], prevtxs]);
  assertEquals(r.complete, false);
  const tx = decodeHexTx(r.hex)!;
  assertEquals(r.errors, [
    {
      txid: txids[0],
      vout: 0,
      witness: [],
      scriptSig: "",
      sequence: 4294967293,
      error: "Unable to sign input, invalid stack size (possibly missing key)",
    },
    {
      txid: txids[1],
      vout: 1,
      witness: [],
      scriptSig: toHex(tx.inputs[1].scriptSig),
      sequence: 4294967293,
      error: "CHECK(MULTI)SIG failing with non-zero signature (possibly need more signatures)",
    },
    {
      txid: txids[2],
      vout: 2,
      witness: [],
      scriptSig: "",
      sequence: 4294967293,
      error: "Input not found or already spent",
    },
  ]);
  // The partial multisig scriptSig: OP_0 <sig> OP_0 <redeemScript>.
  assert(toHex(tx.inputs[1].scriptSig).startsWith("0047304402"));
  // The second key completes input 1 from the partial signature.
  const r2 = await ok<SignResult>(t, "signrawtransactionwithkey", [r.hex, [k2.wif], prevtxs]);
  assertEquals(r2.errors!.map((e) => e.vout), [0, 2]);

  // Segwit input without amount: Core's exception.
  const spk = p2wpkh(k1.pub);
  await fails(
    t,
    "signrawtransactionwithkey",
    [raw, [k1.wif], [{ txid: txids[0], vout: 0, scriptPubKey: spk }]],
    -3,
    `Missing amount for CTxOut(nValue=21000000.00000000, scriptPubKey=${spk.slice(0, 30)})`,
  );
  // prevtxs validation.
  await fails(
    t,
    "signrawtransactionwithkey",
    [raw, [], [1]],
    -22,
    'expected object with {"txid\'","vout","scriptPubKey"}',
  );
  await fails(
    t,
    "signrawtransactionwithkey",
    [raw, [], [{ vout: 0, scriptPubKey: spk }]],
    -3,
    "Missing txid",
  );
  await fails(
    t,
    "signrawtransactionwithkey",
    [raw, [], [{ txid: txids[0], vout: "0", scriptPubKey: spk }]],
    -3,
    "JSON value of type string for field vout is not of expected type number",
  );
  await fails(
    t,
    "signrawtransactionwithkey",
    [raw, [], [{ txid: txids[0], vout: -1, scriptPubKey: spk }]],
    -22,
    "vout cannot be negative",
  );
  await fails(
    t,
    "signrawtransactionwithkey",
    [raw, [], [{ txid: txids[0], vout: 0, scriptPubKey: "" }]],
    -8,
    "scriptPubKey must be hexadecimal string (not '')",
  );
  await fails(
    t,
    "signrawtransactionwithkey",
    [raw, [], [{ txid: txids[0], vout: 0, scriptPubKey: p2sh(ms) }]],
    -8,
    "Missing redeemScript/witnessScript",
  );
  await fails(
    t,
    "signrawtransactionwithkey",
    [raw, [], [{ txid: txids[0], vout: 0, scriptPubKey: p2sh(ms), redeemScript: "51" }]],
    -8,
    "redeemScript/witnessScript does not match scriptPubKey",
  );
  await fails(
    t,
    "signrawtransactionwithkey",
    [raw, [], [{
      txid: txids[0],
      vout: 0,
      scriptPubKey: p2wsh(ms),
      witnessScript: toHex(ms),
      redeemScript: "51",
    }]],
    -8,
    "redeemScript does not correspond to witnessScript",
  );
  await fails(
    t,
    "signrawtransactionwithkey",
    [raw, [], [{ txid: txids[0], vout: 0, scriptPubKey: spk, amount: "x" }]],
    -3,
    "Invalid amount",
  );
});

Deno.test("signrawtransactionwithkey: coins from the node's getCoin; a prevtx must match its script", async () => {
  const k1 = key(21);
  const txid = toHex(sha256(Uint8Array.of(9)));
  const coins = new Map<string, CoinLike>();
  const t = table((o) => coins.get(outPointKey(o)) ?? null);
  const spk = hexBytes(p2wpkh(k1.pub));
  const outpoint = { txid: hexBytes(txid).reverse(), vout: 0 };
  coins.set(outPointKey(outpoint), { value: 50_000n, scriptPubKey: spk });
  const raw = await ok<string>(t, "createrawtransaction", [[{ txid, vout: 0 }], [{ [ADDR_WPKH]: 0.0004 }]]);
  const r = await ok<SignResult>(t, "signrawtransactionwithkey", [raw, [k1.wif]]);
  assertEquals(r.complete, true);
  verifyAll(r.hex, [{ value: 50_000n, scriptPubKey: spk }]);
  await fails(
    t,
    "signrawtransactionwithkey",
    [raw, [k1.wif], [{ txid, vout: 0, scriptPubKey: "51" }]],
    -22,
    `Previous output scriptPubKey mismatch:\n0 ${toHex(hash160(k1.pub))}\nvs:\n1`,
  );
});

Deno.test("signrawtransactionwithkey: taproot key path signatures equal BIP341's wallet vectors", async () => {
  const url = new URL("../../../../shared/vectors/bip341_wallet_vectors.json", import.meta.url);
  const vectors = JSON.parse(await Deno.readTextFile(url)) as {
    keyPathSpending: Array<{
      given: { rawUnsignedTx: string; utxosSpent: Array<{ scriptPubKey: string; amountSats: number }> };
      inputSpending: Array<{
        given: { txinIndex: number; hashType: number };
        intermediary: { tweakedPrivkey: string };
        expected: { witness: string[] };
      }>;
    }>;
  };
  const t = table();
  const names: Record<number, string> = {
    0: "DEFAULT",
    1: "ALL",
    2: "NONE",
    3: "SINGLE",
    0x81: "ALL|ANYONECANPAY",
    0x82: "NONE|ANYONECANPAY",
    0x83: "SINGLE|ANYONECANPAY",
  };
  const spend = vectors.keyPathSpending[0];
  const tx = decodeHexTx(spend.given.rawUnsignedTx)!;
  const prevtxs = tx.inputs.map((input, i) => ({
    txid: toHex(input.prevout.txid.slice().reverse()),
    vout: input.prevout.vout,
    scriptPubKey: spend.given.utxosSpent[i].scriptPubKey,
    amount: (spend.given.utxosSpent[i].amountSats / 1e8).toFixed(8),
  }));
  for (const input of spend.inputSpending) {
    const wif = encodeSecret(
      { key: hexBytes(input.intermediary.tweakedPrivkey), compressed: true },
      "regtest",
    );
    const r = await ok<SignResult>(t, "signrawtransactionwithkey", [
      spend.given.rawUnsignedTx,
      [wif],
      prevtxs,
      names[input.given.hashType],
    ]);
    const signed = decodeHexTx(r.hex)!;
    assertEquals(signed.inputs[input.given.txinIndex].witness.map(toHex), input.expected.witness);
  }
});

Deno.test("combinerawtransaction: merges partial multisig signatures; Core's errors", async () => {
  const k = [31, 32, 33].map((n) => key(n));
  const ms = scriptForMultisig(2, k.map((x) => x.pub));
  const txid = toHex(sha256(Uint8Array.of(77)));
  const spkHex = p2sh(ms);
  const coins = new Map<string, CoinLike>();
  const t = table((o) => coins.get(outPointKey(o)) ?? null);
  const raw = await ok<string>(t, "createrawtransaction", [[{ txid, vout: 3 }], [{ [ADDR_WPKH]: 1 }]]);
  const prevtxs = [{ txid, vout: 3, scriptPubKey: spkHex, redeemScript: toHex(ms), amount: 2 }];
  const a = await ok<SignResult>(t, "signrawtransactionwithkey", [raw, [k[0].wif], prevtxs]);
  const b = await ok<SignResult>(t, "signrawtransactionwithkey", [raw, [k[2].wif], prevtxs]);
  assertEquals([a.complete, b.complete], [false, false]);

  // No coins known: Core's error (its coins come from the UTXO set and mempool).
  await fails(t, "combinerawtransaction", [[a.hex, b.hex]], -25, "Input not found or already spent");
  coins.set(outPointKey({ txid: hexBytes(txid).reverse(), vout: 3 }), {
    value: 200_000_000n,
    scriptPubKey: hexBytes(spkHex),
  });
  const combined = await ok<string>(t, "combinerawtransaction", [[a.hex, b.hex]]);
  verifyAll(combined, [{ value: 200_000_000n, scriptPubKey: hexBytes(spkHex) }]);
  const both = await ok<SignResult>(t, "signrawtransactionwithkey", [raw, [k[0].wif, k[2].wif], prevtxs]);
  assertEquals(combined, both.hex);
  // Combining with the unsigned transaction keeps the signatures.
  assertEquals(await ok<string>(t, "combinerawtransaction", [[raw, combined]]), combined);

  await fails(
    t,
    "combinerawtransaction",
    [[a.hex]],
    -22,
    "Missing transactions. At least two transactions required.",
  );
  await fails(
    t,
    "combinerawtransaction",
    [[a.hex, "zz"]],
    -22,
    "TX decode failed for tx 1. Make sure the tx has at least one input.",
  );
  const other = await ok<string>(t, "createrawtransaction", [[{ txid, vout: 4 }], [{ [ADDR_WPKH]: 1 }]]);
  await fails(
    t,
    "combinerawtransaction",
    [[a.hex, b.hex, other]],
    -8,
    "Transaction number 3 not compatible with first transaction",
  );
});

Deno.test("help: Core's argument lists", () => {
  const t = table();
  assert(
    t.help("createrawtransaction").startsWith(
      'createrawtransaction [{"txid":"hex","vout":n,"sequence":n},...] [{"address":amount,...},{"data":"hex"},...] ( locktime replaceable version )',
    ),
  );
  assert(t.help("decoderawtransaction").startsWith('decoderawtransaction "hexstring" ( iswitness )'));
  assert(t.help("decodescript").startsWith('decodescript "hexstring"'));
  assert(t.help("combinerawtransaction").startsWith('combinerawtransaction ["hexstring",...]'));
  assert(
    t.help("signrawtransactionwithkey").startsWith(
      'signrawtransactionwithkey "hexstring" ["privatekey",...] ( [{"txid":"hex","vout":n,"scriptPubKey":"hex","redeemScript":"hex","witnessScript":"hex","amount":amount},...] "sighashtype" )',
    ),
  );
  const d = t.help("decoderawtransaction");
  assert(/\n {6}"txinwitness" : \[ +\(json array, optional\)\n/.test(d), d);
  assert(
    d.includes(
      "(string) The type (one of: nonstandard, anchor, pubkey, pubkeyhash, scripthash, multisig, nulldata, witness_v0_scripthash, witness_v0_keyhash, witness_v1_taproot, witness_unknown)",
    ),
  );
});
