/**
 * The wallet's shared vocabulary: a wallet transaction and its state (Core's `CWalletTx`, `TxState`), address
 * book entries, wallet flags, and {@linkcode WalletCore} — what balances, history, spending, fee bumping and the
 * wallet RPCs may ask of one loaded descriptor wallet (Core's `CWallet` as `receive.cpp`, `spend.cpp`,
 * `feebumper.cpp` and `rpc/*.cpp` use it). Implemented by `wallet/wallet.ts`.
 *
 * Conventions: txids and block hashes are display-order hex; amounts are satoshis as `bigint`; feerates are
 * sat/kvB as `bigint`; scripts are bytes.
 *
 * @module
 */
import type { Network } from "../core/chain_params_base.ts";
import type { OutPoint, Transaction, TxOut } from "../core/wire/types.ts";
import type { OutputType } from "../core/descriptors/mod.ts";
import type { Chain } from "../interfaces/chain.ts";

/** Where a wallet transaction stands (Core's `TxState` variants). */
export type TxState =
  /** In a block of the active chain; `index` is its position in the block. */
  | { kind: "confirmed"; blockHash: string; blockHeight: number; index: number }
  /** In the node's mempool. */
  | { kind: "inMempool" }
  /** Conflicts with a transaction in the active chain's block `blockHash` (Core's `TxStateBlockConflicted`). */
  | { kind: "blockConflicted"; blockHash: string; blockHeight: number }
  /** Neither in the chain nor in the mempool; `abandoned` after `abandontransaction`. */
  | { kind: "inactive"; abandoned: boolean };

/** A transaction the wallet keeps (Core's `CWalletTx`). */
export interface WalletTx {
  /** Txid (display hex). */
  readonly txid: string;
  /** Wtxid (display hex). */
  readonly wtxid: string;
  /** The transaction. */
  readonly tx: Transaction;
  /** Its serialization (with witness). */
  readonly raw: Uint8Array;
  /** Current state. */
  state: TxState;
  /** When the wallet first saw it (Core's `nTimeReceived`, seconds). */
  timeReceived: number;
  /** Core's `nTimeSmart` (seconds). */
  timeSmart: number;
  /** Order position (Core's `nOrderPos`): increases with every transaction added. */
  orderPos: number;
  /** Core's `mapValue`: "comment", "to", "replaces_txid", "replaced_by_txid". */
  mapValue: Record<string, string>;
  /** Core's `vOrderForm` (BIP 21 "message" entries of `send`). */
  orderForm: Array<[string, string]>;
  /** Txids of mempool transactions that conflict with it (Core's `mempool_conflicts`). */
  mempoolConflicts: Set<string>;
  /**
   * Txid of a version 3 mempool transaction spending it, wallet transaction or not (Core's
   * `truc_child_in_mempool`: a TRUC parent takes one child, so its other outputs are unavailable); not stored.
   */
  trucChildInMempool?: string;
}

/** Wallet flags (Core's `WALLET_FLAG_*` names as `getwalletinfo` and `createwallet` know them). */
export type WalletFlag =
  | "avoid_reuse"
  | "blank"
  | "disable_private_keys"
  | "descriptor_wallet"
  | "external_signer"
  | "last_hardened_xpub_cached";

/** An address book entry (Core's `CAddressBookData`). */
export interface AddressBookEntry {
  /** Label ("" allowed); undefined for change (Core's `IsChange` address book check) and unlabelled sends. */
  label?: string;
  /** "receive", "send" or "refund". */
  purpose?: "receive" | "send" | "refund";
  /** `previously_spent` (avoid_reuse) — Core's "used" destination data. */
  used?: boolean;
}

/** An output of a wallet transaction that the wallet owns (Core's `WalletTXO`), spent or not. */
export interface WalletTxo {
  /** The outpoint (txid in internal byte order). */
  readonly outpoint: OutPoint;
  /** The wallet transaction holding it. */
  readonly wtx: WalletTx;
  /** The output (`wtx.tx.outputs[outpoint.vout]`). */
  readonly txout: TxOut;
}

/**
 * What the wallet knows about solving one of its output scripts (Core's `GetSolvingProvider`,
 * `InferDescriptor`, `GetWalletDescriptors` and `GetMetadata`, as `listunspent`, `listtransactions` and
 * `getaddressinfo` report them).
 */
export interface WalletScriptInfo {
  /**
   * Core's `InferDescriptor(script, provider)->ToString()`: the script's own descriptor with key origins and
   * checksum, e.g. `wpkh([1703c0f8/84h/1h/0h/0/0]03…)#le4ezrxg`; undefined when the wallet cannot solve it.
   */
  readonly desc?: string;
  /**
   * The public (normalized) text of every wallet descriptor producing the script, with checksum, e.g.
   * `wpkh([1703c0f8/84h/1h/0h]tpub…/0/*)#l20244xa` (Core's `PushParentDescriptors`; `getaddressinfo`'s
   * "parent_desc" is the first).
   */
  readonly parentDescs: readonly string[];
  /**
   * Scripts the solving provider knows, by hex HASH160 of the script (P2SH redeem scripts, and P2WSH witness
   * scripts whose RIPEMD160(SHA256) is the same HASH160 — Core's `CScriptID` lookups).
   */
  readonly scripts: ReadonlyMap<string, Uint8Array>;
  /** Public keys the solving provider knows, by hex HASH160 of the key (Core's `CKeyID`). */
  readonly pubkeys: ReadonlyMap<string, Uint8Array>;
  /** Creation time of the descriptor (getaddressinfo "timestamp"), when the key has an origin. */
  readonly timestamp?: number;
  /**
   * Origin of the script's key (Core's `GetMetadata` key origin): the path as `m/84h/1h/0h/0/0` and the master
   * key fingerprint as 8 hex digits.
   */
  readonly keyOrigin?: { readonly path: string; readonly fingerprint: string };
}

/** What signing a transaction produced (Core's `SignTransaction` result). */
export interface SignTransactionResult {
  /** The transaction with every signature the wallet could add. */
  tx: Transaction;
  /** Whether every input is fully signed. */
  complete: boolean;
  /** Core's per-input errors (`signrawtransactionwithwallet`'s "errors" entries). */
  errors: Array<
    { txid: string; vout: number; witness: string[]; scriptSig: string; sequence: number; error: string }
  >;
}

/** One loaded descriptor wallet, as receive/spend/feebumper/RPC code uses it. */
export interface WalletCore {
  /** The wallet's name ("" for the default wallet). */
  readonly name: string;
  /** Network of its addresses and keys. */
  readonly network: Network;
  /** The node, through the Chain interface (broadcast, fee estimates, mempool queries). */
  readonly chain: Chain;

  /** Whether a flag is set. */
  hasFlag(flag: WalletFlag): boolean;
  /** The last block the wallet has processed (its view of the tip; the genesis block before any). */
  lastBlock(): { hash: string; height: number };
  /** Runs `fn` holding the wallet's lock (Core's `cs_wallet`): spends and state changes do not interleave. */
  withLock<T>(fn: () => Promise<T> | T): Promise<T>;

  /** Every wallet transaction, in order position order. */
  transactions(): Iterable<WalletTx>;
  /** The wallet transaction `txid`, if kept. */
  getTx(txid: string): WalletTx | undefined;
  /**
   * Core's `GetTxDepthInMainChain`: confirmations (> 0) when confirmed, minus the conflicting block's
   * confirmations (< 0) when block-conflicted, else 0.
   */
  depth(wtx: WalletTx): number;
  /** Core's `GetTxBlocksToMaturity`: blocks until a coinbase output can be spent (0 otherwise). */
  blocksToMaturity(wtx: WalletTx): number;
  /** Whether `wtx` is abandoned (state inactive with abandoned). */
  isAbandoned(wtx: WalletTx): boolean;

  /** Whether the wallet can spend or watch `script` (it is in one of its descriptors' scripts). */
  isMine(script: Uint8Array): boolean;
  /** Core's `IsChange`: mine, and its destination is not in the address book (or has no label). */
  isChange(out: TxOut): boolean;
  /**
   * Core's `IsSpent`: whether a wallet transaction that is not conflicted (depth >= 0) and not abandoned spends
   * `outpoint`.
   */
  isSpent(outpoint: OutPoint): boolean;
  /** Txids of the wallet transactions spending `outpoint` (any state). */
  spenders(outpoint: OutPoint): string[];
  /** Core's `IsSpentKey` (avoid_reuse): whether the output's destination was spent from before. */
  isSpentKey(script: Uint8Array): boolean;

  /**
   * Every output of the wallet's transactions that is mine, spent or not (Core's `GetTXOs`, `m_txos`); kept
   * up to date as transactions are added and scripts imported (Core's `RefreshTXOsFromTx`/`RefreshAllTXOs`).
   * Balances and `AvailableCoins` iterate it, so it must be cheap (a kept map, not a scan).
   */
  txos(): Iterable<WalletTxo>;
  /** The owned output at `outpoint` (Core's `GetTXO`: the debit lookup), if any. */
  getTxo(outpoint: OutPoint): WalletTxo | undefined;
  /**
   * What the wallet knows about solving `script`, or undefined when no descriptor of the wallet has it.
   * `listunspent` asks once per coin (10,000 coins: 10,000 calls), so it must be cheap: a few µs, i.e. kept per
   * script, not re-derived (Core keeps derived keys in its descriptor caches).
   */
  scriptInfo(script: Uint8Array): WalletScriptInfo | undefined;

  /** Whether `outpoint` is locked (`lockunspent`). */
  isLockedCoin(outpoint: OutPoint): boolean;
  /** Locks `outpoint`; `persistent` writes it to the database. */
  lockCoin(outpoint: OutPoint, persistent: boolean): Promise<void>;
  /** Unlocks `outpoint`; false when it was not locked. */
  unlockCoin(outpoint: OutPoint): Promise<boolean>;
  /** Unlocks every coin. */
  unlockAllCoins(): Promise<void>;
  /** Every locked outpoint. */
  lockedCoins(): OutPoint[];

  /** The address book entry of an address, if any. */
  getAddressBook(address: string): AddressBookEntry | undefined;
  /** Sets (creates or updates) an address book entry. */
  setAddressBook(address: string, entry: AddressBookEntry): Promise<void>;
  /** Every address book entry, by address. */
  addressBook(): ReadonlyMap<string, AddressBookEntry>;

  /** A new receiving address of `type` (Core's -12 "Error: This wallet has no available keys" when none). */
  getNewAddress(type: OutputType, label: string): Promise<string>;
  /** A new change address of `type`; reserved until {@link WalletCore.commitTransaction} uses it. */
  getNewChangeAddress(type: OutputType): Promise<string>;
  /** `-addresstype`, and `-changetype` (undefined: Core's choice from the outputs). */
  defaultAddressType(): OutputType;
  /** `-changetype`, if set. */
  defaultChangeType(): OutputType | undefined;
  /**
   * The largest weight a signed input spending `script` adds beyond the outpoint, sequence and empty
   * script length (Core's `CalculateMaximumSignedInputSize` inputs: the descriptor's max satisfaction), or
   * undefined when the wallet cannot solve it. A signed input then weighs `(32 + 4 + 4 + 1) * 4` plus this:
   * this includes the witness stack count and any scriptSig length bytes beyond the first (Core's
   * `MaxInputWeight` with `tx_is_segwit` and R-grinding: 71-byte ECDSA signatures with their sighash byte; 72
   * without private keys, Core's `CanGrindR`), e.g.
   * 107 for P2WPKH (1 + 1+71 + 1+33: a 271 WU, 68 vbyte input). `wallet/solving_data.ts`
   * `walletInputSatisfactionWeight` computes it from the script's inferred descriptor, as Core does.
   */
  maxInputSatisfactionWeight(script: Uint8Array): number | undefined;
  /** Whether the wallet can sign for `script` (has the private keys and is unlocked when encrypted). */
  canSign(script: Uint8Array): boolean;
  /**
   * Signs every input of `tx` it can (Core's `CWallet::SignTransaction`); `coins` gives the spent outputs (by
   * "txid:vout"); `sighashType` defaults to SIGHASH_DEFAULT/ALL. Throws Core's -13 error when locked.
   */
  signTransaction(
    tx: Transaction,
    coins: ReadonlyMap<string, TxOut>,
    sighashType?: number,
  ): Promise<SignTransactionResult>;
  /**
   * Fills a PSBT with what the wallet knows (UTXOs, scripts, derivation paths) and, with `sign`, signatures
   * (Core's `FillPSBT`); returns the updated PSBT bytes, whether it is complete, and the number of inputs it
   * signed.
   */
  fillPsbt(psbt: Uint8Array, options: {
    sign: boolean;
    sighashType?: number;
    finalize: boolean;
    bip32Derivs: boolean;
  }): Promise<{ psbt: Uint8Array; complete: boolean }>;
  /**
   * Adds a transaction the wallet created to the wallet (from me, with `mapValue` and `orderForm`) and
   * broadcasts it (Core's `CommitTransaction`). Change addresses it used stop being reserved.
   */
  commitTransaction(
    tx: Transaction,
    mapValue: Record<string, string>,
    orderForm: Array<[string, string]>,
  ): Promise<void>;
  /** Marks a transaction and its in-wallet descendants abandoned (Core's `AbandonTransaction`); false if not allowed. */
  abandonTransaction(txid: string): Promise<boolean>;
  /** Whether the wallet is encrypted. */
  isCrypted(): boolean;
  /** Whether the wallet is encrypted and locked (Core refuses to sign: -13). */
  isLocked(): boolean;
  /** The wallet's settings from the node's arguments, see {@linkcode WalletSettings}. */
  settings(): WalletSettings;
  /**
   * Core's `MarkReplaced`: records in the wallet transaction `txid` that `newTxid` replaced it (its mapValue
   * "replaced_by_txid", written to the database); false when `txid` is not in the wallet. Used by `bumpfee`
   * after committing the replacement (which carries "replaces_txid" in its own mapValue). Optional until
   * implemented: without it `bumpfee` reports Core's "could not mark the original transaction as replaced".
   */
  markReplaced?(txid: string, newTxid: string): Promise<boolean>;
  /**
   * Whether the wallet has an active internal (change) descriptor for `type` (Core's
   * `GetScriptPubKeyMan(type, internal=true)` != null), for Core's `TransactionChangeType`. Optional: without it
   * every type is assumed available.
   */
  hasChangeDescriptor?(type: OutputType): boolean;
  /**
   * Core's `BlockUntilSyncedToCurrentChain`: resolves once the wallet has processed every notification the node
   * raised before the call (RPCs call it so that results reflect blocks the caller already saw). Optional.
   */
  blockUntilSyncedToCurrentChain?(): Promise<void>;
  /** Core's `WalletLogPrintf`: logs `[<wallet name>] message` in the node's log. Optional. */
  logPrintf?(message: string): void;
}

/** Wallet-wide fee and spending settings (Core's `CWallet` members from `-mintxfee`, `-fallbackfee`, …). */
export interface WalletSettings {
  /** `-mintxfee` (sat/kvB; default 1000). */
  minTxFee: bigint;
  /** `-fallbackfee` (sat/kvB; default 0: disabled, Core's regtest default too). */
  fallbackFee: bigint;
  /** `-discardfee` (sat/kvB; default 10000). */
  discardFee: bigint;
  /** `-consolidatefeerate` (sat/kvB; default 10000). */
  consolidateFeeRate: bigint;
  /** `-maxtxfee` (sat; default 0.1 BTC). */
  maxTxFee: bigint;
  /** `-txconfirmtarget` (default 6). */
  confirmTarget: number;
  /** `-walletrbf` (default true). */
  signalRbf: boolean;
  /** `-spendzeroconfchange` (default true). */
  spendZeroConfChange: boolean;
  /** `-avoidpartialspends` (default false). */
  avoidPartialSpends: boolean;
  /** `-maxapsfee` (sat; default 0). */
  maxApsFee: bigint;
  /** `-walletbroadcast` (default true). */
  broadcast: boolean;
}
