/**
 * Small assertion helpers for tests (the deno std library cannot be installed here).
 *
 * @module
 */
import { deepStrictEqual } from "node:assert";

/** Asserts deep equality (strict), with a readable diff on failure. */
export function assertEquals<T>(actual: unknown, expected: T, msg?: string): asserts actual is T {
  deepStrictEqual(actual, expected, msg);
}

/** Asserts that `cond` is truthy. */
export function assert(cond: unknown, msg = "assertion failed"): asserts cond {
  if (!cond) throw new Error(msg);
}

/** `e` as an Error, checked to have a message matching `includes` (when given). */
function matching(e: unknown, includes?: string | RegExp): Error {
  const err = e instanceof Error ? e : new Error(String(e));
  if (includes !== undefined) {
    const ok = typeof includes === "string" ? err.message.includes(includes) : includes.test(err.message);
    if (!ok) throw new Error(`expected error matching ${includes}, got: ${err.message}`);
  }
  return err;
}

/** Asserts that `fn` throws (or rejects) an error whose message includes `includes`; returns the error. */
export async function assertRejects(
  fn: () => unknown | Promise<unknown>,
  includes?: string | RegExp,
): Promise<Error> {
  try {
    await fn();
  } catch (e) {
    return matching(e, includes);
  }
  throw new Error("expected an error, none was thrown");
}

/** Synchronous variant of {@linkcode assertRejects}. */
export function assertThrows(fn: () => unknown, includes?: string | RegExp): Error {
  try {
    fn();
  } catch (e) {
    return matching(e, includes);
  }
  throw new Error("expected an error, none was thrown");
}
