/**
 * The wallet's history as its RPCs report it (Core's `wallet/rpc/transactions.cpp` and `coins.cpp` helpers):
 * the `listtransactions` entries of a transaction (`ListTransactions`: send / receive / generate / immature /
 * orphan), the transaction fields they carry (`WalletTxToJSON`), `listsinceblock`'s walk (including the
 * transactions of blocks a reorg removed), `gettransaction`'s object, the received-by tallies
 * (`ListReceived`, `GetReceived`), and address book walks in Core's order.
 *
 * @module
 */
import {
  decodeDestination,
  type Destination,
  encodeDestination,
  extractDestination,
  getScriptForDestination,
  isDecodedDestination,
} from "../core/address/mod.ts";
import { decodeBlock, txid as txidOf } from "../core/wire/mod.ts";
import { reverseHex, toHex } from "../core/hash/mod.ts";
import { type JsonObject, type JsonValue, valueFromAmount } from "../rpc/json.ts";
import { RpcError, RpcErrorCode } from "../rpc/errors.ts";
import { encodeHexTx, txToUniv } from "../rpc/tx_json.ts";
import {
  cachedTxGetAmounts,
  cachedTxGetCredit,
  cachedTxGetDebit,
  cachedTxIsFromMe,
  cachedTxIsTrusted,
  isCoinBaseTx,
  isImmatureCoinBase,
  outputIsChange,
  ReceiveCache,
  txTime,
} from "./receive.ts";
import type { AddressBookEntry, WalletCore, WalletScriptInfo, WalletTx } from "./types.ts";

/** Addresses of output scripts by network and script hex (encoding is the costly part of listing outputs). */
const ADDRESS_OF_SCRIPT = new Map<string, string | null>();
const ADDRESS_CACHE_MAX = 200_000;

/**
 * The address of an output script (Core's `ExtractDestination` + `EncodeDestination`), undefined when it has
 * none; `hex` is the script's hex when the caller has it. Memoized.
 */
export function scriptAddress(
  network: WalletCore["network"],
  script: Uint8Array,
  hex = toHex(script),
): string | undefined {
  const key = network + hex;
  const known = ADDRESS_OF_SCRIPT.get(key);
  if (known !== undefined) return known ?? undefined;
  const address = encodeDestination(script, network);
  if (ADDRESS_OF_SCRIPT.size >= ADDRESS_CACHE_MAX) ADDRESS_OF_SCRIPT.clear();
  ADDRESS_OF_SCRIPT.set(key, address ?? null);
  return address;
}

/** Block times by hash (they never change), shared by every wallet of the process. */
const BLOCK_TIMES = new Map<string, number>();
const BLOCK_TIMES_MAX = 200_000;

/** What one history pass needs: the wallet, its receive cache, block times, `-deprecatedrpc=bip125`. */
export interface HistoryContext {
  /** The wallet. */
  readonly wallet: WalletCore;
  /** The pass's receive cache. */
  readonly cache: ReceiveCache;
  /** Whether `bip125-replaceable` is reported (`-deprecatedrpc=bip125`). */
  readonly bip125: boolean;
  /** `WalletTxToJSON` fields by transaction, worked out once per pass (a transaction has many entries). */
  readonly txFields?: Map<WalletTx, JsonObject>;
}

/** A history context for one RPC call. */
export async function historyContext(wallet: WalletCore): Promise<HistoryContext> {
  const deprecated = await wallet.chain.getSettingsList("deprecatedrpc");
  return { wallet, cache: new ReceiveCache(), bip125: deprecated.includes("bip125"), txFields: new Map() };
}

async function blockTime(wallet: WalletCore, hash: string): Promise<number> {
  const known = BLOCK_TIMES.get(hash);
  if (known !== undefined) return known;
  const found = await wallet.chain.findBlock(hash, { time: true });
  if (found === null || found.time === undefined) {
    throw new RpcError(RpcErrorCode.RPC_INTERNAL_ERROR, `Cannot find the time of block ${hash}`);
  }
  if (BLOCK_TIMES.size >= BLOCK_TIMES_MAX) BLOCK_TIMES.clear();
  BLOCK_TIMES.set(hash, found.time);
  return found.time;
}

/**
 * Core's `FindAddressBookEntry` (change entries excluded): the entry of `address` when it has a label.
 */
export function findAddressBookEntry(
  wallet: WalletCore,
  address: string | undefined,
): AddressBookEntry | undefined {
  if (address === undefined) return undefined;
  const entry = wallet.getAddressBook(address);
  return entry === undefined || entry.label === undefined ? undefined : entry;
}

/** The txids of other wallet transactions spending the same outputs as `wtx` (Core's `GetTxConflicts`). */
export function txConflicts(wallet: WalletCore, wtx: WalletTx): string[] {
  const out = new Set<string>();
  if (isCoinBaseTx(wtx.tx)) return [];
  for (const input of wtx.tx.inputs) {
    const spenders = wallet.spenders(input.prevout);
    if (spenders.length <= 1) continue;
    for (const s of spenders) if (s !== wtx.txid) out.add(s);
  }
  return [...out].sort(compareTxidHex);
}

/** Core orders `uint256` sets by their bytes from the most significant end: the display hex order. */
function compareTxidHex(a: string, b: string): number {
  // Core's base_blob comparison is memcmp over the internal (little-endian) bytes: compare reversed.
  for (let i = a.length - 2; i >= 0; i -= 2) {
    const x = a.slice(i, i + 2), y = b.slice(i, i + 2);
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

/** Core's `WalletTxToJSON`: adds the transaction's fields to `entry`, in Core's order. */
export async function walletTxToJson(h: HistoryContext, wtx: WalletTx, entry: JsonObject): Promise<void> {
  const wallet = h.wallet;
  const confirms = wallet.depth(wtx);
  entry.confirmations = confirms;
  if (isCoinBaseTx(wtx.tx)) entry.generated = true;
  const state = wtx.state;
  if (state.kind === "confirmed") {
    entry.blockhash = state.blockHash;
    entry.blockheight = state.blockHeight;
    entry.blockindex = state.index;
    entry.blocktime = await blockTime(wallet, state.blockHash);
  } else {
    entry.trusted = cachedTxIsTrusted(wallet, wtx, h.cache);
  }
  entry.txid = wtx.txid;
  entry.wtxid = wtx.wtxid;
  entry.walletconflicts = txConflicts(wallet, wtx);
  entry.mempoolconflicts = [...wtx.mempoolConflicts].sort(compareTxidHex);
  entry.time = txTime(wtx);
  entry.timereceived = wtx.timeReceived;
  if (h.bip125) {
    let rbf = "no";
    if (confirms <= 0) {
      const st = await wallet.chain.isRBFOptIn(wtx.raw);
      rbf = st === "unknown" ? "unknown" : st === "replaceable_bip125" ? "yes" : "no";
    }
    entry["bip125-replaceable"] = rbf;
  }
  const mv = wtx.mapValue;
  if (mv.comment !== undefined) entry.comment = mv.comment;
  if (mv.to !== undefined) entry.to = mv.to;
  if (mv.replaces_txid !== undefined) entry.replaces_txid = mv.replaces_txid;
  if (mv.replaced_by_txid !== undefined) entry.replaced_by_txid = mv.replaced_by_txid;
}

/** {@linkcode walletTxToJson} into `entry`, from the pass's memo when the transaction was seen before. */
async function pushTxFields(h: HistoryContext, wtx: WalletTx, entry: JsonObject): Promise<void> {
  if (h.txFields === undefined) return await walletTxToJson(h, wtx, entry);
  let fields = h.txFields.get(wtx);
  if (fields === undefined) {
    fields = {};
    await walletTxToJson(h, wtx, fields);
    h.txFields.set(wtx, fields);
  }
  for (const key in fields) {
    const v = fields[key];
    entry[key] = Array.isArray(v) ? [...v] : v;
  }
}

/** Core's `PushParentDescriptors`: `entry.parent_descs`. */
export function pushParentDescriptors(
  wallet: WalletCore,
  script: Uint8Array,
  entry: JsonObject,
  info: WalletScriptInfo | undefined = wallet.scriptInfo(script),
): void {
  entry.parent_descs = [...(info?.parentDescs ?? [])];
}

/** Options of {@linkcode listTransactions}. */
export interface ListTransactionsOptions {
  /** Depth a received entry needs. */
  minDepth: number;
  /** Add the transaction's fields (`WalletTxToJSON`). */
  long: boolean;
  /** Only received entries with this label. */
  filterLabel?: string;
  /** Also list change outputs as sent. */
  includeChange?: boolean;
}

/** Core's `ListTransactions`: appends the entries of `wtx` to `ret`. */
export async function listTransactions(
  h: HistoryContext,
  wtx: WalletTx,
  options: ListTransactionsOptions,
  ret: JsonObject[],
): Promise<void> {
  const wallet = h.wallet;
  const { received, sent, fee } = cachedTxGetAmounts(wallet, wtx, options.includeChange ?? false, h.cache);
  const network = wallet.network;
  const abandoned = wallet.isAbandoned(wtx);
  if (options.filterLabel === undefined) {
    for (const s of sent) {
      const entry: JsonObject = {};
      const address = s.destination === undefined ? undefined : scriptAddress(network, s.script);
      if (address !== undefined) entry.address = address;
      entry.category = "send";
      entry.amount = valueFromAmount(-s.amount);
      const book = findAddressBookEntry(wallet, address);
      if (book !== undefined) entry.label = book.label ?? "";
      entry.vout = s.vout;
      entry.fee = valueFromAmount(-fee);
      if (options.long) await pushTxFields(h, wtx, entry);
      entry.abandoned = abandoned;
      ret.push(entry);
    }
  }
  if (received.length > 0 && wallet.depth(wtx) >= options.minDepth) {
    for (const r of received) {
      const address = r.destination === undefined ? undefined : scriptAddress(network, r.script);
      const book = findAddressBookEntry(wallet, address);
      const label = book?.label ?? "";
      if (options.filterLabel !== undefined && label !== options.filterLabel) continue;
      const entry: JsonObject = {};
      if (address !== undefined) entry.address = address;
      pushParentDescriptors(wallet, r.script, entry);
      if (isCoinBaseTx(wtx.tx)) {
        entry.category = wallet.depth(wtx) < 1
          ? "orphan"
          : isImmatureCoinBase(wallet, wtx)
          ? "immature"
          : "generate";
      } else {
        entry.category = "receive";
      }
      entry.amount = valueFromAmount(r.amount);
      if (book !== undefined) entry.label = label;
      entry.vout = r.vout;
      entry.abandoned = abandoned;
      if (options.long) await pushTxFields(h, wtx, entry);
      ret.push(entry);
    }
  }
}

/** `listtransactions`: up to `count` entries after skipping `skip` from the newest, oldest first. */
export async function recentTransactions(
  h: HistoryContext,
  options: { filterLabel?: string; count: number; skip: number },
): Promise<JsonObject[]> {
  const { count, skip } = options;
  const ordered = [...h.wallet.transactions()];
  const ret: JsonObject[] = [];
  for (let i = ordered.length - 1; i >= 0; i--) {
    await listTransactions(h, ordered[i], { minDepth: 0, long: true, filterLabel: options.filterLabel }, ret);
    if (ret.length >= count + skip) break;
  }
  // `ret` holds the transactions newest first, each one's entries in their own order (as Core's vector).
  let from = skip;
  let n = count;
  if (from > ret.length) from = ret.length;
  if (from + n > ret.length) n = ret.length - from;
  // Core takes [rend - from - n, rend - from) of the reversed vector: the entries from index from..from+n in
  // newest-first order, returned oldest first.
  return ret.slice(from, from + n).reverse();
}

/** Options of {@linkcode listSinceBlock}. */
export interface ListSinceBlockOptions {
  /** The block (display hex) to list since, or undefined for everything. */
  blockHash?: string;
  /** `target_confirmations` (≥ 1). */
  targetConfirmations: number;
  /** Report the transactions of blocks a reorg removed. */
  includeRemoved: boolean;
  /** Also list change outputs. */
  includeChange: boolean;
  /** Only received entries with this label. */
  filterLabel?: string;
}

/** Core's `listsinceblock` walk: `transactions`, `removed` (when asked for) and `lastblock`. */
export async function listSinceBlock(h: HistoryContext, options: ListSinceBlockOptions): Promise<JsonObject> {
  const wallet = h.wallet;
  const chain = wallet.chain;
  const last = wallet.lastBlock();
  let height: number | undefined;
  let altHeight: number | undefined;
  let blockId = options.blockHash;
  if (blockId !== undefined) {
    const found = await chain.findCommonAncestor(blockId, last.hash, { ancestor: {}, block1: {} });
    if (found.ancestor === null || found.block1 === null) {
      throw new RpcError(RpcErrorCode.RPC_INVALID_ADDRESS_OR_KEY, "Block not found");
    }
    height = found.ancestor.height;
    altHeight = found.block1.height;
  }
  const depth = height !== undefined ? last.height + 1 - height : -1;
  const longOpts = { long: true, filterLabel: options.filterLabel, includeChange: options.includeChange };
  const transactions: JsonObject[] = [];
  for (const wtx of wallet.transactions()) {
    if (depth === -1 || Math.abs(wallet.depth(wtx)) < depth) {
      await listTransactions(h, wtx, { minDepth: 0, ...longOpts }, transactions);
    }
  }
  const removed: JsonObject[] = [];
  while (options.includeRemoved && altHeight !== undefined && height !== undefined && altHeight > height) {
    const found = blockId === undefined ? null : await chain.findBlock(blockId, { data: true });
    if (found === null || found.data === undefined) {
      throw new RpcError(RpcErrorCode.RPC_INTERNAL_ERROR, "Can't read block from disk");
    }
    const block = decodeBlock(found.data);
    for (const tx of block.txs) {
      const wtx = wallet.getTx(reverseHex(txidOf(tx)));
      if (wtx !== undefined) await listTransactions(h, wtx, { minDepth: -100000000, ...longOpts }, removed);
    }
    blockId = reverseHex(block.header.prevBlock);
    altHeight--;
  }
  const target = Math.min(options.targetConfirmations, last.height + 1);
  const lastBlock = await chain.findAncestorByHeight(last.hash, last.height + 1 - target);
  if (lastBlock === null) {
    throw new RpcError(RpcErrorCode.RPC_INTERNAL_ERROR, "Cannot find the last block's ancestor");
  }
  const ret: JsonObject = { transactions };
  if (options.includeRemoved) ret.removed = removed;
  ret.lastblock = lastBlock.hash;
  return ret;
}

/** Core's `AppendLastProcessedBlock`. */
export function appendLastProcessedBlock(wallet: WalletCore, entry: JsonObject): void {
  const last = wallet.lastBlock();
  entry.lastprocessedblock = { hash: last.hash, height: last.height };
}

/** `gettransaction`'s object for `wtx` (`verbose` adds `decoded`). */
export async function transactionDetails(
  h: HistoryContext,
  wtx: WalletTx,
  verbose: boolean,
): Promise<JsonObject> {
  const wallet = h.wallet;
  const credit = cachedTxGetCredit(wallet, wtx, h.cache);
  const debit = cachedTxGetDebit(wallet, wtx, h.cache);
  const net = credit - debit;
  const fromMe = cachedTxIsFromMe(wallet, wtx, h.cache);
  let valueOut = 0n;
  for (const out of wtx.tx.outputs) valueOut += out.value;
  const fee = fromMe ? valueOut - debit : 0n;
  const entry: JsonObject = { amount: valueFromAmount(net - fee) };
  if (fromMe) entry.fee = valueFromAmount(fee);
  await walletTxToJson(h, wtx, entry);
  const details: JsonObject[] = [];
  await listTransactions(h, wtx, { minDepth: 0, long: false }, details);
  entry.details = details;
  entry.hex = encodeHexTx(wtx.tx);
  if (verbose) {
    entry.decoded = txToUniv(wtx.tx, {
      network: wallet.network,
      isChange: (out) => outputIsChange(wallet, out),
    }) as unknown as JsonValue;
  }
  appendLastProcessedBlock(wallet, entry);
  return entry;
}

// ---------------------------------------------------------------------------------------------------------------
// Address book walks and received-by tallies

/** One address book entry as Core's `ForEachAddrBookEntry` passes it. */
export interface AddressBookItem {
  /** The address. */
  address: string;
  /** Its destination. */
  destination: Destination;
  /** Its label ("" when none). */
  label: string;
  /** Whether it is a change entry (no label). */
  isChange: boolean;
  /** Its purpose, if known. */
  purpose: AddressBookEntry["purpose"];
}

/** Core's `CTxDestination` variant order. */
const DEST_ORDER: Record<Destination["type"], number> = {
  pubkeyhash: 2,
  scripthash: 3,
  witness_v0_scripthash: 4,
  witness_v0_keyhash: 5,
  witness_v1_taproot: 6,
  anchor: 7,
  witness_unknown: 8,
};

function destBytes(d: Destination): Uint8Array {
  switch (d.type) {
    case "pubkeyhash":
    case "scripthash":
      return d.hash;
    case "anchor":
      return new Uint8Array(0);
    case "witness_unknown":
      return Uint8Array.of(d.version, ...d.program);
    default:
      return d.program;
  }
}

/**
 * A key of `d` that sorts (as a string) like Core's `CTxDestination`: the variant index, then the hash or
 * program bytes in hex.
 */
export function destinationOrderKey(d: Destination): string {
  return `${DEST_ORDER[d.type]}:${toHex(destBytes(d))}`;
}

function compareDest(a: Destination, b: Destination): number {
  const t = DEST_ORDER[a.type] - DEST_ORDER[b.type];
  if (t !== 0) return t;
  const x = destBytes(a), y = destBytes(b);
  const n = Math.min(x.length, y.length);
  for (let i = 0; i < n; i++) if (x[i] !== y[i]) return x[i] - y[i];
  return x.length - y.length;
}

/** The address book in Core's order (`m_address_book` is ordered by destination). */
export function addressBookItems(wallet: WalletCore): AddressBookItem[] {
  const items: AddressBookItem[] = [];
  for (const [address, entry] of wallet.addressBook()) {
    const script = decodeScript(wallet, address);
    const destination = script === undefined ? undefined : extractDestination(script);
    if (destination === undefined) continue;
    items.push({
      address,
      destination,
      label: entry.label ?? "",
      isChange: entry.label === undefined,
      purpose: entry.purpose,
    });
  }
  return items.sort((a, b) => compareDest(a.destination, b.destination));
}

function decodeScript(wallet: WalletCore, address: string): Uint8Array | undefined {
  const cached = SCRIPT_OF_ADDRESS.get(address);
  if (cached !== undefined) return cached;
  const dest = decodeAddress(wallet, address);
  if (dest === undefined) return undefined;
  const script = getScriptForDestination(dest);
  if (SCRIPT_OF_ADDRESS.size > 100_000) SCRIPT_OF_ADDRESS.clear();
  SCRIPT_OF_ADDRESS.set(address, script);
  return script;
}

const SCRIPT_OF_ADDRESS = new Map<string, Uint8Array>();

function decodeAddress(wallet: WalletCore, address: string): Destination | undefined {
  const d = decodeDestination(address, wallet.network);
  return isDecodedDestination(d) ? d.destination : undefined;
}

/** Core's `GetReceived`: the total paid to `scripts` (hex) by transactions at least `minDepth` deep. */
export function getReceived(
  wallet: WalletCore,
  scripts: ReadonlySet<string>,
  options: { minDepth: number; includeImmatureCoinbase: boolean },
): bigint {
  let amount = 0n;
  for (const wtx of wallet.transactions()) {
    const depth = wallet.depth(wtx);
    if (depth < options.minDepth) continue;
    const coinbase = isCoinBaseTx(wtx.tx);
    if (coinbase && depth < 1) continue;
    if (isImmatureCoinBase(wallet, wtx) && !options.includeImmatureCoinbase) continue;
    for (const out of wtx.tx.outputs) {
      if (scripts.has(toHex(out.scriptPubKey))) amount += out.value;
    }
  }
  return amount;
}

/** Options of {@linkcode listReceived}. */
export interface ListReceivedOptions {
  /** Depth a transaction needs. */
  minDepth: number;
  /** Also list addresses (labels) without payments. */
  includeEmpty: boolean;
  /** Tally by label (`listreceivedbylabel`) instead of by address. */
  byLabel: boolean;
  /** Count immature coinbase outputs. */
  includeImmatureCoinbase: boolean;
  /** Only this address (already validated). */
  addressFilter?: string;
}

interface Tally {
  amount: bigint;
  conf: number;
  txids: string[];
}

const INT_MAX = 2147483647;

/** Core's `ListReceived`: `listreceivedbyaddress` / `listreceivedbylabel` results. */
export function listReceived(wallet: WalletCore, options: ListReceivedOptions): JsonObject[] {
  const network = wallet.network;
  const filterScript = options.addressFilter === undefined
    ? undefined
    : decodeScript(wallet, options.addressFilter);
  const filterHex = filterScript === undefined ? undefined : toHex(filterScript);
  const tally = new Map<string, Tally>();
  for (const wtx of wallet.transactions()) {
    const depth = wallet.depth(wtx);
    if (depth < options.minDepth) continue;
    if (
      (isCoinBaseTx(wtx.tx) && depth < 1) ||
      (isImmatureCoinBase(wallet, wtx) && !options.includeImmatureCoinbase)
    ) {
      continue;
    }
    for (const out of wtx.tx.outputs) {
      const dest = extractDestination(out.scriptPubKey);
      if (dest === undefined) continue;
      if (filterHex !== undefined && toHex(out.scriptPubKey) !== filterHex) continue;
      if (!wallet.isMine(out.scriptPubKey)) continue;
      const address = encodeDestination(dest, network);
      if (address === undefined) continue;
      let item = tally.get(address);
      if (item === undefined) {
        item = { amount: 0n, conf: INT_MAX, txids: [] };
        tally.set(address, item);
      }
      item.amount += out.value;
      item.conf = Math.min(item.conf, depth);
      item.txids.push(wtx.txid);
    }
  }

  const ret: JsonObject[] = [];
  const labelTally = new Map<string, { amount: bigint; conf: number }>();
  const visit = (address: string, label: string, isChange: boolean) => {
    if (isChange) return;
    const item = tally.get(address);
    if (item === undefined && !options.includeEmpty) return;
    const amount = item?.amount ?? 0n;
    const conf = item?.conf ?? INT_MAX;
    if (options.byLabel) {
      const t = labelTally.get(label) ?? { amount: 0n, conf: INT_MAX };
      t.amount += amount;
      t.conf = Math.min(t.conf, conf);
      labelTally.set(label, t);
    } else {
      ret.push({
        address,
        amount: valueFromAmount(amount),
        confirmations: conf === INT_MAX ? 0 : conf,
        label,
        // Core lists them in its hash map's (salted, arbitrary) order, not by arrival: by txid here.
        txids: item === undefined ? [] : [...item.txids].sort(),
      });
    }
  };
  if (options.addressFilter !== undefined) {
    const entry = findAddressBookEntry(wallet, options.addressFilter);
    if (entry !== undefined) visit(options.addressFilter, entry.label ?? "", false);
  } else {
    for (const it of addressBookItems(wallet)) visit(it.address, it.label, it.isChange);
  }
  if (options.byLabel) {
    const labels = [...labelTally.keys()].sort(compareStrings);
    for (const label of labels) {
      const t = labelTally.get(label)!;
      ret.push({
        amount: valueFromAmount(t.amount),
        confirmations: t.conf === INT_MAX ? 0 : t.conf,
        label,
      });
    }
  }
  return ret;
}

/** `std::string` ordering (bytewise over UTF-8). */
export function compareStrings(a: string, b: string): number {
  const x = new TextEncoder().encode(a), y = new TextEncoder().encode(b);
  const n = Math.min(x.length, y.length);
  for (let i = 0; i < n; i++) if (x[i] !== y[i]) return x[i] - y[i];
  return x.length - y.length;
}
