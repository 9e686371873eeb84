/**
 * Descriptors are parsed the way Bitcoin Core parses them: as bytes (the UTF-8 encoding of the text). A "byte
 * string" here is a JS string holding one byte per UTF-16 unit (0x00–0xff), so lengths, positions and character
 * checks count bytes as Core does; messages are turned back into text with {@link fromByteString}.
 *
 * @module
 */

const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8", { fatal: false });

/** The UTF-8 bytes of `text`, one per UTF-16 unit. ASCII text is returned as it is. */
export function toByteString(text: string): string {
  // deno-lint-ignore no-control-regex
  if (/^[\x00-\x7f]*$/.test(text)) return text;
  const bytes = encoder.encode(text);
  let out = "";
  for (let i = 0; i < bytes.length; i += 8192) {
    out += String.fromCharCode(...bytes.subarray(i, i + 8192));
  }
  return out;
}

/** Text from a byte string (invalid UTF-8 sequences become U+FFFD). ASCII is returned as it is. */
export function fromByteString(bytes: string): string {
  // deno-lint-ignore no-control-regex
  if (/^[\x00-\x7f]*$/.test(bytes)) return bytes;
  const arr = new Uint8Array(bytes.length);
  for (let i = 0; i < bytes.length; i++) arr[i] = bytes.charCodeAt(i) & 0xff;
  return decoder.decode(arr);
}
