import { assertEquals } from "../assert.ts";
import type { Block } from "../../core/wire/types.ts";
import type { BlockIndexEntry, ChainEvents } from "../../node/chain/types.ts";
import type { MempoolEntry } from "../../node/mempool/entry.ts";
import type { MempoolListener } from "../../node/mempool/txmempool.ts";
import { ValidationSignals } from "../../node/validation_signals.ts";

function emitters() {
  const chain: ChainEvents[] = [];
  const pool: MempoolListener[] = [];
  return {
    chain: { subscribe: (e: ChainEvents) => (chain.push(e), () => chain.splice(chain.indexOf(e), 1)) },
    mempool: { subscribe: (l: MempoolListener) => (pool.push(l), () => pool.splice(pool.indexOf(l), 1)) },
    chainListeners: chain,
    poolListeners: pool,
  };
}

const block = { header: {}, txs: [] } as unknown as Block;
const entry = (height: number) => ({ height, hashHex: `h${height}` }) as unknown as BlockIndexEntry;
const tx = (id: string) => ({ txidHex: id }) as unknown as MempoolEntry;

Deno.test("validation signals: events arrive in order, after the raising code, one at a time", async () => {
  const e = emitters();
  const signals = new ValidationSignals({ chain: e.chain, mempool: e.mempool });
  const seen: string[] = [];
  signals.subscribe({
    blockConnected: async (_b, i) => {
      await new Promise((r) => setTimeout(r, 5));
      seen.push(`connected ${i.height}`);
    },
    transactionAddedToMempool: (t, seq) => void seen.push(`added ${t.txidHex} ${seq}`),
    transactionRemovedFromMempool: (t, reason) => void seen.push(`removed ${t.txidHex} ${reason}`),
    updatedBlockTip: (tip) => void seen.push(`tip ${tip.height}`),
  });
  e.poolListeners[0].added!(tx("a"), 1);
  e.chainListeners[0].blockConnected!(block, entry(5));
  e.poolListeners[0].removed!(tx("a"), "block", 2);
  e.poolListeners[0].removed!(tx("b"), "conflict", 3);
  e.chainListeners[0].updatedBlockTip!(entry(5), entry(4), false);
  assertEquals(seen, []);
  await signals.sync();
  assertEquals(seen, ["added a 1", "connected 5", "removed b conflict", "tip 5"]);
});

Deno.test("validation signals: a failing subscriber does not stop the others; close detaches", async () => {
  const e = emitters();
  const signals = new ValidationSignals({ chain: e.chain, mempool: e.mempool });
  const seen: number[] = [];
  signals.subscribe({
    blockConnected: () => {
      throw new Error("boom");
    },
  });
  const off = signals.subscribe({ blockConnected: (_b, i) => void seen.push(i.height) });
  e.chainListeners[0].blockConnected!(block, entry(1));
  await signals.sync();
  off();
  e.chainListeners[0].blockConnected!(block, entry(2));
  await signals.sync();
  assertEquals(seen, [1]);
  signals.close();
  assertEquals(e.chainListeners.length + e.poolListeners.length, 0);
});
