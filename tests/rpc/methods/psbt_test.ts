import { secp256k1 } from "@noble/curves/secp256k1.js";
import { hash160, reverseHex, toHex } from "../../../core/hash/hashes.ts";
import {
  decodePsbtBase64,
  encodePsbtBase64,
  psbtFromTransaction,
  signPsbt,
  SimpleSigningProvider,
} from "../../../core/psbt/mod.ts";
import { encodeTransaction, txid } from "../../../core/wire/transaction.ts";
import { parseDescriptor } from "../../../core/descriptors/descriptor.ts";
import {
  encodeExtKey,
  encodeExtPubKey,
  extKeyFromSeed,
  keyFingerprint,
  neuterExtKey,
} from "../../../core/descriptors/hd_key.ts";
import { STANDARD_SCRIPT_VERIFY_FLAGS } from "../../../core/script/flags.ts";
import { verifyScript } from "../../../core/script/interpreter.ts";
import { PrecomputedTransactionData } from "../../../core/script/sighash.ts";
import { TransactionSignatureChecker } from "../../../core/script/tx_checker.ts";
import { decodeHexTx } from "../../../rpc/tx_json.ts";
import type { Transaction, TxOut } from "../../../core/wire/types.ts";
import { helpText } from "../../../rpc/help.ts";
import { psbtMethods } from "../../../rpc/methods/psbt.ts";
import { rawTransactionMethods } from "../../../rpc/methods/rawtransaction.ts";
import { RpcTable } from "../../../rpc/table.ts";
import { loadRpcPsbtVectors } from "../../core/psbt/psbt_vectors.ts";
import { assert, assertEquals } from "../asserts.ts";
import { call, fails, ok } from "./table_calls.ts";

const vectors = await loadRpcPsbtVectors();

function table(random?: () => number): RpcTable {
  const t = new RpcTable();
  t.registerAll(psbtMethods({ network: () => "regtest", random }));
  t.registerAll(rawTransactionMethods({ network: () => "regtest" }));
  return t;
}

const ADDR_WPKH = "bcrt1qkxwjh89dsdj9ewueztgx0plrpw6m4ru0te5w6w";
const TXID_A = "c0ae558b55e205864c28800eca9b1214833d2fda137d07e69786b1cda18551b4";
const TXID_B = "4b9a0b1697723fc5555185c2815082e78ded6911ebc46aa7fe6339dea67b1934";

type Json = Record<string, unknown>;

/** A transaction whose one input spends output 0 of the txid of 32 `fill` bytes with an OP_TRUE scriptSig. */
function spendingOpTrue(fill: number, outputs: TxOut[]): Transaction {
  return {
    version: 2,
    locktime: 0,
    inputs: [{
      prevout: { txid: new Uint8Array(32).fill(fill), vout: 0 },
      scriptSig: Uint8Array.of(0x51),
      sequence: 0,
      witness: [],
    }],
    outputs,
  };
}

Deno.test({
  name: "decodepsbt: every valid vector decodes; invalid ones fail with Core's -22 messages",
  ignore: vectors === null,
}, async () => {
  const t = table();
  for (const v of vectors!.valid) await ok(t, "decodepsbt", [v]);
  for (const v of vectors!.invalid) {
    const r = await call(t, "decodepsbt", [v]);
    assertEquals(r.error?.code, -22);
    assert(r.error!.message.startsWith("TX decode failed "), r.error!.message);
  }
  for (const [v, msg] of vectors!.invalid_with_msg) {
    const r = await call(t, "decodepsbt", [v]);
    assertEquals(r.error?.code, -22);
    assert(r.error!.message.startsWith(`TX decode failed ${msg}`), `${msg} / ${r.error!.message}`);
  }
  await fails(t, "decodepsbt", [";definitely not base64;"], -22, "TX decode failed invalid base64");
  await fails(
    t,
    "decodepsbt",
    [vectors!.invalid_with_msg.find(([, m]) => m === "PSBT_GLOBAL_TX_VERSION is required in PSBTv2")![0]],
    -22,
    "TX decode failed PSBT_GLOBAL_TX_VERSION is required in PSBTv2: iostream error",
  );
});

Deno.test({
  name: "decodepsbt: a v0 PSBT has the decoded tx; fields in Core's order",
  ignore: vectors === null,
}, async () => {
  const t = table();
  const d = await ok<Json>(t, "decodepsbt", [vectors!.finalizer[0].finalize]);
  assertEquals(Object.keys(d), [
    "tx",
    "global_xpubs",
    "psbt_version",
    "proprietary",
    "unknown",
    "inputs",
    "outputs",
    "fee",
  ]);
  assertEquals(d.psbt_version, 0);
  assertEquals((d.tx as Json).version, 2);
  const inputs = d.inputs as Json[];
  assertEquals(inputs.length, 2);
  assertEquals(Object.keys(inputs[0]), [
    "non_witness_utxo",
    "partial_signatures",
    "sighash",
    "redeem_script",
    "bip32_derivs",
  ]);
  assertEquals(inputs[0].sighash, "ALL");
  assertEquals(Object.keys(inputs[0].redeem_script as Json), ["asm", "hex", "type"]);
  assertEquals((inputs[0].bip32_derivs as Json[])[0].path, "m/0h/0h/0h");
  assertEquals(Object.keys(inputs[1]).slice(0, 2), ["witness_utxo", "partial_signatures"]);
  assertEquals(Object.keys((inputs[1].witness_utxo as Json).scriptPubKey as Json), [
    "asm",
    "desc",
    "hex",
    "address",
    "type",
  ]);
  assertEquals(d.fee, 0.0001);
});

Deno.test("decodepsbt: Core's recorded walletcreatefundedpsbt (PSBTv2) shape", async () => {
  const session = JSON.parse(
    await Deno.readTextFile(
      new URL("../../../../shared/reference/core_regtest_rpc_session.json", import.meta.url),
    ),
  ) as Array<{ call: [string, unknown[]]; result?: { psbt?: string; fee?: number } }>;
  const rec = session.find((e) => e.call[0] === "walletcreatefundedpsbt")!;
  const d = await ok<Json>(table(), "decodepsbt", [rec.result!.psbt]);
  assertEquals(Object.keys(d), [
    "global_xpubs",
    "tx_version",
    "fallback_locktime",
    "input_count",
    "output_count",
    "psbt_version",
    "proprietary",
    "unknown",
    "inputs",
    "outputs",
    "fee",
  ]);
  assertEquals([d.tx_version, d.psbt_version, d.input_count, d.output_count], [2, 2, 1, 2]);
  assertEquals(d.fee, rec.result!.fee);
  const input = (d.inputs as Json[])[0];
  assertEquals(Object.keys(input), [
    "witness_utxo",
    "non_witness_utxo",
    "bip32_derivs",
    "previous_txid",
    "previous_vout",
    "sequence",
  ]);
  assertEquals(input.sequence, 0xfffffffd);
  const output = (d.outputs as Json[])[0];
  assertEquals(Object.keys(output), ["amount", "script"]);
  assertEquals(output.amount, 0.2);
  assertEquals((output.script as Json).address, "bcrt1qkxwjh89dsdj9ewueztgx0plrpw6m4ru0te5w6w");
});

Deno.test(
  { name: "createpsbt: Core's creator vector; versions 0 and 2 only", ignore: vectors === null },
  async () => {
    const t = table();
    for (const c of vectors!.creator) {
      assertEquals(await ok(t, "createpsbt", [c.inputs, c.outputs, 0, false, null, c.version]), c.result);
    }
    const v2 = await ok<string>(t, "createpsbt", [[{ txid: TXID_A, vout: 1 }], [{ [ADDR_WPKH]: 0.5 }]]);
    const d = await ok<Json>(t, "decodepsbt", [v2]);
    assertEquals([d.psbt_version, d.tx_version, d.fallback_locktime], [2, 2, 0]);
    assertEquals((d.inputs as Json[])[0], { previous_txid: TXID_A, previous_vout: 1, sequence: 0xfffffffd });
    await fails(
      t,
      "createpsbt",
      [[], [{ [ADDR_WPKH]: 1 }], 0, true, 2, 1],
      -8,
      "The PSBT version can only be 2 or 0",
    );
  },
);

Deno.test("converttopsbt: unsigned transactions only unless permitsigdata", async () => {
  const t = table();
  const raw = await ok<string>(t, "createrawtransaction", [[{ txid: TXID_B, vout: 0 }], [{ data: "00ff" }]]);
  const psbt = await ok<string>(t, "converttopsbt", [raw, false, null, 0]);
  const d = await ok<Json>(t, "decodepsbt", [psbt]);
  assertEquals((d.tx as Json).txid, (await ok<Json>(t, "decoderawtransaction", [raw])).txid);
  // A transaction with a scriptSig.
  const tx = spendingOpTrue(1, [{ value: 1n, scriptPubKey: Uint8Array.of(0x51) }]);
  const signedHex = toHex(encodeTransaction(tx));
  await fails(t, "converttopsbt", [signedHex], -22, "Inputs must not have scriptSigs and scriptWitnesses");
  const permitted = await ok<string>(t, "converttopsbt", [signedHex, true]);
  assertEquals(decodePsbtBase64(permitted).inputs.length, 1);
  await fails(t, "converttopsbt", ["zz"], -22, "TX decode failed");
  await fails(t, "converttopsbt", [raw, false, null, 3], -8, "The PSBT version can only be 2 or 0");
});

Deno.test(
  { name: "combinepsbt and finalizepsbt: Core's vectors, errors", ignore: vectors === null },
  async () => {
    const t = table();
    for (const c of vectors!.combiner) assertEquals(await ok(t, "combinepsbt", [c.combine]), c.result);
    await fails(t, "combinepsbt", [[]], -8, "Parameter 'txs' cannot be empty");
    await fails(
      t,
      "combinepsbt",
      [[
        vectors!.combiner[0].combine[0],
        await ok<string>(t, "createpsbt", [
          [{ txid: TXID_A, vout: 0 }],
          [{ [ADDR_WPKH]: 1 }],
          0,
          false,
          2,
          0,
        ]),
      ]],
      -8,
      "PSBTs not compatible (different transactions)",
    );
    await fails(
      t,
      "combinepsbt",
      [["AAAA"]],
      -22,
      "TX decode failed SpanReader::read(): end of data: iostream error",
    );
    await fails(
      t,
      "combinepsbt",
      [["AAAAAAAA"]],
      -22,
      "TX decode failed Invalid PSBT magic bytes: iostream error",
    );
    for (const f of vectors!.finalizer) {
      assertEquals(await ok(t, "finalizepsbt", [f.finalize, false]), { psbt: f.result, complete: true });
    }
    for (const e of vectors!.extractor) {
      assertEquals(await ok(t, "finalizepsbt", [e.extract]), { hex: e.result, complete: true });
      assertEquals(await ok(t, "finalizepsbt", [e.extract, true]), { hex: e.result, complete: true });
    }
    // Not all signatures: the PSBT comes back, incomplete.
    const partial = vectors!.signer[0].result;
    const r = await ok<Json>(t, "finalizepsbt", [partial]);
    assertEquals(r.complete, false);
    assertEquals(Object.keys(r), ["psbt", "complete"]);
  },
);

Deno.test("analyzepsbt: shapes and Core's figures", async () => {
  const t = table();
  const secret = new Uint8Array(32).fill(7);
  const pub = secp256k1.getPublicKey(secret, true);
  const wpkh = Uint8Array.of(0, 20, ...hash160(pub));
  const p2sh = (s: Uint8Array) => Uint8Array.of(0xa9, 20, ...hash160(s), 0x87);
  const tx: Transaction = {
    version: 2,
    locktime: 0,
    inputs: [{
      prevout: { txid: new Uint8Array(32).fill(3), vout: 0 },
      scriptSig: new Uint8Array(0),
      sequence: 0xfffffffd,
      witness: [],
    }],
    outputs: [{
      value: 699_900_000n,
      scriptPubKey: p2sh(Uint8Array.of(0, 20, ...new Uint8Array(20).fill(5))),
    }],
  };
  const psbt = psbtFromTransaction(tx, 2);
  assertEquals(await ok(t, "analyzepsbt", [encodePsbtBase64(psbt)]), {
    inputs: [{ has_utxo: false, is_final: false, next: "updater" }],
    next: "updater",
  });
  psbt.inputs[0].witnessUtxo = { value: 700_000_000n, scriptPubKey: p2sh(wpkh) };
  psbt.inputs[0].redeemScript = wpkh;
  assertEquals(await ok(t, "analyzepsbt", [encodePsbtBase64(psbt)]), {
    inputs: [{
      has_utxo: true,
      is_final: false,
      next: "updater",
      missing: { pubkeys: [toHex(hash160(pub))] },
    }],
    next: "updater",
    fee: 0.001,
  });
  psbt.inputs[0].bip32Derivs.set(toHex(pub), {
    pubkey: pub,
    origin: { fingerprint: new Uint8Array(4), path: [] },
  });
  assertEquals(await ok(t, "analyzepsbt", [encodePsbtBase64(psbt)]), {
    inputs: [{
      has_utxo: true,
      is_final: false,
      next: "signer",
      missing: { signatures: [toHex(hash160(pub))] },
    }],
    estimated_vsize: 134,
    estimated_feerate: 0.00746268,
    fee: 0.001,
    next: "signer",
  });
  const provider = new SimpleSigningProvider();
  provider.addKey({ secret, compressed: true });
  signPsbt(provider, psbt);
  assertEquals(await ok(t, "analyzepsbt", [encodePsbtBase64(psbt)]), {
    inputs: [{ has_utxo: true, is_final: true, next: "extractor" }],
    estimated_vsize: 134,
    estimated_feerate: 0.00746268,
    fee: 0.001,
    next: "extractor",
  });
  await fails(
    t,
    "analyzepsbt",
    ["cHNidP8="],
    -22,
    "TX decode failed Separator is missing at the end of the global map: iostream error",
  );
});

Deno.test("joinpsbts: v0 only, distinct inputs, signatures dropped, shuffled", async () => {
  let seed = 1;
  const random = () => {
    seed = (seed * 16807) % 2147483647;
    return seed / 2147483647;
  };
  const t = table(random);
  const mk = (txid: string, vout: number, amount: number, v = 0) =>
    ok<string>(t, "createpsbt", [[{ txid, vout }], [{ [ADDR_WPKH]: amount }], 0, false, 2, v]);
  const a = await mk(TXID_A, 0, 1);
  const a2 = await mk(TXID_A, 0, 2);
  const b = await mk(TXID_B, 3, 3);
  await fails(t, "joinpsbts", [[a]], -8, "At least two PSBTs are required to join PSBTs.");
  await fails(
    t,
    "joinpsbts",
    [[a, await mk(TXID_B, 3, 3, 2)]],
    -8,
    "joinpsbts only operates on version 0 PSBTs",
  );
  await fails(t, "joinpsbts", [[a, a2]], -8, `Input ${TXID_A}:0 exists in multiple PSBTs`);
  // A finalized input loses its final fields when joined.
  const bp = decodePsbtBase64(b);
  bp.inputs[0].finalScriptSig = Uint8Array.of(0x51);
  const joined = await ok<string>(t, "joinpsbts", [[a, encodePsbtBase64(bp)]]);
  const d = decodePsbtBase64(joined);
  assertEquals([d.version, d.inputs.length, d.outputs.length], [0, 2, 2]);
  assert(d.inputs.every((i) => i.finalScriptSig === undefined));
  assertEquals(new Set(d.inputs.map((i) => reverseHex(i.prevTxid))), new Set([TXID_A, TXID_B]));
  const seen = new Set<string>();
  for (let i = 0; i < 10; i++) seen.add(await ok<string>(t, "joinpsbts", [[a, b]]));
  assert(seen.size > 1, "joinpsbts shuffles");
});

Deno.test("help texts of the PSBT methods", () => {
  const byName = new Map(psbtMethods({ network: () => "regtest" }).map((m) => [m.name, m]));
  assertEquals([...byName.keys()], [
    "decodepsbt",
    "combinepsbt",
    "finalizepsbt",
    "createpsbt",
    "converttopsbt",
    "analyzepsbt",
    "joinpsbts",
    "utxoupdatepsbt",
    "descriptorprocesspsbt",
  ]);
  const first = (name: string) => helpText(byName.get(name)!).split("\n")[0];
  assertEquals(first("decodepsbt"), 'decodepsbt "psbt"');
  assertEquals(first("combinepsbt"), 'combinepsbt ["psbt",...]');
  assertEquals(first("finalizepsbt"), 'finalizepsbt "psbt" ( extract )');
  assertEquals(
    first("createpsbt"),
    'createpsbt [{"txid":"hex","vout":n,"sequence":n},...] [{"address":amount,...},{"data":"hex"},...] ( locktime replaceable version psbt_version )',
  );
  assertEquals(first("converttopsbt"), 'converttopsbt "hexstring" ( permitsigdata iswitness psbt_version )');
  assertEquals(first("analyzepsbt"), 'analyzepsbt "psbt"');
  assertEquals(first("joinpsbts"), 'joinpsbts ["psbt",...]');
  assertEquals(
    first("utxoupdatepsbt"),
    'utxoupdatepsbt "psbt" ( ["",{"desc":"str","range":n or [n,n]},...] )',
  );
  const decode = helpText(byName.get("decodepsbt")!);
  for (
    const field of ["taproot_script_path_sigs", "musig2_pubnonces", "taproot_tree", "has_sighash_single"]
  ) {
    assert(decode.includes(`"${field}"`), field);
  }
});

Deno.test("utxoupdatepsbt: UTXOs from the coin view and txindex; scripts and derivations from descriptors", async () => {
  const master = extKeyFromSeed(new Uint8Array(32).fill(0x33))!;
  const xpub = encodeExtPubKey(neuterExtKey(master), "regtest");
  const fp = toHex(keyFingerprint(neuterExtKey(master).pubkey));
  const descs = [`wpkh(${xpub}/0/*)`, `pkh(${xpub}/1/*)`, `sh(wpkh(${xpub}/2/*))`];
  const spks = descs.map((d) => parseDescriptor(d, { network: "regtest" }).expand(0).scriptPubKeys[0]);
  const funding = spendingOpTrue(1, spks.map((s) => ({ value: 1_100_000_000n, scriptPubKey: s })));
  const fundingId = reverseHex(txid(funding));
  const coins = (o: { txid: Uint8Array; vout: number }) =>
    reverseHex(o.txid) === fundingId
      ? { value: funding.outputs[o.vout].value, scriptPubKey: spks[o.vout] }
      : null;
  const make = (withTxIndex: boolean) => {
    const t = new RpcTable();
    t.registerAll(psbtMethods({
      network: () => "regtest",
      getCoin: coins,
      getTransaction: (id) => withTxIndex && reverseHex(id) === fundingId ? funding : null,
    }));
    return t;
  };
  const noIndex = make(false);
  const psbt = await ok<string>(noIndex, "createpsbt", [
    [0, 1, 2].map((vout) => ({ txid: fundingId, vout })),
    [{ [ADDR_WPKH]: 32.999 }],
  ]);
  const keys = async (t: RpcTable, params: unknown[]) =>
    ((await ok<Json>(t, "decodepsbt", [await ok<string>(t, "utxoupdatepsbt", params)])).inputs as Json[])
      .map((i) =>
        Object.keys(i).filter((k) => !["previous_txid", "previous_vout", "sequence"].includes(k)).sort()
      );
  // The UTXO set only: the P2WPKH input gets its witness UTXO; the others are not known to be segwit.
  assertEquals(await keys(noIndex, [psbt]), [["witness_utxo"], [], []]);
  // With descriptors: P2SH-P2WPKH is segwit too, redeem scripts and derivations are filled in.
  assertEquals(await keys(noIndex, [psbt, descs]), [
    ["bip32_derivs", "witness_utxo"],
    [],
    ["bip32_derivs", "redeem_script", "witness_utxo"],
  ]);
  // With a transaction index, as Core's rpc_psbt.py expects.
  const withIndex = make(true);
  assertEquals(await keys(withIndex, [psbt]), [["non_witness_utxo", "witness_utxo"], ["non_witness_utxo"], [
    "non_witness_utxo",
  ]]);
  assertEquals(await keys(withIndex, [psbt, descs.map((desc) => ({ desc, range: [0, 3] }))]), [
    ["bip32_derivs", "non_witness_utxo", "witness_utxo"],
    ["bip32_derivs", "non_witness_utxo"],
    ["bip32_derivs", "non_witness_utxo", "redeem_script", "witness_utxo"],
  ]);
  const d = await ok<Json>(withIndex, "decodepsbt", [
    await ok<string>(withIndex, "utxoupdatepsbt", [psbt, descs]),
  ]);
  assertEquals(((d.inputs as Json[])[1].bip32_derivs as Json[])[0].master_fingerprint, fp);
  assertEquals(((d.inputs as Json[])[1].bip32_derivs as Json[])[0].path, "m/1/0");
  // Errors as Core's EvalDescriptorStringOrObject.
  await fails(
    noIndex,
    "utxoupdatepsbt",
    [psbt, [5]],
    -8,
    "Scan object needs to be either a string or an object",
  );
  await fails(noIndex, "utxoupdatepsbt", [psbt, [{}]], -8, "Descriptor needs to be provided in scan object");
  const bad = await call(noIndex, "utxoupdatepsbt", [psbt, ["wpkh(nonsense)"]]);
  assertEquals(bad.error?.code, -5);
});

Deno.test("descriptorprocesspsbt: signs with the descriptors' keys; bip32derivs, finalize, sighash errors", async () => {
  const master = extKeyFromSeed(new Uint8Array(32).fill(0x44))!;
  const xprv = encodeExtKey(master, "regtest");
  const descs = [`wpkh(${xprv}/0/*)`, `pkh(${xprv}/1/*)`, `sh(wpkh(${xprv}/2/*))`, `tr(${xprv}/3/*)`];
  const spks = descs.map((d) => parseDescriptor(d, { network: "regtest" }).expand(2).scriptPubKeys[0]);
  const funding = spendingOpTrue(2, spks.map((s) => ({ value: 100_000_000n, scriptPubKey: s })));
  const fundingId = reverseHex(txid(funding));
  const t = new RpcTable();
  t.registerAll(psbtMethods({
    network: () => "regtest",
    getTransaction: (id) => reverseHex(id) === fundingId ? funding : null,
  }));
  const psbt = await ok<string>(t, "createpsbt", [
    [0, 1, 2, 3].map((vout) => ({ txid: fundingId, vout })),
    [{ [ADDR_WPKH]: 3.999 }],
  ]);
  const ranged = descs.map((desc) => ({ desc, range: [0, 2] }));
  const r = await ok<Json>(t, "descriptorprocesspsbt", [psbt, ranged]);
  assertEquals(Object.keys(r), ["psbt", "complete", "hex"]);
  assertEquals(r.complete, true);
  const tx = decodeHexTx(r.hex as string)!;
  const pre = new PrecomputedTransactionData(tx, funding.outputs);
  tx.inputs.forEach((input, i) => {
    const checker = new TransactionSignatureChecker({
      tx,
      inputIndex: i,
      amount: funding.outputs[i].value,
      precomputed: pre,
    });
    assertEquals(
      verifyScript(input.scriptSig, spks[i], input.witness, STANDARD_SCRIPT_VERIFY_FLAGS, checker),
      null,
    );
  });
  // Not finalized, without derivations: partial signatures only.
  const partial = await ok<Json>(t, "descriptorprocesspsbt", [psbt, ranged, "ALL", false, false]);
  assertEquals(partial.complete, false);
  const d = await ok<Json>(t, "decodepsbt", [partial.psbt]);
  const inputs = d.inputs as Json[];
  assert(inputs.slice(0, 3).every((i) => i.partial_signatures !== undefined && i.bip32_derivs === undefined));
  assertEquals(inputs[3].taproot_key_path_sig !== undefined, true);
  assertEquals(inputs[3].taproot_bip32_derivs, undefined);
  await fails(
    t,
    "descriptorprocesspsbt",
    [psbt, ranged, "FOO"],
    -8,
    "'FOO' is not a valid sighash parameter.",
  );
  // The PSBT asks for SINGLE; signing with the default type is refused.
  const single = decodePsbtBase64(psbt);
  single.inputs[0].sighashType = 3;
  await fails(
    t,
    "descriptorprocesspsbt",
    [encodePsbtBase64(single), ranged],
    -22,
    "Specified sighash value does not match value stored in PSBT",
  );
});
