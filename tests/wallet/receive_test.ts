import { assert, assertEquals } from "../assert.ts";
import {
  cachedTxGetAmounts,
  cachedTxGetCredit,
  cachedTxGetDebit,
  cachedTxIsTrusted,
  getBalance,
  howSpent,
  ReceiveCache,
} from "../../wallet/receive.ts";
import { FakeWallet } from "./fake_wallet.ts";

const COIN = 100_000_000n;

/** A wallet with 101 blocks: a coinbase at height 1 (mature) and one at height 101 (immature). */
function minedWallet() {
  const w = new FakeWallet();
  w.height = 101;
  const s = w.newScript("");
  const mature = w.addTx([{ value: 50n * COIN, scriptPubKey: s }], { state: w.confirmedAt(1, 0) });
  const immature = w.addTx([{ value: 50n * COIN, scriptPubKey: s }], { state: w.confirmedAt(101, 0) });
  return { w, s, mature, immature };
}

Deno.test("getBalance: mature coinbase is trusted, young one immature (Core's 101-block rule)", () => {
  const { w } = minedWallet();
  const b = getBalance(w, { includeNonmempool: true });
  assertEquals(b, {
    trusted: 50n * COIN,
    untrustedPending: 0n,
    immature: 50n * COIN,
    used: 0n,
    nonmempool: 0n,
  });
});

Deno.test("getBalance: a payment from the wallet — change trusted in the mempool, spent input gone", () => {
  const { w, mature } = minedWallet();
  const change = w.newScript();
  const pay = w.addTx(
    [{ value: 10n * COIN, scriptPubKey: w.foreignScript() }, {
      value: 40n * COIN - 1000n,
      scriptPubKey: change,
    }],
    { inputs: [w.outpoint(mature, 0)] },
  );
  assertEquals(cachedTxGetDebit(w, pay), 50n * COIN);
  assertEquals(cachedTxGetCredit(w, pay), 40n * COIN - 1000n);
  assert(cachedTxIsTrusted(w, pay));
  assertEquals(howSpent(w, w.outpoint(mature, 0)), "mempool");
  const b = getBalance(w);
  assertEquals(b.trusted, 40n * COIN - 1000n);
  assertEquals(b.immature, 50n * COIN);
  // minconf 1: the unconfirmed change is trusted but not deep enough.
  assertEquals(getBalance(w, { minDepth: 1 }).trusted, 0n);
  const amounts = cachedTxGetAmounts(w, pay, false);
  assertEquals(amounts.fee, 1000n);
  assertEquals(amounts.sent.map((e) => e.vout), [0]);
  // Change is left out of both lists unless asked for (Core skips it before sorting sent from received).
  assertEquals(amounts.received.map((e) => e.vout), []);
  const withChange = cachedTxGetAmounts(w, pay, true);
  assertEquals(withChange.sent.map((e) => e.vout), [0, 1]);
  assertEquals(withChange.received.map((e) => e.vout), [1]);
});

Deno.test("getBalance: a foreign unconfirmed payment is untrusted pending; -spendzeroconfchange=0 distrusts change", () => {
  const { w, mature } = minedWallet();
  const mine = w.newScript("");
  const foreignParent = { txid: new Uint8Array(32).fill(7), vout: 0 };
  w.addTx([{ value: 3n * COIN, scriptPubKey: mine }], { inputs: [foreignParent] });
  assertEquals(getBalance(w).untrustedPending, 3n * COIN);
  const pay = w.addTx([{ value: 49n * COIN, scriptPubKey: w.newScript() }], {
    inputs: [w.outpoint(mature, 0)],
  });
  assert(cachedTxIsTrusted(w, pay));
  w.spendZeroConfChange = false;
  assert(!cachedTxIsTrusted(w, pay, new ReceiveCache()));
  const b = getBalance(w);
  assertEquals(b.untrustedPending, 52n * COIN);
  assertEquals(b.trusted, 0n);
});

Deno.test("getBalance: a chain of own mempool transactions is trusted only while every parent is", () => {
  const { w, mature } = minedWallet();
  const a = w.addTx([{ value: 49n * COIN, scriptPubKey: w.newScript() }], {
    inputs: [w.outpoint(mature, 0)],
  });
  const b = w.addTx([{ value: 48n * COIN, scriptPubKey: w.newScript() }], { inputs: [w.outpoint(a, 0)] });
  assert(cachedTxIsTrusted(w, b));
  a.state = { kind: "inactive", abandoned: false }; // left the mempool
  assert(!cachedTxIsTrusted(w, b, new ReceiveCache()));
  // b's output is untrusted pending; a's input counts again (spent only outside the mempool) as nonmempool.
  const bal = getBalance(w, { includeNonmempool: true });
  assertEquals(bal.untrustedPending, 48n * COIN);
  assertEquals(bal.trusted, 50n * COIN);
  assertEquals(bal.nonmempool, -50n * COIN);
  assertEquals(getBalance(w).trusted, 0n);
});

Deno.test("getBalance: nonmempool is minus what transactions outside the mempool spend", () => {
  const { w, mature } = minedWallet();
  const pay = w.addTx([{ value: 49n * COIN, scriptPubKey: w.foreignScript() }], {
    inputs: [w.outpoint(mature, 0)],
    state: { kind: "inactive", abandoned: false },
  });
  assertEquals(howSpent(w, w.outpoint(mature, 0)), "nonmempool");
  assertEquals(getBalance(w).trusted, 0n);
  const b = getBalance(w, { includeNonmempool: true });
  assertEquals(b.trusted, 50n * COIN);
  assertEquals(b.nonmempool, -50n * COIN);
  pay.state = { kind: "inactive", abandoned: true };
  assertEquals(howSpent(w, w.outpoint(mature, 0)), "unspent");
  assertEquals(getBalance(w, { includeNonmempool: true }).nonmempool, 0n);
});

Deno.test("getBalance: avoid_reuse puts outputs to spent-from addresses in used", () => {
  const { w, s, mature } = minedWallet();
  w.flags.add("avoid_reuse");
  const foreignParent = { txid: new Uint8Array(32).fill(9), vout: 1 };
  // Spend from s, then receive to s again (confirmed).
  w.addTx([{ value: 49n * COIN, scriptPubKey: w.foreignScript() }], {
    inputs: [w.outpoint(mature, 0)],
    state: w.confirmedAt(101, 2),
  });
  w.addTx([{ value: 2n * COIN, scriptPubKey: s }], { inputs: [foreignParent], state: w.confirmedAt(101, 3) });
  // The immature coinbase to s is reused too: Core moves it from immature to used as well.
  const b = getBalance(w);
  assertEquals(b, { trusted: 0n, untrustedPending: 0n, immature: 0n, used: 52n * COIN, nonmempool: 0n });
  const all = getBalance(w, { avoidReuse: false });
  assertEquals([all.trusted, all.immature, all.used], [2n * COIN, 50n * COIN, 0n]);
});

Deno.test("blockConflicted transactions are neither trusted nor counted", () => {
  const { w } = minedWallet();
  const foreignParent = { txid: new Uint8Array(32).fill(3), vout: 0 };
  const t = w.addTx([{ value: COIN, scriptPubKey: w.newScript("") }], {
    inputs: [foreignParent],
    state: { kind: "blockConflicted", blockHash: "00", blockHeight: 100 },
  });
  assertEquals(w.depth(t), -2);
  assert(!cachedTxIsTrusted(w, t));
  assertEquals(getBalance(w).untrustedPending, 0n);
});

Deno.test("ReceiveCache.spendOf agrees with HowSpent and IsSpent for every spender state", () => {
  const states = [
    { kind: "confirmed", blockHash: "00", blockHeight: 50, index: 1 },
    { kind: "inMempool" },
    { kind: "inactive", abandoned: false },
    { kind: "inactive", abandoned: true },
    { kind: "blockConflicted", blockHash: "00", blockHeight: 60 },
  ] as const;
  const w = new FakeWallet();
  w.height = 200;
  // Each funding output gets one or two spenders, in every pair of states; one spender is mempool-conflicted.
  const parents = [];
  let n = 0;
  for (const a of states) {
    for (const b of [undefined, ...states]) {
      const parent = w.addTx([{ value: COIN, scriptPubKey: w.newScript("") }], {
        inputs: [{ txid: new Uint8Array(32).fill(200), vout: n++ }],
        state: w.confirmedAt(10),
      });
      const s1 = w.addTx([{ value: COIN - 1000n, scriptPubKey: w.foreignScript() }], {
        inputs: [w.outpoint(parent, 0)],
        state: { ...a },
      });
      if (n % 7 === 0 && a.kind === "inactive" && !a.abandoned) s1.mempoolConflicts.add("ab".repeat(32));
      if (b !== undefined) {
        w.addTx([{ value: COIN - 2000n, scriptPubKey: w.foreignScript(2) }], {
          inputs: [w.outpoint(parent, 0)],
          state: { ...b },
        });
      }
      parents.push(parent);
    }
  }
  const cache = new ReceiveCache();
  for (const p of parents) {
    const op = w.outpoint(p, 0);
    const got = cache.spendOf(w, p, 0);
    assertEquals(got.how, howSpent(w, op));
    assertEquals(got.spent, w.isSpent(op));
  }
});
