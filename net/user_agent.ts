/**
 * The user agent (`strSubVer`) of the version message, BIP14 style `/Name:Version(comment; comment)/`, with
 * Core's `-uacomment` rules: each comment may hold only `SAFE_CHARS_UA_COMMENT` characters and the whole
 * string may not exceed {@link MAX_SUBVERSION_LENGTH} bytes. Received user agents are shown through
 * {@link sanitizeString} (Core's `cleanSubVer`).
 *
 * @module
 */

import { MAX_SUBVERSION_LENGTH } from "./protocol.ts";

const ALPHA_NUM = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
/** Core's `SAFE_CHARS_DEFAULT`. */
export const SAFE_CHARS_DEFAULT = ALPHA_NUM + " .,;-_/:?@()";
/** Core's `SAFE_CHARS_UA_COMMENT`. */
export const SAFE_CHARS_UA_COMMENT = ALPHA_NUM + " .,;-_?@";

/** Keeps only the characters of `s` found in `safe` (Core's `SanitizeString`). */
export function sanitizeString(s: string, safe: string = SAFE_CHARS_DEFAULT): string {
  let out = "";
  for (const c of s) if (safe.includes(c)) out += c;
  return out;
}

/**
 * Formats the user agent as Core's `FormatSubVersion`: `/name:version/` or `/name:version(c1; c2)/`. Throws
 * with Core's init error text when a comment holds unsafe characters (`User Agent comment (x) contains unsafe
 * characters.`) or the result is too long (`Total length of network version string (300) exceeds maximum
 * length (256). Reduce the number or size of uacomments.`).
 */
export function formatUserAgent(name: string, version: string, comments: readonly string[] = []): string {
  for (const c of comments) {
    if (c !== sanitizeString(c, SAFE_CHARS_UA_COMMENT)) {
      throw new Error(`User Agent comment (${c}) contains unsafe characters.`);
    }
  }
  const commentText = comments.length > 0 ? `(${comments.join("; ")})` : "";
  const ua = `/${name}:${version}${commentText}/`;
  const size = new TextEncoder().encode(ua).length;
  if (size > MAX_SUBVERSION_LENGTH) {
    throw new Error(
      `Total length of network version string (${size}) exceeds maximum length (${MAX_SUBVERSION_LENGTH}). ` +
        "Reduce the number or size of uacomments.",
    );
  }
  return ua;
}
