/**
 * The transaction side of a PSBT (Core's `PartiallySignedTransaction` methods): building a PSBT from an unsigned
 * transaction, the unsigned transaction it describes (with BIP 370 locktime selection), its unique id, each
 * input's spent output, adding inputs/outputs under the v2 modifiable flags, and converting between versions.
 *
 * @module
 */
import { bytesEqual } from "../hash/hashes.ts";
import { txid } from "../wire/transaction.ts";
import type { Transaction, TxIn, TxOut } from "../wire/types.ts";
import { newPsbtInput, newPsbtOutput, type Psbt, type PsbtInput, type PsbtOutput } from "./types.ts";

const SEQUENCE_FINAL = 0xffffffff;
const EMPTY = new Uint8Array(0);

/**
 * A PSBT for `tx` (Core's `PartiallySignedTransaction(tx, version)`): inputs and outputs with no data but the
 * transaction's; scriptSigs and witnesses of `tx` are ignored. `version` is 0 or 2 (default 2, as Core master).
 */
export function psbtFromTransaction(tx: Transaction, version: 0 | 2 = 2): Psbt {
  return {
    version,
    txVersion: tx.version,
    fallbackLocktime: tx.locktime,
    xpubs: [],
    inputs: tx.inputs.map((i) => newPsbtInput(i.prevout.txid.slice(), i.prevout.vout, i.sequence)),
    outputs: tx.outputs.map((o) => newPsbtOutput(o.value, o.scriptPubKey.slice())),
    proprietary: new Map(),
    unknown: new Map(),
  };
}

/**
 * Core's `ComputeTimeLock`: for v2 the largest required height lock (or time lock) of the inputs when all inputs
 * agree on the kind, the fallback locktime when none requires one, null when inputs need both kinds; for v0 the
 * fallback locktime (the unsigned tx's).
 */
export function computeTimeLock(psbt: Psbt): number | null {
  if (psbt.version >= 2) {
    let timeLock: number | null = 0;
    let heightLock: number | null = 0;
    for (const input of psbt.inputs) {
      const hasTime = input.timeLocktime !== undefined;
      const hasHeight = input.heightLocktime !== undefined;
      if (hasTime && !hasHeight) {
        heightLock = null;
        if (timeLock === null) return null;
      } else if (!hasTime && hasHeight) {
        timeLock = null;
        if (heightLock === null) return null;
      }
      if (hasTime && timeLock !== null) timeLock = Math.max(timeLock, input.timeLocktime!);
      if (hasHeight && heightLock !== null) heightLock = Math.max(heightLock, input.heightLocktime!);
    }
    if (heightLock !== null && heightLock > 0) return heightLock;
    if (timeLock !== null && timeLock > 0) return timeLock;
  }
  return psbt.fallbackLocktime ?? 0;
}

/** Core's `GetUnsignedTx`: the transaction without signatures, or null when no locktime fits all inputs. */
export function unsignedTx(psbt: Psbt): Transaction | null {
  const locktime = computeTimeLock(psbt);
  if (locktime === null) return null;
  const inputs: TxIn[] = psbt.inputs.map((i) => ({
    prevout: { txid: i.prevTxid, vout: i.prevOut },
    scriptSig: EMPTY,
    sequence: i.sequence ?? SEQUENCE_FINAL,
    witness: [],
  }));
  const outputs: TxOut[] = psbt.outputs.map((o) => ({ value: o.amount, scriptPubKey: o.script }));
  return { version: psbt.txVersion, inputs, outputs, locktime };
}

/**
 * Core's `GetUniqueID`: the txid of the unsigned transaction, with all sequences zeroed for v2 (so PSBTs that
 * differ only in sequences combine); null when there is no unsigned transaction.
 */
export function psbtUniqueId(psbt: Psbt): Uint8Array | null {
  const tx = unsignedTx(psbt);
  if (tx === null) return null;
  if (psbt.version < 2) return txid(tx);
  return txid({ ...tx, inputs: tx.inputs.map((i) => ({ ...i, sequence: 0 })) });
}

/**
 * Core's `PSBTInput::GetUTXO`: the spent output from the non-witness UTXO (when it matches the outpoint) or else
 * the witness UTXO; undefined when neither gives it.
 */
export function inputUtxo(input: PsbtInput): TxOut | undefined {
  if (input.nonWitnessUtxo !== undefined) {
    if (input.prevOut >= input.nonWitnessUtxo.outputs.length) return undefined;
    if (!bytesEqual(txid(input.nonWitnessUtxo), input.prevTxid)) return undefined;
    return input.nonWitnessUtxo.outputs[input.prevOut];
  }
  return input.witnessUtxo;
}

/** Core's `PSBTInputSigned`: whether the input has a final scriptSig or witness. */
export function isInputFinalized(input: PsbtInput): boolean {
  return (input.finalScriptSig?.length ?? 0) > 0 || (input.finalScriptWitness?.length ?? 0) > 0;
}

/** Core's `PSBTInput::HasSignatures`. */
export function inputHasSignatures(input: PsbtInput): boolean {
  return isInputFinalized(input) || input.partialSigs.size > 0 || input.tapKeySig !== undefined ||
    input.tapScriptSigs.size > 0 || input.musig2PartialSigs.size > 0;
}

/**
 * Core's `AddInput`: appends `input` unless it spends an outpoint already spent; in v0 its signatures are
 * dropped; in v2 only when the inputs-modifiable flag is set and its required locktime does not change the
 * locktime of inputs already signed. Returns whether it was added.
 */
export function addPsbtInput(psbt: Psbt, input: PsbtInput): boolean {
  if (psbt.inputs.some((i) => bytesEqual(i.prevTxid, input.prevTxid) && i.prevOut === input.prevOut)) {
    return false;
  }
  if (psbt.version < 2) {
    input.partialSigs.clear();
    input.finalScriptSig = undefined;
    input.finalScriptWitness = undefined;
    psbt.inputs.push(input);
    return true;
  }
  if (psbt.txModifiable === undefined || (psbt.txModifiable & 1) === 0) return false;
  if (input.timeLocktime !== undefined || input.heightLocktime !== undefined) {
    const oldLock = computeTimeLock(psbt);
    if (oldLock === null) return false;
    let timeLock: number | null = input.timeLocktime ?? null;
    let heightLock: number | null = input.heightLocktime ?? null;
    let hasSigs = false;
    for (const i of psbt.inputs) {
      const hasTime = i.timeLocktime !== undefined;
      const hasHeight = i.heightLocktime !== undefined;
      if (hasTime && !hasHeight) {
        heightLock = null;
        if (timeLock === null) return false;
      } else if (!hasTime && hasHeight) {
        timeLock = null;
        if (heightLock === null) return false;
      }
      if (hasTime && timeLock !== null) timeLock = Math.max(timeLock, i.timeLocktime!);
      if (hasHeight && heightLock !== null) heightLock = Math.max(heightLock, i.heightLocktime!);
      if (inputHasSignatures(i)) hasSigs = true;
    }
    let newLock = psbt.fallbackLocktime ?? 0;
    if (heightLock !== null && heightLock > 0) newLock = heightLock;
    else if (timeLock !== null && timeLock > 0) newLock = timeLock;
    if (hasSigs && oldLock !== newLock) return false;
  }
  psbt.inputs.push(input);
  return true;
}

/** Core's `AddOutput`: appends in v0; in v2 only when the outputs-modifiable flag is set. */
export function addPsbtOutput(psbt: Psbt, output: PsbtOutput): boolean {
  if (psbt.version >= 2 && (psbt.txModifiable === undefined || (psbt.txModifiable & 2) === 0)) return false;
  psbt.outputs.push(output);
  return true;
}

/**
 * The same PSBT in another version (v0 ↔ v2): every per-input and per-output field is kept; v2-only data that
 * v0 cannot carry (required locktimes, the modifiable flags) is dropped, and the locktime becomes the one
 * {@link computeTimeLock} picks. Null when the PSBT has no valid unsigned transaction.
 */
export function convertPsbtVersion(psbt: Psbt, version: 0 | 2): Psbt | null {
  const tx = unsignedTx(psbt);
  if (tx === null) return null;
  const out: Psbt = structuredClone(psbt);
  out.version = version;
  if (version === 0) {
    out.fallbackLocktime = tx.locktime;
    out.txModifiable = undefined;
    out.inputs.forEach((i, n) => {
      i.sequence = tx.inputs[n].sequence;
      i.timeLocktime = undefined;
      i.heightLocktime = undefined;
    });
  }
  return out;
}
