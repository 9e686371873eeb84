/**
 * Typed errors of the storage layer: damaged or missing block/undo files and an inconsistent chainstate. Callers
 * tell them apart by `kind`, never by message text.
 *
 * @module
 */

import type { FlatFilePos } from "./flat_file_pos.ts";

/** Why a block or undo record could not be read or written. */
export type BlockStorageErrorKind =
  /** The position cannot hold a record (negative file, position inside the storage header). */
  | "bad-position"
  /** The `blk`/`rev` file does not exist. */
  | "missing-file"
  /** The file ends before the record's header or data does. */
  | "truncated"
  /** The 4 bytes before the record are not the network's message start. */
  | "bad-magic"
  /** The record's size field is larger than Core's MAX_SIZE (32 MiB) or than the data can be. */
  | "too-large"
  /** The block read has another hash than the one expected. */
  | "hash-mismatch"
  /** The undo data's checksum does not match. */
  | "checksum-mismatch"
  /** The undo record does not parse or its length disagrees with its size field. */
  | "malformed"
  /** The record does not fit in a block file, or an operating-system error. */
  | "io";

/** A block or undo record that cannot be read (corrupt, truncated, missing) or written. */
export class BlockStorageError extends Error {
  /** What went wrong. */
  readonly kind: BlockStorageErrorKind;
  /** The record's position, when there is one. */
  readonly pos: FlatFilePos | undefined;

  /** @param kind what went wrong; @param message full text; @param pos where */
  constructor(kind: BlockStorageErrorKind, message: string, pos?: FlatFilePos, options?: ErrorOptions) {
    super(message, options);
    this.name = "BlockStorageError";
    this.kind = kind;
    this.pos = pos;
  }
}

/** Why the chainstate (UTXO database) or block index database cannot be used. */
export type ChainstateErrorKind =
  /** The database was left mid-flush towards another block than the one now being flushed. */
  | "inconsistent"
  /** A stored record does not parse or has the wrong shape. */
  | "corrupt"
  /** The operation needs a best block and none was given. */
  | "no-best-block";

/** A chainstate or block index database problem that validation cannot recover from by itself. */
export class ChainstateError extends Error {
  /** What went wrong. */
  readonly kind: ChainstateErrorKind;

  /** @param kind what went wrong; @param message full text */
  constructor(kind: ChainstateErrorKind, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "ChainstateError";
    this.kind = kind;
  }
}
