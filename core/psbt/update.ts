/**
 * The PSBT updater (Core's `UpdatePSBTOutput`, the input pass of `ProcessPSBT` and `IsSegWitOutput`): fills in
 * redeem and witness scripts, BIP 32 derivations and taproot data from a signing provider (usually one built
 * from descriptors, with private keys hidden), and for outputs the taproot internal key and tree.
 *
 * @module
 */
import { hash160, isZeroHash, toHex } from "../hash/hashes.ts";
import type { SignatureChecker } from "../script/checker.ts";
import { isWitnessProgram } from "../script/script.ts";
import { solver } from "../script/standard.ts";
import {
  emptySignatureData,
  precomputePsbtData,
  produceSignature,
  type PsbtSigningProvider,
  type PsbtSignResult,
  removeUnnecessaryTransactions,
  type SignatureCreator,
  signPsbtInput,
} from "./sign.ts";
import { isInputFinalized, unsignedTx } from "./tx.ts";
import { addControlBlock, tapLeafKey } from "./codec.ts";
import { taprootOutput } from "../descriptors/taproot_tree.ts";
import type { Psbt, PsbtOutput } from "./types.ts";

/** Core's `IsSegWitOutput`: a witness program, or P2SH of a witness program the provider knows. */
export function isSegWitOutput(provider: PsbtSigningProvider, script: Uint8Array): boolean {
  if (isWitnessProgram(script) !== null) return true;
  const sol = solver(script);
  if (sol.type !== "scripthash") return false;
  const sub = provider.getScript?.(sol.hash);
  return sub !== undefined && isWitnessProgram(sub) !== null;
}

/** What {@link hidingProvider} hides. */
export interface HideOptions {
  /** Hide private keys (default true). */
  secrets?: boolean;
  /** Hide key origins (default false). */
  origins?: boolean;
}

/** Core's `HidingSigningProvider`: `provider` without its private keys and/or key origins. */
export function hidingProvider(provider: PsbtSigningProvider, hide: HideOptions = {}): PsbtSigningProvider {
  return {
    getKey: hide.secrets ?? true ? undefined : provider.getKey?.bind(provider),
    getPubkey: provider.getPubkey?.bind(provider),
    getScript: provider.getScript?.bind(provider),
    getKeyOrigin: hide.origins ? undefined : provider.getKeyOrigin?.bind(provider),
    getTaprootSpendData: provider.getTaprootSpendData?.bind(provider),
  };
}

/** `provider` with its private keys hidden (Core's `HidingSigningProvider` with `hide_secret`). */
export function hideSecrets(provider: PsbtSigningProvider): PsbtSigningProvider {
  return hidingProvider(provider, { secrets: true });
}

const FAILING_CHECKER: SignatureChecker = {
  checkEcdsaSignature: () => false,
  checkSchnorrSignature: () => "SCHNORR_SIG",
  checkLockTime: () => false,
  checkSequence: () => false,
};

/** A creator that never signs: `ProduceSignature` then only gathers scripts, keys and origins. */
const NO_SIGNATURES: SignatureCreator = Object.freeze({
  checker: FAILING_CHECKER,
  createSig: () => null,
  createSchnorrSig: () => null,
});

/**
 * Core's `UpdatePSBTOutput`: what `provider` knows about output `index`'s script — redeem and witness scripts,
 * key origins, taproot internal key, tree and key origins — added to the output (existing data is kept).
 */
export function updatePsbtOutput(provider: PsbtSigningProvider, psbt: Psbt, index: number): void {
  if (unsignedTx(psbt) === null) return;
  const out: PsbtOutput = psbt.outputs[index];
  const sd = emptySignatureData();
  if (out.redeemScript !== undefined) sd.redeemScript = out.redeemScript;
  if (out.witnessScript !== undefined) sd.witnessScript = out.witnessScript;
  for (const d of out.bip32Derivs.values()) sd.miscPubkeys.set(toHex(hash160(d.pubkey)), d);
  if (out.tapTree !== undefined && out.tapInternalKey !== undefined) {
    sd.tapInternalKey = out.tapInternalKey;
    sd.tapTree = out.tapTree;
    const built = taprootOutput(out.tapInternalKey, out.tapTree);
    if (built !== undefined) {
      if (built.merkleRoot !== null) sd.tapMerkleRoot = built.merkleRoot;
      for (const leaf of built.leaves) {
        const id = tapLeafKey(leaf.script, leaf.leafVersion);
        const have = sd.tapScripts.get(id) ??
          { script: leaf.script, leafVersion: leaf.leafVersion, controlBlocks: [] };
        addControlBlock(have, leaf.controlBlock);
        sd.tapScripts.set(id, have);
      }
    }
  }
  for (const [k, v] of out.tapBip32Derivs) {
    sd.tapMiscPubkeys.set(k, { ...v, leafHashes: [...v.leafHashes] });
    sd.tapPubkeys.set(toHex(hash160(v.xonly)), v.xonly);
  }
  produceSignature(provider, NO_SIGNATURES, out.script, sd);
  if (out.redeemScript === undefined && sd.redeemScript.length > 0) out.redeemScript = sd.redeemScript;
  if (out.witnessScript === undefined && sd.witnessScript.length > 0) out.witnessScript = sd.witnessScript;
  for (const d of sd.miscPubkeys.values()) {
    const k = toHex(d.pubkey);
    if (!out.bip32Derivs.has(k)) out.bip32Derivs.set(k, d);
  }
  if (sd.tapInternalKey.length === 32 && !isZeroHash(sd.tapInternalKey)) {
    out.tapInternalKey = sd.tapInternalKey;
  }
  if (sd.tapTree !== undefined && sd.tapTree.length > 0) out.tapTree = sd.tapTree;
  for (const [k, v] of sd.tapMiscPubkeys) if (!out.tapBip32Derivs.has(k)) out.tapBip32Derivs.set(k, v);
}

/** Options of {@link processPsbt}. */
export interface ProcessPsbtOptions {
  /** Sighash type for signing (must match the inputs' types). */
  sighashType?: number;
  /** Finalize complete inputs (default true; false for the updater). */
  finalize?: boolean;
}

/**
 * The update/sign pass of Core's `ProcessPSBT` (after the UTXOs were looked up): every input not yet final
 * goes through {@link signPsbtInput} with `provider` (pass {@link hideSecrets} of it to only update), every
 * output through {@link updatePsbtOutput}, then unnecessary non-witness UTXOs are dropped. Returns
 * "sighash_mismatch" or "invalid_tx" when Core's RPC would fail, else "ok".
 */
export function processPsbt(
  provider: PsbtSigningProvider,
  psbt: Psbt,
  options: ProcessPsbtOptions = {},
): "ok" | "sighash_mismatch" | "invalid_tx" {
  const txdata = precomputePsbtData(psbt);
  if (txdata === null) return "invalid_tx";
  for (let i = 0; i < psbt.inputs.length; i++) {
    if (isInputFinalized(psbt.inputs[i])) continue;
    const r: PsbtSignResult = signPsbtInput(provider, psbt, i, {
      sighashType: options.sighashType,
      finalize: options.finalize ?? true,
      txdata,
    });
    if (r === "sighash_mismatch") return r;
  }
  for (let i = 0; i < psbt.outputs.length; i++) updatePsbtOutput(provider, psbt, i);
  removeUnnecessaryTransactions(psbt);
  return "ok";
}
