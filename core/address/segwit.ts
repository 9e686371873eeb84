/**
 * Bech32 (BIP173) and Bech32m (BIP350) strings and segwit addresses, with Bitcoin Core's rules (`bech32.cpp`,
 * `key_io.cpp`): at most 90 characters, printable ASCII only, no mixed case, witness version 0 with Bech32 and
 * versions 1..16 with Bech32m, programs of 2..40 bytes (20 or 32 for version 0), zero padding of at most 4 bits.
 * The codec is @scure/base's; the error location (Core's `LocateErrors`, which names the likely wrong characters
 * of a mistyped address) is computed here.
 *
 * @module
 */
import { bech32, bech32m } from "@scure/base";
import { asciiString, lowerByte, utf8Bytes } from "./text.ts";

/** The two checksum variants. */
export type Bech32Encoding = "bech32" | "bech32m";

/** Core's `bech32::CharLimit::BECH32`: the longest Bech32(m) address, in characters. */
export const BECH32_CHAR_LIMIT = 90;

/** Core's `BECH32_WITNESS_PROG_MAX_LEN`: the longest witness program an address can carry. */
export const BECH32_WITNESS_PROG_MAX_LEN = 40;

/** The data characters, by value. */
const CHARSET = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";

/** Data value of each ASCII byte (either case), -1 when it is not a data character. */
const CHARSET_REV: Int8Array = (() => {
  const map = new Int8Array(256).fill(-1);
  for (let i = 0; i < CHARSET.length; i++) {
    map[CHARSET.charCodeAt(i)] = i;
    map[CHARSET.toUpperCase().charCodeAt(i)] = i;
  }
  return map;
})();

const CHECKSUM_SIZE = 6;

/** The constant a valid checksum leaves (BIP173: 1, BIP350: 0x2bc830a3). */
function encodingConstant(encoding: Bech32Encoding): number {
  return encoding === "bech32" ? 1 : 0x2bc830a3;
}

/** A decoded Bech32(m) string. */
export interface Bech32Decoded {
  /** Which checksum the string carries. */
  readonly encoding: Bech32Encoding;
  /** The human-readable part, lowercase. */
  readonly hrp: string;
  /** The data part as 5-bit values, without the checksum. */
  readonly data: readonly number[];
}

/** Core's `CheckCharacters`: positions of bytes outside 33..126 or of letters in the minority case. */
function invalidCharacters(s: Uint8Array): number[] {
  const errors: number[] = [];
  let lower = false, upper = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c >= 0x61 && c <= 0x7a) {
      if (upper) errors.push(i);
      else lower = true;
    } else if (c >= 0x41 && c <= 0x5a) {
      if (lower) errors.push(i);
      else upper = true;
    } else if (c < 33 || c > 126) {
      errors.push(i);
    }
  }
  return errors;
}

/**
 * Encodes 5-bit `values` under `hrp` with the given checksum (Core's `bech32::Encode`). Throws a RangeError when
 * `hrp` has upper-case letters (BIP173 encoders must produce lowercase) or a value is not 5-bit.
 */
export function bech32Encode(encoding: Bech32Encoding, hrp: string, values: readonly number[]): string {
  if (/[A-Z]/.test(hrp)) {
    throw new RangeError(`Cannot encode Bech32: human-readable part "${hrp}" has capitals`);
  }
  const codec = encoding === "bech32" ? bech32 : bech32m;
  return codec.encode(hrp, [...values], false);
}

/**
 * Decodes a Bech32 or Bech32m string as Core's `bech32::Decode`: undefined when it is longer than `limit`
 * characters, has a byte outside 33..126 or mixed case, no separator, an empty human-readable part, fewer than
 * 6 checksum characters, a non-data character after the separator, or a checksum valid under neither variant.
 */
export function bech32Decode(str: string, limit: number = BECH32_CHAR_LIMIT): Bech32Decoded | undefined {
  const s = utf8Bytes(str);
  if (invalidCharacters(s).length > 0) return undefined;
  if (s.length > limit) return undefined;
  const pos = s.lastIndexOf(0x31);
  if (pos <= 0 || pos + CHECKSUM_SIZE >= s.length) return undefined;
  for (let i = pos + 1; i < s.length; i++) if (CHARSET_REV[s[i]] === -1) return undefined;
  const lowered = asciiString(s).toLowerCase();
  for (const encoding of ["bech32", "bech32m"] as const) {
    const codec = encoding === "bech32" ? bech32 : bech32m;
    const res = codec.decodeUnsafe(lowered, false);
    if (res !== undefined) return { encoding, hrp: res.prefix, data: res.words };
  }
  return undefined;
}

/** Converts 8-bit bytes to 5-bit values, padding the last with zero bits (Core's `ConvertBits<8, 5, true>`). */
export function toWords(bytes: Uint8Array): number[] {
  return bech32.toWords(bytes);
}

/**
 * Converts 5-bit values to bytes without padding (Core's `ConvertBits<5, 8, false>`): undefined when more than
 * 4 bits are left over or the left-over bits are not zero.
 */
export function fromWords(words: readonly number[]): Uint8Array | undefined {
  return bech32.fromWordsUnsafe([...words]) ?? undefined;
}

/** A witness program as carried by a segwit address. */
export interface WitnessProgram {
  /** Witness version, 0..16. */
  readonly version: number;
  /** The program, 2..40 bytes (20 or 32 for version 0). */
  readonly program: Uint8Array;
}

/** A failed decoding: Core's message and, for checksum errors, the likely wrong positions (bytes). */
export interface AddressError {
  /** Core's error message (as `validateaddress` reports it). */
  readonly error: string;
  /** Indices of likely wrong characters; empty when unknown. */
  readonly errorLocations: readonly number[];
}

/**
 * Encodes a segwit address (Core's `DestinationEncoder` for witness outputs): Bech32 for version 0, Bech32m for
 * versions 1..16. Throws a RangeError for a version outside 0..16, a program outside 2..40 bytes, or a version 0
 * program that is not 20 or 32 bytes (such outputs have no address).
 */
export function encodeSegwitAddress(hrp: string, witness: WitnessProgram): string {
  const { version, program } = witness;
  if (!Number.isInteger(version) || version < 0 || version > 16) {
    throw new RangeError(`Cannot encode segwit address: witness version is ${version}`);
  }
  if (program.length < 2 || program.length > BECH32_WITNESS_PROG_MAX_LEN) {
    throw new RangeError(`Cannot encode segwit address: program length is ${program.length}`);
  }
  if (version === 0 && program.length !== 20 && program.length !== 32) {
    throw new RangeError(`Cannot encode segwit address: version 0 program length is ${program.length}`);
  }
  return bech32Encode(version === 0 ? "bech32" : "bech32m", hrp, [version, ...toWords(program)]);
}

/**
 * Decodes a segwit address for the human-readable part `hrp` with Core's checks and messages (the Bech32 half of
 * `DecodeDestination`): the witness version and program, or Core's error with likely error positions.
 */
export function decodeSegwitAddress(hrp: string, address: string): WitnessProgram | AddressError {
  const fail = (error: string, errorLocations: readonly number[] = []): AddressError => ({
    error,
    errorLocations,
  });
  const dec = bech32Decode(address);
  if (dec === undefined) {
    const located = locateBech32Errors(address);
    return fail(located.error, located.errorLocations);
  }
  if (dec.data.length === 0) return fail("Empty Bech32 data section");
  if (dec.hrp !== hrp) {
    return fail(
      `Invalid or unsupported prefix for Segwit (Bech32) address (expected ${hrp}, got ${dec.hrp}).`,
    );
  }
  const version = dec.data[0];
  if (version === 0 && dec.encoding !== "bech32") {
    return fail("Version 0 witness address must use Bech32 checksum");
  }
  if (version !== 0 && dec.encoding !== "bech32m") {
    return fail("Version 1+ witness address must use Bech32m checksum");
  }
  const program = fromWords(dec.data.slice(1));
  if (program === undefined) return fail("Invalid padding in Bech32 data section");
  const size = `${program.length} ${program.length === 1 ? "byte" : "bytes"}`;
  if (version === 0) {
    if (program.length === 20 || program.length === 32) return { version, program };
    return fail(`Invalid Bech32 v0 address program size (${size}), per BIP141`);
  }
  if (version > 16) return fail("Invalid Bech32 address witness version");
  if (program.length < 2 || program.length > BECH32_WITNESS_PROG_MAX_LEN) {
    return fail(`Invalid Bech32 address program size (${size})`);
  }
  return { version, program };
}

// ---- Error location (Core's bech32::LocateErrors) ----
//
// The checksum is a BCH code over GF(32); its generator has roots e^997, e^998, e^999 in GF(1024) = GF(32)[e]/(e^2
// + 9e + 23). The syndromes of the residue at those roots give the positions of up to two substitution errors.

/** Powers of e in GF(1024) (EXP[k] = e^k) and their discrete logarithms (LOG[0] = -1). */
const [GF1024_EXP, GF1024_LOG] = ((): [Int16Array, Int16Array] => {
  // GF(32) = GF(2)[x]/(x^5 + x^3 + 1).
  const exp32 = new Int16Array(31);
  const log32 = new Int16Array(32).fill(-1);
  let v = 1;
  for (let i = 0; i < 31; i++) {
    exp32[i] = v;
    log32[v] = i;
    v <<= 1;
    if (v & 32) v ^= 41;
  }
  const mul32 = (a: number, b: number) => (a === 0 || b === 0 ? 0 : exp32[(log32[a] + log32[b]) % 31]);
  // An element a*e + b is stored as a << 5 | b; multiplying by e gives (9a + b)*e + 23a.
  const exp = new Int16Array(1023);
  const log = new Int16Array(1024).fill(-1);
  v = 1;
  for (let i = 0; i < 1023; i++) {
    exp[i] = v;
    log[v] = i;
    const hi = v >> 5, lo = v & 31;
    v = ((mul32(hi, 9) ^ lo) << 5) | mul32(hi, 23);
  }
  return [exp, log];
})();

/** For each of the 25 upper residue bits, its contribution to the three syndromes (packed 10 bits each). */
const SYNDROME_CONSTS: Uint32Array = (() => {
  const out = new Uint32Array(25);
  for (let k = 1; k <= 5; k++) {
    for (let shift = 0; shift < 5; shift++) {
      const b = GF1024_LOG[1 << shift];
      const s = (root: number) => GF1024_EXP[(root * k + b) % 1023];
      out[5 * (k - 1) + shift] = ((s(999) << 20) | (s(998) << 10) | s(997)) >>> 0;
    }
  }
  return out;
})();

/** The three syndromes of a residue, packed 10 bits each (s997 lowest). */
function syndrome(residue: number): number {
  const low = residue & 0x1f;
  let result = low ^ (low << 10) ^ (low << 20);
  for (let i = 0; i < 25; i++) if ((residue >>> (5 + i)) & 1) result ^= SYNDROME_CONSTS[i];
  return result >>> 0;
}

/** The BCH remainder of the values (with the implicit leading 1), as 30 bits. */
function polymod(values: readonly number[]): number {
  const GEN = [0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3];
  let c = 1;
  for (const v of values) {
    const top = c >>> 25;
    c = ((c & 0x1ffffff) << 5) ^ v;
    for (let i = 0; i < 5; i++) if ((top >>> i) & 1) c ^= GEN[i];
  }
  return c >>> 0;
}

/** The human-readable part expanded for the checksum, followed by the data values. */
function checksumInput(hrp: Uint8Array, values: readonly number[]): number[] {
  const out: number[] = [];
  for (const c of hrp) out.push(c >> 5);
  out.push(0);
  for (const c of hrp) out.push(c & 31);
  return out.concat(values);
}

/** Error positions (from the right, 0 = last character) for one checksum variant, or [] when none is found. */
function errorPositions(residue: number, length: number): number[] {
  const syn = syndrome(residue);
  const s0 = syn & 0x3ff, s1 = (syn >>> 10) & 0x3ff, s2 = syn >>> 20;
  const l0 = GF1024_LOG[s0], l1 = GF1024_LOG[s1], l2 = GF1024_LOG[s2];
  if (l0 !== -1 && l1 !== -1 && l2 !== -1 && (2 * l1 - l2 - l0 + 2046) % 1023 === 0) {
    // One error: s1/s0 = e^p.
    const p = (l1 - l0 + 1023) % 1023;
    const lErr = l0 + (1023 - 997) * p;
    return p < length && lErr % 33 === 0 ? [p] : [];
  }
  // Two errors at p1, p2: e^p2 = (s2 + s1 e^p1) / (s1 + s0 e^p1).
  for (let p1 = 0; p1 < length; p1++) {
    const a = s2 ^ (s1 === 0 ? 0 : GF1024_EXP[(l1 + p1) % 1023]);
    if (a === 0) continue;
    const b = s1 ^ (s0 === 0 ? 0 : GF1024_EXP[(l0 + p1) % 1023]);
    if (b === 0) continue;
    const la = GF1024_LOG[a], lb = GF1024_LOG[b];
    const p2 = (la - lb + 1023) % 1023;
    if (p2 >= length || p1 === p2) continue;
    const c = s1 ^ (s0 === 0 ? 0 : GF1024_EXP[(l0 + p2) % 1023]);
    if (c === 0) continue;
    const lc = GF1024_LOG[c];
    const inv = 1023 - GF1024_LOG[GF1024_EXP[p1] ^ GF1024_EXP[p2]];
    // Both error values must lie in GF(32), i.e. be powers of e^33.
    if ((lb + inv + (1023 - 997) * p2) % 33 !== 0) continue;
    if ((lc + inv + (1023 - 997) * p1) % 33 !== 0) continue;
    return p1 > p2 ? [p1, p2] : [p2, p1];
  }
  return [];
}

/**
 * Why a string is not valid Bech32(m), and where (Core's `bech32::LocateErrors`): returns Core's message ("Bech32
 * string too long", "Invalid character or mixed case", "Missing separator", "Invalid separator position", "Invalid
 * Base 32 character", "Invalid Bech32 checksum", "Invalid Bech32m checksum" or "Invalid checksum") with the
 * byte positions of likely errors, or an empty message when the checksum is valid under either variant.
 */
export function locateBech32Errors(str: string, limit: number = BECH32_CHAR_LIMIT): AddressError {
  const s = utf8Bytes(str);
  if (s.length > limit) {
    return {
      error: "Bech32 string too long",
      errorLocations: Array.from({ length: s.length - limit }, (_, i) => limit + i),
    };
  }
  const invalid = invalidCharacters(s);
  if (invalid.length > 0) return { error: "Invalid character or mixed case", errorLocations: invalid };
  const pos = s.lastIndexOf(0x31);
  if (pos === -1) return { error: "Missing separator", errorLocations: [] };
  if (pos === 0 || pos + CHECKSUM_SIZE >= s.length) {
    return { error: "Invalid separator position", errorLocations: [pos] };
  }
  const hrp = s.slice(0, pos).map(lowerByte);
  const length = s.length - 1 - pos;
  const values: number[] = [];
  for (let i = pos + 1; i < s.length; i++) {
    const v = CHARSET_REV[s[i]];
    if (v === -1) return { error: "Invalid Base 32 character", errorLocations: [i] };
    values.push(v);
  }
  const mod = polymod(checksumInput(hrp, values));
  let locations: number[] = [];
  let found: Bech32Encoding | undefined;
  for (const encoding of ["bech32", "bech32m"] as const) {
    const residue = (mod ^ encodingConstant(encoding)) >>> 0;
    if (residue === 0) return { error: "", errorLocations: [] };
    const possible = errorPositions(residue, length).map((p) => s.length - p - 1);
    if (locations.length === 0 || (possible.length > 0 && possible.length < locations.length)) {
      locations = possible;
      if (locations.length > 0) found = encoding;
    }
  }
  const error = found === "bech32m"
    ? "Invalid Bech32m checksum"
    : found === "bech32"
    ? "Invalid Bech32 checksum"
    : "Invalid checksum";
  return { error, errorLocations: locations };
}
