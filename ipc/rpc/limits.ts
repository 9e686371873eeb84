/**
 * Limits that protect an IPC connection from a hostile or broken peer. Exceeding a framing or message limit
 * closes the connection with a clear error (after sending `Abort` when possible); exceeding the in-flight
 * question limit rejects the local call instead.
 *
 * @module
 */

/** Per-connection limits. */
export interface IpcLimits {
  /** Largest message accepted, in bytes, frame header excluded (default 64 MiB, capnp's traversal limit). */
  maxMessageBytes: number;
  /** Most segments in one message (default 512, as capnp's `readMessage`). */
  maxSegments: number;
  /** Deepest pointer nesting followed when reading a message (default 64, as capnp's `nestingLimit`). */
  maxNestingDepth: number;
  /**
   * Reading budget per received message in words (default 8 Mi words = 64 MiB, capnp's
   * `traversalLimitInWords`): protects against messages whose pointers make readers loop.
   */
  traversalLimitWords: number;
  /** Calls this side may have in flight (questions); more reject with an `overloaded` error (default 65536). */
  maxQuestions: number;
  /** Calls the peer may have in flight to this side (answers); more abort the connection (default 65536). */
  maxAnswers: number;
  /** Capabilities the peer may have imported from / exported to this side, each (default 65536). */
  maxCapabilities: number;
  /** Bytes queued for writing before calls are refused with an `overloaded` error (default 256 MiB). */
  maxQueuedWriteBytes: number;
}

/** The defaults of {@linkcode IpcLimits}. */
export const DEFAULT_IPC_LIMITS: Readonly<IpcLimits> = Object.freeze({
  maxMessageBytes: 64 * 1024 * 1024,
  maxSegments: 512,
  maxNestingDepth: 64,
  traversalLimitWords: 8 * 1024 * 1024,
  maxQuestions: 65536,
  maxAnswers: 65536,
  maxCapabilities: 65536,
  maxQueuedWriteBytes: 256 * 1024 * 1024,
});

/** `DEFAULT_IPC_LIMITS` with `partial` applied; throws on a non-positive or non-integer value. */
export function resolveLimits(partial: Partial<IpcLimits> = {}): IpcLimits {
  const out: IpcLimits = { ...DEFAULT_IPC_LIMITS };
  for (const [k, v] of Object.entries(partial) as [keyof IpcLimits, number | undefined][]) {
    if (v === undefined) continue;
    if (!(k in DEFAULT_IPC_LIMITS)) throw new RangeError(`Unknown IPC limit: ${k}`);
    if (!Number.isSafeInteger(v) || v <= 0) throw new RangeError(`Invalid IPC limit ${k}: ${v}`);
    out[k] = v;
  }
  return out;
}
