/**
 * Core's compact serializations used on disk by the chainstate and the undo files (Core's `serialize.h` VARINT,
 * `compressor.h`): the MSB base-128 VARINT, amount compression, script compression (P2PKH, P2SH and P2PK
 * special cases) and the compressed transaction output. Byte-for-byte the same as Core's, so `rev?????.dat`
 * written here decode in Core and the other way round.
 *
 * @module
 */

import type { ByteReader } from "../../core/wire/reader.ts";
import type { ByteWriter } from "../../core/wire/writer.ts";
import type { TxOut } from "../../core/wire/types.ts";
import { FIELD_PRIME } from "../../core/crypto/secp256k1.ts";
import { MAX_SCRIPT_SIZE } from "../../core/script/script.ts";

/** Bytes Core's VARINT of `n` takes. */
export function varIntLength(n: number | bigint): number {
  let v = BigInt(n);
  let len = 1;
  while (v > 0x7fn) {
    v = (v >> 7n) - 1n;
    len++;
  }
  return len;
}

/** Digits of a VARINT being written (at most 10 for 64 bits). */
const varIntScratch = new Uint8Array(10);

/**
 * Writes Core's VARINT (`WriteVarInt`, default mode): big-endian base-128 where each continuation digit is
 * stored minus one, so every number has exactly one encoding. `n` is a non-negative integer below 2^64.
 */
export function writeVarInt(w: ByteWriter, n: number | bigint): void {
  if (typeof n === "number") {
    if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`Cannot write VARINT: ${n}`);
    if (n <= 0x7f) {
      w.u8(n);
      return;
    }
    const tmp = varIntScratch;
    let len = 0;
    while (true) {
      tmp[len] = (n % 128) | (len ? 0x80 : 0);
      if (n <= 0x7f) break;
      n = Math.floor(n / 128) - 1;
      len++;
    }
    for (let i = len; i >= 0; i--) w.u8(tmp[i]);
    return;
  }
  if (n < 0n || n > 0xffffffffffffffffn) throw new RangeError(`Cannot write VARINT: ${n}`);
  if (n <= 0x1fffffffffffffn) {
    writeVarInt(w, Number(n));
    return;
  }
  const tmp: number[] = [];
  let len = 0;
  while (true) {
    tmp.push(Number(n & 0x7fn) | (len ? 0x80 : 0));
    if (n <= 0x7fn) break;
    n = (n >> 7n) - 1n;
    len++;
  }
  for (let i = tmp.length - 1; i >= 0; i--) w.u8(tmp[i]);
}

/**
 * Reads Core's VARINT into a number no larger than `max` (default 0xffffffff, Core's `uint32_t`; use
 * 0x7fffffff for `VarIntMode::NONNEGATIVE_SIGNED` of an `int`). Fails as Core does with
 * `ReadVarInt(): size too large`.
 */
export function readVarInt(r: ByteReader, max = 0xffffffff): number {
  const start = r.pos;
  let n = 0;
  const limit = Math.floor(max / 128);
  while (true) {
    const ch = r.u8();
    if (n > limit) r.fail("ReadVarInt(): size too large", start);
    n = n * 128 + (ch & 0x7f);
    if (ch & 0x80) {
      if (n === max) r.fail("ReadVarInt(): size too large", start);
      n++;
    } else {
      if (n > max) r.fail("ReadVarInt(): size too large", start);
      return n;
    }
  }
}

const U64_MAX = 0xffffffffffffffffn;

/** Reads Core's VARINT of a `uint64_t` as a bigint. */
export function readVarInt64(r: ByteReader): bigint {
  const start = r.pos;
  let n = 0n;
  while (true) {
    const ch = r.u8();
    if (n > U64_MAX >> 7n) r.fail("ReadVarInt(): size too large", start);
    n = (n << 7n) | BigInt(ch & 0x7f);
    if (ch & 0x80) {
      if (n === U64_MAX) r.fail("ReadVarInt(): size too large", start);
      n++;
    } else {
      return n;
    }
  }
}

/**
 * Core's `CompressAmount`: trailing decimal zeros folded into the low digit, so round amounts take few VARINT
 * bytes. Defined for 0 ≤ amount < 2^64.
 */
export function compressAmount(amount: bigint): bigint {
  if (amount < 0n || amount > U64_MAX) throw new RangeError(`Cannot compress amount: ${amount}`);
  if (amount === 0n) return 0n;
  let n = amount;
  let e = 0n;
  while (n % 10n === 0n && e < 9n) {
    n /= 10n;
    e++;
  }
  if (e < 9n) {
    const d = n % 10n;
    n /= 10n;
    return 1n + (n * 9n + d - 1n) * 10n + e;
  }
  return 1n + (n - 1n) * 10n + 9n;
}

/** Below this many satoshis {@link compressAmount}'s result stays below 2^53, so it is computed as a number. */
const SMALL_AMOUNT = 900_000_000_000_000n;

/** {@link compressAmount} in number arithmetic for 0 ≤ amount < {@link SMALL_AMOUNT} (exact there). */
export function compressSmallAmount(amount: number): number {
  if (amount === 0) return 0;
  let n = amount;
  let e = 0;
  while (n % 10 === 0 && e < 9) {
    n /= 10;
    e++;
  }
  if (e < 9) {
    const d = n % 10;
    n = (n - d) / 10;
    return 1 + (n * 9 + d - 1) * 10 + e;
  }
  return 1 + (n - 1) * 10 + 9;
}

/**
 * Core's `DecompressAmount`, the inverse of {@link compressAmount}; the result wraps modulo 2^64 and is read as
 * a signed 64-bit `CAmount`, as Core stores it.
 */
export function decompressAmount(x: bigint): bigint {
  if (x === 0n) return 0n;
  x--;
  let e = x % 10n;
  x /= 10n;
  let n: bigint;
  if (e < 9n) {
    const d = (x % 9n) + 1n;
    x /= 9n;
    n = x * 10n + d;
  } else {
    n = x + 1n;
  }
  while (e > 0n) {
    n *= 10n;
    e--;
  }
  return BigInt.asIntN(64, n);
}

/** Core's `ScriptCompression::nSpecialScripts`: sizes below this are special-case codes. */
export const SPECIAL_SCRIPTS = 6;

function modPow(base: bigint, exp: bigint, mod: bigint): bigint {
  let result = 1n;
  base %= mod;
  while (exp > 0n) {
    if (exp & 1n) result = (result * base) % mod;
    base = (base * base) % mod;
    exp >>= 1n;
  }
  return result;
}

function bytesToBig(b: Uint8Array, start: number, end: number): bigint {
  let v = 0n;
  for (let i = start; i < end; i++) v = (v << 8n) | BigInt(b[i]);
  return v;
}

/** Whether a 65-byte 04-prefixed key is a point on secp256k1 (Core's `CPubKey::IsFullyValid` for such keys). */
function isValidUncompressedKey(key: Uint8Array): boolean {
  const x = bytesToBig(key, 1, 33);
  const y = bytesToBig(key, 33, 65);
  if (x >= FIELD_PRIME || y >= FIELD_PRIME) return false;
  const p = FIELD_PRIME;
  return (y * y) % p === (((x * x) % p) * x + 7n) % p;
}

/** The y coordinate with parity `odd` for `x`, or null when x is not on the curve (`CPubKey::Decompress`). */
function liftX(x: bigint, odd: boolean): bigint | null {
  const p = FIELD_PRIME;
  if (x >= p) return null;
  const rhs = (((x * x) % p) * x + 7n) % p;
  let y = modPow(rhs, (p + 1n) / 4n, p);
  if ((y * y) % p !== rhs) return null;
  if (((y & 1n) === 1n) !== odd) y = p - y;
  return y;
}

/**
 * Core's `CompressScript`: the 21- or 33-byte special form of a P2PKH, P2SH or P2PK (valid key) script, or null
 * when the script has none.
 */
export function compressScript(script: Uint8Array): Uint8Array | null {
  const n = script.length;
  if (
    n === 25 && script[0] === 0x76 && script[1] === 0xa9 && script[2] === 20 && script[23] === 0x88 &&
    script[24] === 0xac
  ) {
    const out = new Uint8Array(21);
    out[0] = 0x00;
    out.set(script.subarray(3, 23), 1);
    return out;
  }
  if (n === 23 && script[0] === 0xa9 && script[1] === 20 && script[22] === 0x87) {
    const out = new Uint8Array(21);
    out[0] = 0x01;
    out.set(script.subarray(2, 22), 1);
    return out;
  }
  if (n === 35 && script[0] === 33 && script[34] === 0xac && (script[1] === 0x02 || script[1] === 0x03)) {
    return script.slice(1, 34);
  }
  if (
    n === 67 && script[0] === 65 && script[66] === 0xac && script[1] === 0x04 &&
    isValidUncompressedKey(script.subarray(1, 66))
  ) {
    const out = new Uint8Array(33);
    out[0] = 0x04 | (script[65] & 1);
    out.set(script.subarray(2, 34), 1);
    return out;
  }
  return null;
}

/** Writes a script in Core's `ScriptCompression` form. */
export function writeCompressedScript(w: ByteWriter, script: Uint8Array): void {
  const special = compressScript(script);
  if (special !== null) {
    w.bytes(special);
    return;
  }
  writeVarInt(w, script.length + SPECIAL_SCRIPTS);
  w.bytes(script);
}

const OP_RETURN_SCRIPT = new Uint8Array([0x6a]);

/**
 * Reads a script in Core's `ScriptCompression` form. As in Core, a stored script longer than MAX_SCRIPT_SIZE
 * is skipped and read as the one-byte unspendable script OP_RETURN. A compressed uncompressed-key (04/05)
 * whose x is not on the curve fails (Core would leave an empty script; such data is never written).
 */
export function readCompressedScript(r: ByteReader): Uint8Array {
  const start = r.pos;
  const size = readVarInt(r);
  if (size < SPECIAL_SCRIPTS) {
    const body = r.bytes(size < 2 ? 20 : 32);
    switch (size) {
      case 0: {
        const s = new Uint8Array(25);
        s[0] = 0x76;
        s[1] = 0xa9;
        s[2] = 20;
        s.set(body, 3);
        s[23] = 0x88;
        s[24] = 0xac;
        return s;
      }
      case 1: {
        const s = new Uint8Array(23);
        s[0] = 0xa9;
        s[1] = 20;
        s.set(body, 2);
        s[22] = 0x87;
        return s;
      }
      case 2:
      case 3: {
        const s = new Uint8Array(35);
        s[0] = 33;
        s[1] = size;
        s.set(body, 2);
        s[34] = 0xac;
        return s;
      }
      default: {
        const y = liftX(bytesToBig(body, 0, 32), size === 5);
        if (y === null) r.fail("compressed public key is not on the curve", start);
        const s = new Uint8Array(67);
        s[0] = 65;
        s[1] = 0x04;
        s.set(body, 2);
        let v = y;
        for (let i = 65; i >= 34; i--) {
          s[i] = Number(v & 0xffn);
          v >>= 8n;
        }
        s[66] = 0xac;
        return s;
      }
    }
  }
  const len = size - SPECIAL_SCRIPTS;
  if (len > MAX_SCRIPT_SIZE) {
    r.bytes(len);
    return OP_RETURN_SCRIPT.slice();
  }
  return r.bytes(len).slice();
}

/** Writes a transaction output in Core's `TxOutCompression` form (compressed amount, compressed script). */
export function writeCompressedTxOut(w: ByteWriter, out: TxOut): void {
  const v = out.value;
  writeVarInt(w, v >= 0n && v < SMALL_AMOUNT ? compressSmallAmount(Number(v)) : compressAmount(v));
  writeCompressedScript(w, out.scriptPubKey);
}

/** Reads a transaction output in Core's `TxOutCompression` form (the script is a private copy). */
export function readCompressedTxOut(r: ByteReader): TxOut {
  const value = decompressAmount(readVarInt64(r));
  const scriptPubKey = readCompressedScript(r);
  return { value, scriptPubKey };
}
