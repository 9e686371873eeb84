/**
 * Bitcoin's wire data types (Core's `CTransaction`, `CTxIn`, `CTxOut`, `COutPoint`, `CBlockHeader`, `CBlock`) as
 * plain immutable data. Hashes are 32-byte arrays in internal (little-endian, on-the-wire) byte order; display
 * order (hex in RPC results) is the reverse.
 *
 * @module
 */

/** A reference to a transaction output. */
export interface OutPoint {
  /** Txid of the transaction, 32 bytes, internal byte order. */
  readonly txid: Uint8Array;
  /** Output index (uint32). */
  readonly vout: number;
}

/** A transaction input. */
export interface TxIn {
  /** The output it spends. */
  readonly prevout: OutPoint;
  /** scriptSig bytes. */
  readonly scriptSig: Uint8Array;
  /** nSequence (uint32). */
  readonly sequence: number;
  /** Witness stack items (empty for none). */
  readonly witness: readonly Uint8Array[];
}

/** A transaction output. */
export interface TxOut {
  /** Amount in satoshis (int64 as on the wire: may be negative or out of range in invalid transactions). */
  readonly value: bigint;
  /** scriptPubKey bytes. */
  readonly scriptPubKey: Uint8Array;
}

/** A transaction. */
export interface Transaction {
  /** nVersion: 4 bytes on the wire, read as uint32 as current Core does (BIP68 compares it unsigned). */
  readonly version: number;
  /** Inputs. */
  readonly inputs: readonly TxIn[];
  /** Outputs. */
  readonly outputs: readonly TxOut[];
  /** nLockTime (uint32). */
  readonly locktime: number;
}

/** An 80-byte block header. */
export interface BlockHeader {
  /** nVersion (int32). */
  readonly version: number;
  /** Hash of the previous block, 32 bytes, internal order. */
  readonly prevBlock: Uint8Array;
  /** Merkle root, 32 bytes, internal order. */
  readonly merkleRoot: Uint8Array;
  /** nTime (uint32). */
  readonly time: number;
  /** nBits, compact target (uint32). */
  readonly bits: number;
  /** nNonce (uint32). */
  readonly nonce: number;
}

/** A block. */
export interface Block {
  /** Its header. */
  readonly header: BlockHeader;
  /** Its transactions, coinbase first. */
  readonly txs: readonly Transaction[];
}
