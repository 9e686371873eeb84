/**
 * The streaming message decoder (Core's `V1Transport` receive side): bytes arrive in arbitrary chunks (a header
 * split in two, several messages in one chunk) and come out as whole messages or as distinct framing errors.
 * It never throws: a bad magic or an oversized length makes it fail for good (the connection must be closed,
 * as Core does); a bad checksum or command drops only that message and decoding goes on (Core's
 * `reject_message`).
 *
 * Memory per connection is bounded: a header (24 bytes) plus the payload being received, allocated as data
 * arrives (at most 256 KiB ahead, never past the declared length, itself at most 4,000,000 bytes).
 *
 * @module
 */

import { toHex } from "../core/hash/hashes.ts";
import { FramingError } from "./errors.ts";
import { decodeMessageHeader, messageChecksum } from "./header.ts";
import type { MessageHeader } from "./header.ts";
import { MAX_PROTOCOL_MESSAGE_LENGTH, MESSAGE_HEADER_SIZE } from "./protocol.ts";

/** One result of {@link MessageDecoder.push}. */
export type DecoderEvent =
  | {
    readonly kind: "message";
    /** The message type. */
    readonly command: string;
    /** The payload (a private copy: decoders may keep views into it). */
    readonly payload: Uint8Array;
    /** Bytes on the wire, header included. */
    readonly rawSize: number;
  }
  | { readonly kind: "error"; readonly error: FramingError };

/** How far ahead of the received data the payload buffer grows (Core's 256 KiB). */
const ALLOCATE_AHEAD = 256 * 1024;

/** Keeps only characters Core's `SanitizeString` keeps (for commands in error messages). */
function sanitize(s: string): string {
  return s.replace(/[^A-Za-z0-9 .,;\-_/:?@()]/g, "");
}

/** Decodes the v1 P2P byte stream of one connection. */
export class MessageDecoder {
  readonly #magic: Uint8Array;
  readonly #maxLength: number;
  readonly #header = new Uint8Array(MESSAGE_HEADER_SIZE);
  #headerPos = 0;
  #hdr: MessageHeader | undefined;
  #payload = new Uint8Array(0);
  #payloadPos = 0;
  #failed: FramingError | undefined;

  /**
   * @param magic the network's 4-byte message start
   * @param maxLength largest payload accepted (default {@link MAX_PROTOCOL_MESSAGE_LENGTH}; never more)
   */
  constructor(magic: Uint8Array, maxLength: number = MAX_PROTOCOL_MESSAGE_LENGTH) {
    if (magic.length !== 4) throw new RangeError(`Cannot create decoder: magic is ${magic.length} bytes`);
    this.#magic = magic.slice();
    this.#maxLength = Math.min(maxLength, MAX_PROTOCOL_MESSAGE_LENGTH);
  }

  /** The fatal error that stopped decoding, if any (then every later push returns nothing). */
  get failed(): FramingError | undefined {
    return this.#failed;
  }

  /** Bytes held for the message in progress (header and payload received so far). */
  get buffered(): number {
    return this.#headerPos + this.#payloadPos;
  }

  /** Bytes allocated for the message in progress. */
  get allocated(): number {
    return MESSAGE_HEADER_SIZE + this.#payload.length;
  }

  /** Feeds a chunk; returns the messages and errors completed by it, in order. Never throws. */
  push(chunk: Uint8Array): DecoderEvent[] {
    const events: DecoderEvent[] = [];
    let pos = 0;
    while (pos < chunk.length && this.#failed === undefined) {
      if (this.#hdr === undefined) {
        const n = Math.min(MESSAGE_HEADER_SIZE - this.#headerPos, chunk.length - pos);
        this.#header.set(chunk.subarray(pos, pos + n), this.#headerPos);
        this.#headerPos += n;
        pos += n;
        if (this.#headerPos < MESSAGE_HEADER_SIZE) break;
        const error = this.#readHeader();
        if (error) {
          this.#failed = error;
          events.push({ kind: "error", error });
          break;
        }
      } else {
        const hdr = this.#hdr;
        const n = Math.min(hdr.length - this.#payloadPos, chunk.length - pos);
        if (this.#payloadPos + n > this.#payload.length) {
          const size = Math.min(hdr.length, this.#payloadPos + n + ALLOCATE_AHEAD);
          const next = new Uint8Array(size);
          next.set(this.#payload.subarray(0, this.#payloadPos));
          this.#payload = next;
        }
        this.#payload.set(chunk.subarray(pos, pos + n), this.#payloadPos);
        this.#payloadPos += n;
        pos += n;
      }
      if (this.#hdr !== undefined && this.#payloadPos === this.#hdr.length) events.push(this.#complete());
    }
    return events;
  }

  #readHeader(): FramingError | undefined {
    const hdr = decodeMessageHeader(this.#header);
    if (!hdr.magic.every((b, i) => b === this.#magic[i])) {
      return new FramingError(
        "bad-magic",
        `Header error: Wrong MessageStart ${toHex(hdr.magic)} received`,
        sanitize(hdr.command),
        hdr.length,
      );
    }
    if (hdr.length > this.#maxLength) {
      return new FramingError(
        "oversized",
        `Header error: Size too large (${sanitize(hdr.command)}, ${hdr.length} bytes)`,
        sanitize(hdr.command),
        hdr.length,
      );
    }
    this.#hdr = hdr;
    this.#payload = new Uint8Array(Math.min(hdr.length, ALLOCATE_AHEAD));
    this.#payloadPos = 0;
    return undefined;
  }

  #complete(): DecoderEvent {
    const hdr = this.#hdr!;
    const payload = this.#payload.length === hdr.length ? this.#payload : this.#payload.slice(0, hdr.length);
    this.#hdr = undefined;
    this.#headerPos = 0;
    this.#payload = new Uint8Array(0);
    this.#payloadPos = 0;
    const rawSize = MESSAGE_HEADER_SIZE + hdr.length;
    const sum = messageChecksum(payload);
    const command = sanitize(hdr.command);
    if (!sum.every((b, i) => b === hdr.checksum[i])) {
      return {
        kind: "error",
        error: new FramingError(
          "bad-checksum",
          `Header error: Wrong checksum (${command}, ${hdr.length} bytes), expected ${toHex(sum)} was ${
            toHex(hdr.checksum)
          }`,
          command,
          hdr.length,
        ),
      };
    }
    if (!hdr.commandValid) {
      return {
        kind: "error",
        error: new FramingError(
          "bad-command",
          `Header error: Invalid message type (${command}, ${hdr.length} bytes)`,
          command,
          hdr.length,
        ),
      };
    }
    return { kind: "message", command: hdr.command, payload, rawSize };
  }
}
