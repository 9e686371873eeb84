/**
 * The orphanage (Core master's TxOrphanage facts: announcers per orphan, per-peer DoS limits, worksets,
 * children from the same peer) and the 1p1c decisions (Core's Find1P1CPackage and the parent check of
 * MempoolRejectedTx).
 */
import { assert, assertEquals } from "../assert.ts";
import { reverseHex } from "../../core/hash/hashes.ts";
import { transactionWeight, txid as txidOf, wtxid as wtxidOf } from "../../core/wire/transaction.ts";
import type { Transaction } from "../../core/wire/types.ts";
import { getPackageHash } from "../../node/policy/packages.ts";
import {
  find1p1cPackage,
  orphanParentsAcceptable,
  type RejectFilters,
  TxOrphanage,
} from "../../net/txorphanage.ts";

let counter = 0;

/** A transaction spending `prevouts` (or a fresh fake parent), with `nOut` outputs and optional padding. */
function tx(prevouts: { txid: Uint8Array; vout: number }[] = [], opts: { pad?: number; nOut?: number } = {}) {
  const fresh = () => {
    const h = new Uint8Array(32);
    new DataView(h.buffer).setUint32(0, ++counter);
    h[31] = 0xee;
    return { txid: h, vout: 0 };
  };
  const ins = prevouts.length > 0 ? prevouts : [fresh()];
  const t: Transaction = {
    version: 2,
    inputs: ins.map((p) => ({
      prevout: p,
      scriptSig: new Uint8Array(opts.pad ?? 0),
      sequence: 0,
      witness: [],
    })),
    outputs: Array.from({ length: opts.nOut ?? 1 }, (_, i) => ({
      value: 1000n + BigInt(++counter) + BigInt(i),
      scriptPubKey: Uint8Array.of(0x51),
    })),
    locktime: 0,
  };
  return t;
}

const wid = (t: Transaction) => reverseHex(wtxidOf(t));
const id = (t: Transaction) => reverseHex(txidOf(t));

Deno.test("orphanage: announcers, erase for peer, erase for block, GetOrphanTransactions", () => {
  const o = new TxOrphanage();
  const a = tx();
  assert(o.addTx(a, 1), "brand new");
  assert(!o.addTx(a, 2), "only an announcer");
  assert(!o.addTx(a, 2), "the same announcement twice");
  assertEquals(o.announcementCount, 2);
  assertEquals(o.orphans()[0].from, [1, 2]);
  assert(o.haveTxFromPeer(wid(a), 2));
  assert(o.addAnnouncer(wid(a), 3));
  assert(!o.addAnnouncer(wid(tx()), 3), "unknown orphan");
  assertEquals(o.totalUsage, transactionWeight(a), "unique orphans counted once");
  o.eraseForPeer(1);
  o.eraseForPeer(2);
  assert(o.haveTx(wid(a)), "still announced by peer 3");
  o.eraseForPeer(3);
  assert(!o.haveTx(wid(a)));
  assertEquals([o.size, o.announcementCount, o.totalUsage, o.totalLatencyScore], [0, 0, 0, 0]);

  // A block spending what an orphan spends (included or conflicting) removes it.
  const b = tx();
  const c = tx();
  o.addTx(b, 1);
  o.addTx(c, 1);
  const conflict = { ...tx(), inputs: b.inputs };
  assertEquals(o.eraseForBlock([conflict]), 1);
  assert(!o.haveTx(wid(b)) && o.haveTx(wid(c)));

  // Too heavy: not kept.
  assert(!o.addTx(tx([], { pad: 100_001 }), 1));
});

Deno.test("orphanage: latency score counts announcements and every 10 inputs", () => {
  const o = new TxOrphanage();
  const many = tx(Array.from({ length: 25 }, () => tx().inputs[0].prevout));
  o.addTx(many, 1);
  assertEquals(o.totalLatencyScore, 3, "1 + 25/10");
  o.addTx(many, 2);
  assertEquals(o.totalLatencyScore, 4, "input score counted once, one per announcement");
});

Deno.test("orphanage: the DoSiest peer's oldest announcements go first, others keep their reservation", () => {
  // Latency limit 10: with two peers, 5 each.
  const o = new TxOrphanage({ maxGlobalLatencyScore: 10, reservedPeerUsage: 1_000_000 });
  const honest = tx();
  o.addTx(honest, 1);
  const spam = Array.from({ length: 12 }, () => tx());
  for (const t of spam) o.addTx(t, 2);
  assert(o.totalLatencyScore <= 10);
  assert(o.haveTx(wid(honest)), "the honest peer's orphan stays");
  assert(!o.haveTx(wid(spam[0])), "the spammer's oldest went");
  assert(o.haveTx(wid(spam[11])), "its newest stayed");
  assertEquals(o.announcementsFromPeer(2), 9);

  // Memory: reserved weight per peer; the heaviest peer is trimmed.
  const small = tx();
  const w = transactionWeight(tx([], { pad: 1000 }));
  const m = new TxOrphanage({ reservedPeerUsage: 3 * w });
  m.addTx(small, 1);
  const heavy = Array.from({ length: 8 }, () => tx([], { pad: 1000 }));
  for (const t of heavy) m.addTx(t, 2);
  assert(m.totalUsage <= 2 * 3 * w);
  assert(m.haveTx(wid(small)));
  assert(!m.haveTx(wid(heavy[0])) && m.haveTx(wid(heavy[7])));
});

Deno.test("orphanage: workset by announcer, once per orphan; children from the same peer newest first", () => {
  const o = new TxOrphanage({ randRange: () => 0 });
  const parent = tx([], { nOut: 2 });
  const c1 = tx([{ txid: txidOf(parent), vout: 0 }]);
  const c2 = tx([{ txid: txidOf(parent), vout: 1 }]);
  const other = tx();
  o.addTx(c1, 5);
  o.addTx(c2, 5);
  o.addTx(c2, 6);
  o.addTx(other, 5);
  assertEquals(o.getChildrenFromSamePeer(parent, 5).map(wid), [wid(c2), wid(c1)]);
  assertEquals(o.getChildrenFromSamePeer(parent, 6).map(wid), [wid(c2)]);
  assertEquals(o.getChildrenFromSamePeer(parent, 7), []);

  const work = o.addChildrenToWorkSet(parent);
  assertEquals(work.length, 2);
  assertEquals(o.addChildrenToWorkSet(parent).length, 0, "an orphan is queued once");
  assert(o.haveTxToReconsider(5));
  const first = o.getTxToReconsider(5)!;
  assertEquals(wid(first), wid(c1), "oldest first");
  assertEquals(wid(o.getTxToReconsider(5)!), wid(c2));
  assertEquals(o.getTxToReconsider(5), undefined);
  assert(!o.haveTxToReconsider(5));
});

Deno.test("1p1c: the newest child of the same peer, unless the pair or the child was rejected", () => {
  const o = new TxOrphanage();
  const parent = tx([], { nOut: 2 });
  const older = tx([{ txid: txidOf(parent), vout: 0 }]);
  const newer = tx([{ txid: txidOf(parent), vout: 1 }]);
  o.addTx(older, 1);
  o.addTx(newer, 1);
  const filters = { rejects: new Set<string>(), reconsiderable: new Set<string>(), inMempool: () => false };
  assertEquals(find1p1cPackage(o, parent, 1, filters)?.child, newer);
  assertEquals(find1p1cPackage(o, parent, 2, filters), undefined, "children of other peers are not used");

  // The package (parent, newer) failed before: the older child is tried.
  filters.reconsiderable.add(reverseHex(getPackageHash([parent, newer])));
  assertEquals(find1p1cPackage(o, parent, 1, filters)?.child, older);
  filters.rejects.add(id(older));
  assertEquals(find1p1cPackage(o, parent, 1, filters), undefined);
});

Deno.test("1p1c: an orphan is kept with at most one low-feerate parent outside the mempool", () => {
  const f: RejectFilters = {
    rejects: new Set(["aa"]),
    reconsiderable: new Set(["bb", "cc", "dd"]),
    inMempool: (t) => t === "dd",
  };
  assert(orphanParentsAcceptable(["ee", "bb"], f));
  assert(!orphanParentsAcceptable(["aa"], f), "a rejected parent");
  assert(!orphanParentsAcceptable(["bb", "cc"], f), "two low-feerate parents");
  assert(orphanParentsAcceptable(["bb", "dd"], f), "one of them is in the mempool");
});
