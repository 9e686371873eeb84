/**
 * The one error type of descriptor parsing and evaluation.
 *
 * @module
 */

/**
 * A descriptor that cannot be parsed or evaluated, with Bitcoin Core's message (the text `getdescriptorinfo`,
 * `deriveaddresses` and `importdescriptors` show), e.g. "Missing checksum", "pkh(): Key path value 2147483648 is
 * out of range", "'foo(1)' is not a valid descriptor function". Like Core, a few malformed inputs (text left over
 * after a complete expression, e.g. `pk(K))`) have an empty message.
 */
export class DescriptorError extends Error {
  /** Creates the error with Core's message. */
  constructor(message: string) {
    super(message);
    this.name = "DescriptorError";
  }
}
