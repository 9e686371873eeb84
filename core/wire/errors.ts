/**
 * The one error type of every decoder in `core/` (wire formats, hex): hostile or damaged input never produces
 * anything else.
 *
 * @module
 */

/**
 * Input bytes (or text) that do not decode. The message reads `Cannot decode <subject>: <reason>`; where Core
 * has a wording for the reason it is Core's (`non-canonical ReadCompactSize()`, `ReadCompactSize(): size too
 * large`, `Superfluous witness record`, `Unknown transaction optional data`).
 */
export class DecodeError extends Error {
  /** What was being decoded ("transaction", "block", "block header", "hex", …). */
  readonly subject: string;
  /** Why it failed, without the subject. */
  readonly reason: string;
  /** Byte (or character) offset in the input where the problem was detected. */
  readonly offset: number;

  /** @param subject what was being decoded; @param reason why it failed; @param offset where. */
  constructor(subject: string, reason: string, offset: number) {
    super(`Cannot decode ${subject}: ${reason}`);
    this.name = "DecodeError";
    this.subject = subject;
    this.reason = reason;
    this.offset = offset;
  }
}
