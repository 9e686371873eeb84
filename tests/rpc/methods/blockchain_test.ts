import { fromHex, reverseHex } from "../../../core/hash/mod.ts";
import {
  blockHash,
  encodeBlock,
  transactionTotalSize,
  transactionWeight,
  txid,
} from "../../../core/wire/mod.ts";
import type { Block } from "../../../core/wire/types.ts";
import { blockchainMethods, type BlockchainMethodsOptions } from "../../../rpc/methods/blockchain.ts";
import { RpcTable } from "../../../rpc/table.ts";
import { assert, assertEquals } from "../asserts.ts";
import { fails, ok } from "./table_calls.ts";
import { FakeChain, outpoint, p2wpkh, spend } from "./fake_chain.ts";

interface Recorded {
  call: [string, unknown[]];
  result?: unknown;
  error?: { code: number; message: string };
}

const SESSION_NOW = 1_700_000_000;
const PRE_RELEASE_WARNING =
  "This is a pre-release test build - use at your own risk - do not use for mining or merchant applications";
/** The session's mining address bcrt1q6vmtq6g2rp66rmncvr7mevx4q8s7gy54r0q023. */
const SESSION_SCRIPT = fromHex("0014d336b0690a1875a1ee7860fdbcb0d501e1e41295");

let sessionCache: Recorded[] | undefined;
async function session(): Promise<Recorded[]> {
  const url = new URL("../../../../shared/reference/core_regtest_rpc_session.json", import.meta.url);
  sessionCache ??= JSON.parse(await Deno.readTextFile(url)) as Recorded[];
  return sessionCache;
}

async function recorded(method: string, params?: unknown[]): Promise<Recorded> {
  const r = (await session()).find((e) =>
    e.call[0] === method && (params === undefined || JSON.stringify(e.call[1]) === JSON.stringify(params))
  );
  if (r === undefined) throw new Error(`no recorded ${method} ${JSON.stringify(params)}`);
  return r;
}

function table(chain: FakeChain, extra: Partial<BlockchainMethodsOptions> = {}): RpcTable {
  const t = new RpcTable();
  t.registerAll(blockchainMethods({
    chain: () => chain,
    network: "regtest",
    now: () => SESSION_NOW,
    sizeOnDisk: () => 293,
    warnings: () => [PRE_RELEASE_WARNING],
    ...extra,
  }));
  return t;
}

/** Same keys in the same order and the same JSON types, recursively (arrays: element-wise, first element). */
function assertSameShape(actual: unknown, expected: unknown, path = "$"): void {
  const kind = (v: unknown) => Array.isArray(v) ? "array" : v === null ? "null" : typeof v;
  assertEquals(kind(actual), kind(expected), `type at ${path}`);
  if (Array.isArray(actual) && Array.isArray(expected)) {
    if (expected.length > 0 && actual.length > 0) assertSameShape(actual[0], expected[0], `${path}[0]`);
  } else if (kind(actual) === "object") {
    const a = actual as Record<string, unknown>;
    const e = expected as Record<string, unknown>;
    assertEquals(Object.keys(a), Object.keys(e), `keys at ${path}`);
    for (const k of Object.keys(e)) assertSameShape(a[k], e[k], `${path}.${k}`);
  }
}

/** Mines like the recorded session: `generatetoaddress` to its address under `-mocktime=1700000000`. */
async function sessionChain(blocks: number): Promise<FakeChain> {
  const chain = new FakeChain();
  for (let i = 0; i < blocks; i++) {
    const prev = chain.tip();
    await chain.mine({ payTo: SESSION_SCRIPT, time: Math.max(prev.medianTimePast + 1, SESSION_NOW) });
  }
  return chain;
}

Deno.test("session: getblockchaininfo, getblockcount, getbestblockhash, getblockhash, getdifficulty, getchaintips at genesis equal Core's", async () => {
  const chain = new FakeChain();
  chain.ibd = true;
  const t = table(chain);
  for (
    const [method, params] of [
      ["getblockchaininfo", []],
      ["getblockcount", []],
      ["getbestblockhash", []],
      ["getblockhash", [0]],
      ["getdifficulty", []],
      ["getchaintips", []],
    ] as [string, unknown[]][]
  ) {
    const rec = await recorded(method, params);
    const got = await ok(t, method, params);
    assertEquals(got, rec.result, method);
    assertSameShape(got, rec.result);
  }
  const rec = await recorded("getblockhash", [5]);
  await fails(t, "getblockhash", [5], rec.error!.code, rec.error!.message);
});

Deno.test("session: 101 blocks mined as Core mined them give the recorded hashes and getblock/getblockheader/getchaintxstats/gettxout results", async () => {
  const chain = await sessionChain(101);
  const t = table(chain);
  const mined = (await recorded("generatetoaddress", [101, "bcrt1q6vmtq6g2rp66rmncvr7mevx4q8s7gy54r0q023"]))
    .result as string[];
  for (let h = 1; h <= 101; h++) assertEquals(chain.atHeight(h)!.hashHex, mined[h - 1], `block ${h}`);
  const b1 = mined[0];
  for (const params of [[b1, 0], [b1, 1], [b1, 2], [b1, 3]]) {
    const rec = await recorded("getblock", params);
    const got = await ok(t, "getblock", params);
    assertEquals(got, rec.result, `getblock ${params[1]}`);
    assertSameShape(got, rec.result);
  }
  for (const params of [[b1], [b1, false]]) {
    const rec = await recorded("getblockheader", params);
    const got = await ok(t, "getblockheader", params);
    assertEquals(got, rec.result);
    assertSameShape(got, rec.result);
  }
  for (
    const [method, params] of [
      ["getchaintxstats", []],
      ["getblockstats", [101]],
      ["gettxout", ["4b9a0b1697723fc5555185c2815082e78ded6911ebc46aa7fe6339dea67b1934", 0]],
    ] as [string, unknown[]][]
  ) {
    const rec = await recorded(method, params);
    const got = await ok(t, method, params);
    assertEquals(got, rec.result, method);
    assertSameShape(got, rec.result);
  }
  assertEquals(await ok(t, "getblockcount"), 101);
  assertEquals(await ok(t, "getbestblockhash"), mined[100]);
  assertEquals(await ok(t, "getblockhash", [101]), mined[100]);
  // verbose=true (bool) is verbosity 1; named "verbose" alias
  assertEquals(await ok(t, "getblock", [b1, true]), (await recorded("getblock", [b1, 1])).result);
  const info = await ok<Record<string, unknown>>(t, "getblockchaininfo");
  assertSameShape(info, (await recorded("getblockchaininfo")).result);
  assertEquals(info.blocks, 101);
  assertEquals(info.headers, 101);
  assertEquals(info.mediantime, 1700000017);
});

Deno.test("getblock help equals Core's recorded help up to the examples", async () => {
  const text = table(new FakeChain()).help("getblock");
  const rec = (await recorded("help", ["getblock"])).result as string;
  const cut = (s: string) => s.slice(0, s.indexOf("Examples:"));
  assertEquals(cut(text), cut(rec));
});

Deno.test("getblock/getblockheader errors: bad hashes, unknown blocks, bad verbosity, missing data", async () => {
  const chain = new FakeChain();
  const t = table(chain);
  for (const e of (await session()).filter((r) => r.call[0] === "getblock" && r.error)) {
    await fails(t, "getblock", e.call[1], e.error!.code, e.error!.message);
  }
  const zero = "00".repeat(32);
  await fails(t, "getblockheader", [zero], -5, "Block not found");
  await fails(t, "getblockheader", ["zz"], -8, "hash must be of length 64 (not 2, for 'zz')");
  await fails(
    t,
    "getblock",
    ["x".repeat(64)],
    -8,
    `blockhash must be hexadecimal string (not '${"x".repeat(64)}')`,
  );
  await fails(
    t,
    "getblock",
    [chain.tip().hashHex, "a"],
    -3,
    "JSON value of type string is not of expected type number",
  );
  // a header-only entry
  const block = await chain.mine({ noSubmit: true });
  await chain.processNewBlockHeaders([block.header]);
  const hash = reverseHex(blockHash(block.header));
  await fails(t, "getblock", [hash], -1, "Block not available (not fully downloaded)");
  await fails(table(chain, { pruned: true }), "getblock", [hash], -1, "Block not available (pruned data)");
  const header = await ok<Record<string, unknown>>(t, "getblockheader", [hash]);
  assertEquals(header.confirmations, -1);
  assertEquals(header.nTx, 0);
  assertEquals((await ok<{ status: string }[]>(t, "getchaintips")).map((x) => x.status), [
    "headers-only",
    "active",
  ]);
});

Deno.test("getblock verbosity 2 and 3 carry fees and prevouts from undo data; gettxout follows spends", async () => {
  const chain = new FakeChain();
  const t = table(chain);
  const first = await chain.mine({ payTo: p2wpkh(0x22) });
  for (let i = 0; i < 100; i++) await chain.mine();
  const tx = spend([outpoint(first.txs[0], 0)], [{ value: 4_999_990_000n, scriptPubKey: p2wpkh(0x33) }]);
  const b = await chain.mine({ txs: [tx], fees: 10_000n });
  const hash = chain.tip().hashHex;
  assertEquals(chain.tip().nTx, 2);
  type TxJ = { fee?: number; vin: { prevout?: Record<string, unknown> }[] };
  const v2 = await ok<{ tx: TxJ[] }>(t, "getblock", [hash, 2]);
  assertEquals(v2.tx[0].fee, undefined);
  assertEquals(v2.tx[1].fee, 0.0001);
  assertEquals(v2.tx[1].vin[0].prevout, undefined);
  const v3 = await ok<{ tx: TxJ[] }>(t, "getblock", [hash, 3]);
  assertEquals(v3.tx[1].vin[0].prevout, {
    generated: true,
    height: 1,
    value: 50,
    scriptPubKey: {
      asm: "0 2222222222222222222222222222222222222222",
      desc: "addr(bcrt1qyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zs4w3j0)#lsyker9c",
      hex: "00142222222222222222222222222222222222222222",
      address: "bcrt1qyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zs4w3j0",
      type: "witness_v0_keyhash",
    },
  });
  assertEquals(await ok(t, "getblock", [hash, 0]), toHexBlock(b));
  const spentTxid = reverseHex(txid(first.txs[0]));
  assertEquals(await ok(t, "gettxout", [spentTxid, 0]), null);
  const out = await ok<Record<string, unknown>>(t, "gettxout", [reverseHex(txid(tx)), 0, false]);
  assertEquals(out.confirmations, 1);
  assertEquals(out.value, 49.9999);
  assertEquals(out.coinbase, false);
  await fails(t, "gettxout", [spentTxid, -1], -1, "JSON integer out of range");
  await fails(t, "gettxout", ["00", 0], -8, "txid must be of length 64 (not 2, for '00')");
  // the mempool view: spent in the mempool hides the coin; a mempool output has 0 confirmations
  const mem = table(chain, {
    mempool: () => ({
      isSpent: (op) => reverseHex(op.txid) === reverseHex(txid(tx)),
      getOutput: (op) => op.vout === 7 ? { value: 1000n, scriptPubKey: p2wpkh(0x44) } : null,
    }),
  });
  assertEquals(await ok(mem, "gettxout", [reverseHex(txid(tx)), 0]), null);
  assertEquals(
    (await ok<Record<string, unknown>>(mem, "gettxout", [reverseHex(txid(tx)), 0, false])).value,
    49.9999,
  );
  const m = await ok<Record<string, unknown>>(mem, "gettxout", ["11".repeat(32), 7]);
  assertEquals(m.confirmations, 0);
  assertEquals(m.value, 0.00001);
});

function toHexBlock(b: Block): string {
  return [...encodeBlock(b)].map((x) => x.toString(16).padStart(2, "0")).join("");
}

Deno.test("invalidateblock/reconsiderblock/preciousblock and getchaintips statuses", async () => {
  const chain = await sessionChain(3);
  const t = table(chain);
  const tip3 = chain.tip().hashHex;
  await fails(t, "invalidateblock", ["00".repeat(32)], -5, "Block not found");
  await fails(t, "reconsiderblock", ["00".repeat(32)], -5, "Block not found");
  await fails(t, "preciousblock", ["00".repeat(32)], -5, "Block not found");
  assertEquals(await ok(t, "invalidateblock", [tip3]), null);
  assertEquals(await ok(t, "getblockcount"), 2);
  const tips = await ok<Record<string, unknown>[]>(t, "getchaintips");
  assertEquals(tips, [
    { height: 3, hash: tip3, branchlen: 1, status: "invalid" },
    { height: 2, hash: chain.tip().hashHex, branchlen: 0, status: "active" },
  ]);
  assertSameShape(tips, (await recorded("getchaintips")).result);
  assertEquals(await ok(t, "reconsiderblock", [tip3]), null);
  assertEquals(await ok(t, "getbestblockhash"), tip3);
  // a competing branch of equal work: valid-headers until connected, valid-fork after a reorg back
  const fork = await chain.mine({ prev: chain.atHeight(2)!, extra: 1 });
  const forkHash = reverseHex(blockHash(fork.header));
  let statuses = await ok<Record<string, unknown>[]>(t, "getchaintips");
  assertEquals(
    statuses.map((x) => [x.hash, x.status]),
    sortTips([[tip3, "active"], [forkHash, "valid-headers"]]),
  );
  assertEquals(await ok(t, "preciousblock", [forkHash]), null);
  assertEquals(await ok(t, "getbestblockhash"), forkHash);
  statuses = await ok<Record<string, unknown>[]>(t, "getchaintips");
  assertEquals(
    statuses.map((x) => [x.hash, x.status]),
    sortTips([[forkHash, "active"], [tip3, "valid-fork"]]),
  );
  // confirmations of a block off the active chain
  assertEquals((await ok<Record<string, unknown>>(t, "getblockheader", [tip3])).confirmations, -1);
  assertEquals((await ok<Record<string, unknown>>(t, "getblockheader", [tip3])).nextblockhash, undefined);
  // getchaintxstats on a block off the main chain
  await fails(t, "getchaintxstats", [1, tip3], -8, "Block is not in main chain");
});

function sortTips(tips: [string, string][]): [string, string][] {
  return tips.sort((a, b) => (a[0] < b[0] ? -1 : 1));
}

Deno.test("getchaintxstats: window sizes and Core's errors", async () => {
  const chain = await sessionChain(10);
  const t = table(chain);
  const tip = chain.tip().hashHex;
  await fails(
    t,
    "getchaintxstats",
    [10],
    -8,
    "Invalid block count: should be between 0 and the block's height - 1",
  );
  await fails(
    t,
    "getchaintxstats",
    [-1],
    -8,
    "Invalid block count: should be between 0 and the block's height - 1",
  );
  await fails(t, "getchaintxstats", [1, "00".repeat(32)], -5, "Block not found");
  const zero = await ok<Record<string, unknown>>(t, "getchaintxstats", [0]);
  assertEquals(Object.keys(zero), [
    "time",
    "txcount",
    "window_final_block_hash",
    "window_final_block_height",
    "window_block_count",
  ]);
  const five = await ok<Record<string, unknown>>(t, "getchaintxstats", [5, tip]);
  assertEquals(five.window_block_count, 5);
  assertEquals(five.window_tx_count, 5);
  assertEquals(five.txcount, 11);
});

Deno.test("waitfornewblock, waitforblock, waitforblockheight: wake on tip change, time out, unsubscribe", async () => {
  const chain = new FakeChain();
  const t = table(chain);
  const g = chain.tip().hashHex;
  assertEquals(await ok(t, "waitfornewblock", [10]), { hash: g, height: 0 });
  await fails(t, "waitfornewblock", [-1], -1, "Negative timeout");
  // an unknown current_tip returns the tip at once
  assertEquals(await ok(t, "waitfornewblock", [0, "00".repeat(32)]), { hash: g, height: 0 });
  const pending = ok(t, "waitfornewblock", [0]);
  const pendingHeight = ok(t, "waitforblockheight", [2, 5000]);
  await new Promise((r) => setTimeout(r, 5));
  await chain.mine();
  const h1 = chain.tip().hashHex;
  assertEquals(await pending, { hash: h1, height: 1 });
  const pendingBlock = ok(t, "waitforblock", [h1.replace(/^./, h1[0] === "0" ? "1" : "0"), 30]);
  assertEquals(await pendingBlock, { hash: h1, height: 1 }); // timed out: the current tip
  await chain.mine();
  assertEquals(await pendingHeight, { hash: chain.tip().hashHex, height: 2 });
  assertEquals(await ok(t, "waitforblock", [chain.tip().hashHex, 0]), {
    hash: chain.tip().hashHex,
    height: 2,
  });
  assertEquals(await ok(t, "waitforblockheight", [1]), { hash: chain.tip().hashHex, height: 2 });
  assertEquals(chain.subscriberCount, 0);
  // shutdown ends waits with the current tip
  const ac = new AbortController();
  const st = table(chain, { shutdownSignal: ac.signal });
  const w = ok(st, "waitfornewblock", []);
  ac.abort();
  assertEquals(await w, { hash: chain.tip().hashHex, height: 2 });
  assertEquals(await ok(t, "syncwithvalidationinterfacequeue"), null);
});

Deno.test("verifychain: levels 0-4 pass on a consistent chain and catch corrupt UTXO set and undo data", async () => {
  const chain = new FakeChain();
  const logs: string[] = [];
  const t = table(chain, { log: (m) => logs.push(m) });
  assertEquals(await ok(t, "verifychain"), true); // genesis only
  const first = await chain.mine();
  for (let i = 0; i < 100; i++) await chain.mine();
  const tx = spend([outpoint(first.txs[0], 0)], [
    { value: 1_000_000_000n, scriptPubKey: p2wpkh(0x33) },
    { value: 3_999_990_000n, scriptPubKey: p2wpkh(0x34) },
  ]);
  await chain.mine({ txs: [tx], fees: 10_000n });
  const tx2 = spend([outpoint(tx, 1)], [{ value: 3_999_980_000n, scriptPubKey: p2wpkh(0x35) }], false);
  await chain.mine({ txs: [tx2], fees: 10_000n });
  await chain.mine();
  for (const level of [0, 1, 2, 3, 4]) {
    assertEquals(await ok(t, "verifychain", [level, 0]), true, `level ${level}`);
  }
  assertEquals(await ok(t, "verifychain", [9, 3]), true);
  // a spent output reappears in the UTXO set: undo data (2) is fine, disconnection (3) finds it unspent
  chain.setCoin(outpoint(tx, 1), { output: tx.outputs[1], height: 102, coinbase: false });
  assertEquals(await ok(t, "verifychain", [2, 0]), true);
  assertEquals(await ok(t, "verifychain", [3, 0]), false);
  assert(logs[logs.length - 1].includes("still unspent"), logs[logs.length - 1]);
  chain.setCoin(outpoint(tx, 1), null);
  // undo data claiming less than the spending transaction pays out: with the creating block out of the window
  // (nblocks 3: blocks 104-102) disconnection (3) cannot see it, reconnection (4) can
  const undo102 = (await chain.readUndo(chain.atHeight(102)!)).map((u) => [...u]);
  const cheap = { ...undo102[0][0], output: { ...undo102[0][0].output, value: 1n } };
  chain.setUndo(chain.atHeight(102)!, [[cheap]]);
  assertEquals(await ok(t, "verifychain", [3, 0]), false); // the whole chain: block 1's output differs
  assertEquals(await ok(t, "verifychain", [3, 3]), true);
  assertEquals(await ok(t, "verifychain", [4, 3]), false);
  assert(logs[logs.length - 1].includes("bad-txns-in-belowout"), logs[logs.length - 1]);
  chain.setUndo(chain.atHeight(102)!, undo102);
  assertEquals(await ok(t, "verifychain", [4, 0]), true);
  // an unspent output missing from the set: disconnection fails (level 3), not level 2
  chain.setCoin(outpoint(tx, 0), null);
  assertEquals(await ok(t, "verifychain", [2, 0]), true);
  assertEquals(await ok(t, "verifychain", [3, 0]), false);
  assert(logs[logs.length - 1].includes("inconsistent block at 102"), logs[logs.length - 1]);
  chain.setCoin(outpoint(tx, 0), { output: tx.outputs[0], height: 102, coinbase: false });
  assertEquals(await ok(t, "verifychain", [4, 0]), true);
  // undo data of the wrong shape fails level 2
  chain.setUndo(chain.atHeight(103)!, []);
  assertEquals(await ok(t, "verifychain", [1, 0]), true);
  assertEquals(await ok(t, "verifychain", [2, 0]), false);
  // nblocks limits the walk
  assertEquals(await ok(t, "verifychain", [4, 1]), true);
  await fails(
    t,
    "verifychain",
    ["x"],
    -3,
    'Wrong type passed:\n{\n    "Position 1 (checklevel)": "JSON value of type string is not of expected type number"\n}',
  );
});

Deno.test("getblockchaininfo: headers counts header-only entries; size_on_disk from netDataDir files", async () => {
  const chain = new FakeChain();
  await chain.mine();
  const block = await chain.mine({ noSubmit: true });
  await chain.processNewBlockHeaders([block.header]);
  const dir = await Deno.makeTempDir();
  try {
    await Deno.mkdir(`${dir}/blocks`);
    await Deno.writeFile(`${dir}/blocks/blk00000.dat`, new Uint8Array(300));
    await Deno.writeFile(`${dir}/blocks/rev00000.dat`, new Uint8Array(20));
    await Deno.writeFile(`${dir}/blocks/other.dat`, new Uint8Array(5));
    const t = new RpcTable();
    t.registerAll(blockchainMethods({ chain: () => chain, network: "regtest", netDataDir: dir }));
    const info = await ok<Record<string, unknown>>(t, "getblockchaininfo");
    assertEquals(info.blocks, 1);
    assertEquals(info.headers, 2);
    assertEquals(info.size_on_disk, 320);
    assertEquals(info.warnings, []);
    assertEquals(info.initialblockdownload, false);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("getblockstats: fees, feerates, sizes and UTXO deltas of a block with spends; selected stats; errors", async () => {
  const chain = new FakeChain();
  const t = table(chain);
  const a = await chain.mine();
  const b = await chain.mine();
  for (let i = 0; i < 100; i++) await chain.mine();
  const tx1 = spend([outpoint(a.txs[0], 0)], [{ value: 4_999_000_000n, scriptPubKey: p2wpkh(0x33) }]);
  const tx2 = spend([outpoint(b.txs[0], 0)], [
    { value: 4_000_000_000n, scriptPubKey: p2wpkh(0x34) },
    { value: 999_990_000n, scriptPubKey: Uint8Array.of(0x6a, 1, 2) },
  ], false);
  await chain.mine({ txs: [tx1, tx2], fees: 1_010_000n });
  const s = await ok<Record<string, unknown>>(t, "getblockstats", [chain.tip().hashHex]);
  assertSameShape(s, (await recorded("getblockstats", [101])).result);
  const size1 = transactionTotalSize(tx1), size2 = transactionTotalSize(tx2);
  const w1 = transactionWeight(tx1), w2 = transactionWeight(tx2);
  const fr1 = Math.floor((1_000_000 * 4) / w1), fr2 = Math.floor((10_000 * 4) / w2);
  assertEquals(s.totalfee, 1_010_000);
  assertEquals(s.avgfee, 505_000);
  assertEquals(s.minfee, 10_000);
  assertEquals(s.maxfee, 1_000_000);
  assertEquals(s.medianfee, 505_000);
  assertEquals(s.minfeerate, Math.min(fr1, fr2));
  assertEquals(s.maxfeerate, Math.max(fr1, fr2));
  assertEquals(s.avgfeerate, Math.floor((1_010_000 * 4) / (w1 + w2)));
  assertEquals(s.total_size, size1 + size2);
  assertEquals(s.mediantxsize, Math.floor((size1 + size2) / 2));
  assertEquals(s.swtxs, 1);
  assertEquals(s.swtotal_size, size1);
  assertEquals(s.swtotal_weight, w1);
  assertEquals(s.ins, 2);
  assertEquals(s.outs, 2 + 1 + 2);
  assertEquals(s.total_out, 4_999_000_000 + 4_999_990_000);
  assertEquals(s.txs, 3);
  assertEquals(s.subsidy, 5_000_000_000);
  assertEquals(s.utxo_increase, 5 - 2);
  // outputs: coinbase 31+47, tx1 31, tx2 31+12 (each +40); spent: two 31-byte coinbase outputs (+40)
  assertEquals(s.utxo_size_inc, 78 + 31 + 31 + 12 + 5 * 40 - 2 * 71);
  assertEquals(s.utxo_increase_actual, 3 - 2);
  assertEquals(s.utxo_size_inc_actual, 71 + 71 + 71 - 2 * 71);
  // the heavier (cheaper per vbyte) transaction sets the low percentiles
  const pct = s.feerate_percentiles as number[];
  assertEquals(pct.length, 5);
  assertEquals(pct[4], Math.max(fr1, fr2));
  assertEquals(await ok(t, "getblockstats", [103, ["txs", "height", "avgfee"]]), {
    avgfee: 505_000,
    height: 103,
    txs: 3,
  });
  await fails(t, "getblockstats", [103, ["nope"]], -8, "Invalid selected statistic 'nope'");
  await fails(t, "getblockstats", [-1], -8, "Target block height -1 is negative");
  await fails(t, "getblockstats", [104], -8, "Target block height 104 after current tip 103");
  await fails(t, "getblockstats", ["00".repeat(32)], -5, "Block not found");
  await fails(t, "getblockstats", ["00"], -8, "hash_or_height must be of length 64 (not 2, for '00')");
  // genesis: no UTXO changes counted, no undo needed
  const g = await ok<Record<string, unknown>>(t, "getblockstats", [0]);
  assertEquals([g.utxo_increase_actual, g.utxo_size_inc_actual, g.txs], [0, 0, 1]);
});

Deno.test("help: every method renders; one-line summaries as Core's", () => {
  const t = table(new FakeChain());
  const summaries: Record<string, string> = {
    getblockchaininfo: "getblockchaininfo",
    getblockcount: "getblockcount",
    getbestblockhash: "getbestblockhash",
    getblockhash: "getblockhash height",
    getblock: 'getblock "blockhash" ( verbosity )',
    getblockheader: 'getblockheader "blockhash" ( verbose )',
    getblockstats: "getblockstats hash_or_height ( stats )",
    getchaintips: "getchaintips",
    getdifficulty: "getdifficulty",
    getchaintxstats: 'getchaintxstats ( nblocks "blockhash" )',
    gettxout: 'gettxout "txid" n ( include_mempool )',
    invalidateblock: 'invalidateblock "blockhash"',
    reconsiderblock: 'reconsiderblock "blockhash"',
    preciousblock: 'preciousblock "blockhash"',
    waitfornewblock: 'waitfornewblock ( timeout "current_tip" )',
    waitforblock: 'waitforblock "blockhash" ( timeout )',
    waitforblockheight: "waitforblockheight height ( timeout )",
    verifychain: "verifychain ( checklevel nblocks )",
    syncwithvalidationinterfacequeue: "syncwithvalidationinterfacequeue",
  };
  for (const [name, line] of Object.entries(summaries)) {
    const text = t.help(name);
    assertEquals(text.split("\n")[0], line, name);
    assert(text.includes("Examples:"), name);
  }
  const verify = t.help("verifychain");
  assert(
    verify.includes(
      "1. checklevel    (numeric, optional, default=3, range=0-4) How thorough the block verification is:\n" +
        "                 - level 0 reads the blocks from disk\n",
    ),
    verify,
  );
});
