/**
 * Wallet signing (Core's `CWallet::SignTransaction`, `CWallet::FillPSBT` and `DescriptorScriptPubKeyMan`'s
 * `GetSigningProvider`/`FillPSBT`) over core/psbt's signer: each input or output script the wallet derives gets
 * a signing provider from its descriptor at that position (public keys with origins, scripts, taproot spend
 * data, and the private keys when signing and known). Transactions are signed by going through a PSBT, then
 * checked by rpc/sign_transaction.ts's `SignTransaction` for Core's per-input errors.
 *
 * @module
 */
import {
  descriptorSigningProvider,
  type ExpandableDescriptor,
  type Psbt,
  type SimpleSigningProvider,
} from "../core/psbt/mod.ts";
import { decodePsbt, encodePsbt } from "../core/psbt/codec.ts";
import {
  hidingProvider,
  inputHasSignatures,
  isInputFinalized,
  isInputSignedAndVerified,
  precomputePsbtData,
  psbtFromTransaction,
  removeUnnecessaryTransactions,
  signPsbtInput,
  updatePsbtOutput,
} from "../core/psbt/mod.ts";
import { fromHex, hash160, reverseHex, toHex } from "../core/hash/hashes.ts";
import { taprootOutput } from "../core/descriptors/taproot_tree.ts";
import { txid as txidOf } from "../core/wire/transaction.ts";
import type { Transaction, TxOut } from "../core/wire/types.ts";
import {
  FlatSigningProvider,
  signTransaction as checkSignatures,
  txInErrorToJson,
} from "../rpc/sign_transaction.ts";
import type { DescriptorScriptPubKeyMan } from "./scriptpubkeyman.ts";
import type { SignTransactionResult, WalletTx } from "./types.ts";

/** What signing needs of a wallet. */
export interface SigningWallet {
  /** The descriptor and position deriving `script`. */
  scriptOrigin(script: Uint8Array): { spkm: DescriptorScriptPubKeyMan; index: number } | undefined;
  /** A wallet transaction. */
  getTx(txid: string): WalletTx | undefined;
}

/**
 * Core's `DescriptorScriptPubKeyMan::GetSigningProvider(script, include_private)`: keys and scripts of the
 * position deriving `script` (private keys only when asked and known), or undefined when not the wallet's.
 */
export function signingProviderFor(
  wallet: SigningWallet,
  script: Uint8Array,
  includePrivate: boolean,
  into?: SimpleSigningProvider,
): SimpleSigningProvider | undefined {
  const origin = wallet.scriptOrigin(script);
  if (origin === undefined) return undefined;
  const priv = includePrivate ? origin.spkm.privateDescriptor() : undefined;
  // Without private keys: the expansion kept from derivation (Core's ExpandFromCache; a hardened step cannot be
  // derived again from the public descriptor).
  const spkm = origin.spkm;
  const expanded = priv === undefined ? spkm.expandAt(origin.index) : undefined;
  if (priv === undefined && expanded === undefined) return undefined;
  const source: ExpandableDescriptor = priv ?? {
    isRange: () => spkm.descriptor.isRange(),
    expand: () => expanded!,
    expandPrivate: () => [],
  };
  return descriptorSigningProvider([source], {
    range: [origin.index, origin.index],
    includePrivate: priv !== undefined,
    into,
  });
}

/** Core's `PSBTInputSigned`. */
function inputSigned(psbt: Psbt, i: number): boolean {
  return isInputFinalized(psbt.inputs[i]);
}

/** The script an input spends, from its UTXO fields. */
function inputScript(psbt: Psbt, i: number): Uint8Array | undefined {
  const input = psbt.inputs[i];
  if (input.witnessUtxo !== undefined) return input.witnessUtxo.scriptPubKey;
  return input.nonWitnessUtxo?.outputs[input.prevOut]?.scriptPubKey;
}

/** Options of {@linkcode fillPsbt}. */
export interface FillPsbtOptions {
  /** Sign (with the private keys the wallet has). */
  sign: boolean;
  /** Sighash type (default: DEFAULT for taproot, ALL otherwise). */
  sighashType?: number;
  /** Finalize complete inputs. */
  finalize: boolean;
  /** Include BIP32 derivation paths. */
  bip32Derivs: boolean;
}

/** What {@linkcode fillPsbt} did. */
export interface FillPsbtResult {
  /** Every input is signed and verifies. */
  complete: boolean;
  /** Inputs signed (or, without signing, that the wallet could sign). */
  signed: number;
  /** Core's PSBTError when it stopped ("sighash_mismatch"), else null. */
  error: "sighash_mismatch" | "invalid_tx" | null;
}

/** Core's `CWallet::FillPSBT` on a decoded PSBT (updated in place). */
export function fillPsbtInPlace(wallet: SigningWallet, psbt: Psbt, options: FillPsbtOptions): FillPsbtResult {
  // Previous transactions from the wallet for inputs without one.
  for (const input of psbt.inputs) {
    if (isInputFinalized(input) || input.nonWitnessUtxo !== undefined) continue;
    const prev = wallet.getTx(reverseHex(input.prevTxid));
    if (prev !== undefined) input.nonWitnessUtxo = prev.tx;
  }
  const txdata = precomputePsbtData(psbt);
  if (txdata === null) return { complete: false, signed: 0, error: "invalid_tx" };
  let signed = 0;
  for (let i = 0; i < psbt.inputs.length; i++) {
    if (inputSigned(psbt, i)) continue;
    const input = psbt.inputs[i];
    if (
      options.sign && input.sighashType !== undefined && options.sighashType !== undefined &&
      input.sighashType !== options.sighashType
    ) {
      return { complete: false, signed, error: "sighash_mismatch" };
    }
    const script = inputScript(psbt, i);
    if (script === undefined) continue;
    const provider = signingProviderFor(wallet, script, options.sign) ??
      providerForListedKeys(wallet, psbt, i, script, options.sign);
    if (provider === undefined) continue;
    const r = signPsbtInput(
      hidingProvider(provider, { secrets: !options.sign, origins: !options.bip32Derivs }),
      psbt,
      i,
      { sighashType: options.sighashType, finalize: options.finalize, txdata },
    );
    if (r !== "ok" && r !== "incomplete") {
      return { complete: false, signed, error: r === "sighash_mismatch" ? r : "invalid_tx" };
    }
    if (inputSigned(psbt, i) || inputHasSignatures(psbt.inputs[i]) || !options.sign) signed++;
  }
  for (let i = 0; i < psbt.outputs.length; i++) {
    const provider = signingProviderFor(wallet, psbt.outputs[i].script, false);
    if (provider === undefined) continue;
    updatePsbtOutput(hidingProvider(provider, { secrets: true, origins: !options.bip32Derivs }), psbt, i);
  }
  removeUnnecessaryTransactions(psbt);
  let complete = true;
  for (let i = 0; i < psbt.inputs.length && complete; i++) {
    complete = isInputSignedAndVerified(psbt, i, txdata);
  }
  return { complete, signed, error: null };
}

/** Scripts paying `pubkey` alone (pkh, wpkh, sh(wpkh), key-path tr): where a wallet position can derive it. */
function singleKeyScripts(pubkey: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  if (pubkey.length === 33 || pubkey.length === 65) {
    const h = hash160(pubkey);
    out.push(Uint8Array.of(0x76, 0xa9, 0x14, ...h, 0x88, 0xac));
    if (pubkey.length === 33) {
      const wpkh = Uint8Array.of(0x00, 0x14, ...h);
      out.push(wpkh, Uint8Array.of(0xa9, 0x14, ...hash160(wpkh), 0x87));
    }
  }
  const xonly = pubkey.length === 33 ? pubkey.subarray(1) : pubkey.length === 32 ? pubkey : undefined;
  const tr = xonly === undefined ? undefined : taprootOutput(xonly);
  if (tr !== undefined) out.push(Uint8Array.of(0x51, 0x20, ...tr.outputKey));
  return out;
}

/**
 * Core's FillPSBT fallback when the wallet does not know the input's script ("maybe there are pubkeys listed
 * that we can sign for"): the keys of the positions deriving the input's BIP 32 and taproot BIP 32 public keys
 * (found through the single-key scripts they pay; the wallet keeps no index of public keys alone).
 */
function providerForListedKeys(
  wallet: SigningWallet,
  psbt: Psbt,
  i: number,
  script: Uint8Array,
  includePrivate: boolean,
): SimpleSigningProvider | undefined {
  const input = psbt.inputs[i];
  const pubkeys: Uint8Array[] = [...input.bip32Derivs.keys()].map((k) => fromHex(k));
  if (script.length === 34 && script[0] === 0x51 && script[1] === 0x20) {
    const x = script.subarray(2);
    pubkeys.push(x, Uint8Array.of(0x02, ...x), Uint8Array.of(0x03, ...x));
  }
  // Taproot keys are x-only: Core tries both full keys (02 and 03 headers).
  for (const k of input.tapBip32Derivs.keys()) {
    const x = fromHex(k);
    pubkeys.push(x, Uint8Array.of(0x02, ...x), Uint8Array.of(0x03, ...x));
  }
  let provider: SimpleSigningProvider | undefined;
  const seen = new Set<string>();
  for (const pubkey of pubkeys) {
    for (const s of singleKeyScripts(pubkey)) {
      const origin = wallet.scriptOrigin(s);
      if (origin === undefined || seen.has(`${origin.spkm.id}:${origin.index}`)) continue;
      seen.add(`${origin.spkm.id}:${origin.index}`);
      provider = signingProviderFor(wallet, s, includePrivate, provider) ?? provider;
    }
  }
  return provider;
}

/** {@linkcode fillPsbtInPlace} over serialized PSBTs (throws the codec's error for bad bytes). */
export function fillPsbt(
  wallet: SigningWallet,
  bytes: Uint8Array,
  options: FillPsbtOptions,
): { psbt: Uint8Array; complete: boolean; signed: number; error: FillPsbtResult["error"] } {
  const psbt = decodePsbt(bytes);
  const r = fillPsbtInPlace(wallet, psbt, options);
  return { psbt: encodePsbt(psbt), ...r };
}

/**
 * Core's `CWallet::SignTransaction`: signs every input whose coin (in `coins`, by "txid:vout") the wallet can
 * sign for, keeps what other inputs carry, and reports Core's per-input errors.
 */
export function signTransactionWithWallet(
  wallet: SigningWallet,
  tx: Transaction,
  coins: ReadonlyMap<string, TxOut>,
  sighashType: number | undefined,
): SignTransactionResult {
  const psbt = psbtFromTransaction(tx, 0);
  const coinOf = (i: number) =>
    coins.get(`${reverseHex(tx.inputs[i].prevout.txid)}:${tx.inputs[i].prevout.vout}`);
  for (let i = 0; i < tx.inputs.length; i++) {
    const coin = coinOf(i);
    if (coin === undefined) continue;
    const input = psbt.inputs[i];
    input.witnessUtxo = coin;
    const prev = wallet.getTx(reverseHex(tx.inputs[i].prevout.txid));
    if (prev !== undefined && reverseHex(txidOf(prev.tx)) === prev.txid) input.nonWitnessUtxo = prev.tx;
  }
  const txdata = precomputePsbtData(psbt);
  const inputs = [...tx.inputs];
  if (txdata !== null) {
    for (let i = 0; i < tx.inputs.length; i++) {
      const coin = coinOf(i);
      if (coin === undefined) continue;
      const provider = signingProviderFor(wallet, coin.scriptPubKey, true);
      if (provider === undefined) continue;
      const input = psbt.inputs[i];
      signPsbtInput(provider, psbt, i, { sighashType, finalize: true, txdata });
      if (isInputFinalized(input)) {
        const scriptSig = input.finalScriptSig ?? new Uint8Array(0);
        inputs[i] = { ...inputs[i], scriptSig, witness: input.finalScriptWitness ?? [] };
      }
    }
  }
  // Core's SignTransaction for what is left (partial multisig with signatures the inputs already carry, which
  // stay in the scriptSig/witness), its checks and error texts; finalized inputs are only checked.
  const flat = new FlatSigningProvider();
  for (let i = 0; i < tx.inputs.length; i++) {
    const coin = coinOf(i);
    if (coin === undefined || isInputFinalized(psbt.inputs[i])) continue;
    addToFlatProvider(wallet, coin.scriptPubKey, flat);
  }
  const checkCoins = new Map<string, TxOut>();
  for (const [k, v] of coins) checkCoins.set(k, v);
  const checked = checkSignatures({ ...tx, inputs }, flat, checkCoins, sighashType ?? 0);
  const errors: SignTransactionResult["errors"] = [];
  for (const [i, error] of [...checked.errors].sort((a, b) => a[0] - b[0])) {
    errors.push(txInErrorToJson(checked.tx.inputs[i], error));
  }
  return { tx: checked.tx, complete: checked.complete, errors };
}

/** Adds the keys (private when known) and scripts of the position deriving `script` to `flat`. */
function addToFlatProvider(wallet: SigningWallet, script: Uint8Array, flat: FlatSigningProvider): void {
  const origin = wallet.scriptOrigin(script);
  if (origin === undefined) return;
  const priv = origin.spkm.privateDescriptor();
  const expanded = origin.spkm.expandAt(origin.index);
  if (expanded === undefined) return;
  for (const s of expanded.scripts) flat.addScript(s);
  for (const k of expanded.pubkeys) {
    const id = toHex(hash160(k.pubkey));
    if (!flat.pubkeys.has(id)) flat.pubkeys.set(id, k.pubkey);
  }
  if (priv !== undefined) {
    for (const d of priv.expandPrivate(origin.index)) flat.addKey(d.secret);
  }
}
