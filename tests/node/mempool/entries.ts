/**
 * Test helpers for mempool tests: small valid-looking transactions (P2WPKH-like outputs, optional witness) and
 * mempool entries built from them with `new MempoolEntry`, chained by spending outputs of earlier ones.
 *
 * @module
 */
import { txid } from "../../../core/wire/transaction.ts";
import type { Transaction } from "../../../core/wire/types.ts";
import { MempoolEntry } from "../../../node/mempool/entry.ts";
import { TxMempool } from "../../../node/mempool/txmempool.ts";
import { defaultPolicySettings } from "../../../node/policy/settings.ts";

/** A P2WPKH scriptPubKey with the given 20-byte fill. */
export function p2wpkh(fill: number): Uint8Array {
  const s = new Uint8Array(22);
  s[0] = 0x00;
  s[1] = 0x14;
  s.fill(fill, 2);
  return s;
}

/** What a test transaction spends and pays. */
export interface TestTxSpec {
  /** Outpoints spent: a parent transaction and output index, or a fake confirmed coin by seed. */
  spends: ({ tx: Transaction; vout: number } | { seed: number })[];
  /** Output values in satoshis (default one output of 10,000). */
  outputs?: bigint[];
  /** Give every input a witness item (default true). */
  witness?: boolean;
  /** Output script (default P2WPKH filled with 7). */
  scriptPubKey?: Uint8Array;
}

/** A transaction spending `spec.spends`. */
export function makeTx(spec: TestTxSpec): Transaction {
  const witness = spec.witness ?? true;
  return {
    version: 2,
    inputs: spec.spends.map((s) => {
      const prevTxid = "seed" in s ? new Uint8Array(32).fill(s.seed) : txid(s.tx);
      return {
        prevout: { txid: prevTxid, vout: "seed" in s ? 0 : s.vout },
        scriptSig: new Uint8Array(0),
        sequence: 0xfffffffd,
        witness: witness ? [new Uint8Array(72).fill(1), new Uint8Array(33).fill(2)] : [],
      };
    }),
    outputs: (spec.outputs ?? [10_000n]).map((value) => ({
      value,
      scriptPubKey: spec.scriptPubKey ?? p2wpkh(7),
    })),
    locktime: 0,
  };
}

/** A mempool entry for `tx` with `fee`, entered at `time` (seconds) at height 100. */
export function makeEntry(tx: Transaction, fee: bigint, time = 1_700_000_000, sequence = 0): MempoolEntry {
  return new MempoolEntry({
    tx,
    fee,
    time,
    height: 100,
    spendsCoinbase: false,
    sigOpCost: 4,
    bytesPerSigOp: 20,
    sequence,
  });
}

/** An empty regtest mempool with a fixed clock. */
export function makePool(now = 1_700_000_000): TxMempool {
  return new TxMempool({ settings: defaultPolicySettings("regtest"), now: () => now });
}
