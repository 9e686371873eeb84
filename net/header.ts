/**
 * The P2P message header (Core's `CMessageHeader`): network magic (4 bytes), command (12 bytes, ASCII padded
 * with NULs), payload length (uint32 LE) and checksum (the first 4 bytes of the payload's double SHA-256), and
 * whole-message framing.
 *
 * @module
 */

import { sha256d } from "../core/hash/hashes.ts";
import { COMMAND_SIZE, MAX_PROTOCOL_MESSAGE_LENGTH, MESSAGE_HEADER_SIZE } from "./protocol.ts";

/** A decoded message header. */
export interface MessageHeader {
  /** The 4-byte message start (network magic). */
  readonly magic: Uint8Array;
  /** The command up to its first NUL, each byte as one character (Latin-1). */
  readonly command: string;
  /** Whether the command field passes Core's `IsMessageTypeValid` (printable ASCII, then only NULs). */
  readonly commandValid: boolean;
  /** Declared payload length. */
  readonly length: number;
  /** The 4-byte checksum. */
  readonly checksum: Uint8Array;
}

/** The checksum of a payload: the first 4 bytes of its double SHA-256. */
export function messageChecksum(payload: Uint8Array): Uint8Array {
  return sha256d(payload).subarray(0, 4);
}

/** Core's `IsMessageTypeValid` on a 12-byte command field. */
export function isValidCommandField(field: Uint8Array): boolean {
  let i = 0;
  for (; i < field.length && field[i] !== 0; i++) {
    if (field[i] < 0x20 || field[i] > 0x7e) return false;
  }
  for (; i < field.length; i++) if (field[i] !== 0) return false;
  return true;
}

/** The 12-byte command field of `command` (throws `RangeError` unless it is 1-12 printable ASCII characters). */
export function encodeCommand(command: string): Uint8Array {
  if (command.length === 0 || command.length > COMMAND_SIZE) {
    throw new RangeError(`Cannot encode command: length is ${command.length}`);
  }
  const out = new Uint8Array(COMMAND_SIZE);
  for (let i = 0; i < command.length; i++) {
    const c = command.charCodeAt(i);
    if (c < 0x20 || c > 0x7e) throw new RangeError(`Cannot encode command: character ${c} is not printable`);
    out[i] = c;
  }
  return out;
}

/** Decodes a 24-byte header (throws `RangeError` if `bytes` is not 24 bytes long). */
export function decodeMessageHeader(bytes: Uint8Array): MessageHeader {
  if (bytes.length !== MESSAGE_HEADER_SIZE) {
    throw new RangeError(`Cannot parse header: length is ${bytes.length}`);
  }
  const field = bytes.subarray(4, 16);
  let end = field.indexOf(0);
  if (end < 0) end = COMMAND_SIZE;
  let command = "";
  for (let i = 0; i < end; i++) command += String.fromCharCode(field[i]);
  const length = (bytes[16] | (bytes[17] << 8) | (bytes[18] << 16) | (bytes[19] << 24)) >>> 0;
  return {
    magic: bytes.slice(0, 4),
    command,
    commandValid: isValidCommandField(field),
    length,
    checksum: bytes.slice(20, 24),
  };
}

/**
 * A complete message: header (magic, command, length, checksum) followed by the payload. Throws `RangeError`
 * for a bad magic or command, or a payload over {@link MAX_PROTOCOL_MESSAGE_LENGTH} (which no peer would accept)
 * unless `allowOversized` (the test-only `sendmsgtopeer`, which Core lets send anything).
 */
export function frameMessage(
  magic: Uint8Array,
  command: string,
  payload: Uint8Array,
  options: { allowOversized?: boolean } = {},
): Uint8Array {
  if (magic.length !== 4) throw new RangeError(`Cannot frame message: magic is ${magic.length} bytes`);
  if (payload.length > MAX_PROTOCOL_MESSAGE_LENGTH && !options.allowOversized) {
    throw new RangeError(
      `Cannot frame message: ${command} payload is ${payload.length} bytes (limit ${MAX_PROTOCOL_MESSAGE_LENGTH})`,
    );
  }
  const out = new Uint8Array(MESSAGE_HEADER_SIZE + payload.length);
  out.set(magic, 0);
  out.set(encodeCommand(command), 4);
  const n = payload.length;
  out[16] = n & 0xff;
  out[17] = (n >>> 8) & 0xff;
  out[18] = (n >>> 16) & 0xff;
  out[19] = n >>> 24;
  out.set(messageChecksum(payload), 20);
  out.set(payload, MESSAGE_HEADER_SIZE);
  return out;
}
