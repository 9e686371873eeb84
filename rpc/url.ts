/**
 * URL encoding as Core does it (`src/common/url.cpp`): `urlEncode` escapes every byte except RFC 3986
 * unreserved characters (uppercase hex); `urlDecode` decodes `%XX` and leaves invalid escapes and `+` as they are.
 *
 * @module
 */

const ENC = new TextEncoder();
const DEC = new TextDecoder();

/** Percent-encodes all but `A-Z a-z 0-9 - _ . ~` (UTF-8 bytes, uppercase hex), like Core's `UrlEncode`. */
export function urlEncode(s: string): string {
  let out = "";
  for (const b of ENC.encode(s)) {
    const unreserved = (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a) || (b >= 0x30 && b <= 0x39) ||
      b === 0x2d || b === 0x5f || b === 0x2e || b === 0x7e;
    out += unreserved ? String.fromCharCode(b) : "%" + b.toString(16).toUpperCase().padStart(2, "0");
  }
  return out;
}

/** Decodes `%XX` escapes like Core's `UrlDecode` (invalid escapes kept, `+` not turned into a space). */
export function urlDecode(s: string): string {
  if (!s.includes("%")) return s;
  const src = ENC.encode(s);
  const out: number[] = [];
  for (let i = 0; i < src.length; i++) {
    const c = src[i];
    if (c === 0x25 && i + 2 < src.length) {
      const hex = String.fromCharCode(src[i + 1], src[i + 2]);
      if (/^[0-9a-fA-F]{2}$/.test(hex)) {
        out.push(parseInt(hex, 16));
        i += 2;
        continue;
      }
    }
    out.push(c);
  }
  return DEC.decode(new Uint8Array(out));
}
