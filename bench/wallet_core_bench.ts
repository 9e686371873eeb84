/**
 * The wallet core's costs, as a client sees them through `tsbtc node -regtest` and its wallet process (JSON-RPC
 * over HTTP to `/wallet/<name>`, Cap'n Proto between node and wallet):
 *
 * - `createwallet` (8 default descriptors, `-keypool` lookahead each; default 1000);
 * - `getnewaddress` latency (median of `--runs` calls);
 * - block connect → wallet: `generatetoaddress 1` to a wallet address, then `gettransaction` of the coinbase
 *   polled until it shows 1 confirmation (time from sending generatetoaddress);
 * - `rescanblockchain` over `--blocks` blocks (default 1,000) mined to the wallet;
 * - with `--utxos=N` (default 10,000): a wallet holding N UTXOs (sendmany of 1,000 outputs to its own new
 *   addresses, then a block, repeated), then loadwallet time, getnewaddress and the block connect latency again.
 *
 * With `--load-txs=N`: in process only (no node), a wallet database holding N transactions (each paying one
 * wallet script; written directly as records) is loaded (`Wallet.load`: records decoded, indexes built) and its
 * owned outputs iterated.
 *
 * Usage: `deno run -A --unstable-kv bench/wallet_core_bench.ts [--keypool=1000] [--blocks=1000] [--utxos=10000]
 * [--runs=20] [--load-txs=10000]`
 *
 * @module
 */
import { startNode, type TestNode } from "../tests/helpers.ts";
import { ok, walletCall, walletReady } from "../tests/wallet/wallet_rpc_helpers.ts";

const argValue = (name: string) => Deno.args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const KEYPOOL = Number(argValue("keypool") ?? 1000);
const BLOCKS = Number(argValue("blocks") ?? 1000);
const UTXOS = Number(argValue("utxos") ?? 10_000);
const RUNS = Number(argValue("runs") ?? 20);

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

async function timed<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const t = performance.now();
  const r = await fn();
  return [r, performance.now() - t];
}

/** generatetoaddress 1 to `address`, then gettransaction of its coinbase until it has 1 confirmation. */
async function connectLatency(node: TestNode, wallet: string, address: string): Promise<number> {
  const t = performance.now();
  const [hash] = await ok<string[]>(node, "generatetoaddress", [1, address]);
  const block = await ok<{ tx: string[] }>(node, "getblock", [hash, 1]);
  for (;;) {
    const r = await walletCall(node, "gettransaction", [block.tx[0]], wallet);
    if (r.error === null && (r.result as { confirmations: number }).confirmations === 1) break;
  }
  return performance.now() - t;
}

const LOAD_TXS = argValue("load-txs");
if (LOAD_TXS !== undefined) {
  await loadBench(Number(LOAD_TXS));
  Deno.exit(0);
}

/** Loads a wallet database holding `n` transactions, in process. */
async function loadBench(n: number): Promise<void> {
  const { chainFixture } = await import("../tests/node/interfaces/chain_fixture.ts");
  const { defaultWalletSettings, Wallet } = await import("../wallet/wallet.ts");
  const { encodeWalletTx, Keys } = await import("../wallet/db/records.ts");
  const { encodeTransaction, txid, wtxid } = await import("../core/wire/transaction.ts");
  const { decodeDestination, isDecodedDestination } = await import("../core/address/destination.ts");
  const { reverseHex } = await import("../core/hash/hashes.ts");
  const f = await chainFixture(1);
  const dir = await Deno.makeTempDir({ prefix: "tsbtc-wallet-bench-" });
  const env = {
    chain: f.chain,
    network: "regtest" as const,
    keypoolSize: KEYPOOL,
    addressType: "bech32" as const,
    settings: defaultWalletSettings(),
    now: () => 1_700_000_000,
  };
  try {
    const w = await Wallet.create(env, "w", dir);
    const d = decodeDestination(await w.getNewAddress("bech32", ""), "regtest");
    if (!isDecodedDestination(d)) throw new Error("bad address");
    const batch = w.db.batch();
    for (let i = 0; i < n; i++) {
      const tx = {
        version: 2,
        inputs: [{
          prevout: {
            txid: new Uint8Array(32).fill(i & 0xff).map((b, j) => j < 4 ? (i >> (8 * j)) & 0xff : b),
            vout: 0,
          },
          scriptSig: new Uint8Array(0),
          sequence: 0xfffffffd,
          witness: [new Uint8Array(72), new Uint8Array(33)],
        }],
        outputs: [{ value: 100_000n, scriptPubKey: d.scriptPubKey }, {
          value: 5_000n,
          scriptPubKey: new Uint8Array(22),
        }],
        locktime: 0,
      };
      const raw = encodeTransaction(tx);
      const id = reverseHex(txid(tx));
      const parts = encodeWalletTx({
        txid: id,
        wtxid: reverseHex(wtxid(tx)),
        tx,
        raw,
        state: { kind: "confirmed", blockHash: "00".repeat(32), blockHeight: 1, index: 1 },
        timeReceived: 1_700_000_000,
        timeSmart: 1_700_000_000,
        orderPos: i + 1,
        mapValue: {},
        orderForm: [],
        mempoolConflicts: new Set(),
      });
      parts.forEach((p, j) => batch.put(Keys.tx(id, j), p));
    }
    let t = performance.now();
    await batch.commit();
    const write = performance.now() - t;
    await w.keypoolReady();
    await w.close();
    t = performance.now();
    const again = await Wallet.load(env, "w", dir);
    const load = performance.now() - t;
    t = performance.now();
    let sum = 0n;
    for (const o of again.txos()) sum += o.txout.value;
    const iterate = performance.now() - t;
    console.log("| measure | time |\n| --- | --- |");
    console.log(`| write ${n} transaction records (batched atomics) | ${write.toFixed(0)} ms |`);
    console.log(`| Wallet.load with ${n} transactions | ${load.toFixed(0)} ms |`);
    console.log(
      `| iterate ${[...again.txos()].length} owned outputs (sum ${sum}) | ${iterate.toFixed(1)} ms |`,
    );
    await again.close();
  } finally {
    await f.close();
    await Deno.remove(dir, { recursive: true });
  }
}

const node = await startNode([`-keypool=${KEYPOOL}`, "-fallbackfee=0.0001"]);
const out: Array<[string, string]> = [];
try {
  await walletReady(node);
  const [, create] = await timed(() => ok(node, "createwallet", ["w"]));
  out.push([`createwallet (keypool ${KEYPOOL})`, `${create.toFixed(0)} ms`]);
  const early: number[] = [];
  for (let i = 0; i < 5; i++) early.push((await timed(() => ok(node, "getnewaddress", [], "w")))[1]);
  out.push(["getnewaddress while the lookahead is derived (median of 5)", `${median(early).toFixed(1)} ms`]);
  const [, ready] = await timed(() => ok(node, "getwalletinfo", [], "w"));
  out.push([
    `lookahead complete (getwalletinfo waits for it; after createwallet + 5 addresses)`,
    `${(create + early.reduce((a, b) => a + b, 0) + ready).toFixed(0)} ms`,
  ]);
  const addrTimes: number[] = [];
  let address = "";
  for (let i = 0; i < RUNS; i++) {
    const [a, ms] = await timed(() => ok<string>(node, "getnewaddress", [], "w"));
    address = a;
    addrTimes.push(ms);
  }
  out.push(["getnewaddress (median)", `${median(addrTimes).toFixed(2)} ms`]);

  const [, mine] = await timed(() => ok(node, "generatetoaddress", [BLOCKS, address]));
  out.push([`generatetoaddress ${BLOCKS} to the wallet`, `${mine.toFixed(0)} ms`]);
  const connects: number[] = [];
  for (let i = 0; i < Math.min(RUNS, 10); i++) connects.push(await connectLatency(node, "w", address));
  out.push(["block connect → gettransaction confirmed (median)", `${median(connects).toFixed(1)} ms`]);
  const [, rescan] = await timed(() => ok(node, "rescanblockchain", [], "w"));
  out.push([
    `rescanblockchain (${BLOCKS + connects.length + 1} blocks, all paying the wallet)`,
    `${rescan.toFixed(0)} ms`,
  ]);

  if (UTXOS > 0) {
    let made = 0;
    while (made < UTXOS) {
      const n = Math.min(1000, UTXOS - made);
      const amounts: Record<string, number> = {};
      for (let i = 0; i < n; i++) amounts[await ok<string>(node, "getnewaddress", [], "w")] = 0.001;
      await ok(node, "sendmany", ["", amounts], "w");
      await ok(node, "generatetoaddress", [1, address]);
      made += n;
    }
    const info = await ok<{ txcount: number }>(node, "getwalletinfo", [], "w");
    await ok(node, "unloadwallet", ["w"]);
    const [, load] = await timed(() => ok(node, "loadwallet", ["w"]));
    out.push([`loadwallet (${UTXOS} extra UTXOs, ${info.txcount} transactions)`, `${load.toFixed(0)} ms`]);
    const addr2: number[] = [];
    for (let i = 0; i < RUNS; i++) addr2.push((await timed(() => ok(node, "getnewaddress", [], "w")))[1]);
    out.push([`getnewaddress with ${UTXOS} UTXOs (median)`, `${median(addr2).toFixed(2)} ms`]);
    const c2: number[] = [];
    for (let i = 0; i < Math.min(RUNS, 10); i++) c2.push(await connectLatency(node, "w", address));
    out.push([`block connect → confirmed with ${UTXOS} UTXOs (median)`, `${median(c2).toFixed(1)} ms`]);
  }
} finally {
  await node.cleanup();
}
console.log("| measure | time |\n| --- | --- |");
for (const [k, v] of out) console.log(`| ${k} | ${v} |`);
