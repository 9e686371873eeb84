/**
 * The transaction index (Core's `TxIndex`, `-txindex`): txid → where the transaction is stored on disk (Core's
 * `CDiskTxPos`: the block's position in the `blk?????.dat` files and the transaction's offset after the block
 * header), so `getrawtransaction` and `gettxoutproof` find any confirmed transaction without a block hash.
 *
 * Database `<netdatadir>/indexes/txindex/index.sqlite3` (Deno KV), keys:
 * - `["t", txid (32 bytes, internal order)]` → `VARINT(file) ‖ VARINT(block pos) ‖ VARINT(tx offset) ‖
 *   VARINT(tx size)` (Core's `DB_TXINDEX` with the size added, so one read fetches the transaction);
 * - `["B"]` → the best block locator (see {@link BaseIndex}).
 *
 * A lookup reads the block header at the position (to learn the block hash) and the transaction bytes, and
 * checks the txid (Core's `FindTx`): a stale entry (a block lost by a crash, its file space reused) is "not
 * found", never a wrong transaction.
 *
 * @module
 */
import { bytesEqual, compareBytes } from "../../core/hash/hashes.ts";
import { BLOCK_HEADER_SIZE, blockHash, decodeBlockHeader } from "../../core/wire/block.ts";
import { ByteReader } from "../../core/wire/reader.ts";
import { decodeTransaction, transactionTotalSize, txid } from "../../core/wire/transaction.ts";
import type { Block, Transaction } from "../../core/wire/types.ts";
import { ByteWriter, compactSizeLength } from "../../core/wire/writer.ts";
import type { ChainstateImpl } from "../chain/chainstate.ts";
import { IndexEntry } from "../chain/block_index.ts";
import type { BlockIndexEntry } from "../chain/types.ts";
import { readVarInt, writeVarInt } from "../storage/compressor.ts";
import type { FlatFilePos } from "../storage/flat_file_pos.ts";
import type { KvMutation } from "../storage/kv_batch.ts";
import { BaseIndex, type BaseIndexOptions } from "./base_index.ts";

/** Core's `DEFAULT_TXINDEX`. */
export const DEFAULT_TXINDEX = false;

/** Where a transaction is stored (Core's `CDiskTxPos` plus the transaction's size). */
export interface DiskTxPos {
  /** Block file number. */
  readonly file: number;
  /** Position of the block data (its header) in the file. */
  readonly blockPos: number;
  /** Offset of the transaction after the 80-byte header (Core's `nTxOffset`). */
  readonly txOffset: number;
  /** Serialized size of the transaction (with witness). */
  readonly txSize: number;
}

/** Where the node keeps its blocks, as the transaction index needs it. */
export interface TxIndexBlockStore {
  /** Position of the stored block of `entry` (its data, after the storage header), or null. */
  blockPos(entry: BlockIndexEntry): FlatFilePos | null;
  /** `length` bytes at `offset` of block file `file` (de-obfuscated), or null when the file is shorter or gone. */
  readBlockFile(file: number, offset: number, length: number): Uint8Array | null;
}

/** The block store of the node's chainstate. */
export function chainBlockStore(chain: ChainstateImpl): TxIndexBlockStore {
  return {
    blockPos(entry) {
      if (!(entry instanceof IndexEntry) || !entry.haveData || entry.file < 0) return null;
      return { file: entry.file, pos: entry.dataPos };
    },
    readBlockFile: (file, offset, length) => chain.storage.blockFiles.readRange(file, offset, length),
  };
}

/** Options of {@link TxIndex.open}. */
export interface TxIndexOptions extends Omit<BaseIndexOptions, "name" | "dir" | "chain"> {
  /** The network's data directory (`<datadir>/<network>`); the index goes to `indexes/txindex/` in it. */
  readonly netDataDir: string;
  /** The chain to follow. */
  readonly chain: ChainstateImpl | BaseIndexOptions["chain"];
  /** Where blocks are stored (default: {@link chainBlockStore} of `chain`, which must then be the chainstate). */
  readonly blockStore?: TxIndexBlockStore;
}

/** A transaction found by {@link TxIndex.findTx}. */
export interface IndexedTransaction {
  /** The transaction. */
  readonly tx: Transaction;
  /** The block that contains it (from the stored header). */
  readonly block: BlockIndexEntry;
}

function txKey(id: Uint8Array): Deno.KvKey {
  return ["t", id];
}

/** Serializes a {@link DiskTxPos}. */
export function encodeDiskTxPos(p: DiskTxPos): Uint8Array {
  const w = new ByteWriter(24);
  writeVarInt(w, p.file);
  writeVarInt(w, p.blockPos);
  writeVarInt(w, p.txOffset);
  writeVarInt(w, p.txSize);
  return w.finish();
}

/** Parses a {@link DiskTxPos} (throws `DecodeError` on malformed data). */
export function decodeDiskTxPos(bytes: Uint8Array): DiskTxPos {
  const r = new ByteReader(bytes, "tx position");
  const p = { file: readVarInt(r), blockPos: readVarInt(r), txOffset: readVarInt(r), txSize: readVarInt(r) };
  r.expectEnd("tx position");
  return p;
}

/** The transaction index. */
export class TxIndex extends BaseIndex {
  readonly #store: TxIndexBlockStore;

  private constructor(options: BaseIndexOptions, kv: Deno.Kv, store: TxIndexBlockStore) {
    super(options, kv);
    this.#store = store;
  }

  /** Opens (or creates; wipes with `wipe`) the index of `netDataDir` and positions it; call `start()` next. */
  static async open(options: TxIndexOptions): Promise<TxIndex> {
    const store = options.blockStore ?? chainBlockStore(options.chain as ChainstateImpl);
    const dir = `${options.netDataDir}/indexes/txindex`;
    const base: BaseIndexOptions = { ...options, name: "txindex", dir, chain: options.chain };
    const kv = await BaseIndex.openDatabase(dir, options.wipe ?? false);
    const index = new TxIndex(base, kv, store);
    try {
      await index.init();
    } catch (e) {
      kv.close();
      throw e;
    }
    return index;
  }

  /** One `["t", txid]` record per transaction (Core's `TxIndex::CustomAppend`; the genesis block is skipped). */
  protected blockMutations(block: Block, entry: BlockIndexEntry): KvMutation[] {
    if (entry.height === 0) return [];
    const pos = this.#store.blockPos(entry);
    if (pos === null) throw new Error(`Cannot index block ${entry.hashHex}: block data not available`);
    const out: KvMutation[] = [];
    let offset = compactSizeLength(block.txs.length);
    for (const tx of block.txs) {
      const size = transactionTotalSize(tx);
      out.push({
        type: "set",
        key: txKey(txid(tx)),
        value: encodeDiskTxPos({ file: pos.file, blockPos: pos.pos, txOffset: offset, txSize: size }),
      });
      offset += size;
    }
    // Key order: Deno KV (SQLite) inserts sorted keys much faster than random ones.
    return out.sort((a, b) => compareBytes(a.key[1] as Uint8Array, b.key[1] as Uint8Array));
  }

  /** The stored position of `id` (internal byte order), or null. */
  async position(id: Uint8Array): Promise<DiskTxPos | null> {
    const rec = await this.kv.get<Uint8Array>(txKey(id));
    if (!(rec.value instanceof Uint8Array)) return null;
    try {
      return decodeDiskTxPos(rec.value);
    } catch {
      return null;
    }
  }

  /**
   * Core's `TxIndex::FindTx`: the transaction `id` (internal byte order) and its block, or null when the index
   * has no entry, the entry is stale (the bytes there are not that transaction) or the block is unknown.
   */
  async findTx(id: Uint8Array): Promise<IndexedTransaction | null> {
    const pos = await this.position(id);
    if (pos === null) return null;
    const header = this.#store.readBlockFile(pos.file, pos.blockPos, BLOCK_HEADER_SIZE);
    const bytes = this.#store.readBlockFile(
      pos.file,
      pos.blockPos + BLOCK_HEADER_SIZE + pos.txOffset,
      pos.txSize,
    );
    if (header === null || bytes === null) return null;
    let tx: Transaction;
    let hash: Uint8Array;
    try {
      hash = blockHash(decodeBlockHeader(header));
      tx = decodeTransaction(bytes);
    } catch {
      return null;
    }
    if (!bytesEqual(txid(tx), id)) return null;
    const block = this.chain.lookup(hash);
    if (block === undefined) return null;
    return { tx, block };
  }
}
