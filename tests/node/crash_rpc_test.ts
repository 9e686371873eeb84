/**
 * End to end over RPC (issue 4's crash tests): a real `tsbtc node -regtest` is SIGKILLed during
 * `generatetoaddress 500` (while `gettxoutsetinfo` calls force flushes in between) and in the middle of a
 * multi-commit chainstate flush (found in debug.log with `-debug=coindb`), then restarted on the same data
 * directory. After each restart: the tip is at least the last height the node reported flushed, `verifychain 4 0`
 * passes, and `gettxoutsetinfo` (txouts, total_amount, hash_serialized_3) equals two recounts — one replaying
 * every block's transactions from `getblock` verbosity 2 in this test, one from a second node started with
 * `-reindex-chainstate` on a copy of the data directory. The node then keeps mining.
 */
import { assert, assertEquals } from "../assert.ts";
import { freePort, startNode, tsbtcCommand, waitFor } from "../helpers.ts";
import { encodeDestination } from "../../core/address/destination.ts";
import { toHex } from "../../core/hash/hashes.ts";
import { encodeTransaction } from "../../core/wire/transaction.ts";
import { hexToHash } from "../../node/chain/block_index.ts";
import { spendP2wpkh, testKey } from "./chain/block_builder.ts";

const key = testKey(2);
const ADDRESS = encodeDestination(key.script, "regtest")!;

/** A running node on a data directory (the first one from startNode, later ones restarted here). */
interface Running {
  readonly dataDir: string;
  readonly child: Deno.ChildProcess;
  readonly port: number;
  call(method: string, params?: unknown[]): Promise<unknown>;
  raw(method: string, params?: unknown[]): Promise<{ result: unknown; error: unknown }>;
  log(): Promise<string>;
}

function client(dataDir: string, port: number, child: Deno.ChildProcess): Running {
  const raw = async (method: string, params: unknown[] = []) => {
    const cookie = await Deno.readTextFile(`${dataDir}/regtest/.cookie`);
    const res = await fetch(`http://127.0.0.1:${port}/`, {
      method: "POST",
      headers: { authorization: `Basic ${btoa(cookie)}` },
      body: JSON.stringify({ jsonrpc: "1.0", id: 1, method, params }),
    });
    return await res.json() as { result: unknown; error: unknown };
  };
  return {
    dataDir,
    child,
    port,
    raw,
    async call(method, params = []) {
      const r = await raw(method, params);
      if (r.error) throw new Error(`${method}: ${JSON.stringify(r.error)}`);
      return r.result;
    },
    log: () => Deno.readTextFile(`${dataDir}/regtest/debug.log`),
  };
}

/**
 * Starts `tsbtc node` on an existing data directory; resolves once RPC answers. A start that exits (e.g. its
 * port was taken meanwhile by another test on the machine) is retried once on another port.
 */
async function restart(dataDir: string, extra: readonly string[] = [], retry = true): Promise<Running> {
  const port = freePort();
  // A killed node leaves its cookie behind: wait for the new one, not the stale one.
  await Deno.remove(`${dataDir}/regtest/.cookie`).catch(() => {});
  const { cmd, args } = tsbtcCommand([
    "node",
    "-regtest",
    `-datadir=${dataDir}`,
    `-rpcport=${port}`,
    "-rpcbind=127.0.0.1",
    ...extra,
  ]);
  const child = new Deno.Command(cmd, { args, stdin: "null", stdout: "null", stderr: "piped" }).spawn();
  const stderr = new Response(child.stderr).text();
  const node = client(dataDir, port, child);
  let exited = false;
  child.status.then(() => exited = true);
  try {
    await waitFor(
      async () => {
        if (exited) throw new Error(`node exited during start: ${await stderr}`);
        try {
          return typeof (await node.raw("getblockcount")).result === "number";
        } catch {
          return false;
        }
      },
      60_000,
      "the restarted node's RPC",
    );
  } catch (e) {
    if (!exited) child.kill("SIGKILL");
    await child.status;
    if (retry) return await restart(dataDir, extra, false);
    throw e;
  }
  return node;
}

async function stop(node: Running): Promise<void> {
  await node.call("stop");
  const s = await node.child.status;
  assertEquals(s.code, 0);
}

async function kill(node: Running): Promise<void> {
  node.child.kill("SIGKILL");
  const s = await node.child.status;
  assertEquals(s.signal, "SIGKILL");
}

interface TxOutSetInfo {
  height: number;
  bestblock: string;
  txouts: number;
  total_amount: number;
  hash_serialized_3: string;
}

const sats = (btc: number) => BigInt(Math.round(btc * 1e8));

/** Recounts the UTXO set by replaying every block's transactions as getblock verbosity 2 shows them. */
async function recount(node: Running): Promise<{ txouts: number; total: bigint }> {
  const height = await node.call("getblockcount") as number;
  const utxos = new Map<string, bigint>();
  for (let h = 1; h <= height; h++) {
    const hash = await node.call("getblockhash", [h]);
    const block = await node.call("getblock", [hash, 2]) as {
      tx: {
        txid: string;
        vin: { coinbase?: string; txid?: string; vout?: number }[];
        vout: { value: number; n: number; scriptPubKey: { hex: string } }[];
      }[];
    };
    for (const tx of block.tx) {
      for (const i of tx.vin) {
        if (i.coinbase !== undefined) continue;
        assert(utxos.delete(`${i.txid}:${i.vout}`), `block ${h} spends a missing coin ${i.txid}:${i.vout}`);
      }
      for (const o of tx.vout) {
        const script = o.scriptPubKey.hex;
        if (script.startsWith("6a") || script.length > 20_000) continue; // unspendable: never in the set
        utxos.set(`${tx.txid}:${o.n}`, sats(o.value));
      }
    }
  }
  let total = 0n;
  for (const v of utxos.values()) total += v;
  return { txouts: utxos.size, total };
}

/**
 * The checks after a restart: verifychain 4 0, gettxoutsetinfo against the getblock recount and against a node
 * that rebuilt its chainstate (-reindex-chainstate) on a copy of the data directory, then mining continues.
 */
async function checkConsistent(node: Running): Promise<TxOutSetInfo> {
  assertEquals(await node.call("verifychain", [4, 0]), true);
  const info = await node.call("gettxoutsetinfo") as TxOutSetInfo;
  assertEquals(info.bestblock, await node.call("getbestblockhash"));
  assertEquals(info.height, await node.call("getblockcount"));
  const counted = await recount(node);
  assertEquals(info.txouts, counted.txouts);
  assertEquals(sats(info.total_amount), counted.total);
  await stop(node);

  const copy = await Deno.makeTempDir({ prefix: "tsbtc-test-copy-" });
  try {
    await copyDir(node.dataDir, copy);
    const rebuilt = await restart(copy, ["-reindex-chainstate"]);
    try {
      const again = await rebuilt.call("gettxoutsetinfo") as TxOutSetInfo;
      assertEquals(
        { ...again, disk_size: 0, transactions: 0 },
        { ...info, disk_size: 0, transactions: 0 },
      );
    } finally {
      await stop(rebuilt);
    }
  } finally {
    await Deno.remove(copy, { recursive: true });
  }
  return info;
}

async function copyDir(from: string, to: string): Promise<void> {
  for await (const e of Deno.readDir(from)) {
    if (e.name === ".lock" || e.name === ".cookie") continue;
    if (e.isDirectory) {
      await Deno.mkdir(`${to}/${e.name}`, { recursive: true });
      await copyDir(`${from}/${e.name}`, `${to}/${e.name}`);
    } else if (e.isFile) {
      await Deno.copyFile(`${from}/${e.name}`, `${to}/${e.name}`);
    }
  }
}

/** Spends the 50 BTC coinbase of block `height` into `outputs` P2WPKH coins of {@link key}. */
async function fanOut(node: Running, height: number, outputs: number): Promise<string> {
  const hash = await node.call("getblockhash", [height]);
  const block = await node.call("getblock", [hash, 1]) as { tx: string[] };
  const value = 50_0000_0000n;
  const each = (value - 1_000_000n) / BigInt(outputs);
  const tx = spendP2wpkh(
    [{ outpoint: { txid: hexToHash(block.tx[0]), vout: 0 }, value, key }],
    Array.from({ length: outputs }, () => ({ value: each, scriptPubKey: key.script })),
  );
  return toHex(encodeTransaction(tx));
}

Deno.test({
  name: "node: kill -9 during generatetoaddress 500 (flushes in between), restart consistent",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async () => {
    const first = await startNode(["-dbcache=4"]);
    let node: Running = client(first.dataDir, first.rpcPort, first.child);
    try {
      await node.call("generatetoaddress", [101, ADDRESS]);
      let flushed = (await node.call("gettxoutsetinfo", ["none"]) as TxOutSetInfo).height;
      assertEquals(flushed, 101);
      let killedAt = 0;
      let start = 101;
      // Mining may finish before the chosen height on a fast machine: start another 500 then (at most 3 times).
      // Mining may finish before a kill lands on a fast machine: start another 500 then (at most 12 times).
      for (let attempt = 0; attempt < 12 && killedAt === 0; attempt++) {
        let finished = false;
        let flushedNow = 0;
        const mining = node.raw("generatetoaddress", [500, ADDRESS]).then(() => finished = true, () => {});
        // gettxoutsetinfo forces a flush between two blocks; what it reports is durable.
        const flushing = (async () => {
          while (!finished && killedAt === 0) {
            const info = await node.raw("gettxoutsetinfo", ["none"]).catch(() => null);
            if (info === null || info.result === null || killedAt !== 0) break;
            flushed = flushedNow = (info.result as TxOutSetInfo).height;
          }
        })();
        while (!finished) {
          const height = await node.call("getblockcount") as number;
          // Kill mid-batch once some flush after the first 101 blocks went through (in this batch when the
          // node answers gettxoutsetinfo between blocks, else in the one before).
          if (flushed > 101 && height > Math.max(start, flushedNow) && height < start + 500 && !finished) {
            killedAt = height;
            await kill(node);
            break;
          }
        }
        await mining;
        await flushing;
        start += 500;
      }
      assert(killedAt > 0, "generatetoaddress 500 always finished before the kill");
      assert(flushed > 101, `flushed only up to ${flushed}`);
      node = await restart(first.dataDir);
      const tip = await node.call("getblockcount") as number;
      assert(
        tip >= flushed && tip <= killedAt + 1,
        `tip ${tip}, last flush at ${flushed}, killed at ${killedAt}`,
      );
      const info = await checkConsistent(node);
      console.log(
        `killed at height ${killedAt}, last flush ${flushed}, restarted at ${tip}, ${info.txouts} coins`,
      );
      // Still usable: mine on top, and the result is consistent again.
      node = await restart(first.dataDir);
      await node.call("generatetoaddress", [5, ADDRESS]);
      assertEquals(await node.call("getblockcount"), tip + 5);
      assertEquals(await node.call("verifychain", [4, 0]), true);
      await stop(node);
    } finally {
      await first.cleanup();
    }
  },
});

Deno.test({
  name: "node: kill -9 in the middle of a chainstate flush (-dbcache=4), restart replays to a consistent tip",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async () => {
    const first = await startNode(["-dbcache=4", "-debug=coindb"]);
    let node: Running = client(first.dataDir, first.rpcPort, first.child);
    try {
      await node.call("generatetoaddress", [110, ADDRESS]);
      await node.call("gettxoutsetinfo", ["none"]);
      let replays = 0;
      let spendHeight = 1;
      for (let attempt = 0; attempt < 4 && replays === 0; attempt++) {
        // Fan-out blocks of 2,500 new coins each: the 4 MiB cache (about 7,000 coins) goes over its "large"
        // threshold and the periodic flush after a block writes some 8,000 coins in several atomic commits.
        const logBefore = (await node.log()).length;
        let sawPartial = false;
        const watcher = (async () => {
          for (let i = 0; i < 3000 && !sawPartial; i++) {
            const text = (await node.log()).slice(logBefore);
            if (text.includes("Writing partial batch")) {
              sawPartial = true;
              node.child.kill("SIGKILL");
              return;
            }
            await new Promise((r) => setTimeout(r, 2));
          }
        })();
        try {
          for (let b = 0; b < 4 && !sawPartial; b++) {
            const hex = await fanOut(node, spendHeight++, 2500);
            await node.call("generateblock", [ADDRESS, [hex]]);
          }
        } catch {
          // killed while generateblock ran
        }
        await watcher;
        if (!sawPartial) continue;
        const s = await node.child.status;
        assertEquals(s.signal, "SIGKILL");
        node = await restart(first.dataDir, ["-debug=coindb"]);
        const log = await node.log();
        if (log.slice(log.lastIndexOf("tsbtc version")).includes("Replayed blocks up to")) replays++;
        assertEquals(await node.call("verifychain", [4, 0]), true);
      }
      assert(replays > 0, "no kill landed in the middle of a flush");
      const tip = await node.call("getblockcount") as number;
      const info = await checkConsistent(node);
      console.log(`mid-flush kill replayed to height ${tip}, ${info.txouts} coins`);
      node = await restart(first.dataDir);
      await node.call("generatetoaddress", [3, ADDRESS]);
      assertEquals(await node.call("getblockcount"), tip + 3);
      await stop(node);
    } finally {
      await first.cleanup();
    }
  },
});
