/**
 * Small promise helpers shared by the processes: waiting, and bounding a wait.
 *
 * @module
 */

/**
 * Resolves after `ms` milliseconds. With `unref`, the timer does not keep the process alive (for waits that only
 * bound something else, such as a child's shutdown).
 */
export function delay(ms: number, opts: { unref?: boolean } = {}): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    if (opts.unref) Deno.unrefTimer(t);
  });
}

/** `p`, or a rejection with `Error("timed out")` after `ms` milliseconds, whichever comes first. */
export function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error("timed out")), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}
