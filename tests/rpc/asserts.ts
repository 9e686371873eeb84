/**
 * Assertions for the rpc tests (thin wrappers over `node:assert`).
 *
 * @module
 */
import { deepStrictEqual, ok } from "node:assert";

/** Deep equality. */
export function assertEquals(actual: unknown, expected: unknown, msg?: string): void {
  deepStrictEqual(actual, expected, msg);
}

/** Truthiness. */
export function assert(cond: unknown, msg = "assertion failed"): asserts cond {
  ok(cond, msg);
}

/** `fn` throws an Error whose message includes `includes`. */
export function assertThrows(fn: () => unknown, includes?: string): Error {
  try {
    fn();
  } catch (err) {
    if (!(err instanceof Error)) throw new Error(`threw a non-Error: ${String(err)}`);
    if (includes !== undefined && !err.message.includes(includes)) {
      throw new Error(`error message "${err.message}" does not include "${includes}"`);
    }
    return err;
  }
  throw new Error("expected an exception");
}

/** `p` rejects with an Error whose message includes `includes`. */
export async function assertRejects(p: Promise<unknown>, includes?: string): Promise<Error> {
  try {
    await p;
  } catch (err) {
    if (!(err instanceof Error)) throw new Error(`rejected with a non-Error: ${String(err)}`);
    if (includes !== undefined && !err.message.includes(includes)) {
      throw new Error(`error message "${err.message}" does not include "${includes}"`);
    }
    return err;
  }
  throw new Error("expected a rejection");
}
