/**
 * What a verification Worker does (the entry module is `worker.ts`; tests wrap this handler to inject faults):
 * on "init" it opens the shared heartbeat counters and the signature cache and answers "ready"; on each "job" it
 * works the job's queue ({@link JobView.work}) — decoding each transaction once from the shared buffer, with
 * one `PrecomputedTransactionData` per transaction — then answers "done".
 *
 * @module
 */

import { defaultSecp256k1 } from "../crypto/default_backend.ts";
import type { Secp256k1 } from "../crypto/secp256k1.ts";
import type { ScriptError } from "../script/script_error.ts";
import { PrecomputedTransactionData } from "../script/sighash.ts";
import { decodeTransaction } from "../wire/transaction.ts";
import type { Transaction, TxOut } from "../wire/types.ts";
import { verifyInputScript } from "./input_check.ts";
import { JobView } from "./job.ts";
import { cachingSecp256k1, SignatureCache, type SignatureCacheHandle } from "./signature_cache.ts";

/** Main thread -> Worker: set up (sent once, first). */
export interface InitMessage {
  readonly type: "init";
  /** This Worker's slot in the pool (its heartbeat counter). */
  readonly index: number;
  /** Int32 heartbeat counters, one per slot, incremented after every check. */
  readonly heartbeat: SharedArrayBuffer;
  /** The shared signature cache, if the pool has one. */
  readonly signatureCache?: SignatureCacheHandle;
}

/** Main thread -> Worker: verify a job. */
export interface JobMessage {
  readonly type: "job";
  /** Job id, echoed in the answer. */
  readonly id: number;
  /** The job ({@link encodeJob}). */
  readonly buffer: SharedArrayBuffer;
  /** Number of threads working the job (sizes the batches). */
  readonly threads: number;
}

/** Messages a Worker receives. */
export type ToWorker = InitMessage | JobMessage;

/** Messages a Worker sends: "ready" after init, "done" (with the number of checks it ran) after each job. */
export type FromWorker =
  | { readonly type: "ready" }
  | { readonly type: "done"; readonly id: number; readonly ran: number };

interface TxState {
  tx: Transaction;
  spent: TxOut[];
  precomputed: PrecomputedTransactionData;
}

/**
 * The Worker's message handler: pass each received message's `data`; `post` sends answers to the main thread.
 * Throws (crashing the Worker, which the pool detects) on a message out of protocol.
 */
export function createScriptCheckHandler(post: (message: FromWorker) => void): (data: ToWorker) => void {
  let heartbeat: Int32Array | null = null;
  let index = 0;
  let sigCache: SignatureCache | null = null;
  const base: Secp256k1 = defaultSecp256k1();

  function runJob(msg: JobMessage): number {
    const view = new JobView(msg.buffer);
    const secp = sigCache === null ? base : cachingSecp256k1(base, sigCache, view.store);
    const flags = view.flags;
    const states = new Map<number, TxState>();
    const hb = heartbeat!;
    const verify = (c: number): ScriptError | null => {
      const t = view.txOf(c);
      let s = states.get(t);
      if (s === undefined) {
        const tx = decodeTransaction(view.rawTx(t));
        const spent = view.spentOutputs(t, tx.inputs.length);
        s = { tx, spent, precomputed: new PrecomputedTransactionData(tx, spent) };
        states.set(t, s);
      }
      return verifyInputScript(s.tx, c - view.firstCheckOf(t), s.spent, flags, s.precomputed, secp);
    };
    return view.work(verify, msg.threads, () => Atomics.add(hb, index, 1));
  }

  return (data: ToWorker) => {
    if (data.type === "init") {
      heartbeat = new Int32Array(data.heartbeat);
      index = data.index;
      sigCache = data.signatureCache === undefined ? null : new SignatureCache(data.signatureCache);
      post({ type: "ready" });
    } else if (data.type === "job") {
      if (heartbeat === null) throw new Error("Cannot run script checks: job before init");
      post({ type: "done", id: data.id, ran: runJob(data) });
    } else {
      throw new Error(`Cannot handle message: unknown type ${(data as { type?: unknown }).type}`);
    }
  };
}
