/**
 * Bitcoin Core decodes addresses and keys byte by byte (a `std::string` holds UTF-8 bytes). These helpers give
 * the same view of a JavaScript string, so that length limits, character checks and error positions count bytes
 * exactly as Core does.
 *
 * @module
 */

const ENCODER = new TextEncoder();

/** The UTF-8 bytes of `str` (each byte as it appears in Core's `std::string`). */
export function utf8Bytes(str: string): Uint8Array {
  return ENCODER.encode(str);
}

/** True for the characters Core's `IsSpace` accepts: space, \t, \n, \v, \f, \r. */
export function isSpaceByte(c: number): boolean {
  return c === 0x20 || (c >= 0x09 && c <= 0x0d);
}

/** `c` lowered when it is an ASCII capital letter (Core's `ToLower` on one byte). */
export function lowerByte(c: number): number {
  return c >= 0x41 && c <= 0x5a ? c + 0x20 : c;
}

/** ASCII bytes to a string (callers check the bytes are ASCII first). */
export function asciiString(bytes: Uint8Array): string {
  let s = "";
  for (const b of bytes) s += String.fromCharCode(b);
  return s;
}
