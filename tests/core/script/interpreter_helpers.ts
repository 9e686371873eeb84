/**
 * Test helpers for the interpreter: a scriptable fake {@link SignatureChecker} and taproot output/control block
 * construction (via @noble/curves, independent of the code under test).
 *
 * @module
 */

import { schnorr, secp256k1 } from "@noble/curves/secp256k1.js";
import { sha256 } from "@noble/hashes/sha2.js";
import type { ScriptExecutionData, SignatureChecker, SigVersion } from "../../../core/script/checker.ts";

/** One recorded checker call. */
export type CheckerCall =
  | { kind: "ecdsa"; sig: Uint8Array; pubkey: Uint8Array; scriptCode: Uint8Array; sigversion: SigVersion }
  | {
    kind: "schnorr";
    sig: Uint8Array;
    pubkey: Uint8Array;
    sigversion: SigVersion;
    execdata: ScriptExecutionData;
  }
  | { kind: "locktime"; value: bigint }
  | { kind: "sequence"; value: bigint };

/**
 * A checker whose answers are decided by callbacks (default: an ECDSA/Schnorr signature is valid iff its first
 * byte is 0x01 — any other non-empty signature fails; lock time and sequence pass iff ≤ the configured limits).
 * Every call is recorded, with a snapshot of the execution data.
 */
export class FakeChecker implements SignatureChecker {
  readonly calls: CheckerCall[] = [];
  lockTimeLimit = 1000n;
  sequenceLimit = 1000n;
  ecdsa: (sig: Uint8Array, pubkey: Uint8Array) => boolean = (sig) => sig.length > 0 && sig[0] === 0x01;
  schnorr: (sig: Uint8Array) => "SCHNORR_SIG_SIZE" | "SCHNORR_SIG_HASHTYPE" | "SCHNORR_SIG" | null = (sig) =>
    sig.length !== 64 && sig.length !== 65 ? "SCHNORR_SIG_SIZE" : sig[0] === 0x01 ? null : "SCHNORR_SIG";

  checkEcdsaSignature(
    sig: Uint8Array,
    pubkey: Uint8Array,
    scriptCode: Uint8Array,
    sigversion: SigVersion,
  ): boolean {
    this.calls.push({ kind: "ecdsa", sig, pubkey, scriptCode: scriptCode.slice(), sigversion });
    return this.ecdsa(sig, pubkey);
  }

  checkSchnorrSignature(
    sig: Uint8Array,
    pubkey: Uint8Array,
    sigversion: SigVersion,
    execdata: ScriptExecutionData,
  ): "SCHNORR_SIG_SIZE" | "SCHNORR_SIG_HASHTYPE" | "SCHNORR_SIG" | null {
    this.calls.push({ kind: "schnorr", sig, pubkey, sigversion, execdata: { ...execdata } });
    return this.schnorr(sig);
  }

  checkLockTime(locktime: bigint): boolean {
    this.calls.push({ kind: "locktime", value: locktime });
    return locktime <= this.lockTimeLimit;
  }

  checkSequence(sequence: bigint): boolean {
    this.calls.push({ kind: "sequence", value: sequence });
    return sequence <= this.sequenceLimit;
  }
}

function tagged(tag: string, ...parts: Uint8Array[]): Uint8Array {
  const t = sha256(new TextEncoder().encode(tag));
  const h = sha256.create().update(t).update(t);
  for (const p of parts) h.update(p);
  return h.digest();
}

function compactSize(n: number): Uint8Array {
  if (n < 0xfd) return Uint8Array.of(n);
  return Uint8Array.of(0xfd, n & 0xff, n >> 8);
}

function toBigInt(b: Uint8Array): bigint {
  return BigInt("0x" + Array.from(b, (x) => x.toString(16).padStart(2, "0")).join(""));
}

function to32(n: bigint): Uint8Array {
  return Uint8Array.from(n.toString(16).padStart(64, "0").match(/../g)!.map((h) => parseInt(h, 16)));
}

/** The BIP341 tapleaf hash (computed independently of the code under test). */
export function tapleafHash(leafVersion: number, script: Uint8Array): Uint8Array {
  return tagged("TapLeaf", Uint8Array.of(leafVersion), compactSize(script.length), script);
}

/** A single-leaf taproot tree: output key, parity, control block. */
export interface TaprootLeaf {
  /** The 32-byte output key (witness program). */
  output: Uint8Array;
  /** The control block (leaf version | parity, internal key, path). */
  control: Uint8Array;
}

/**
 * Builds the taproot output and control block for `script` as a leaf of version `leafVersion`, with the merkle
 * `path` (32-byte nodes) above it, and the internal key of secret `internalSecret`.
 */
export function taprootLeaf(
  script: Uint8Array,
  options: { leafVersion?: number; path?: Uint8Array[]; internalSecret?: bigint } = {},
): TaprootLeaf {
  const leafVersion = options.leafVersion ?? 0xc0;
  const path = options.path ?? [];
  const internal = schnorr.getPublicKey(to32(options.internalSecret ?? 1n));
  let k = tapleafHash(leafVersion, script);
  for (const node of path) {
    const [a, b] = toBigInt(k) < toBigInt(node) ? [k, node] : [node, k];
    k = tagged("TapBranch", a, b);
  }
  const tweak = toBigInt(tagged("TapTweak", internal, k));
  const P = schnorr.utils.lift_x(toBigInt(internal));
  const Q = P.add(secp256k1.Point.BASE.multiply(tweak)).toAffine();
  const output = to32(Q.x);
  const parity = Number(Q.y & 1n);
  const control = new Uint8Array(33 + 32 * path.length);
  control[0] = leafVersion | parity;
  control.set(internal, 1);
  path.forEach((node, i) => control.set(node, 33 + 32 * i));
  return { output, control };
}
