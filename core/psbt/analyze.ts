/**
 * Core's `AnalyzePSBT` (src/node/psbt.cpp): per input whether its UTXO is known, whether it is final and what is
 * missing (public keys, signatures, redeem/witness scripts), the role that must handle the PSBT next, and when
 * every UTXO is known the fee, the estimated virtual size of the final transaction (dummy signatures, sigop
 * adjusted) and the resulting fee rate.
 *
 * @module
 */
import { moneyRange } from "../consensus/amount.ts";
import { getTransactionSigOpCost } from "../consensus/sigops.ts";
import { STANDARD_SCRIPT_VERIFY_FLAGS } from "../script/flags.ts";
import { PrecomputedTransactionData } from "../script/sighash.ts";
import { isUnspendable } from "../script/script.ts";
import { transactionWeight } from "../wire/transaction.ts";
import type { TxOut } from "../wire/types.ts";
import {
  DUMMY_SIGNING_PROVIDER,
  isInputSignedAndVerified,
  type MissingData,
  precomputePsbtData,
  signPsbtInput,
} from "./sign.ts";
import { inputUtxo, unsignedTx } from "./tx.ts";
import type { Psbt } from "./types.ts";

/** The BIP 174 roles in workflow order (Core's `PSBTRole`). */
export const PSBT_ROLES = ["creator", "updater", "signer", "finalizer", "extractor"] as const;
/** A BIP 174 role. */
export type PsbtRole = typeof PSBT_ROLES[number];

/** Core's `DEFAULT_BYTES_PER_SIGOP` (`-bytespersigop`). */
export const DEFAULT_BYTES_PER_SIGOP = 20;

/** Analysis of one input (Core's `PSBTInputAnalysis`). */
export interface PsbtInputAnalysis {
  /** Whether the UTXO is known. */
  hasUtxo: boolean;
  /** Whether the input is final (verifies). */
  isFinal: boolean;
  /** The role to handle it next. */
  next: PsbtRole;
  /** What is missing (empty lists and nulls when nothing). */
  missing: MissingData;
}

/** Result of {@link analyzePsbt} (Core's `PSBTAnalysis`). */
export interface PsbtAnalysis {
  /** Per input (empty when invalid). */
  inputs: PsbtInputAnalysis[];
  /** The role to handle the PSBT next ("creator" when invalid). */
  next: PsbtRole;
  /** Fee in satoshis, when all UTXOs are known. */
  fee?: bigint;
  /** Estimated virtual size of the final transaction. */
  estimatedVsize?: number;
  /** Estimated fee rate in satoshis per 1000 virtual bytes (Core's `CFeeRate::GetFeePerK`). */
  estimatedFeerate?: bigint;
  /** Why the PSBT is invalid (absent when valid). */
  error?: string;
}

function invalid(error: string): PsbtAnalysis {
  return { inputs: [], next: "creator", error };
}

const roleIndex = (r: PsbtRole) => PSBT_ROLES.indexOf(r);

/** Options of {@link analyzePsbt}. */
export interface AnalyzePsbtOptions {
  /** Bytes per sigop for the virtual size (default 20, Core's `-bytespersigop`). */
  bytesPerSigop?: number;
}

/** Core's `AnalyzePSBT`. Does not modify `psbt`. */
export function analyzePsbt(original: Psbt, options: AnalyzePsbtOptions = {}): PsbtAnalysis {
  const psbt: Psbt = structuredClone(original);
  const tx = unsignedTx(psbt);
  if (tx === null) return invalid("PSBT cannot be made into a valid transaction");
  const txdata = precomputePsbtData(psbt)!;
  let calcFee = true;
  let inAmt = 0n;
  const inputs: PsbtInputAnalysis[] = [];
  for (let i = 0; i < psbt.inputs.length; i++) {
    const input = psbt.inputs[i];
    const a: PsbtInputAnalysis = {
      hasUtxo: false,
      isFinal: false,
      next: "extractor",
      missing: { pubkeys: [], sigs: [], redeemScript: null, witnessScript: null },
    };
    inputs.push(a);
    const utxo = inputUtxo(input);
    if (utxo !== undefined) {
      if (!moneyRange(utxo.value) || !moneyRange(inAmt + utxo.value)) {
        return invalid(`PSBT is not valid. Input ${i} has invalid value`);
      }
      inAmt += utxo.value;
      a.hasUtxo = true;
    } else {
      if (input.nonWitnessUtxo !== undefined && input.prevOut >= input.nonWitnessUtxo.outputs.length) {
        return invalid(`PSBT is not valid. Input ${i} specifies invalid prevout`);
      }
      a.next = "updater";
      calcFee = false;
    }
    if (utxo !== undefined && isUnspendable(utxo.scriptPubKey)) {
      return invalid(`PSBT is not valid. Input ${i} spends unspendable output`);
    }
    if (!isInputSignedAndVerified(psbt, i, txdata)) {
      a.isFinal = false;
      const missing: MissingData = { pubkeys: [], sigs: [], redeemScript: null, witnessScript: null };
      const complete = signPsbtInput(DUMMY_SIGNING_PROVIDER, psbt, i, { txdata }, missing) === "ok";
      if (!complete) {
        a.missing = missing;
        const onlySigs = missing.pubkeys.length === 0 && missing.redeemScript === null &&
          missing.witnessScript === null && missing.sigs.length > 0;
        a.next = onlySigs ? "signer" : "updater";
      } else {
        a.next = "finalizer";
      }
    } else if (utxo !== undefined) {
      a.isFinal = true;
    }
  }
  let next: PsbtRole = "extractor";
  for (const a of inputs) if (roleIndex(a.next) < roleIndex(next)) next = a.next;
  const result: PsbtAnalysis = { inputs, next };
  if (calcFee) {
    let outAmt = 0n;
    for (const o of psbt.outputs) {
      if (!moneyRange(outAmt) || !moneyRange(o.amount) || !moneyRange(outAmt + o.amount)) {
        outAmt = -1n;
        break;
      }
      outAmt += o.amount;
    }
    if (!moneyRange(outAmt)) return invalid("PSBT is not valid. Output amount invalid");
    const fee = inAmt - outAmt;
    result.fee = fee;
    const spent: TxOut[] = [];
    let success = true;
    const inputsOut = tx.inputs.map((txin) => ({ ...txin }));
    // Core's SignPSBTInput with txdata == nullptr: dummy signatures, verification without spent outputs.
    const bare = new PrecomputedTransactionData(tx);
    for (let i = 0; i < psbt.inputs.length; i++) {
      const input = psbt.inputs[i];
      const r = signPsbtInput(DUMMY_SIGNING_PROVIDER, psbt, i, { txdata: bare, dummySignatures: true });
      const utxo = inputUtxo(input);
      if (r !== "ok" || utxo === undefined) {
        success = false;
        break;
      }
      inputsOut[i].scriptSig = input.finalScriptSig ?? new Uint8Array(0);
      inputsOut[i].witness = input.finalScriptWitness ?? [];
      spent.push(utxo);
    }
    if (success) {
      const signed = { ...tx, inputs: inputsOut };
      const sigopCost = getTransactionSigOpCost(signed, spent, STANDARD_SCRIPT_VERIFY_FLAGS);
      const bytesPerSigop = options.bytesPerSigop ?? DEFAULT_BYTES_PER_SIGOP;
      const weight = Math.max(transactionWeight(signed), sigopCost * bytesPerSigop);
      const vsize = Math.floor((weight + 3) / 4);
      result.estimatedVsize = vsize;
      // CFeeRate(fee, vsize).GetFeePerK(): rounded down (toward -infinity for a negative fee).
      const n = fee * 1000n;
      const d = BigInt(vsize);
      result.estimatedFeerate = vsize <= 0 ? 0n : n >= 0n ? n / d : -((-n + d - 1n) / d);
    }
  }
  return result;
}
