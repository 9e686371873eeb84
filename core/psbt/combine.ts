/**
 * The PSBT combiner (Core's `PSBTInput::Merge`, `PSBTOutput::Merge`, `PartiallySignedTransaction::Merge` and
 * `CombinePSBTs`): data of PSBTs over the same transaction is united; where both have a single-valued field the
 * first PSBT's value is kept.
 *
 * @module
 */
import { xpubIdentity } from "./codec.ts";
import { psbtUniqueId } from "./tx.ts";
import type { Psbt, PsbtInput, PsbtOutput } from "./types.ts";
import { bytesEqual } from "../hash/hashes.ts";

function mergeMap<T>(into: Map<string, T>, from: ReadonlyMap<string, T>): void {
  for (const [k, v] of from) if (!into.has(k)) into.set(k, v);
}

/** Core's `PSBTInput::Merge`: adds what `from` has and `into` lacks. */
export function mergeInput(into: PsbtInput, from: PsbtInput): void {
  into.nonWitnessUtxo ??= from.nonWitnessUtxo;
  into.witnessUtxo ??= from.witnessUtxo;
  mergeMap(into.partialSigs, from.partialSigs);
  mergeMap(into.ripemd160Preimages, from.ripemd160Preimages);
  mergeMap(into.sha256Preimages, from.sha256Preimages);
  mergeMap(into.hash160Preimages, from.hash160Preimages);
  mergeMap(into.hash256Preimages, from.hash256Preimages);
  mergeMap(into.bip32Derivs, from.bip32Derivs);
  mergeMap(into.proprietary, from.proprietary);
  mergeMap(into.unknown, from.unknown);
  mergeMap(into.tapScriptSigs, from.tapScriptSigs);
  mergeMap(into.tapLeafScripts, from.tapLeafScripts);
  mergeMap(into.tapBip32Derivs, from.tapBip32Derivs);
  into.redeemScript ??= from.redeemScript;
  into.witnessScript ??= from.witnessScript;
  into.finalScriptSig ??= from.finalScriptSig;
  into.finalScriptWitness ??= from.finalScriptWitness;
  into.tapKeySig ??= from.tapKeySig;
  into.tapInternalKey ??= from.tapInternalKey;
  into.tapMerkleRoot ??= from.tapMerkleRoot;
  mergeMap(into.musig2Participants, from.musig2Participants);
  mergeMap(into.musig2PubNonces, from.musig2PubNonces);
  mergeMap(into.musig2PartialSigs, from.musig2PartialSigs);
  into.sequence ??= from.sequence;
  into.timeLocktime ??= from.timeLocktime;
  into.heightLocktime ??= from.heightLocktime;
}

/** Core's `PSBTOutput::Merge`. */
export function mergeOutput(into: PsbtOutput, from: PsbtOutput): void {
  mergeMap(into.bip32Derivs, from.bip32Derivs);
  mergeMap(into.proprietary, from.proprietary);
  mergeMap(into.unknown, from.unknown);
  mergeMap(into.tapBip32Derivs, from.tapBip32Derivs);
  into.redeemScript ??= from.redeemScript;
  into.witnessScript ??= from.witnessScript;
  into.tapInternalKey ??= from.tapInternalKey;
  into.tapTree ??= from.tapTree;
  mergeMap(into.musig2Participants, from.musig2Participants);
}

/**
 * Core's `PartiallySignedTransaction::Merge`: merges `from` into `into` when both describe the same transaction
 * (same unique id and PSBT version); returns false (leaving `into` partly merged, as Core) otherwise.
 */
export function mergePsbt(into: Psbt, from: Psbt): boolean {
  const a = psbtUniqueId(into);
  const b = psbtUniqueId(from);
  if (a === null || b === null || !bytesEqual(a, b)) return false;
  if (into.version !== from.version) return false;
  for (let i = 0; i < into.inputs.length; i++) mergeInput(into.inputs[i], from.inputs[i]);
  for (let i = 0; i < into.outputs.length; i++) mergeOutput(into.outputs[i], from.outputs[i]);
  const have = new Set(into.xpubs.map(xpubIdentity));
  for (const x of from.xpubs) {
    const k = xpubIdentity(x);
    if (!have.has(k)) {
      have.add(k);
      into.xpubs.push(x);
    }
  }
  into.fallbackLocktime ??= from.fallbackLocktime;
  if (into.txModifiable !== undefined || from.txModifiable !== undefined) {
    const x = into.txModifiable ?? 0;
    const y = from.txModifiable ?? 0;
    into.txModifiable = (x & y & ~4) | ((x | y) & 4);
  }
  mergeMap(into.proprietary, from.proprietary);
  mergeMap(into.unknown, from.unknown);
  return true;
}

/**
 * Core's `CombinePSBTs`: a copy of the first PSBT with all others merged in, or null when they are not over the
 * same transaction (RPC: "PSBTs not compatible (different transactions)"). `psbts` must not be empty.
 */
export function combinePsbts(psbts: readonly Psbt[]): Psbt | null {
  if (psbts.length === 0) throw new RangeError("Cannot combine PSBTs: none given");
  const out = structuredClone(psbts[0]);
  for (let i = 1; i < psbts.length; i++) if (!mergePsbt(out, psbts[i])) return null;
  return out;
}
