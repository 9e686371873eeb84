import * as tiny from "tiny-secp256k1";
import { parseDescriptor } from "../../core/descriptors/descriptor.ts";
import { hash160, sha256, toHex } from "../../core/hash/hashes.ts";
import { scriptForMultisig, scriptForRawPubKey } from "../../core/script/standard.ts";
import { encodeTransaction } from "../../core/wire/transaction.ts";
import type { Transaction } from "../../core/wire/types.ts";
import { helpText } from "../../rpc/help.ts";
import {
  checkTxScriptsSanity,
  decodeHexTx,
  encodeHexTx,
  inferDescriptor,
  scriptProvider,
  scriptPubKeyToUniv,
  scriptToUniv,
  txDoc,
  txToUniv,
} from "../../rpc/tx_json.ts";
import { assert, assertEquals } from "./asserts.ts";

interface Recorded {
  call: [string, unknown[]];
  result?: Record<string, unknown>;
}

async function loadSession(): Promise<Recorded[]> {
  const url = new URL("../../../shared/reference/core_regtest_rpc_session.json", import.meta.url);
  return JSON.parse(await Deno.readTextFile(url)) as Recorded[];
}

function hex(s: string): Uint8Array {
  return Uint8Array.from((s.match(/../g) ?? []).map((b) => parseInt(b, 16)));
}

/** The JSON value as a client sees it (RawJson numbers become numbers). */
function asJson(v: unknown): unknown {
  return JSON.parse(JSON.stringify(v));
}

Deno.test("txToUniv equals Core's recorded decoderawtransaction and getrawtransaction objects", async () => {
  const session = await loadSession();
  const decoded = session.find((r) => r.call[0] === "decoderawtransaction" && r.result)!;
  const tx = decodeHexTx(decoded.call[1][0] as string)!;
  assertEquals(asJson(txToUniv(tx, { network: "regtest" })), decoded.result);
  // Core's key order, exactly.
  assertEquals(
    JSON.stringify(txToUniv(tx, { network: "regtest" })),
    JSON.stringify(decoded.result).replaceAll(":1.5,", ":1.50000000,").replaceAll(
      ":48.4999718,",
      ":48.49997180,",
    ),
  );

  // getrawtransaction verbosity 1 of a coinbase: TxToUniv with hex, then the chain fields.
  for (const rec of session.filter((r) => r.call[0] === "getrawtransaction")) {
    const res = { ...rec.result! };
    const coinbase = decodeHexTx(res.hex as string)!;
    const ours = asJson(txToUniv(coinbase, { network: "regtest", includeHex: true })) as Record<
      string,
      unknown
    >;
    for (const k of ["in_active_chain", "blockhash", "confirmations", "time", "blocktime"]) delete res[k];
    assertEquals(ours, res);
  }
});

Deno.test("txToUniv: undo data adds fee and prevout; blockhash; ischange", () => {
  const spk = hex("0014" + "11".repeat(20));
  const tx: Transaction = {
    version: 2,
    inputs: [{
      prevout: { txid: new Uint8Array(32).fill(1), vout: 3 },
      scriptSig: new Uint8Array(0),
      sequence: 1,
      witness: [],
    }],
    outputs: [{ value: 90_000n, scriptPubKey: spk }],
    locktime: 0,
  };
  const undo = [{ value: 100_000n, scriptPubKey: spk, height: 7, coinbase: true }];
  const plain = asJson(txToUniv(tx, { network: "regtest", undo })) as Record<string, unknown>;
  assertEquals(plain.fee, 0.0001);
  assertEquals((plain.vin as Array<Record<string, unknown>>)[0].prevout, undefined);
  const full = txToUniv(tx, {
    network: "regtest",
    undo,
    verbosity: "details_and_prevout",
    blockHash: new Uint8Array(32).fill(0xab),
    includeHex: true,
    isChange: () => true,
  });
  assertEquals(Object.keys(full), [
    "txid",
    "hash",
    "version",
    "size",
    "vsize",
    "weight",
    "locktime",
    "vin",
    "vout",
    "fee",
    "blockhash",
    "hex",
  ]);
  assertEquals(Object.keys(full.vin[0]), ["txid", "vout", "scriptSig", "prevout", "sequence"]);
  assertEquals(asJson(full.vin[0].prevout), {
    generated: true,
    height: 7,
    value: 0.001,
    scriptPubKey: asJson(scriptPubKeyToUniv(spk, "regtest")),
  });
  assertEquals(full.vout[0].ischange, true);
  assertEquals(full.hex, encodeHexTx(tx));
  assertEquals(full.blockhash, "ab".repeat(32));
  // An all-zero block hash is "no block" (Core's uint256() check).
  assertEquals(txToUniv(tx, { network: "regtest", blockHash: new Uint8Array(32) }).blockhash, undefined);
  // Values print with 8 decimals.
  assertEquals(JSON.stringify(full.vout[0].value), "0.00090000");
});

Deno.test("decodeHexTx: extended and legacy serializations chosen as Core's DecodeTx", () => {
  const spk = hex("0014" + "22".repeat(20));
  const withWitness: Transaction = {
    version: 2,
    inputs: [{
      prevout: { txid: new Uint8Array(32).fill(3), vout: 0 },
      scriptSig: new Uint8Array(0),
      sequence: 0,
      witness: [hex("aa")],
    }],
    outputs: [{ value: 5n, scriptPubKey: spk }],
    locktime: 0,
  };
  const h = toHex(encodeTransaction(withWitness));
  assertEquals(decodeHexTx(h)!.inputs[0].witness.map(toHex), ["aa"]);
  assertEquals(decodeHexTx(h, { tryNoWitness: false }) !== null, true);
  assertEquals(decodeHexTx(h, { tryWitness: false }), null);
  // No inputs: only the legacy reading consumes everything.
  const noInputs: Transaction = { ...withWitness, inputs: [] };
  const n = toHex(encodeTransaction(noInputs));
  assertEquals(decodeHexTx(n)!.inputs.length, 0);
  assertEquals(decodeHexTx(n, { tryNoWitness: false }), null);
  // Not hex, odd length, empty, trailing bytes.
  for (const bad of ["", "0", "zz", h + "00"]) assertEquals(decodeHexTx(bad), null);
  // Uppercase hex is hex.
  assertEquals(decodeHexTx(h.toUpperCase()) !== null, true);
});

Deno.test("checkTxScriptsSanity: invalid opcodes and oversized scripts (not in coinbase scriptSigs)", () => {
  const base: Transaction = {
    version: 1,
    inputs: [{
      prevout: { txid: new Uint8Array(32).fill(1), vout: 0 },
      scriptSig: hex("51"),
      sequence: 0,
      witness: [],
    }],
    outputs: [{ value: 1n, scriptPubKey: hex("51") }],
    locktime: 0,
  };
  assertEquals(checkTxScriptsSanity(base), true);
  assertEquals(checkTxScriptsSanity({ ...base, outputs: [{ value: 1n, scriptPubKey: hex("ff") }] }), false);
  assertEquals(
    checkTxScriptsSanity({ ...base, outputs: [{ value: 1n, scriptPubKey: new Uint8Array(10_001) }] }),
    false,
  );
  const badSig = { ...base, inputs: [{ ...base.inputs[0], scriptSig: hex("4c") }] };
  assertEquals(checkTxScriptsSanity(badSig), false);
  const coinbase = {
    ...base,
    inputs: [{
      ...base.inputs[0],
      prevout: { txid: new Uint8Array(32), vout: 0xffffffff },
      scriptSig: hex("ff"),
    }],
  };
  assertEquals(checkTxScriptsSanity(coinbase), true);
});

Deno.test("inferDescriptor: Core's InferDescriptor forms; each parses back (core/descriptors) to the same script", () => {
  const pub = tiny.pointFromScalar(sha256(Uint8Array.of(1)), true)!;
  const pub2 = tiny.pointFromScalar(sha256(Uint8Array.of(2)), true)!;
  const upub = tiny.pointFromScalar(sha256(Uint8Array.of(3)), false)!;
  const hybrid = Uint8Array.of(upub[64] & 1 ? 7 : 6, ...upub.subarray(1));
  const ms = scriptForMultisig(1, [pub, pub2]);
  const msU = scriptForMultisig(1, [pub, upub]);
  const p2wsh = (s: Uint8Array) => Uint8Array.of(0x00, 0x20, ...sha256(s));
  const p2sh = (s: Uint8Array) => Uint8Array.of(0xa9, 20, ...hash160(s), 0x87);
  const pkh = Uint8Array.of(0x76, 0xa9, 20, ...hash160(pub), 0x88, 0xac);
  const wpkh = Uint8Array.of(0x00, 20, ...hash160(pub));
  const pubkeys = new Map([[toHex(hash160(pub)), pub]]);
  const cases: Array<[Uint8Array, ReturnType<typeof scriptProvider>, string]> = [
    [scriptForRawPubKey(pub), {}, `pk(${toHex(pub)})`],
    [scriptForRawPubKey(upub), {}, `pk(${toHex(upub)})`],
    [scriptForRawPubKey(hybrid), {}, `raw(${toHex(scriptForRawPubKey(hybrid))})`],
    [pkh, {}, "addr(m*"],
    [pkh, { pubkeys }, `pkh(${toHex(pub)})`],
    [wpkh, { pubkeys }, `wpkh(${toHex(pub)})`],
    [p2sh(wpkh), { pubkeys, scripts: scriptProvider(wpkh).scripts }, `sh(wpkh(${toHex(pub)}))`],
    [ms, {}, `multi(1,${toHex(pub)},${toHex(pub2)})`],
    [p2sh(ms), scriptProvider(ms), `sh(multi(1,${toHex(pub)},${toHex(pub2)}))`],
    [p2wsh(ms), scriptProvider(ms), `wsh(multi(1,${toHex(pub)},${toHex(pub2)}))`],
    [p2sh(p2wsh(ms)), scriptProvider(ms, p2wsh(ms)), `sh(wsh(multi(1,${toHex(pub)},${toHex(pub2)})))`],
    // Uncompressed keys are allowed in sh(multi()) but not in wsh(): that falls back to the address.
    [p2sh(msU), scriptProvider(msU), `sh(multi(1,${toHex(pub)},${toHex(upub)}))`],
    [p2wsh(ms), {}, "addr(bcrt1q*"],
    [Uint8Array.of(0x51, 0x20, ...pub.subarray(1)), {}, `rawtr(${toHex(pub.subarray(1))})`],
    [hex("6a0401020304"), {}, "raw(6a0401020304)"],
  ];
  for (const [script, provider, expected] of cases) {
    const got = inferDescriptor(script, "regtest", provider).descriptor;
    const [text, checksum] = got.split("#");
    if (expected.endsWith("*")) assert(text.startsWith(expected.slice(0, -1)), text);
    else assertEquals(text, expected);
    const parsed = parseDescriptor(got, { network: "regtest", requireChecksum: true });
    assertEquals(parsed.toString(), got, "canonical text and checksum agree with core/descriptors");
    assertEquals(toHex(parsed.expand(0).scriptPubKeys[0]), toHex(script), `${text} expands to the script`);
    assertEquals(checksum.length, 8);
  }
  // An x-only key not on the curve has no rawtr(): Core falls back to the address.
  const notOnCurve = Uint8Array.of(0x51, 0x20, ...new Uint8Array(32).fill(0xff));
  assert(inferDescriptor(notOnCurve, "regtest").descriptor.startsWith("addr(bcrt1p"));
  // Output types as Core's GetOutputType.
  assertEquals(
    inferDescriptor(p2sh(p2wsh(ms)), "regtest", scriptProvider(ms, p2wsh(ms))).outputType,
    "p2sh-segwit",
  );
  assertEquals(inferDescriptor(p2sh(ms), "regtest", scriptProvider(ms)).outputType, "legacy");
  assertEquals(inferDescriptor(ms, "regtest").outputType, undefined);
  // The session's getdescriptorinfo checksum for this wpkh() descriptor.
  const k3 = hex("02" + "33".repeat(32));
  assertEquals(
    inferDescriptor(Uint8Array.of(0, 20, ...hash160(k3)), "regtest", {
      pubkeys: new Map([[toHex(hash160(k3)), k3]]),
    }).descriptor,
    "wpkh(023333333333333333333333333333333333333333333333333333333333333333)#h3r6svrt",
  );
});

Deno.test("scriptToUniv: field order and which fields appear", () => {
  const pub = tiny.pointFromScalar(sha256(Uint8Array.of(1)), true)!;
  const p2pk = scriptToUniv(scriptForRawPubKey(pub), {
    network: "regtest",
    includeHex: true,
    includeAddress: true,
  });
  assertEquals(Object.keys(p2pk), ["asm", "desc", "hex", "type"]);
  const wpkh = scriptPubKeyToUniv(Uint8Array.of(0, 20, ...hash160(pub)), "regtest");
  assertEquals(Object.keys(wpkh), ["asm", "desc", "hex", "address", "type"]);
  const bare = scriptToUniv(hex("51"), { network: "regtest", includeHex: false, includeAddress: false });
  assertEquals(bare, { asm: "1", type: "nonstandard" });
});

Deno.test("txDoc: Core's TxDoc options and elision", () => {
  const text = helpText({
    name: "x",
    description: "d",
    args: [],
    results: [{
      type: "obj",
      inner: txDoc({ elisionMode: "with_summary", elisionSummary: "Same as before", fee: true }),
    }],
    examples: "",
  });
  assert(text.includes("  ...,"), text);
  assert(text.includes("Same as before"), text);
  assert(text.includes('"fee" : n'), text);
  assert(!text.includes('"txid"'), text);
  const withPrevout = helpText({
    name: "x",
    description: "d",
    args: [],
    results: [{
      type: "obj",
      inner: txDoc({
        elisionMode: "silent",
        prevout: true,
        prevoutOptional: true,
        vinInnerElision: "Same vin fields as verbosity = 1",
      }),
    }],
    examples: "",
  });
  assert(withPrevout.includes('"prevout" : {'), withPrevout);
  assert(withPrevout.includes("Same vin fields as verbosity = 1"), withPrevout);
  assert(!withPrevout.includes('"sequence"'), withPrevout);
});
