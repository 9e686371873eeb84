/**
 * The PSBT decoding error: Core's wording for every rejection (`DecodeRawPSBT`'s error strings).
 *
 * @module
 */

/**
 * A PSBT that does not decode. `reason` is Core's message (e.g. `Duplicate Key, input key "02…" already
 * provided`); `stream` tells whether Core raised it as a stream exception (`std::ios_base::failure`), whose text
 * libstdc++ suffixes with ": iostream error" ({@link PsbtDecodeError.coreMessage}); "invalid base64" and "extra
 * data after PSBT" are plain errors.
 */
export class PsbtDecodeError extends Error {
  /** Core's message without any suffix. */
  readonly reason: string;
  /** Whether Core throws it from the stream reader (so its `what()` carries ": iostream error"). */
  readonly stream: boolean;

  /**
   * A decoding error with Core's message `reason`; `stream` (default true) tells whether Core throws it as a
   * stream exception.
   */
  constructor(reason: string, stream = true) {
    super(`Cannot decode PSBT: ${reason}`);
    this.name = "PsbtDecodeError";
    this.reason = reason;
    this.stream = stream;
  }

  /** The text Core's `DecodeBase64PSBT` error carries (`TX decode failed <this>` in RPC errors). */
  get coreMessage(): string {
    return this.stream ? `${this.reason}: iostream error` : this.reason;
  }
}
