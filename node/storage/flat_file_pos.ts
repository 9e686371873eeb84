/**
 * A position in the numbered flat files (Core's `FlatFilePos`): file number and byte offset. For blocks and
 * undo data the offset is that of the record's data, just after its 8-byte storage header, as in Core.
 *
 * @module
 */

/** File number and byte offset in `blk?????.dat` / `rev?????.dat`. */
export interface FlatFilePos {
  /** File number (0-based, `blk00000.dat` is 0). */
  readonly file: number;
  /** Byte offset in the file. */
  readonly pos: number;
}

/** Core's `FlatFilePos::ToString`: `FlatFilePos(nFile=3, nPos=1234)`. */
export function flatFilePosToString(p: FlatFilePos): string {
  return `FlatFilePos(nFile=${p.file}, nPos=${p.pos})`;
}

/** The five-digit file name of a sequence: `blk00012.dat`. */
export function flatFileName(prefix: "blk" | "rev", file: number): string {
  return `${prefix}${String(file).padStart(5, "0")}.dat`;
}
