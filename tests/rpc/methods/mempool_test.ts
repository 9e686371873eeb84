import { invalid } from "../../../core/consensus/validation_state.ts";
import { reverseHex } from "../../../core/hash/hashes.ts";
import { transactionVsize, txid, wtxid } from "../../../core/wire/transaction.ts";
import type { Transaction } from "../../../core/wire/types.ts";
import type { MempoolAcceptResult, MempoolAcceptSuccess } from "../../../node/mempool/accept.ts";
import type { BroadcastResult } from "../../../node/mempool/mempool.ts";
import { dumpMempool } from "../../../node/mempool/persist.ts";
import { FeeRate } from "../../../node/policy/feerate.ts";
import { compareTxidHex, mempoolMethods, type MempoolMethodsOptions } from "../../../rpc/methods/mempool.ts";
import { RpcTable } from "../../../rpc/table.ts";
import { encodeHexTx } from "../../../rpc/tx_json.ts";
import { makeEntry, makeTx } from "../../node/mempool/entries.ts";
import { assert, assertEquals } from "../asserts.ts";
import { FakeChain } from "./fake_chain.ts";
import { FakeMempool } from "./fake_mempool.ts";

const NOW = 1_700_000_000;
const REFERENCE = JSON.parse(
  await Deno.readTextFile(
    new URL("../../../../shared/reference/core_regtest_rpc_session.json", import.meta.url),
  )
    .catch(() => Deno.readTextFile("/work/shared/reference/core_regtest_rpc_session.json")),
) as { call: [string, unknown[]]; result?: unknown; error?: unknown }[];

function reference(method: string): { result?: unknown; error?: unknown } {
  const found = REFERENCE.find((c) => c.call[0] === method);
  if (found === undefined) throw new Error(`no ${method} in the reference session`);
  return found;
}

type Reply = { result?: unknown; error?: { code: number; message: string } };

async function call(t: RpcTable, method: string, params: unknown = []): Promise<Reply> {
  const r = await t.execute(JSON.stringify({ jsonrpc: "2.0", method, params, id: 1 }));
  return JSON.parse(r.body);
}

async function error(
  t: RpcTable,
  method: string,
  params: unknown = [],
): Promise<{ code: number; message: string }> {
  const r = await call(t, method, params);
  assert(r.error, `${method} should fail, got ${JSON.stringify(r.result)}`);
  return r.error;
}

function setup(
  extra: Partial<MempoolMethodsOptions> = {},
): { t: RpcTable; m: FakeMempool; chain: FakeChain } {
  const m = new FakeMempool(NOW);
  const chain = new FakeChain();
  const t = new RpcTable();
  t.registerAll(
    mempoolMethods({ mempool: () => m, chain: () => chain, network: "regtest", now: () => NOW, ...extra }),
  );
  return { t, m, chain };
}

const id = (tx: Transaction) => reverseHex(txid(tx));
const wid = (tx: Transaction) => reverseHex(wtxid(tx));

/** A parent A (two outputs) with child B, and an unrelated C; B is prioritised by +500 sat. */
function populate(m: FakeMempool) {
  const a = makeTx({ spends: [{ seed: 1 }], outputs: [50_000n, 40_000n] });
  const b = makeTx({ spends: [{ tx: a, vout: 0 }, { tx: a, vout: 1 }], outputs: [88_000n] });
  const c = makeTx({ spends: [{ seed: 2 }], witness: false });
  m.pool.add(makeEntry(a, 1_000n, NOW - 100));
  m.pool.add(makeEntry(b, 1_000n, NOW - 50));
  m.pool.add(makeEntry(c, 3_000n, NOW - 10));
  m.pool.prioritise(id(b), 500n);
  m.pool.addUnbroadcast(id(c));
  return { a, b, c, ea: m.pool.get(id(a))!, eb: m.pool.get(id(b))!, ec: m.pool.get(id(c))! };
}

function ok(
  tx: Transaction,
  vsize: number,
  fee: bigint,
  includes: string[] = [wid(tx)],
): MempoolAcceptSuccess {
  return {
    valid: true,
    txid: id(tx),
    wtxid: wid(tx),
    vsize,
    baseFee: fee,
    effectiveFeeRate: FeeRate.fromFee(fee, vsize),
    effectiveIncludes: includes,
    replaced: [],
  };
}

function rejected(
  tx: Transaction,
  result: "TX_MISSING_INPUTS" | "TX_MEMPOOL_POLICY",
  reason: string,
  debug?: string,
) {
  return { valid: false as const, txid: id(tx), wtxid: wid(tx), state: invalid(result, reason, debug) };
}

Deno.test("getmempoolinfo: Core's fields in Core's order; values on an empty regtest pool as Core's", async () => {
  const { t, m } = setup();
  m.pool.loaded = true;
  const r = await call(t, "getmempoolinfo");
  assertEquals(r.result, reference("getmempoolinfo").result);
  assertEquals(Object.keys(r.result as object), Object.keys(reference("getmempoolinfo").result as object));
  const raw = await t.execute(
    JSON.stringify({ jsonrpc: "2.0", method: "getmempoolinfo", params: [], id: 1 }),
  );
  assert(raw.body.includes('"total_fee":0.00000000'));
  assert(raw.body.includes('"mempoolminfee":0.00000100'));
  assertEquals(m.calls, [{ kind: "ready" }, { kind: "ready" }]);

  const { ea, eb, ec } = populate(m);
  const info = (await call(t, "getmempoolinfo")).result as Record<string, unknown>;
  assertEquals(info.size, 3);
  assertEquals(info.bytes, ea.vsize + eb.vsize + ec.vsize);
  assertEquals(info.usage, m.pool.usage);
  assertEquals(info.total_fee, 0.00005); // base fees only
  assertEquals(info.unbroadcastcount, 1);
  m.pool.loaded = false;
  assertEquals(((await call(t, "getmempoolinfo")).result as Record<string, unknown>).loaded, false);
});

Deno.test("getrawmempool / getmempoolentry: entry fields as Core's (reference keys), relatives, sequence", async () => {
  const { t, m } = setup();
  const { a, b, c, ea, eb, ec } = populate(m);
  const list = (await call(t, "getrawmempool")).result as string[];
  assertEquals(new Set(list), new Set([id(a), id(b), id(c)]));
  assert(list.indexOf(id(a)) < list.indexOf(id(b)), "parent before child (mining order)");
  assertEquals((await call(t, "getrawmempool", [false, true])).result, {
    txids: list,
    mempool_sequence: m.pool.sequence,
  });
  const seqErr = await error(t, "getrawmempool", [true, true]);
  assertEquals(seqErr, { code: -8, message: "Verbose results cannot contain mempool sequence values." });
  assertEquals((await error(t, "getrawmempool", ["yes"])).code, -3);

  const verbose = (await call(t, "getrawmempool", [true])).result as Record<string, Record<string, unknown>>;
  assertEquals(Object.keys(verbose), list);
  const refEntry = reference("getmempoolentry").result as Record<string, unknown>;
  for (const e of Object.values(verbose)) {
    assertEquals(Object.keys(e), Object.keys(refEntry));
    assertEquals(Object.keys(e.fees as object), Object.keys(refEntry.fees as object));
  }
  const entryB = (await call(t, "getmempoolentry", [id(b)])).result as Record<string, unknown>;
  assertEquals(entryB, verbose[id(b)]);
  assertEquals(entryB.vsize, eb.vsize);
  assertEquals(entryB.weight, eb.weight);
  assertEquals(entryB.time, NOW - 50);
  assertEquals(entryB.height, 100);
  assertEquals(entryB.wtxid, wid(b));
  assertEquals(entryB.ancestorcount, 2);
  assertEquals(entryB.ancestorsize, ea.vsize + eb.vsize);
  assertEquals(entryB.descendantcount, 1);
  assertEquals(entryB.descendantsize, eb.vsize);
  assertEquals(entryB.depends, [id(a)]);
  assertEquals(entryB.spentby, []);
  assertEquals(entryB.unbroadcast, false);
  assertEquals(entryB.fees, {
    base: 0.00001,
    modified: 0.000015,
    ancestor: 0.000025,
    descendant: 0.000015,
    chunk: 0.000025,
  });
  assertEquals(entryB.chunkweight, m.pool.chunkOf(eb).weight);
  const entryA = (await call(t, "getmempoolentry", [id(a)])).result as Record<string, unknown>;
  assertEquals(entryA.spentby, [id(b)]);
  assertEquals(entryA.depends, []);
  assertEquals(entryA.descendantcount, 2);
  assertEquals((entryA.fees as Record<string, unknown>).descendant, 0.000025);
  const entryC = (await call(t, "getmempoolentry", [id(c)])).result as Record<string, unknown>;
  assertEquals(entryC.unbroadcast, true);
  assertEquals(entryC.chunkweight, ec.adjustedWeight);
  // The exact text of amounts: 8 decimals.
  const raw = await t.execute(
    JSON.stringify({ jsonrpc: "2.0", method: "getmempoolentry", params: [id(b)], id: 1 }),
  );
  assert(raw.body.includes('"modified":0.00001500'), raw.body);

  assertEquals(await error(t, "getmempoolentry", ["00".repeat(32)]), {
    code: -5,
    message: "Transaction not in mempool",
  });
  assertEquals(await error(t, "getmempoolentry", ["abc"]), {
    code: -8,
    message: "txid must be of length 64 (not 3, for 'abc')",
  });
  assertEquals(await error(t, "getmempoolentry", ["zz".repeat(32)]), {
    code: -8,
    message: `txid must be hexadecimal string (not '${"zz".repeat(32)}')`,
  });
  // Upper-case hex is accepted.
  assertEquals((await call(t, "getmempoolentry", [id(c).toUpperCase()])).result, entryC);
});

Deno.test("getmempoolancestors / getmempooldescendants: sets by txid, verbose objects, Core's errors", async () => {
  const { t, m } = setup();
  const { a, b, c } = populate(m);
  // A grandchild D spending B: ancestors of D are {A, B} in Core's txid order.
  const d = makeTx({ spends: [{ tx: b, vout: 0 }], outputs: [80_000n] });
  m.pool.add(makeEntry(d, 8_000n, NOW));
  const ancestors = (await call(t, "getmempoolancestors", [id(d)])).result as string[];
  assertEquals(ancestors, [id(a), id(b)].sort(compareTxidHex));
  assertEquals((await call(t, "getmempooldescendants", [id(a)])).result, [id(b), id(d)].sort(compareTxidHex));
  assertEquals((await call(t, "getmempoolancestors", [id(c)])).result, []);
  assertEquals((await call(t, "getmempooldescendants", [id(c), true])).result, {});
  const verbose = (await call(t, "getmempoolancestors", [id(d), true])).result as Record<string, unknown>;
  assertEquals(Object.keys(verbose), [id(a), id(b)].sort(compareTxidHex));
  assertEquals(verbose[id(a)], (await call(t, "getmempoolentry", [id(a)])).result);
  for (const method of ["getmempoolancestors", "getmempooldescendants"]) {
    assertEquals(await error(t, method, ["11".repeat(32)]), {
      code: -5,
      message: "Transaction not in mempool",
    });
    assertEquals((await error(t, method, [])).code, -1);
  }
  assertEquals(compareTxidHex("01" + "00".repeat(31), "00".repeat(31) + "02") < 0, true);
});

Deno.test("getmempoolcluster: weight, count and chunks in mining order", async () => {
  const { t, m } = setup();
  const { a, b, ea, eb } = populate(m);
  const cluster = (await call(t, "getmempoolcluster", [id(b)])).result as Record<string, unknown>;
  assertEquals(Object.keys(cluster), ["clusterweight", "txcount", "chunks"]);
  assertEquals(cluster.clusterweight, ea.adjustedWeight + eb.adjustedWeight);
  assertEquals(cluster.txcount, 2);
  const chunks = cluster.chunks as { chunkfee: number; chunkweight: number; txs: string[] }[];
  assertEquals(chunks.flatMap((c) => c.txs), [id(a), id(b)]);
  // A pays 1,000 on its own, B 1,500 (with its delta): B's better feerate pulls A into one chunk.
  assertEquals(chunks.length, 1);
  assertEquals(chunks[0].chunkfee, 0.000025);
  assertEquals(chunks[0].chunkweight, ea.adjustedWeight + eb.adjustedWeight);
  assertEquals(await error(t, "getmempoolcluster", ["22".repeat(32)]), {
    code: -5,
    message: "Transaction not in mempool",
  });
  const diagram = (await call(t, "getmempoolfeeratediagram")).result as { weight: number; fee: number }[];
  assertEquals(diagram[0], { weight: 0, fee: 0 });
  assertEquals(diagram.length, 3);
  assertEquals(diagram.at(-1)!.fee, 0.000055);
});

Deno.test("testmempoolaccept: one transaction, Core's result fields, maxfeerate, reject reasons", async () => {
  const { t, m } = setup();
  const tx = makeTx({ spends: [{ seed: 9 }] });
  const hex = encodeHexTx(tx);
  m.onAccept = () => ok(tx, 110, 1_100n);
  assertEquals((await call(t, "testmempoolaccept", [[hex]])).result, [{
    txid: id(tx),
    wtxid: wid(tx),
    allowed: true,
    vsize: 110,
    fees: { base: 0.000011, "effective-feerate": 0.0001, "effective-includes": [wid(tx)] },
  }]);
  const accept = m.calls.find((c) => c.kind === "accept");
  assert(accept?.kind === "accept");
  assertEquals(accept.options, { testAccept: true });
  assertEquals(m.calls[0], { kind: "ready" });

  // Default maxfeerate 0.10 BTC/kvB: 110 vB may pay 1,100,000 sat; above that, "max-fee-exceeded" with no details.
  m.onAccept = () => ok(tx, 110, 1_100_001n);
  assertEquals((await call(t, "testmempoolaccept", [[hex]])).result, [{
    txid: id(tx),
    wtxid: wid(tx),
    allowed: false,
    "reject-reason": "max-fee-exceeded",
  }]);
  assertEquals(
    ((await call(t, "testmempoolaccept", [[hex], 0])).result as Record<string, unknown>[])[0].allowed,
    true,
  );
  assertEquals(
    ((await call(t, "testmempoolaccept", [[hex], 0.2])).result as Record<string, unknown>[])[0].allowed,
    true,
  );

  m.onAccept = () => rejected(tx, "TX_MISSING_INPUTS", "bad-txns-inputs-missingorspent");
  assertEquals((await call(t, "testmempoolaccept", [[hex]])).result, [{
    txid: id(tx),
    wtxid: wid(tx),
    allowed: false,
    "reject-reason": "missing-inputs",
  }]);
  m.onAccept = () => rejected(tx, "TX_MEMPOOL_POLICY", "min relay fee not met", "100 < 110");
  assertEquals((await call(t, "testmempoolaccept", [[hex]])).result, [{
    txid: id(tx),
    wtxid: wid(tx),
    allowed: false,
    "reject-reason": "min relay fee not met",
    "reject-details": "min relay fee not met, 100 < 110",
  }]);
  // The reference session's shape for a rejection without debug text.
  m.onAccept = () => rejected(tx, "TX_MEMPOOL_POLICY", "txn-already-in-mempool");
  const ref = (reference("testmempoolaccept").result as Record<string, unknown>[])[0];
  const got = ((await call(t, "testmempoolaccept", [[hex]])).result as Record<string, unknown>[])[0];
  assertEquals(Object.keys(got), Object.keys(ref));
  assertEquals(got["reject-details"], "txn-already-in-mempool");
});

Deno.test("testmempoolaccept: packages, package-error, unvalidated members, Core's parameter errors", async () => {
  const { t, m } = setup();
  const p = makeTx({ spends: [{ seed: 1 }] });
  const c = makeTx({ spends: [{ tx: p, vout: 0 }], outputs: [9_000n] });
  const hexes = [encodeHexTx(p), encodeHexTx(c)];
  m.onPackage = () => ({
    state: invalid("PCKG_POLICY", "package-not-sorted"),
    results: new Map(),
  });
  assertEquals((await call(t, "testmempoolaccept", [hexes])).result, [
    { txid: id(p), wtxid: wid(p), "package-error": "package-not-sorted" },
    { txid: id(c), wtxid: wid(c), "package-error": "package-not-sorted" },
  ]);
  const pkgCall = m.calls.find((x) => x.kind === "package");
  assert(pkgCall?.kind === "package");
  assertEquals(pkgCall.options, { testAccept: true });

  // A PCKG_TX failure shows no package-error; members after a max-fee failure are left unvalidated.
  m.onPackage = () => ({
    state: invalid("PCKG_TX", "transaction failed"),
    results: new Map<string, MempoolAcceptResult>([
      [wid(p), ok(p, 110, 2_000_000n)],
      [wid(c), ok(c, 110, 100n, [wid(p), wid(c)])],
    ]),
  });
  assertEquals((await call(t, "testmempoolaccept", [hexes])).result, [
    { txid: id(p), wtxid: wid(p), allowed: false, "reject-reason": "max-fee-exceeded" },
    { txid: id(c), wtxid: wid(c) },
  ]);
  m.onPackage = () => ({
    state: { valid: true },
    results: new Map<string, MempoolAcceptResult>([
      [wid(p), ok(p, 110, 100n)],
      [wid(c), ok(c, 100, 2_000n, [wid(p), wid(c)])],
    ]),
  });
  const both = (await call(t, "testmempoolaccept", [hexes])).result as Record<
    string,
    Record<string, unknown>
  >[];
  assertEquals(both[1].fees["effective-includes"], [wid(p), wid(c)]);
  assertEquals(both[1].fees["effective-feerate"], 0.0002);

  const size = "Array must contain between 1 and 25 transactions.";
  assertEquals(await error(t, "testmempoolaccept", [[]]), { code: -8, message: size });
  assertEquals(await error(t, "testmempoolaccept", [Array(26).fill(hexes[0])]), { code: -8, message: size });
  assertEquals(await error(t, "testmempoolaccept", [["00zz"]]), {
    code: -22,
    message: "TX decode failed: 00zz Make sure the tx has at least one input.",
  });
  assertEquals(await error(t, "testmempoolaccept", [[hexes[0]], 1]), {
    code: -8,
    message: "Fee rates larger than or equal to 1BTC/kvB are not accepted",
  });
  assertEquals(await error(t, "testmempoolaccept", [[hexes[0]], -1]), {
    code: -3,
    message: "Amount out of range",
  });
  assertEquals(await error(t, "testmempoolaccept", [[hexes[0]], "x"]), {
    code: -3,
    message: "Invalid amount",
  });
  assertEquals((await error(t, "testmempoolaccept", [hexes[0]])).code, -3);
  assertEquals((await error(t, "testmempoolaccept", [[5]])).code, -3);
});

Deno.test("sendrawtransaction: maxfeerate to a fee limit, burn check, TransactionError mapping as Core's", async () => {
  const { t, m } = setup();
  const tx = makeTx({ spends: [{ seed: 3 }] });
  const hex = encodeHexTx(tx);
  m.onBroadcast = () => ({ ok: true, txid: id(tx), wtxid: wid(tx) });
  assertEquals((await call(t, "sendrawtransaction", [hex])).result, id(tx));
  const b = m.calls.find((c) => c.kind === "broadcast");
  assert(b?.kind === "broadcast");
  // 0.10 BTC/kvB over the transaction's (sigop-free) vsize.
  assertEquals(b.maxTxFee, BigInt(Math.ceil(10_000_000 * transactionVsize(tx) / 1000)));
  m.calls.length = 0;
  await call(t, "sendrawtransaction", [hex, 0]);
  assertEquals((m.calls.find((c) => c.kind === "broadcast") as { maxTxFee: bigint }).maxTxFee, 0n);

  assertEquals(await error(t, "sendrawtransaction", ["00zz"]), reference("sendrawtransaction").error);
  assertEquals(await error(t, "sendrawtransaction", [hex, 1]), {
    code: -8,
    message: "Fee rates larger than or equal to 1BTC/kvB are not accepted",
  });

  const cases: [BroadcastResult, Reply["error"]][] = [
    [{ ok: false, error: "MISSING_INPUTS", message: "" }, { code: -25, message: "Inputs missing or spent" }],
    [
      { ok: false, error: "MISSING_INPUTS", message: "bad-txns-inputs-missingorspent" },
      { code: -25, message: "bad-txns-inputs-missingorspent" },
    ],
    [
      { ok: false, error: "ALREADY_IN_UTXO_SET", message: "" },
      { code: -27, message: "Transaction outputs already in utxo set" },
    ],
    [
      { ok: false, error: "MEMPOOL_REJECTED", message: "min relay fee not met, 0 < 110" },
      { code: -26, message: "min relay fee not met, 0 < 110" },
    ],
    [
      { ok: false, error: "MAX_FEE_EXCEEDED", message: "" },
      { code: -25, message: "Fee exceeds maximum configured by user (e.g. -maxtxfee, maxfeerate)" },
    ],
  ];
  for (const [result, expected] of cases) {
    m.onBroadcast = () => result;
    assertEquals(await error(t, "sendrawtransaction", [hex]), expected);
  }

  // An OP_RETURN output with value: refused unless maxburnamount covers it.
  const burn = makeTx({
    spends: [{ seed: 4 }],
    outputs: [5_000n],
    scriptPubKey: Uint8Array.of(0x6a, 0x01, 0x01),
  });
  const burnHex = encodeHexTx(burn);
  m.onBroadcast = () => ({ ok: true, txid: id(burn), wtxid: wid(burn) });
  assertEquals(await error(t, "sendrawtransaction", [burnHex]), {
    code: -25,
    message: "Unspendable output exceeds maximum configured by user (maxburnamount)",
  });
  assertEquals(await error(t, "sendrawtransaction", [burnHex, 0.1, 0.00004999]), {
    code: -25,
    message: "Unspendable output exceeds maximum configured by user (maxburnamount)",
  });
  assertEquals((await call(t, "sendrawtransaction", [burnHex, 0.1, 0.00005])).result, id(burn));
  // Named parameters.
  assertEquals(
    (await call(t, "sendrawtransaction", { hexstring: burnHex, maxburnamount: "0.00005" })).result,
    id(burn),
  );
});

Deno.test("submitpackage: Core's result (package_msg, tx-results, replaced-transactions) and checks", async () => {
  const { t, m } = setup();
  const p1 = makeTx({ spends: [{ seed: 1 }] });
  const p2 = makeTx({ spends: [{ seed: 2 }] });
  const child = makeTx({ spends: [{ tx: p1, vout: 0 }, { tx: p2, vout: 0 }], outputs: [15_000n] });
  const hexes = [p1, p2, child].map(encodeHexTx);
  const replacedTx = makeTx({ spends: [{ seed: 7 }] });
  const replacedEntry = makeEntry(replacedTx, 100n);
  m.onPackage = (txs) => {
    for (const tx of txs) m.pool.add(makeEntry(tx, 1_000n));
    return {
      state: { valid: true },
      results: new Map<string, MempoolAcceptResult>([
        [wid(p1), { ...ok(p1, 110, 1_000n), alreadyInMempool: true }],
        [wid(p2), { ...ok(p2, 110, 1_000n), alreadyInMempool: true, otherWtxid: "ee".repeat(32) }],
        [wid(child), { ...ok(child, 150, 3_000n, [wid(child)]), replaced: [replacedEntry] }],
      ]),
    };
  };
  m.onBroadcast = (tx) => ({ ok: true, txid: id(tx), wtxid: wid(tx) });
  const r = (await call(t, "submitpackage", [hexes])).result;
  assertEquals(r, {
    package_msg: "success",
    "tx-results": {
      [wid(p1)]: { txid: id(p1), vsize: 110, fees: { base: 0.00001 } },
      [wid(p2)]: { txid: id(p2), "other-wtxid": "ee".repeat(32) },
      [wid(child)]: {
        txid: id(child),
        vsize: 150,
        fees: { base: 0.00003, "effective-feerate": 0.0002, "effective-includes": [wid(child)] },
      },
    },
    "replaced-transactions": [id(replacedTx)],
  });
  const pkg = m.calls.find((c) => c.kind === "package");
  assert(pkg?.kind === "package");
  assertEquals(pkg.options.testAccept, false);
  assertEquals(pkg.options.maxFeeRate!.getFeePerK(), 10_000_000n);
  assertEquals(m.calls.filter((c) => c.kind === "broadcast").length, 3);
  assertEquals((m.calls.filter((c) => c.kind === "broadcast") as { maxTxFee: bigint }[])[0].maxTxFee, 0n);

  // A failed package: the state's text as package_msg, each member's error or "package-not-validated".
  const { t: t2, m: m2 } = setup();
  m2.onPackage = () => ({
    state: invalid("PCKG_TX", "transaction failed"),
    results: new Map<string, MempoolAcceptResult>([
      [wid(p1), rejected(p1, "TX_MEMPOOL_POLICY", "min relay fee not met", "0 < 110")],
    ]),
  });
  const failed = (await call(t2, "submitpackage", [hexes, 0])).result as Record<string, unknown>;
  assertEquals(failed, {
    package_msg: "transaction failed",
    "tx-results": {
      [wid(p1)]: { txid: id(p1), error: "min relay fee not met, 0 < 110" },
      [wid(p2)]: { txid: id(p2), error: "package-not-validated" },
      [wid(child)]: { txid: id(child), error: "package-not-validated" },
    },
    "replaced-transactions": [],
  });
  const pkg2 = m2.calls.find((c) => c.kind === "package");
  assert(pkg2?.kind === "package");
  assertEquals(pkg2.options.maxFeeRate, undefined); // maxfeerate 0: no check
  assertEquals(m2.calls.some((c) => c.kind === "broadcast"), false);

  m2.onPackage = () => ({ state: invalid("PCKG_MEMPOOL_ERROR", "internal"), results: new Map() });
  assertEquals(await error(t2, "submitpackage", [hexes]), { code: -25, message: "internal" });

  // Shape checks before any validation.
  assertEquals(await error(t, "submitpackage", [[hexes[2], hexes[0]]]), {
    code: -25,
    message: "package topology disallowed. not child-with-parents or parents depend on each other.",
  });
  assertEquals(await error(t, "submitpackage", [[]]), {
    code: -8,
    message: "Array must contain between 1 and 25 transactions.",
  });
  assertEquals(await error(t, "submitpackage", [["beef"]]), {
    code: -22,
    message: "TX decode failed: beef Make sure the tx has at least one input.",
  });
  const burn = makeTx({ spends: [{ seed: 4 }], outputs: [1n], scriptPubKey: Uint8Array.of(0x6a) });
  assertEquals(await error(t, "submitpackage", [[encodeHexTx(burn)]]), {
    code: -25,
    message: "Unspendable output exceeds maximum configured by user (maxburnamount)",
  });
  // A broadcast failure after acceptance names how many went out.
  const { t: t3, m: m3 } = setup();
  m3.onPackage = (txs) => {
    m3.pool.add(makeEntry(txs[0], 1_000n));
    return { state: { valid: true }, results: new Map([[wid(txs[0]), ok(txs[0], 110, 1_000n)]]) };
  };
  m3.onBroadcast = () => ({ ok: false, error: "MEMPOOL_REJECTED", message: "oops" });
  assertEquals(await error(t3, "submitpackage", [[hexes[0]]]), {
    code: -26,
    message: "transaction broadcast failed: oops (0 transactions were broadcast successfully)",
  });
});

Deno.test("prioritisetransaction / getprioritisedtransactions: deltas, dummy, dust, exact int64", async () => {
  const { t, m } = setup();
  const { b, eb } = populate(m);
  const absent = "cd".repeat(32);
  assertEquals((await call(t, "prioritisetransaction", [absent, 0, 1234])).result, true);
  assertEquals((await call(t, "prioritisetransaction", [id(b), null, 100])).result, true);
  // 2^53 + 1: kept exact (the request is sent as text; a JS number would round it).
  const big = await t.execute(
    `{"jsonrpc":"2.0","method":"prioritisetransaction","params":{"txid":"${absent}","fee_delta":9007199254740993},"id":1}`,
  );
  assertEquals(JSON.parse(big.body).result, true);
  assertEquals(eb.modifiedFee, 1_600n);
  const raw = await t.execute(
    JSON.stringify({ jsonrpc: "2.0", method: "getprioritisedtransactions", params: [], id: 1 }),
  );
  assert(raw.body.includes('"fee_delta":9007199254742227'), raw.body);
  const all = JSON.parse(raw.body).result as Record<string, Record<string, unknown>>;
  assertEquals(Object.keys(all), [absent, id(b)].sort(compareTxidHex));
  assertEquals(all[id(b)], { fee_delta: 600, in_mempool: true, modified_fee: 1600 });
  assertEquals(all[absent].in_mempool, false);
  assertEquals("modified_fee" in all[absent], false);

  assertEquals(await error(t, "prioritisetransaction", [absent, 1, 5]), {
    code: -8,
    message: "Priority is no longer supported, dummy argument to prioritisetransaction must be 0.",
  });
  assertEquals(
    (await error(t, "prioritisetransaction", [absent, 0, 1.5])).message,
    "JSON integer out of range",
  );
  assertEquals((await error(t, "prioritisetransaction", [absent])).code, -1);
  assertEquals((await error(t, "prioritisetransaction", ["xx", 0, 1])).code, -8);

  // A transaction with a dust output cannot be prioritised.
  const dusty = makeTx({ spends: [{ seed: 8 }], outputs: [100n] });
  m.pool.add(makeEntry(dusty, 0n));
  assertEquals(await error(t, "prioritisetransaction", [id(dusty), 0, 10]), {
    code: -8,
    message: "Priority is not supported for transactions with dust outputs.",
  });
  assertEquals(m.pool.delta(id(dusty)), 0n);
});

Deno.test("savemempool: not loaded, dump failure and success with the file name", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/mempool.dat`;
    let fail = false;
    const { t, m } = setup({
      persist: { path, dump: () => fail ? Promise.resolve(false) : dumpMempool(m.pool, path) },
    });
    populate(m);
    assertEquals(await error(t, "savemempool"), { code: -1, message: "The mempool was not loaded yet" });
    m.pool.loaded = true;
    assertEquals((await call(t, "savemempool")).result, { filename: path });
    assert((await Deno.stat(path)).size > 0);
    fail = true;
    assertEquals(await error(t, "savemempool"), { code: -1, message: "Unable to dump mempool to disk" });
    const { t: bare, m: m2 } = setup();
    m2.pool.loaded = true;
    assertEquals(await error(bare, "savemempool"), { code: -1, message: "Unable to dump mempool to disk" });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("importmempool: loads a dump through acceptTransaction with Core's defaults and errors", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const source = new FakeMempool(NOW);
    const { a, b, c } = populate(source);
    const path = `${dir}/mempool.dat`;
    assert(await dumpMempool(source.pool, path, { skipFileCommit: true }));

    const { t, m, chain } = setup();
    m.onAccept = (tx, options) => {
      m.pool.add(makeEntry(tx, source.pool.get(id(tx))!.fee, options.acceptTime));
      return ok(tx, 110, 1_000n);
    };
    chain.ibd = true;
    assertEquals(await error(t, "importmempool", [path]), {
      code: -10,
      message: "Can only import the mempool after the block download and sync is done.",
    });
    chain.ibd = false;
    assertEquals((await call(t, "importmempool", [path])).result, {});
    assertEquals(m.pool.size, 3);
    // Defaults: current time, no deltas, no unbroadcast set.
    assertEquals([a, b, c].map((tx) => m.pool.get(id(tx))!.time), [NOW, NOW, NOW]);
    assertEquals(m.pool.delta(id(b)), 0n);
    assertEquals(m.pool.unbroadcast().size, 0);

    const { t: t2, m: m2 } = setup();
    m2.onAccept = (tx, options) => {
      m2.pool.add(makeEntry(tx, 1_000n, options.acceptTime));
      return ok(tx, 110, 1_000n);
    };
    const opts = { use_current_time: false, apply_fee_delta_priority: true, apply_unbroadcast_set: true };
    assertEquals((await call(t2, "importmempool", [path, opts])).result, {});
    assertEquals(m2.pool.get(id(a))!.time, NOW - 100);
    assertEquals(m2.pool.delta(id(b)), 500n);
    assertEquals([...m2.pool.unbroadcast()], [id(c)]);

    await Deno.writeFile(path, Uint8Array.of(1, 2, 3));
    assertEquals(await error(t, "importmempool", [path]), {
      code: -1,
      message: "Unable to import mempool file, see debug log for details.",
    });
    assertEquals((await error(t, "importmempool", [path, { use_current_time: 1 }])).code, -3);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("gettxspendingprevout: mempool spenders, options and Core's errors", async () => {
  const { t, m } = setup();
  const { a, b } = populate(m);
  const spent = { txid: id(a), vout: 1 };
  const unspent = { txid: id(b), vout: 0 };
  assertEquals((await call(t, "gettxspendingprevout", [[spent, unspent]])).result, [
    { txid: id(a), vout: 1, spendingtxid: id(b) },
    { txid: id(b), vout: 0 },
  ]);
  const withTx = (await call(t, "gettxspendingprevout", [[spent], { return_spending_tx: true }]))
    .result as Record<
      string,
      unknown
    >[];
  assertEquals(withTx[0].spendingtx, encodeHexTx(b));
  assertEquals(await error(t, "gettxspendingprevout", [[unspent], { mempool_only: false }]), {
    code: -1,
    message: "Mempool lacks a relevant spend, and txospenderindex is unavailable.",
  });
  assertEquals(await error(t, "gettxspendingprevout", [[]]), {
    code: -8,
    message: "Invalid parameter, outputs are missing",
  });
  assertEquals(await error(t, "gettxspendingprevout", [[{ txid: id(a), vout: -1 }]]), {
    code: -8,
    message: "Invalid parameter, vout cannot be negative",
  });
  assertEquals(await error(t, "gettxspendingprevout", [[{ txid: id(a) }]]), {
    code: -3,
    message: "Missing vout",
  });
  assertEquals(await error(t, "gettxspendingprevout", [[{ txid: id(a), vout: 0, x: 1 }]]), {
    code: -3,
    message: "Unexpected key x",
  });
});

Deno.test("mempool methods: help renders for each, categories as Core's", () => {
  const { t } = setup();
  const categories: Record<string, string> = {
    sendrawtransaction: "rawtransactions",
    testmempoolaccept: "rawtransactions",
    submitpackage: "rawtransactions",
    getmempoolinfo: "blockchain",
    getrawmempool: "blockchain",
    getmempoolancestors: "blockchain",
    getmempooldescendants: "blockchain",
    getmempoolcluster: "blockchain",
    getmempoolentry: "blockchain",
    gettxspendingprevout: "blockchain",
    savemempool: "blockchain",
    importmempool: "blockchain",
    getmempoolfeeratediagram: "hidden",
    prioritisetransaction: "mining",
    getprioritisedtransactions: "mining",
  };
  assertEquals(t.list(), Object.keys(categories).sort());
  for (const [name, category] of Object.entries(categories)) {
    assertEquals(t.get(name)!.category, category);
    const help = t.help(name);
    assert(help.startsWith(name), help);
  }
  assert(
    t.help("sendrawtransaction").startsWith('sendrawtransaction "hexstring" ( maxfeerate maxburnamount )'),
  );
  assert(t.help("sendrawtransaction").includes('default="0.10"'));
  assert(t.help("prioritisetransaction").startsWith('prioritisetransaction "txid" ( dummy ) fee_delta'));
});
