/**
 * Partially Signed Bitcoin Transactions (BIP 174 v0, BIP 370 v2) as Bitcoin Core implements them: the typed
 * model, Core-exact decoding/encoding and base64, the unsigned transaction and locktime rules, combining,
 * signing through a key provider, finalizing, extracting, analysis, and v0 ↔ v2 conversion.
 *
 * @module
 */
export * from "./types.ts";
// Types of other modules in this API (so the documentation is complete).
export type { OutPoint, Transaction, TxIn, TxOut } from "../wire/types.ts";
export type { ScriptExecutionData, SignatureChecker, SigVersion } from "../script/checker.ts";
export { PrecomputedTransactionData } from "../script/sighash.ts";
export { PsbtDecodeError } from "./errors.ts";
export { decodeBase64, encodeBase64 } from "./base64.ts";
export {
  compareBytes,
  decodePsbt,
  decodePsbtBase64,
  encodePsbt,
  encodePsbtBase64,
  PSBT_GLOBAL,
  PSBT_IN,
  PSBT_MAGIC_BYTES,
  PSBT_OUT,
} from "./codec.ts";
export {
  addPsbtInput,
  addPsbtOutput,
  computeTimeLock,
  convertPsbtVersion,
  inputHasSignatures,
  inputUtxo,
  isInputFinalized,
  psbtFromTransaction,
  psbtUniqueId,
  unsignedTx,
} from "./tx.ts";
export { combinePsbts, mergeInput, mergeOutput, mergePsbt } from "./combine.ts";
export {
  DUMMY_SIGNATURE_CREATOR,
  DUMMY_SIGNING_PROVIDER,
  emptySignatureData,
  fillSignatureData,
  finalizeAndExtract,
  finalizePsbt,
  fromSignatureData,
  isInputSignedAndVerified,
  type MissingData,
  precomputePsbtData,
  produceSignature,
  type PsbtSigningProvider,
  type PsbtSignResult,
  removeUnnecessaryTransactions,
  type SignatureCreator,
  type SignatureData,
  signEcdsaGrindR,
  type SigningKey,
  signPsbt,
  signPsbtInput,
  type SignPsbtInputOptions,
  type SignPsbtOptions,
  type SignPsbtResult,
  SimpleSigningProvider,
  type TaprootSpendData,
  TransactionSignatureCreator,
} from "./sign.ts";
export {
  analyzePsbt,
  type AnalyzePsbtOptions,
  DEFAULT_BYTES_PER_SIGOP,
  PSBT_ROLES,
  type PsbtAnalysis,
  type PsbtInputAnalysis,
  type PsbtRole,
} from "./analyze.ts";
export {
  type HideOptions,
  hideSecrets,
  hidingProvider,
  isSegWitOutput,
  processPsbt,
  type ProcessPsbtOptions,
  updatePsbtOutput,
} from "./update.ts";
export {
  type DescriptorProviderOptions,
  descriptorSigningProvider,
  type ExpandableDescriptor,
  type ExpandedKeysAndScripts,
} from "./descriptor_provider.ts";
