/**
 * Errors of the P2P message layer: framing errors of the byte stream (Core's `Header error: …` cases) and limit
 * violations in message payloads that Core punishes (misbehaviour or disconnection), as distinct from plainly
 * malformed payloads (a {@link DecodeError}, which Core only logs and drops).
 *
 * @module
 */

import { DecodeError } from "../core/wire/errors.ts";

/**
 * What went wrong in the framing of the byte stream:
 * - `bad-magic`: the message start is not the network's (fatal: the stream cannot be resynchronised);
 * - `oversized`: the header declares more than 4,000,000 payload bytes (fatal);
 * - `bad-checksum`: the payload does not match the header's checksum (that message is dropped);
 * - `bad-command`: the command field is not printable ASCII padded with NULs (that message is dropped).
 */
export type FramingErrorCode = "bad-magic" | "oversized" | "bad-checksum" | "bad-command";

/** A framing error found by the stream decoder. Messages follow Core's log wording (`Header error: …`). */
export class FramingError extends Error {
  /** Which check failed. */
  readonly code: FramingErrorCode;
  /** True when the stream is unusable afterwards (bad magic, oversized): the connection must be closed. */
  readonly fatal: boolean;
  /** The command as read from the header (sanitized), when known. */
  readonly command: string;
  /** The declared payload length. */
  readonly size: number;

  /** @param code which check failed; @param message the text; @param command and @param size from the header. */
  constructor(code: FramingErrorCode, message: string, command = "", size = 0) {
    super(message);
    this.name = "FramingError";
    this.code = code;
    this.fatal = code === "bad-magic" || code === "oversized";
    this.command = command;
    this.size = size;
  }
}

/** What Core does about a limit violation: `Misbehaving()` (discourage and disconnect) or just disconnect. */
export type LimitAction = "misbehaving" | "disconnect";

/**
 * A payload that decodes but breaks one of Core's protocol limits (`inv message size = 50001`, `getheaders
 * locator size 102 > 101`, `invalid sendcmpct announce field`): the reason is Core's log text, and `action` says
 * how Core treats the peer.
 */
export class MessageLimitError extends DecodeError {
  /** How the sender is treated. */
  readonly action: LimitAction;

  /** @param command the message type; @param reason Core's wording; @param action the treatment; @param offset where. */
  constructor(command: string, reason: string, action: LimitAction, offset = 0) {
    super(command, reason, offset);
    this.name = "MessageLimitError";
    this.action = action;
  }
}
