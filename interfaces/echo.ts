/**
 * The Echo interface (Core's `interfaces::Echo`): a trivial interface used to test IPC end to end.
 *
 * @module
 */

/** Echoes strings back. Called directly in-process or through an IPC proxy; the caller cannot tell which. */
export interface Echo {
  /** Returns `message` unchanged. */
  echo(message: string): Promise<string>;
  /** Releases the object (over IPC: `destroy`, then Release of the capability). */
  close(): Promise<void>;
}

/** The in-process implementation of {@linkcode Echo}. */
export function makeEcho(): Echo {
  return {
    echo: (message) => Promise.resolve(message),
    close: () => Promise.resolve(),
  };
}
