import fc from "fast-check";
import { secp256k1 } from "@noble/curves/secp256k1.js";
import {
  decodeBase64,
  decodePsbt,
  decodePsbtBase64,
  encodeBase64,
  encodePsbt,
  encodePsbtBase64,
  newPsbtInput,
  newPsbtOutput,
  type Psbt,
  PsbtDecodeError,
  psbtFromTransaction,
  signEcdsaGrindR,
} from "../../../core/psbt/mod.ts";
import { bytesEqual, hash160, sha256, toHex } from "../../../core/hash/hashes.ts";
import { txid } from "../../../core/wire/transaction.ts";
import type { Transaction } from "../../../core/wire/types.ts";
import { assert, assertEquals, assertThrows } from "../../assert.ts";
import { loadRpcPsbtVectors } from "./psbt_vectors.ts";

const vectors = await loadRpcPsbtVectors();

function decodeError(text: string): PsbtDecodeError {
  try {
    decodePsbtBase64(text);
  } catch (e) {
    if (e instanceof PsbtDecodeError) return e;
    throw new Error(`not a PsbtDecodeError: ${e}`);
  }
  throw new Error("decoded");
}

Deno.test({
  name: "rpc_psbt.json: every valid PSBT decodes; re-encoding is Core's canonical form",
  ignore: vectors === null,
}, () => {
  assertEquals(vectors!.valid.length, 48);
  let exact = 0;
  for (const v of vectors!.valid) {
    const psbt = decodePsbtBase64(v);
    const again = encodePsbtBase64(psbt);
    if (again === v) exact++;
    // Canonical forms are stable and decode to the same PSBT.
    assertEquals(encodePsbtBase64(decodePsbtBase64(again)), again);
  }
  // The 8 others are non-canonical on purpose: a witness-serialized non-witness UTXO (Core re-serializes it
  // without witness) or an explicit PSBT_GLOBAL_VERSION 0 (Core does not write version 0).
  assertEquals(exact, 40);
});

Deno.test({
  name: "rpc_psbt.json: every invalid PSBT is rejected with a PsbtDecodeError",
  ignore: vectors === null,
}, () => {
  assertEquals(vectors!.invalid.length, 63);
  for (const v of vectors!.invalid) decodeError(v);
});

Deno.test({ name: "rpc_psbt.json: invalid PSBTs with Core's messages", ignore: vectors === null }, () => {
  assertEquals(vectors!.invalid_with_msg.length, 23);
  for (const [v, msg] of vectors!.invalid_with_msg) {
    const e = decodeError(v);
    assert(e.coreMessage.includes(msg), `expected "${msg}", got "${e.coreMessage}"`);
  }
});

Deno.test({
  name: "decode errors: Core's texts and the iostream suffix of stream errors",
  ignore: vectors === null,
}, () => {
  const e1 = decodeError(";definitely not base64;");
  assertEquals([e1.reason, e1.stream, e1.coreMessage], ["invalid base64", false, "invalid base64"]);
  const e2 = decodeError(encodeBase64(Uint8Array.of(0x70, 0x73, 0x62, 0x74, 0xfe, 0)));
  assertEquals(e2.coreMessage, "Invalid PSBT magic bytes: iostream error");
  const e3 = decodeError(encodeBase64(Uint8Array.of(0x70, 0x73, 0x62)));
  assertEquals(e3.reason, "SpanReader::read(): end of data");
  const e4 = decodeError(encodeBase64(Uint8Array.of(0x70, 0x73, 0x62, 0x74, 0xff)));
  assertEquals(e4.reason, "Separator is missing at the end of the global map");
  const ok = decodeBase64(vectors!.valid[0])!;
  const extra = new Uint8Array(ok.length + 1);
  extra.set(ok);
  const e5 = decodeError(encodeBase64(extra));
  assertEquals([e5.reason, e5.stream], ["extra data after PSBT", false]);
  const e6 = decodeError(encodeBase64(Uint8Array.of(0x70, 0x73, 0x62, 0x74, 0xff, 0)));
  assertEquals(e6.reason, "No unsigned transaction was provided");
  // Duplicate global key.
  const dup = Uint8Array.of(0x70, 0x73, 0x62, 0x74, 0xff, 1, 0x30, 0, 1, 0x30, 0, 0);
  assertEquals(
    decodeError(encodeBase64(dup)).coreMessage,
    'Duplicate Key, global key "30" already provided: iostream error',
  );
});

Deno.test("a PSBTv2 from Core's walletcreatefundedpsbt round-trips byte for byte", async () => {
  const session = JSON.parse(
    await Deno.readTextFile(
      new URL("../../../../shared/reference/core_regtest_rpc_session.json", import.meta.url),
    ),
  ) as Array<{ call: [string, unknown[]]; result?: { psbt?: string } }>;
  const entry = session.find((e) => e.call[0] === "walletcreatefundedpsbt");
  assert(entry?.result?.psbt !== undefined);
  const psbt = decodePsbtBase64(entry.result.psbt);
  assertEquals(psbt.version, 2);
  assertEquals([psbt.inputs.length, psbt.outputs.length], [1, 2]);
  assertEquals(encodePsbtBase64(psbt), entry.result.psbt);
});

Deno.test({
  name: "random damage to valid PSBTs gives a PsbtDecodeError or a PSBT, never another error",
  ignore: vectors === null,
}, () => {
  const samples = vectors!.valid.map((v) => decodeBase64(v)!);
  fc.assert(
    fc.property(
      fc.integer({ min: 0, max: samples.length - 1 }),
      fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }),
      fc.nat(),
      (which, edits, cut) => {
        const bytes = samples[which].slice();
        for (const [pos, val] of edits) bytes[pos % bytes.length] = val;
        const data = bytes.subarray(0, Math.max(5, bytes.length - (cut % 8)));
        try {
          const p = decodePsbt(data);
          const again = encodePsbt(p);
          assertEquals(toHex(encodePsbt(decodePsbt(again))), toHex(again));
        } catch (e) {
          if (!(e instanceof PsbtDecodeError)) throw e;
        }
      },
    ),
    { numRuns: 300 },
  );
});

// A pool of valid keys and signatures for generated PSBTs.
const SECRETS = [1n, 2n, 3n, 4n].map((n) => {
  const s = new Uint8Array(32);
  s[31] = Number(n) + 7;
  return s;
});
const PUBKEYS = SECRETS.map((s) => secp256k1.getPublicKey(s, true));
const SIGS = SECRETS.map((s, i) => {
  const der = signEcdsaGrindR(sha256(Uint8Array.of(i)), s);
  const out = new Uint8Array(der.length + 1);
  out.set(der);
  out[der.length] = [1, 2, 3, 0x81][i];
  return out;
});

const bytesArb = (max: number) => fc.uint8Array({ maxLength: max });
const fixedBytes = (n: number) => fc.uint8Array({ minLength: n, maxLength: n });
const u32 = fc.integer({ min: 0, max: 0xffffffff });
const originArb = fc.record({
  fingerprint: fixedBytes(4),
  path: fc.array(u32, { maxLength: 4 }),
});

const txArb: fc.Arbitrary<Transaction> = fc.record({
  version: u32,
  locktime: u32,
  inputs: fc.array(
    fc.record({
      prevout: fc.record({ txid: fixedBytes(32), vout: u32 }),
      scriptSig: fc.constant(new Uint8Array(0)),
      sequence: u32,
      witness: fc.constant([] as Uint8Array[]),
    }),
    { maxLength: 3 },
  ),
  outputs: fc.array(
    fc.record({ value: fc.bigInt({ min: 0n, max: 2n ** 50n }), scriptPubKey: bytesArb(40) }),
    { minLength: 1, maxLength: 3 },
  ),
});

const psbtArb: fc.Arbitrary<Psbt> = fc.record({
  tx: txArb,
  version: fc.constantFrom(0 as const, 2 as const),
  inputExtras: fc.array(
    fc.record({
      sigs: fc.subarray([0, 1, 2, 3]),
      derivs: fc.subarray([0, 1, 2, 3]),
      origin: originArb,
      sighash: fc.option(fc.integer({ min: -5, max: 300 }), { nil: undefined }),
      redeem: fc.option(bytesArb(30).filter((b) => b.length > 0), { nil: undefined }),
      preimage: fc.option(bytesArb(20), { nil: undefined }),
      tapKeySig: fc.option(fixedBytes(64), { nil: undefined }),
      tapLeaf: fc.option(
        fc.tuple(bytesArb(10), fc.constantFrom(0xc0, 0xc2), fc.integer({ min: 0, max: 2 })),
        {
          nil: undefined,
        },
      ),
      unknownKey: fc.option(bytesArb(5), { nil: undefined }),
      heightLock: fc.option(fc.integer({ min: 1, max: 499_999_999 }), { nil: undefined }),
      witnessUtxo: fc.option(
        fc.record({ value: fc.bigInt({ min: 0n, max: 10n ** 15n }), scriptPubKey: bytesArb(34) }),
        {
          nil: undefined,
        },
      ),
    }),
    { maxLength: 3 },
  ),
  outputExtras: fc.array(
    fc.record({
      derivs: fc.subarray([0, 1, 2, 3]),
      origin: originArb,
      witnessScript: fc.option(bytesArb(30).filter((b) => b.length > 0), { nil: undefined }),
      tapTree: fc.option(fc.array(bytesArb(8), { minLength: 1, maxLength: 4 }), { nil: undefined }),
    }),
    { maxLength: 3 },
  ),
  globalUnknown: fc.option(fc.tuple(bytesArb(4), bytesArb(6)), { nil: undefined }),
  modifiable: fc.option(fc.integer({ min: 0, max: 7 }), { nil: undefined }),
}).map(({ tx, version, inputExtras, outputExtras, globalUnknown, modifiable }) => {
  const psbt = psbtFromTransaction(tx, version);
  psbt.inputs.forEach((input, i) => {
    const x = inputExtras[i];
    if (x === undefined) return;
    for (const k of x.sigs) {
      input.partialSigs.set(toHex(hash160(PUBKEYS[k])), { pubkey: PUBKEYS[k], sig: SIGS[k] });
    }
    for (const k of x.derivs) {
      input.bip32Derivs.set(toHex(PUBKEYS[k]), { pubkey: PUBKEYS[k], origin: x.origin });
    }
    input.sighashType = x.sighash;
    input.redeemScript = x.redeem;
    if (x.preimage) input.sha256Preimages.set(toHex(sha256(x.preimage)), x.preimage);
    input.tapKeySig = x.tapKeySig;
    if (x.tapLeaf) {
      const [script, ver, depth] = x.tapLeaf;
      const cb = new Uint8Array(33 + 32 * depth);
      cb[0] = ver;
      input.tapLeafScripts.set(`${toHex(script)}:${ver}`, { script, leafVersion: ver, controlBlocks: [cb] });
    }
    if (x.unknownKey) {
      const key = Uint8Array.of(0x40, ...x.unknownKey);
      input.unknown.set(toHex(key), { key, value: x.unknownKey });
    }
    input.witnessUtxo = x.witnessUtxo;
    if (version === 2) input.heightLocktime = x.heightLock;
  });
  psbt.outputs.forEach((output, i) => {
    const x = outputExtras[i];
    if (x === undefined) return;
    for (const k of x.derivs) {
      output.bip32Derivs.set(toHex(PUBKEYS[k]), { pubkey: PUBKEYS[k], origin: x.origin });
    }
    output.witnessScript = x.witnessScript;
    if (x.tapTree) {
      // A complete tree: a balanced-enough shape from depths that always close (1 leaf at 0, or 2 at 1, ...).
      const n = x.tapTree.length;
      const depths = n === 1 ? [0] : n === 2 ? [1, 1] : n === 3 ? [1, 2, 2] : [2, 2, 2, 2];
      output.tapTree = x.tapTree.map((script, j) => ({ depth: depths[j], leafVersion: 0xc0, script }));
    }
  });
  if (globalUnknown) {
    const key = Uint8Array.of(0x40, ...globalUnknown[0]);
    psbt.unknown.set(toHex(key), { key, value: globalUnknown[1] });
  }
  if (version === 2) psbt.txModifiable = modifiable;
  return psbt;
});

Deno.test("fast-check: encode → decode → encode is the identity on generated PSBTs (v0 and v2)", () => {
  fc.assert(
    fc.property(psbtArb, (psbt) => {
      const bytes = encodePsbt(psbt);
      const back = decodePsbt(bytes);
      assertEquals(toHex(encodePsbt(back)), toHex(bytes));
      assertEquals(back.version, psbt.version);
      assertEquals(back.inputs.length, psbt.inputs.length);
      assertEquals(back.outputs.length, psbt.outputs.length);
      for (let i = 0; i < back.inputs.length; i++) {
        assertEquals(
          [...back.inputs[i].partialSigs.keys()].sort(),
          [...psbt.inputs[i].partialSigs.keys()].sort(),
        );
        assertEquals(back.inputs[i].sighashType, psbt.inputs[i].sighashType);
        assert(bytesEqual(back.inputs[i].prevTxid, psbt.inputs[i].prevTxid));
      }
    }),
    { numRuns: 150 },
  );
});

Deno.test("decoder: non-witness UTXO must match the outpoint", () => {
  const prev: Transaction = {
    version: 2,
    locktime: 0,
    inputs: [{
      prevout: { txid: new Uint8Array(32), vout: 0 },
      scriptSig: Uint8Array.of(0x51),
      sequence: 0,
      witness: [],
    }],
    outputs: [{ value: 1000n, scriptPubKey: Uint8Array.of(0x51) }],
  };
  const spend: Transaction = {
    version: 2,
    locktime: 0,
    inputs: [{
      prevout: { txid: txid(prev), vout: 0 },
      scriptSig: new Uint8Array(0),
      sequence: 0,
      witness: [],
    }],
    outputs: [{ value: 900n, scriptPubKey: Uint8Array.of(0x51) }],
  };
  for (const version of [0, 2] as const) {
    const psbt = psbtFromTransaction(spend, version);
    psbt.inputs[0].nonWitnessUtxo = prev;
    assertEquals(decodePsbt(encodePsbt(psbt)).inputs[0].nonWitnessUtxo?.outputs.length, 1);
    psbt.inputs[0].prevOut = 1;
    const e1 = assertThrows(() => decodePsbt(encodePsbt(psbt))) as PsbtDecodeError;
    // (In v0 the outpoint comes from the unsigned tx, which now spends output 1.)
    assertEquals(e1.reason, "Input specifies output index that does not exist");
    psbt.inputs[0].prevOut = 0;
    psbt.inputs[0].prevTxid = new Uint8Array(32).fill(1);
    const e2 = assertThrows(() => decodePsbt(encodePsbt(psbt))) as PsbtDecodeError;
    assertEquals(e2.reason, "Non-witness UTXO does not match outpoint hash");
  }
});

/** A fresh transaction spending output 0 of the all-zero txid to one OP_TRUE output of 1 sat. */
function oneInputTx(): Transaction {
  return {
    version: 2,
    locktime: 0,
    inputs: [{
      prevout: { txid: new Uint8Array(32), vout: 0 },
      scriptSig: new Uint8Array(0),
      sequence: 0,
      witness: [],
    }],
    outputs: [{ value: 1n, scriptPubKey: Uint8Array.of(0x51) }],
  };
}

Deno.test("decoder: v0 rejects v2-only fields; v2 requires its fields", () => {
  const tx = oneInputTx();
  const v0 = encodePsbt(psbtFromTransaction(tx, 0));
  // Append PSBT_IN_SEQUENCE to the (only) input map of a v0 PSBT: insert before its separator.
  const inputSep = v0.length - 2; // input separator, then the output separator
  const withSeq = new Uint8Array(v0.length + 7);
  withSeq.set(v0.subarray(0, inputSep));
  withSeq.set(Uint8Array.of(1, 0x10, 4, 0, 0, 0, 0), inputSep);
  withSeq.set(v0.subarray(inputSep), inputSep + 7);
  assertEquals(
    (assertThrows(() => decodePsbt(withSeq)) as PsbtDecodeError).reason,
    "Sequence is not allowed in PSBTv0",
  );
  const v2 = psbtFromTransaction(tx, 2);
  v2.inputs[0].heightLocktime = 0;
  assertEquals(
    (assertThrows(() => decodePsbt(encodePsbt(v2))) as PsbtDecodeError).reason,
    "Required height based locktime is invalid (0)",
  );
  v2.inputs[0].heightLocktime = undefined;
  v2.inputs[0].timeLocktime = 499_999_999;
  assertEquals(
    (assertThrows(() => decodePsbt(encodePsbt(v2))) as PsbtDecodeError).reason,
    "Required time based locktime is invalid (less than 500000000)",
  );
});

Deno.test("encoder: finalized inputs drop their signing data (Core's Serialize)", () => {
  const tx = oneInputTx();
  const psbt = psbtFromTransaction(tx, 2);
  psbt.inputs[0].partialSigs.set(toHex(hash160(PUBKEYS[0])), { pubkey: PUBKEYS[0], sig: SIGS[0] });
  psbt.inputs[0].redeemScript = Uint8Array.of(0x51);
  psbt.inputs[0].finalScriptSig = Uint8Array.of(0x51);
  const back = decodePsbt(encodePsbt(psbt));
  assertEquals(back.inputs[0].partialSigs.size, 0);
  assertEquals(back.inputs[0].redeemScript, undefined);
  assertEquals(back.inputs[0].finalScriptSig, Uint8Array.of(0x51));
  // The empty model helpers.
  assertEquals(newPsbtInput(new Uint8Array(32), 1).prevOut, 1);
  assertEquals(newPsbtOutput(5n, Uint8Array.of(0x51)).amount, 5n);
});

Deno.test("large PSBTs with many xpubs, leaf hashes and control blocks decode in linear time", () => {
  const tx = oneInputTx();
  const base = encodePsbt(psbtFromTransaction(tx, 0));
  // base = magic, global map (unsigned tx), separator; input map separator; output map separator.
  const parts: Uint8Array[] = [base.subarray(0, base.length - 3)];
  const xpubs = 10_000;
  for (let i = 0; i < xpubs; i++) {
    const key = new Uint8Array(80);
    key[0] = 79; // key length
    key[1] = 0x01; // PSBT_GLOBAL_XPUB
    key[2 + 13] = i & 0xff; // chain code varies
    key[2 + 14] = i >> 8;
    key.set(PUBKEYS[0], 2 + 45);
    parts.push(key, Uint8Array.of(8, 1, 2, 3, 4, 0, 0, 0, 0x80));
  }
  parts.push(Uint8Array.of(0)); // end of the global map
  // Input: one taproot derivation with 100k leaf hashes (duplicates included), 20k control blocks for one leaf.
  const hashes = 100_000;
  const value = new Uint8Array(5 + 32 * hashes + 4);
  value[0] = 0xfe;
  new DataView(value.buffer).setUint32(1, hashes, true);
  for (let i = 0; i < hashes; i++) {
    value[5 + 32 * i] = i % 50_000 & 0xff, value[6 + 32 * i] = (i % 50_000) >> 8;
  }
  const valueLen = Uint8Array.of(0xfe, ...new Uint8Array(new Uint32Array([value.length]).buffer));
  parts.push(Uint8Array.of(33, 0x16, ...PUBKEYS[1].subarray(1)), valueLen, value);
  for (let i = 0; i < 20_000; i++) {
    const key = new Uint8Array(67);
    key[0] = 66;
    key[1] = 0x15; // PSBT_IN_TAP_LEAF_SCRIPT
    key[2] = 0xc0;
    key[3] = i & 0xff;
    key[4] = i >> 8;
    parts.push(key, Uint8Array.of(2, 0x51, 0xc0));
  }
  parts.push(Uint8Array.of(0), Uint8Array.of(0));
  const bytes = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    bytes.set(p, o);
    o += p.length;
  }
  const start = performance.now();
  const psbt = decodePsbt(bytes);
  const again = encodePsbt(psbt);
  const ms = performance.now() - start;
  assertEquals(psbt.xpubs.length, xpubs);
  assertEquals([...psbt.inputs[0].tapBip32Derivs.values()][0].leafHashes.length, 50_000);
  assertEquals([...psbt.inputs[0].tapLeafScripts.values()][0].controlBlocks.length, 20_000);
  assertEquals(decodePsbt(again).xpubs.length, xpubs);
  assert(ms < 5000, `took ${ms} ms`);
});
