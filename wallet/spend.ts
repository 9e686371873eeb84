/**
 * Building transactions from the wallet's coins (Core's wallet/spend.cpp): coin control, signed input and
 * transaction size estimates, the change output type, anti-fee-sniping locktimes, `CreateTransaction` (recipients,
 * subtract-fee-from-amount, change or no change, preset and external inputs, RBF signalling, Core's checks and
 * errors) and `FundTransaction`. Coin selection itself is wallet/coin_selection.
 *
 * @module
 */
import { FeeRate } from "../node/policy/feerate.ts";
import { getDustThreshold, isDust } from "../node/policy/dust.ts";
import { MAX_STANDARD_TX_WEIGHT, MIN_STANDARD_TX_NONWITNESS_SIZE } from "../node/policy/policy.ts";
import { formatMoney } from "../node/policy/money.ts";
import { solver } from "../core/script/standard.ts";
import { decodeDestination, getScriptForDestination, isDecodedDestination } from "../core/address/mod.ts";
import {
  compactSizeLength,
  encodeTransaction,
  outPointKey,
  transactionWeight,
  txid as txidOf,
} from "../core/wire/mod.ts";
import type { OutPoint, Transaction, TxIn, TxOut } from "../core/wire/types.ts";
import type { OutputType } from "../core/descriptors/mod.ts";
import {
  Coin,
  cryptoRng,
  fundingFailureMessage,
  makeCoinSelectionParams,
  outpointKey as selectionOutpointKey,
  selectCoins,
  SELECTION_ERRORS,
  type SelectionRng,
} from "./coin_selection/mod.ts";
import {
  allowFallbackFee,
  FALLBACK_FEE_DISABLED_ERROR,
  type FeeCalculation,
  type FeeControl,
  feeRateTooLowMessage,
  getDiscardRate,
  getMinimumFeeRate,
} from "./fees.ts";
import type { WalletCore } from "./types.ts";
import { availableCoins as walletAvailableCoins, type CoinFilterParams } from "./available_coins.ts";
import type { ExternalSolvingData } from "./solving_data.ts";
import { combinedBumpFee, individualBumpFees } from "./bump_fees.ts";

export { combinedBumpFee, individualBumpFees };

/** nSequence that signals BIP125 replaceability and disables relative locktime (Core's `MAX_BIP125_RBF_SEQUENCE`). */
export const MAX_BIP125_RBF_SEQUENCE = 0xfffffffd;
/** nSequence that enables locktime without BIP125 or BIP68 (Core's `CTxIn::MAX_SEQUENCE_NONFINAL`). */
export const MAX_SEQUENCE_NONFINAL = 0xfffffffe;
/** Core's `DEFAULT_MAX_DEPTH` of coin control. */
export const DEFAULT_MAX_DEPTH = 9999999;
/** Core's `TRUC_VERSION`. */
export const TRUC_VERSION = 3;
/** Core's `TRUC_MAX_WEIGHT`. */
export const TRUC_MAX_WEIGHT = 40_000;
/** Core's `TRUC_CHILD_MAX_WEIGHT`. */
export const TRUC_CHILD_MAX_WEIGHT = 4_000;
/** Weight of an input with an empty scriptSig and no witness (outpoint, sequence, script length: 41 bytes × 4). */
export const EMPTY_INPUT_WEIGHT = 164;
/** Core's `MAX_ANTI_FEE_SNIPING_TIP_AGE` (seconds). */
const MAX_ANTI_FEE_SNIPING_TIP_AGE = 8 * 60 * 60;

/** A payment (Core's `CRecipient`): the output script, the amount and whether it pays part of the fee. */
export interface Recipient {
  /** Output script. */
  script: Uint8Array;
  /** Amount, satoshis. */
  amount: bigint;
  /** Subtract (its share of) the fee from this output. */
  subtractFeeFromAmount: boolean;
}

/** A coin the caller chose (Core's `PreselectedInput`). */
export interface PreselectedInput {
  /** The outpoint. */
  outpoint: OutPoint;
  /** The output, for an input the wallet does not know (Core's external input). */
  txout?: TxOut;
  /** Its maximum signed weight (`input_weights`). */
  weight?: number;
  /** Its sequence number. */
  sequence?: number;
  /** A scriptSig to keep. */
  scriptSig?: Uint8Array;
  /** A witness to keep. */
  witness?: Uint8Array[];
  /** Order of selection (inputs keep it). */
  pos: number;
}

/** Core's `CCoinControl`: how a transaction should be funded. */
export class CoinControl implements FeeControl {
  /** Custom change script (Core's `destChange`). */
  changeScript?: Uint8Array;
  /** Change output type (Core's `m_change_type`). */
  changeType?: OutputType;
  /** Spend unconfirmed coins from others and replacements. */
  includeUnsafeInputs = false;
  /** Add wallet coins beyond the selected ones. */
  allowOtherInputs = true;
  /** Explicit feerate. */
  feeRate?: FeeRate;
  /** Use `feeRate` without minimum checks. */
  overrideFeeRate?: boolean;
  /** Confirmation target. */
  confirmTarget?: number;
  /** BIP125 signalling (default `-walletrbf`). */
  signalRbf?: boolean;
  /** Estimate mode. */
  feeMode: "unset" | "economical" | "conservative" = "unset";
  /** Spend all or none of the coins of one script. */
  avoidPartialSpends: boolean;
  /** Skip coins of already-spent-from destinations (avoid_reuse wallets). */
  avoidAddressReuse = false;
  /** Minimum confirmations of automatically selected coins. */
  minDepth = 0;
  /** Maximum confirmations of automatically selected coins. */
  maxDepth: number = DEFAULT_MAX_DEPTH;
  /** Solving data for external inputs (Core's `m_external_provider`). */
  external?: ExternalSolvingData;
  /** Transaction version. */
  version = 2;
  /** Locktime to use (disables anti-fee-sniping). */
  lockTime?: number;
  /** Maximum transaction weight. */
  maxTxWeight?: number;
  readonly #selected = new Map<string, PreselectedInput>();

  /** Core's `CCoinControl()` defaults; `avoidPartialSpends` from `-avoidpartialspends`. */
  constructor(avoidPartialSpends = false) {
    this.avoidPartialSpends = avoidPartialSpends;
  }

  /** Core's `Select`: the preset input of `outpoint`, added at the end of the order when new. */
  select(outpoint: OutPoint): PreselectedInput {
    const key = outPointKey(outpoint);
    let input = this.#selected.get(key);
    if (input === undefined) {
      input = { outpoint, pos: this.#selected.size };
      this.#selected.set(key, input);
    }
    return input;
  }

  /** Whether any input is selected. */
  hasSelected(): boolean {
    return this.#selected.size > 0;
  }

  /** The preset input of `outpoint`, if selected. */
  selected(outpoint: OutPoint): PreselectedInput | undefined {
    return this.#selected.get(outPointKey(outpoint));
  }

  /** Every selected input in order. */
  listSelected(): PreselectedInput[] {
    return [...this.#selected.values()].sort((a, b) => a.pos - b.pos);
  }

  /** Whether `outpoint` was selected with its output given (Core's `IsExternalSelected`). */
  isExternalSelected(outpoint: OutPoint): boolean {
    return this.selected(outpoint)?.txout !== undefined;
  }

  /** A copy (Core copies `CCoinControl` freely). */
  clone(): CoinControl {
    const copy = new CoinControl(this.avoidPartialSpends);
    Object.assign(copy, { ...this });
    for (const input of this.listSelected()) Object.assign(copy.select(input.outpoint), { ...input });
    return copy;
  }
}

/** A result or Core's error message (Core's `util::Result`). */
export type SpendResult<T> = { ok: true; value: T } | { ok: false; error: string };

function err<T>(error: string): SpendResult<T> {
  return { ok: false, error };
}

/** What {@link createTransaction} made (Core's `CreatedTransactionResult`). */
export interface CreatedTransaction {
  /** The transaction (signed when asked). */
  tx: Transaction;
  /** Its fee. */
  fee: bigint;
  /** Position of the change output, or undefined without change. */
  changePos?: number;
  /** How the feerate was chosen. */
  feeCalc: FeeCalculation;
}

// ---------------------------------------------------------------------------------------------------------------
// Sizes

/** Whether spending `script` is a segwit spend (witness programs; P2SH assumed to wrap one, as wallet sh(wpkh)). */
export function isSegwitSpend(script: Uint8Array): boolean {
  const type = solver(script).type;
  return type === "witness_v0_keyhash" || type === "witness_v0_scripthash" ||
    type === "witness_v1_taproot" || type === "witness_unknown" || type === "anchor" ||
    type === "scripthash";
}

/** Signed-input size facts of one script: weight in a segwit transaction, and whether it is a segwit spend. */
export interface InputSizeInfo {
  /** Core's `MaxInputWeight(…, tx_is_segwit = true)`. */
  weight: number;
  /** Whether the spend has witness data (Core's `IsSegwit(desc)`). */
  segwit: boolean;
}

/**
 * The largest signed weight of an input spending `script` as the wallet (or the external solving data) can
 * solve it, assuming a segwit transaction; undefined when unsolvable.
 */
export function inputSizeInfo(
  wallet: WalletCore,
  script: Uint8Array,
  external?: ExternalSolvingData,
): InputSizeInfo | undefined {
  const extra = wallet.maxInputSatisfactionWeight(script);
  if (extra !== undefined) return { weight: EMPTY_INPUT_WEIGHT + extra, segwit: isSegwitSpend(script) };
  return external?.inputSize(script);
}

/** Core's `GetVirtualTransactionSize(weight, 0, 0)`. */
export function vsizeOfWeight(weight: number): number {
  return Math.ceil(weight / 4);
}

/** Core's `CalculateMaximumSignedInputSize` (vbytes), -1 when unsolvable. */
export function maximumSignedInputSize(
  wallet: WalletCore,
  txout: TxOut,
  external?: ExternalSolvingData,
): number {
  const info = inputSizeInfo(wallet, txout.scriptPubKey, external);
  return info === undefined ? -1 : vsizeOfWeight(info.weight);
}

function txOutSize(out: TxOut): number {
  return 8 + compactSizeLength(out.scriptPubKey.length) + out.scriptPubKey.length;
}

/** Core's `TxSize`: vsize and weight (both -1 when an input cannot be sized). */
export interface TxSize {
  /** Virtual size. */
  vsize: number;
  /** Weight. */
  weight: number;
}

/**
 * Core's `CalculateMaximumSignedTxSize`: the size of `tx` once every input is signed with the largest
 * signatures, each input spending the matching entry of `spent`.
 */
export function calculateMaximumSignedTxSize(
  wallet: WalletCore,
  tx: Transaction,
  spent: readonly TxOut[],
  control?: CoinControl,
): TxSize {
  let weight = (8 + compactSizeLength(tx.inputs.length) + compactSizeLength(tx.outputs.length)) * 4;
  const infos: Array<InputSizeInfo | undefined> = spent.map((o) =>
    inputSizeInfo(wallet, o.scriptPubKey, control?.external)
  );
  const segwit = infos.some((i) => i?.segwit === true);
  if (segwit) weight += 2;
  for (const out of tx.outputs) weight += txOutSize(out) * 4;
  for (let i = 0; i < spent.length; i++) {
    const preset = control?.selected(tx.inputs[i].prevout)?.weight;
    if (preset !== undefined) {
      weight += preset;
      continue;
    }
    const info = infos[i];
    if (info === undefined) return { vsize: -1, weight: -1 };
    // A non-segwit input carries a witness stack count only inside a segwit transaction.
    weight += info.weight - (!segwit && !info.segwit ? 1 : 0);
  }
  return { vsize: vsizeOfWeight(weight), weight };
}

/** The output an outpoint refers to, from the wallet or the coin control's external inputs. */
export function findSpentOutput(
  wallet: WalletCore,
  outpoint: OutPoint,
  control?: CoinControl,
): TxOut | undefined {
  const wtx = wallet.getTx(txidHex(outpoint.txid));
  if (wtx !== undefined && outpoint.vout < wtx.tx.outputs.length) return wtx.tx.outputs[outpoint.vout];
  return control?.selected(outpoint)?.txout;
}

/** Core's `CalculateMaximumSignedTxSize(tx, wallet, coin_control)`: looks the spent outputs up first. */
export function calculateMaximumSignedTxSizeOf(
  wallet: WalletCore,
  tx: Transaction,
  control?: CoinControl,
): TxSize {
  const spent: TxOut[] = [];
  for (const input of tx.inputs) {
    const out = findSpentOutput(wallet, input.prevout, control);
    if (out === undefined) return { vsize: -1, weight: -1 };
    spent.push(out);
  }
  return calculateMaximumSignedTxSize(wallet, tx, spent, control);
}

// ---------------------------------------------------------------------------------------------------------------
// Helpers

/** Display hex of an internal-order txid. */
export function txidHex(txid: Uint8Array): string {
  let s = "";
  for (let i = txid.length - 1; i >= 0; i--) s += txid[i].toString(16).padStart(2, "0");
  return s;
}

/** Internal-order bytes of a display-hex txid. */
export function txidBytes(hex: string): Uint8Array {
  const out = new Uint8Array(32);
  for (let i = 0; i < 32; i++) out[31 - i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return out;
}

/** The output script of an address of the wallet's network; undefined when invalid. */
export function scriptForAddress(wallet: WalletCore, address: string): Uint8Array | undefined {
  const decoded = decodeDestination(address, wallet.network);
  return isDecodedDestination(decoded) ? getScriptForDestination(decoded.destination) : undefined;
}

/**
 * The wallet's spendable coins for a coin control (Core's `AvailableCoins(wallet, &coin_control, feerate,
 * params)`, wallet/available_coins.ts), with mempool ancestry for the selection's chain limits.
 */
export async function availableCoins(
  wallet: WalletCore,
  control: CoinControl | undefined,
  feeRate: FeeRate | undefined,
  filter: CoinFilterParams = {},
): Promise<Coin[]> {
  const selected = new Set<string>();
  for (const input of control?.listSelected() ?? []) selected.add(selectionOutpointKey(input.outpoint));
  const coins = await walletAvailableCoins(wallet, {
    control: control === undefined ? undefined : {
      minDepth: control.minDepth,
      maxDepth: control.maxDepth,
      includeUnsafe: control.includeUnsafeInputs,
      avoidAddressReuse: control.avoidAddressReuse,
      selected,
      version: control.version,
    },
    feerate: feeRate,
    filter,
    withAncestry: true,
  });
  return coins.all();
}

/** Destination kind of a recipient script, for the change type rules. */
function destinationKind(script: Uint8Array): string {
  return solver(script).type;
}

/**
 * Core's `TransactionChangeType`: `-changetype` (or the coin control's) when set; legacy with a legacy default
 * address type; else the type of a recipient the wallet has a change descriptor for (taproot, P2WPKH, P2SH,
 * P2PKH in that order), else bech32m or bech32 when available, else the default address type.
 */
export function transactionChangeType(
  wallet: WalletCore,
  changeType: OutputType | undefined,
  recipients: readonly Recipient[],
): OutputType {
  if (changeType !== undefined) return changeType;
  const addressType = wallet.defaultAddressType();
  if (addressType === "legacy") return "legacy";
  const kinds = new Set(recipients.map((r) => destinationKind(r.script)));
  const has = (type: OutputType) => wallet.hasChangeDescriptor?.(type) ?? true;
  if (has("bech32m") && kinds.has("witness_v1_taproot")) return "bech32m";
  if (has("bech32") && kinds.has("witness_v0_keyhash")) return "bech32";
  if (has("p2sh-segwit") && kinds.has("scripthash")) return "p2sh-segwit";
  if (has("legacy") && kinds.has("pubkeyhash")) return "legacy";
  if (has("bech32m")) return "bech32m";
  if (has("bech32")) return "bech32";
  return addressType;
}

/**
 * Core's `DiscourageFeeSniping`: the locktime is the wallet's tip height (sometimes up to 99 blocks less) when
 * the tip is recent and the node is not in initial download, else 0.
 */
export async function discourageFeeSniping(
  tx: Transaction,
  wallet: WalletCore,
  rng: SelectionRng,
  nowSeconds: number = Math.floor(Date.now() / 1000),
): Promise<Transaction> {
  const tip = wallet.lastBlock();
  let current = !(await wallet.chain.isInitialBlockDownload());
  if (current) {
    const block = await wallet.chain.findBlock(tip.hash, { time: true });
    current = block !== null && (block.time ?? 0) >= nowSeconds - MAX_ANTI_FEE_SNIPING_TIP_AGE;
  }
  let locktime = 0;
  if (current) {
    locktime = tip.height;
    if (rng.randrange(10) === 0) locktime = Math.max(0, locktime - rng.randrange(100));
  }
  return { ...tx, locktime };
}

// ---------------------------------------------------------------------------------------------------------------
// CreateTransaction

/** Options of {@link createTransaction}. */
export interface CreateTransactionOptions {
  /** Where the change goes (random when undefined). */
  changePos?: number;
  /** Sign the transaction. */
  sign: boolean;
  /** Randomness (tests). */
  rng?: SelectionRng;
  /** `-walletrejectlongchains` (default true). */
  rejectLongChains?: boolean;
}

/** Gives unconfirmed coins (every coin with `all`) the fee to bump their ancestry (Core's `ApplyBumpFee`). */
async function applyBumpFees(wallet: WalletCore, coins: readonly Coin[], feeRate: FeeRate, all: boolean) {
  const unconfirmed = coins.filter((c) => all || c.depth === 0);
  if (unconfirmed.length === 0) return;
  const fees = await individualBumpFees(wallet, unconfirmed.map((c) => c.outpoint), feeRate);
  for (const coin of unconfirmed) coin.applyBumpFee(fees.get(txidHex(coin.outpoint.txid)) ?? 0n);
}

/** Core's `COutPoint::ToString`: `COutPoint(<first 10 hex digits of the txid>, <n>)`. */
export function outPointString(outpoint: OutPoint): string {
  return `COutPoint(${txidHex(outpoint.txid).slice(0, 10)}, ${outpoint.vout})`;
}

/** Core's `FetchSelectedInputs`: the preset inputs as coins, with Core's errors. */
function fetchSelectedInputs(
  wallet: WalletCore,
  control: CoinControl,
  feeRate: FeeRate,
): SpendResult<Coin[]> {
  const coins: Coin[] = [];
  for (const input of control.listSelected()) {
    const { outpoint } = input;
    let inputBytes = input.weight !== undefined ? vsizeOfWeight(input.weight) : -1;
    let txout: TxOut;
    const wtx = wallet.getTx(txidHex(outpoint.txid));
    if (wtx !== undefined && outpoint.vout < wtx.tx.outputs.length) {
      txout = wtx.tx.outputs[outpoint.vout];
      if (inputBytes === -1) inputBytes = maximumSignedInputSize(wallet, txout);
      if (wallet.depth(wtx) === 0) {
        if (wtx.tx.version === TRUC_VERSION && control.version !== TRUC_VERSION) {
          return err(
            `Can't spend unconfirmed version 3 pre-selected input with a version ${control.version} tx`,
          );
        } else if (control.version === TRUC_VERSION && wtx.tx.version !== TRUC_VERSION) {
          return err(
            `Can't spend unconfirmed version ${wtx.tx.version} pre-selected input with a version 3 tx`,
          );
        }
      }
    } else {
      if (input.txout === undefined) return err(`Not found pre-selected input ${outPointString(outpoint)}`);
      txout = input.txout;
    }
    if (inputBytes === -1) {
      const info = control.external?.inputSize(txout.scriptPubKey, true);
      if (info !== undefined) inputBytes = vsizeOfWeight(info.weight);
    }
    if (inputBytes === -1) return err(`Not solvable pre-selected input ${outPointString(outpoint)}`);
    coins.push(
      new Coin({
        outpoint,
        txout,
        depth: 0,
        inputBytes,
        solvable: true,
        safe: true,
        fromMe: false,
        outputType: "unknown",
        feerate: feeRate,
      }),
    );
  }
  return { ok: true, value: coins };
}

function outputValue(tx: Transaction): bigint {
  let sum = 0n;
  for (const out of tx.outputs) sum += out.value;
  return sum;
}

/** Core's `CreateTransactionInternal`. */
async function createTransactionInternal(
  wallet: WalletCore,
  recipients: readonly Recipient[],
  control: CoinControl,
  options: CreateTransactionOptions,
): Promise<SpendResult<BuiltTransaction>> {
  const rng = options.rng ?? cryptoRng();
  const maxTxWeight = control.maxTxWeight ?? MAX_STANDARD_TX_WEIGHT;
  const minimumTxWeight = MIN_STANDARD_TX_NONWITNESS_SIZE * 4;
  if (maxTxWeight < minimumTxWeight || maxTxWeight > MAX_STANDARD_TX_WEIGHT) {
    return err(`Maximum transaction weight must be between ${minimumTxWeight} and ${MAX_STANDARD_TX_WEIGHT}`);
  }
  const settings = wallet.settings();
  const dustRelay = FeeRate.fromSatPerKvB(await wallet.chain.relayDustFee());
  const changeType = transactionChangeType(
    wallet,
    control.changeType ?? wallet.defaultChangeType(),
    recipients,
  );
  let subtractCount = 0;
  for (const r of recipients) {
    if (isDust({ value: r.amount, scriptPubKey: r.script }, dustRelay)) {
      return err("Transaction amount too small");
    }
    if (r.subtractFeeFromAmount) subtractCount++;
  }

  // The change script: the caller's, or a new change address.
  let changeScript: Uint8Array = new Uint8Array(0);
  let changeError = "";
  if (control.changeScript !== undefined) {
    changeScript = control.changeScript;
  } else {
    try {
      const address = await wallet.getNewChangeAddress(changeType);
      changeScript = scriptForAddress(wallet, address) ?? new Uint8Array(0);
    } catch (e) {
      changeError = `Transaction needs a change address, but we can't generate it. ${
        e instanceof Error ? e.message : String(e)
      }`;
    }
  }
  const changePrototype: TxOut = { value: 0n, scriptPubKey: changeScript };
  const changeSpendSize = maximumSignedInputSize(wallet, changePrototype);

  const discardFeerate = await getDiscardRate(wallet);
  const feeCalc = await getMinimumFeeRate(wallet, control);
  const effectiveFeerate = feeCalc.feeRate;
  if (control.feeRate !== undefined && effectiveFeerate.gt(control.feeRate)) {
    return err(await feeRateTooLowMessage(wallet, control.feeRate, feeCalc));
  }
  if (feeCalc.reason === "Fallback fee" && !allowFallbackFee(wallet)) return err(FALLBACK_FEE_DISABLED_ERROR);

  const { params, recipientsSum, selectionTarget } = makeCoinSelectionParams({
    recipients: recipients.map((r) => ({
      amount: r.amount,
      outputSize: txOutSize({ value: r.amount, scriptPubKey: r.script }),
      subtractFeeFromAmount: r.subtractFeeFromAmount,
    })),
    effectiveFeerate,
    longTermFeerate: FeeRate.fromSatPerKvB(settings.consolidateFeeRate),
    discardFeerate,
    changeOutputSize: txOutSize(changePrototype),
    changeSpendSize: changeSpendSize === -1 ? undefined : changeSpendSize,
    changeDustThreshold: getDustThreshold(changePrototype, discardFeerate),
    maxTxWeight,
    avoidPartialSpends: control.avoidPartialSpends,
    includeUnsafeInputs: control.includeUnsafeInputs,
    version: control.version,
    rng,
  });
  if (selectionTarget === 0n && !control.hasSelected()) return err(SELECTION_ERRORS.emptyTarget);

  let preset: Coin[] = [];
  if (control.hasSelected()) {
    const fetched = fetchSelectedInputs(wallet, control, effectiveFeerate);
    if (!fetched.ok) return fetched;
    preset = fetched.value;
    await applyBumpFees(wallet, preset, effectiveFeerate, true);
  }
  const available = control.allowOtherInputs ? await availableCoins(wallet, control, effectiveFeerate) : [];
  await applyBumpFees(wallet, available, effectiveFeerate, false);
  const outcome = await selectCoins({
    available,
    presetInputs: preset,
    target: selectionTarget,
    params,
    allowOtherInputs: control.allowOtherInputs,
    spendZeroConfChange: settings.spendZeroConfChange,
    rejectLongChains: options.rejectLongChains,
    chain: {
      packageLimits: await wallet.chain.getPackageLimits(),
      calculateCombinedBumpFee: (outpoints, feerate) => combinedBumpFee(wallet, outpoints, feerate),
    },
  });
  if (!outcome.ok) {
    return err(
      fundingFailureMessage({ outcome, presetInputs: preset, available, recipientsSum, selectionTarget }),
    );
  }
  const result = outcome.result;

  const outputs: TxOut[] = recipients.map((r) => ({ value: r.amount, scriptPubKey: r.script }));
  const changeAmount = result.getChange(params.minViableChange, params.changeFee);
  let changePos: number | undefined = options.changePos;
  if (changeAmount > 0n) {
    if (changePos === undefined) changePos = rng.randrange(outputs.length + 1);
    else if (changePos > outputs.length) return err("Transaction change output index out of range");
    outputs.splice(changePos, 0, { value: changeAmount, scriptPubKey: changeScript });
  } else {
    changePos = undefined;
  }

  const selected = result.shuffledInputs(rng);
  if (control.hasSelected()) {
    const pos = (c: Coin) => control.selected(c.outpoint)?.pos;
    selected.sort((a, b) => {
      const pa = pos(a), pb = pos(b);
      if (pa !== undefined && pb !== undefined) return pa - pb;
      if (pa !== undefined) return -1;
      if (pb !== undefined) return 1;
      return 0;
    });
  }
  let useAntiFeeSniping = true;
  const defaultSequence = (control.signalRbf ?? settings.signalRbf)
    ? MAX_BIP125_RBF_SEQUENCE
    : MAX_SEQUENCE_NONFINAL;
  const inputs: TxIn[] = selected.map((coin) => {
    const preset = control.selected(coin.outpoint);
    if (preset?.sequence !== undefined) useAntiFeeSniping = false;
    return {
      prevout: coin.outpoint,
      scriptSig: preset?.scriptSig ?? new Uint8Array(0),
      sequence: preset?.sequence ?? defaultSequence,
      witness: preset?.witness ?? [],
    };
  });
  let tx: Transaction = { version: control.version, inputs, outputs, locktime: 0 };
  if (control.lockTime !== undefined) {
    tx = { ...tx, locktime: control.lockTime };
    useAntiFeeSniping = false;
  }
  if (useAntiFeeSniping) tx = await discourageFeeSniping(tx, wallet, rng);

  const spent = selected.map((c) => c.txout);
  const sizes = calculateMaximumSignedTxSize(wallet, tx, spent, control);
  if (sizes.vsize === -1) return err("Missing solving data for estimating transaction size");
  const feeNeeded = effectiveFeerate.getFee(sizes.vsize) + result.totalBumpFees();
  const selectedValue = result.selectedValue();
  let currentFee = selectedValue - outputValue(tx);
  if (currentFee < 0n) return err(internalBug("Fee paid < 0"));

  if (changePos !== undefined && feeNeeded < currentFee) {
    const change = outputs[changePos];
    outputs[changePos] = { ...change, value: change.value + currentFee - feeNeeded };
    currentFee = selectedValue - outputValue(tx);
    if (feeNeeded !== currentFee) return err(internalBug("Change adjustment: Fee needed != fee paid"));
  }

  if (params.subtractFeeOutputs) {
    const toReduce = feeNeeded - currentFee;
    const count = BigInt(subtractCount);
    let i = 0;
    let first = true;
    for (const recipient of recipients) {
      if (changePos !== undefined && i === changePos) i++;
      if (recipient.subtractFeeFromAmount) {
        let value = outputs[i].value - toReduce / count;
        if (first) {
          first = false;
          value -= toReduce % count;
        }
        outputs[i] = { ...outputs[i], value };
        if (isDust(outputs[i], dustRelay)) {
          return err(
            value < 0n
              ? "The transaction amount is too small to pay the fee"
              : "The transaction amount is too small to send after the fee has been deducted",
          );
        }
      }
      i++;
    }
    currentFee = selectedValue - outputValue(tx);
    if (feeNeeded !== currentFee) return err(internalBug("SFFO: Fee needed != fee paid"));
  }
  if (feeNeeded > currentFee) return err(internalBug("Fee needed > fee paid"));
  if (changeScript.length === 0 && changePos !== undefined) return err(changeError);

  if (currentFee > settings.maxTxFee) {
    return err("Fee exceeds maximum configured by user (e.g. -maxtxfee, maxfeerate)");
  }
  const spentCoins = new Map<string, TxOut>();
  for (const c of selected) spentCoins.set(outPointKey(c.outpoint), c.txout);
  wallet.logPrintf?.(`Coin Selection: Algorithm:${result.algorithm}, Waste Metric Score:${result.waste}`);
  return {
    ok: true,
    value: { tx, fee: currentFee, changePos, feeCalc, spentCoins, estimatedWeight: sizes.weight },
  };
}

/** A built, not yet signed or checked, transaction of {@link createTransactionInternal}. */
interface BuiltTransaction extends CreatedTransaction {
  /** The outputs its inputs spend, by `outPointKey`. */
  spentCoins: Map<string, TxOut>;
  /** Its estimated signed weight. */
  estimatedWeight: number;
}

/**
 * The end of Core's `CreateTransactionInternal`: signing (when asked), the weight limit (of the signed
 * transaction, or the estimate) and the mempool chain limits. Done only for the transaction kept, so that the
 * partial-spend-avoiding alternative is not signed for nothing.
 */
async function signAndCheck(
  wallet: WalletCore,
  built: BuiltTransaction,
  options: CreateTransactionOptions,
): Promise<SpendResult<CreatedTransaction>> {
  let tx = built.tx;
  if (options.sign) {
    const signed = await wallet.signTransaction(tx, built.spentCoins);
    if (!signed.complete) return err("Signing transaction failed");
    tx = signed.tx;
  }
  const weight = options.sign ? transactionWeight(tx) : built.estimatedWeight;
  if (weight > MAX_STANDARD_TX_WEIGHT) return err("Transaction too large");
  if (options.rejectLongChains ?? true) {
    const limits = await wallet.chain.checkChainLimits(encodeTransaction(tx));
    if (limits !== null) return err(limits);
  }
  return { ok: true, value: { tx, fee: built.fee, changePos: built.changePos, feeCalc: built.feeCalc } };
}

function internalBug(what: string): string {
  return `Internal bug detected: ${what}\nPlease report this issue here: https://github.com/bitcoin/bitcoin/issues\n`;
}

/** Core's `InterpretBool` of a setting's text: empty is true, else its leading integer is not 0. */
function interpretBool(text: string): boolean {
  if (text === "") return true;
  const m = /^\s*[+-]?\d+/.exec(text);
  return m !== null && Number(m[0]) !== 0;
}

/** `-walletrejectlongchains` (default true; Core's `DEFAULT_WALLET_REJECT_LONG_CHAINS`). */
export async function walletRejectLongChains(wallet: WalletCore): Promise<boolean> {
  const v = await wallet.chain.getSetting("walletrejectlongchains");
  if (v === null || v === undefined) return true;
  if (typeof v === "boolean") return v;
  if (typeof v === "string") return interpretBool(v);
  return true;
}

/**
 * Core's `CreateTransaction`: checks the recipients, builds the transaction, and — unless partial spends are
 * already avoided or `-maxapsfee` is negative — builds it again avoiding partial spends and keeps that one when
 * its fee is at most `-maxapsfee` higher.
 */
export async function createTransaction(
  wallet: WalletCore,
  recipients: readonly Recipient[],
  control: CoinControl,
  options: CreateTransactionOptions,
): Promise<SpendResult<CreatedTransaction>> {
  if (recipients.length === 0) return err("Transaction must have at least one recipient");
  if (recipients.some((r) => r.amount < 0n)) return err("Transaction amounts must not be negative");
  if (options.rejectLongChains === undefined) {
    options = { ...options, rejectLongChains: await walletRejectLongChains(wallet) };
  }
  return await wallet.withLock(async () => {
    const res = await createTransactionInternal(wallet, recipients, control, options);
    if (!res.ok) return res;
    const maxApsFee = wallet.settings().maxApsFee;
    if (res.value.fee > 0n && maxApsFee > -1n && !control.avoidPartialSpends) {
      const grouped = control.clone();
      grouped.avoidPartialSpends = true;
      if (res.value.changePos !== undefined) {
        grouped.changeScript = res.value.tx.outputs[res.value.changePos].scriptPubKey;
      }
      const second = await createTransactionInternal(wallet, recipients, grouped, options);
      const useAps = second.ok && second.value.fee <= res.value.fee + maxApsFee;
      if (second.ok) {
        wallet.logPrintf?.(
          `Fee non-grouped = ${res.value.fee}, grouped = ${second.value.fee}, using ${
            useAps ? "grouped" : "non-grouped"
          }`,
        );
      }
      if (second.ok && useAps) {
        const done = await signAndCheck(wallet, second.value, options);
        if (done.ok) return done;
      }
    }
    return await signAndCheck(wallet, res.value, options);
  });
}

/** Options of {@link fundTransaction}. */
export interface FundTransactionOptions {
  /** Change position. */
  changePos?: number;
  /** Lock the inputs of the result. */
  lockUnspents?: boolean;
  /** Randomness (tests). */
  rng?: SelectionRng;
}

/**
 * Core's `FundTransaction`: the transaction's inputs become preset inputs (external ones looked up in the UTXO
 * set, keeping their sequence, scriptSig and witness), its locktime and version are kept, and the wallet adds
 * inputs and change for `recipients` (the transaction's outputs are not used); the result is unsigned.
 */
export async function fundTransaction(
  wallet: WalletCore,
  tx: Transaction,
  recipients: readonly Recipient[],
  control: CoinControl,
  options: FundTransactionOptions = {},
): Promise<SpendResult<CreatedTransaction>> {
  control.lockTime = tx.locktime;
  control.version = tx.version;
  const found = tx.inputs.length === 0 ? [] : await wallet.chain.findCoins(
    tx.inputs.map((i) => ({ txid: txidHex(i.prevout.txid), vout: i.prevout.vout })),
  );
  for (let i = 0; i < tx.inputs.length; i++) {
    const input = tx.inputs[i];
    const preset = control.select(input.prevout);
    if (wallet.getTxo(input.prevout) === undefined) {
      const coin = found[i];
      if (coin === null) return err("Unable to find UTXO for external input");
      preset.txout = { value: coin.value, scriptPubKey: coin.scriptPubKey };
    }
    preset.sequence = input.sequence;
    if (input.scriptSig.length > 0) preset.scriptSig = input.scriptSig;
    if (input.witness.length > 0) preset.witness = [...input.witness];
  }
  const res = await createTransaction(wallet, recipients, control, {
    changePos: options.changePos,
    sign: false,
    rng: options.rng,
  });
  if (!res.ok) return res;
  if (options.lockUnspents) {
    for (const input of res.value.tx.inputs) await wallet.lockCoin(input.prevout, false);
  }
  return res;
}

/**
 * The outputs `tx` spends that the wallet has (Core's `CWallet::SignTransaction(tx)` fills its coins from the
 * wallet's transactions), keyed by `outPointKey`.
 */
export function walletSpentCoins(wallet: WalletCore, tx: Transaction): Map<string, TxOut> {
  const coins = new Map<string, TxOut>();
  for (const input of tx.inputs) {
    const out = wallet.getTx(txidHex(input.prevout.txid))?.tx.outputs[input.prevout.vout];
    if (out !== undefined) coins.set(outPointKey(input.prevout), out);
  }
  return coins;
}

/** Txid (display hex) of a transaction. */
export function txidOfTx(tx: Transaction): string {
  return txidHex(txidOf(tx));
}

/** Core's `FormatMoney`, re-exported for the spending RPCs' messages. */
export { formatMoney };
