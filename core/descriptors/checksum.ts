/**
 * Descriptor checksums (Bitcoin Core's `DescriptorChecksum`, BIP 380): eight characters of a BCH code over
 * GF(32) computed from the descriptor text, written after a `#`.
 *
 * Every character of the payload is mapped to its position in a 96-character set; each position contributes a
 * symbol for its low 5 bits, and every group of three characters one more symbol for their three high parts.
 * The symbols run through a degree-8 polynomial modulus; the result, XOR 1, is written in the Bech32 alphabet.
 *
 * @module
 */

import { fromByteString, toByteString } from "./byte_string.ts";

/** The characters a descriptor may contain, in checksum order (groups of 32). */
const INPUT_CHARSET = "0123456789()[],'/*abcdefgh@:$%{}" +
  "IJKLMNOPQRSTUVWXYZ&+-.;<=>?!^_|~" +
  'ijklmnopqrstuvwxyzABCDEFGH`#"\\ ';

/** The characters of the checksum itself (the Bech32 alphabet). */
const CHECKSUM_CHARSET = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";

/** Position of every character code in {@link INPUT_CHARSET}, -1 when absent. */
const POSITION: Int8Array = (() => {
  const table = new Int8Array(128).fill(-1);
  for (let i = 0; i < INPUT_CHARSET.length; i++) table[INPUT_CHARSET.charCodeAt(i)] = i;
  return table;
})();

/** The generator's multiples for each of the five bits of the dropped top symbol. */
const GENERATOR = [0xf5dee51989n, 0xa9fdca3312n, 0x1bab10e32dn, 0x3706b1677an, 0x644d626ffdn];

/** Multiplies the 40-bit state `c` by x modulo the generator and adds `val`. */
function polyMod(c: bigint, val: number): bigint {
  const top = Number(c >> 35n);
  let r = ((c & 0x7ffffffffn) << 5n) ^ BigInt(val);
  for (let i = 0; i < 5; i++) if ((top >> i) & 1) r ^= GENERATOR[i];
  return r;
}

/**
 * The 8-character checksum of a descriptor without its `#…` part (Core's `DescriptorChecksum`), or "" when the
 * text has a character outside the descriptor character set (anything non-ASCII, tabs, newlines…).
 */
export function descriptorChecksum(text: string): string {
  let c = 1n;
  let cls = 0;
  let clsCount = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    const pos = code < 128 ? POSITION[code] : -1;
    if (pos < 0) return "";
    c = polyMod(c, pos & 31);
    cls = cls * 3 + (pos >> 5);
    if (++clsCount === 3) {
      c = polyMod(c, cls);
      cls = 0;
      clsCount = 0;
    }
  }
  if (clsCount > 0) c = polyMod(c, cls);
  for (let j = 0; j < 8; j++) c = polyMod(c, 0);
  c ^= 1n;
  let out = "";
  for (let j = 0; j < 8; j++) out += CHECKSUM_CHARSET[Number((c >> BigInt(5 * (7 - j))) & 31n)];
  return out;
}

/** `text#checksum` (Core's `AddChecksum`; the checksum is "" for text with invalid characters). */
export function addChecksum(text: string): string {
  return `${text}#${descriptorChecksum(text)}`;
}

/** The result of {@link checkChecksum}: the payload and its checksum, or Core's error message. */
export type ChecksumCheck =
  | { readonly ok: true; readonly payload: string; readonly checksum: string }
  | { readonly ok: false; readonly error: string };

/**
 * Splits `text` at its `#` and verifies the checksum (Core's `CheckChecksum`): the payload (text before `#`) and
 * its computed checksum, or Core's error — "Multiple '#' symbols", "Missing checksum" (only when
 * `requireChecksum`), "Expected 8 character checksum, not N characters" (N counts UTF-8 bytes, as Core does),
 * "Invalid characters in payload", "Provided checksum 'x' does not match computed checksum 'y'".
 */
export function checkChecksum(text: string, requireChecksum: boolean): ChecksumCheck {
  const r = checkChecksumBytes(toByteString(text), requireChecksum);
  return r.ok ? { ok: true, payload: fromByteString(r.payload), checksum: r.checksum } : {
    ok: false,
    error: fromByteString(r.error),
  };
}

/** {@link checkChecksum} on a byte string (see byte_string.ts); the results are byte strings too. */
export function checkChecksumBytes(text: string, requireChecksum: boolean): ChecksumCheck {
  const parts = text.split("#");
  if (parts.length > 2) return { ok: false, error: "Multiple '#' symbols" };
  if (parts.length === 1 && requireChecksum) return { ok: false, error: "Missing checksum" };
  if (parts.length === 2 && parts[1].length !== 8) {
    return { ok: false, error: `Expected 8 character checksum, not ${parts[1].length} characters` };
  }
  const checksum = descriptorChecksum(parts[0]);
  if (checksum === "") return { ok: false, error: "Invalid characters in payload" };
  if (parts.length === 2 && parts[1] !== checksum) {
    return {
      ok: false,
      error: `Provided checksum '${parts[1]}' does not match computed checksum '${checksum}'`,
    };
  }
  return { ok: true, payload: parts[0], checksum };
}

/**
 * The checksum of a descriptor's payload, ignoring any `#…` suffix (Core's `GetDescriptorChecksum`), or "" when
 * the text has more than one `#`, a suffix of another length than 8, invalid characters, or a wrong checksum.
 */
export function getDescriptorChecksum(text: string): string {
  const r = checkChecksumBytes(toByteString(text), false);
  return r.ok ? r.checksum : "";
}
