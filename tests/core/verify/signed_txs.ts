/**
 * Test and benchmark fixtures: transactions with real signatures spending P2WPKH outputs (ECDSA, BIP143) or P2TR
 * outputs by the key path (BIP340 Schnorr, BIP341), with the outputs they spend — the inputs of the Worker pool
 * and cache tests and of bench/core_verify_bench.ts. Deterministic (keys derived from an index).
 *
 * @module
 */

import { defaultSecp256k1 } from "../../../core/crypto/default_backend.ts";
import { encodeDer } from "../../../core/crypto/der.ts";
import type { Secp256k1 } from "../../../core/crypto/secp256k1.ts";
import { hash160, sha256 } from "../../../core/hash/hashes.ts";
import {
  PrecomputedTransactionData,
  signatureHash,
  signatureHashSchnorr,
} from "../../../core/script/sighash.ts";
import { decodeTransaction, encodeTransaction } from "../../../core/wire/transaction.ts";
import type { Transaction, TxIn, TxOut } from "../../../core/wire/types.ts";
import type { ScriptCheckTx } from "../../../core/verify/job.ts";

/** Kinds of spends built. */
export type SpendKind = "p2wpkh" | "p2tr";

/** Options of {@link buildSignedTxs}. */
export interface BuildOptions {
  /** P2WPKH (ECDSA) or P2TR key path (Schnorr). */
  readonly kind: SpendKind;
  /** Total inputs. */
  readonly inputs: number;
  /** Inputs per transaction (the last may have fewer). */
  readonly inputsPerTx: number;
  /** Different keys per input (default true); false reuses one key (same pubkey, different sighashes). */
  readonly distinctKeys?: boolean;
  /** Seed that makes these transactions differ from other calls' (default 0). */
  readonly seed?: number;
  /** Decode each transaction from its bytes (as a block's would be; default true). */
  readonly decoded?: boolean;
  /** Signing backend (default core/crypto's default). */
  readonly secp?: Secp256k1;
}

function u32le(n: number): Uint8Array {
  return Uint8Array.of(n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, (n >>> 24) & 0xff);
}

/** A valid secret key derived from `n` and `seed`. */
export function secretKey(n: number, seed = 0): Uint8Array {
  const k = sha256(new Uint8Array([...u32le(n), ...u32le(seed), 0x6b]));
  k[0] &= 0x7f; // below the curve order
  k[31] |= 1; // non-zero
  return k;
}

/** Builds signed transactions as {@link ScriptCheckTx}s: every input verifies under the standard flags. */
export function buildSignedTxs(options: BuildOptions): ScriptCheckTx[] {
  const secp = options.secp ?? defaultSecp256k1();
  const seed = options.seed ?? 0;
  const out: ScriptCheckTx[] = [];
  let k = 0;
  for (let t = 0; k < options.inputs; t++) {
    const n = Math.min(options.inputsPerTx, options.inputs - k);
    const keys: Uint8Array[] = [];
    const spent: TxOut[] = [];
    const inputs: TxIn[] = [];
    for (let i = 0; i < n; i++, k++) {
      const sk = secretKey(options.distinctKeys === false ? 0 : k, seed);
      keys.push(sk);
      const pub = secp.publicKeyCreate(sk);
      const scriptPubKey = options.kind === "p2wpkh"
        ? new Uint8Array([0x00, 0x14, ...hash160(pub)])
        : new Uint8Array([0x51, 0x20, ...pub.subarray(1)]);
      spent.push({ value: 10_000n + BigInt(k), scriptPubKey });
      const prev = sha256(new Uint8Array([...u32le(k), ...u32le(seed), 0x70]));
      inputs.push({
        prevout: { txid: prev, vout: k % 3 },
        scriptSig: new Uint8Array(0),
        sequence: 0xfffffffd,
        witness: [],
      });
    }
    const outputs: TxOut[] = [
      { value: 5_000n, scriptPubKey: new Uint8Array([0x00, 0x14, ...hash160(u32le(t))]) },
      { value: 1_000n, scriptPubKey: new Uint8Array([0x51, 0x20, ...sha256(u32le(t))]) },
    ];
    const unsigned: Transaction = { version: 2, inputs, outputs, locktime: 0 };
    const pre = new PrecomputedTransactionData(unsigned, spent);
    const signed: TxIn[] = inputs.map((input, i) => {
      let witness: Uint8Array[];
      if (options.kind === "p2wpkh") {
        const pub = secp.publicKeyCreate(keys[i]);
        const scriptCode = new Uint8Array([0x76, 0xa9, 0x14, ...hash160(pub), 0x88, 0xac]);
        const sighash = signatureHash(scriptCode, unsigned, i, 1, {
          sigversion: "witness_v0",
          amount: spent[i].value,
          precomputed: pre,
        });
        witness = [new Uint8Array([...encodeDer(secp.signEcdsa(sighash, keys[i])), 1]), pub];
      } else {
        const sighash = signatureHashSchnorr(unsigned, i, 0, "taproot", { annex: null }, pre)!;
        witness = [secp.signSchnorr(sighash, keys[i])];
      }
      return { ...input, witness };
    });
    const tx: Transaction = { ...unsigned, inputs: signed };
    out.push({
      tx: options.decoded === false ? tx : decodeTransaction(encodeTransaction(tx)),
      spentOutputs: spent,
    });
  }
  return out;
}

/** `item` with input `i`'s signature corrupted (one bit flipped in the middle of the first witness item). */
export function corruptInput(item: ScriptCheckTx, i: number): ScriptCheckTx {
  const inputs = item.tx.inputs.map((input, j) => {
    if (j !== i) return input;
    const sig = input.witness[0].slice();
    sig[Math.floor(sig.length / 2)] ^= 0x01;
    return { ...input, witness: [sig, ...input.witness.slice(1)] };
  });
  return {
    tx: decodeTransaction(encodeTransaction({ ...item.tx, inputs })),
    spentOutputs: item.spentOutputs,
  };
}
