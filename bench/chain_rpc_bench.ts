/**
 * The chain over RPC, side by side with Bitcoin Core: the same client and the same blocks against `tsbtc node`
 * and against a `bitcoind` binary built outside this repository (`BITCOIND=/path/to/bitcoind`, or Core's build
 * under /tmp/corebuild when present), regtest, fresh data directories:
 * - `submitblock` of a block of 2,000 P2WPKH spends (2,000 inputs) and of 2,000 transactions with two P2WPKH
 *   inputs each (4,000 inputs): ms per block (the RPC round trip: hex decoding, checks, storage, ConnectBlock
 *   with every signature verified, no signature cache hits) and inputs/s;
 * - `getblock <hash> 2` of the 2,000-transaction block (median of 5, ms);
 * - RSS of the node process at idle after `generatetoaddress 1000` (MB, from /proc, after 3 s of idle).
 * The spends are built and signed with tsbtc's core/ code (tests/node/chain/block_builder.ts) on each node's own
 * chain: 104 blocks mined to a test key, four fan-out transactions of 2,000 outputs mined with generateblock; a
 * first block of 500 spends warms the node up (JIT, signature Workers, which tsbtc starts on that block), and
 * the measured blocks follow 2 s later.
 *
 * Usage: `deno run -A bench/chain_rpc_bench.ts [--json] [--no-bitcoind]`.
 *
 * @module
 */
import { encodeDestination } from "../core/address/destination.ts";
import { chainParams } from "../core/chain_params.ts";
import { fromHex, toHex } from "../core/hash/hashes.ts";
import { blockHash, decodeBlock, encodeBlock } from "../core/wire/block.ts";
import { encodeTransaction, txid } from "../core/wire/transaction.ts";
import type { BlockHeader, Transaction } from "../core/wire/types.ts";
import { hashToHex, hexToHash } from "../node/chain/block_index.ts";
import type { BlockIndexEntry } from "../node/chain/types.ts";
import { buildBlock, spendP2wpkh, testKey } from "../tests/node/chain/block_builder.ts";
import { freePort, tsbtcCommand } from "../tests/helpers.ts";

const params = chainParams("regtest");
const key = testKey(2);
const ADDRESS = encodeDestination(key.script, "regtest")!;
const AUTH = `Basic ${btoa("bench:bench")}`;
const CORE_BUILD = "/tmp/corebuild/libbitcoinkernel-sys/bitcoin/build/bin/bitcoind";

interface Target {
  readonly name: string;
  command(dataDir: string, port: number): { cmd: string; args: string[] };
}

/** Figures of one target. */
export interface ChainRpcRow {
  readonly target: string;
  readonly block2000Ms: number;
  readonly block2000InputsPerS: number;
  readonly block4000Ms: number;
  readonly block4000InputsPerS: number;
  readonly getblock2Ms: number;
  readonly idleRssMB: number;
}

async function rpc(port: number, method: string, params: unknown[] = []): Promise<unknown> {
  const res = await fetch(`http://127.0.0.1:${port}/`, {
    method: "POST",
    headers: { authorization: AUTH },
    body: JSON.stringify({ jsonrpc: "1.0", id: 1, method, params }),
  });
  const body = await res.json();
  if (body.error) throw new Error(`${method}: ${JSON.stringify(body.error)}`);
  return body.result;
}

async function start(
  t: Target,
  attempt = 1,
): Promise<{ port: number; child: Deno.ChildProcess; dir: string }> {
  const dir = await Deno.makeTempDir({ prefix: "tsbtc-chainrpc-" });
  const port = freePort();
  const { cmd, args } = t.command(dir, port);
  const child = new Deno.Command(cmd, { args, stdout: "null", stderr: "null", stdin: "null" }).spawn();
  let exited = false;
  child.status.then(() => exited = true);
  for (let i = 0;; i++) {
    try {
      await rpc(port, "getblockcount");
      return { port, child, dir };
    } catch {
      if (exited || i > 3000) {
        // Exited at start (e.g. its port was taken meanwhile): once more on another port.
        try {
          child.kill("SIGKILL");
        } catch { /* exited */ }
        await child.status;
        await Deno.remove(dir, { recursive: true }).catch(() => {});
        if (attempt < 3) return await start(t, attempt + 1);
        throw new Error(`${t.name} did not answer`);
      }
      await new Promise((r) => setTimeout(r, 10));
    }
  }
}

async function stop(n: { port: number; child: Deno.ChildProcess; dir: string }): Promise<void> {
  try {
    await rpc(n.port, "stop");
    await n.child.status;
  } finally {
    try {
      n.child.kill("SIGKILL");
    } catch { /* exited */ }
    await Deno.remove(n.dir, { recursive: true }).catch(() => {});
  }
}

async function tipEntry(port: number): Promise<BlockIndexEntry> {
  const hash = await rpc(port, "getbestblockhash") as string;
  const h = await rpc(port, "getblockheader", [hash]) as { height: number; mediantime: number; bits: string };
  return {
    hash: hexToHash(hash),
    hashHex: hash,
    height: h.height,
    medianTimePast: h.mediantime,
    header: { bits: parseInt(h.bits, 16) } as BlockHeader,
  } as BlockIndexEntry;
}

async function coinbaseAt(port: number, height: number): Promise<Transaction> {
  const hash = await rpc(port, "getblockhash", [height]);
  return decodeBlock(fromHex(await rpc(port, "getblock", [hash, 0]) as string)).txs[0];
}

function rssMB(pid: number): number {
  const status = Deno.readTextFileSync(`/proc/${pid}/status`);
  const m = status.match(/VmRSS:\s+(\d+) kB/);
  return m ? Math.round(Number(m[1]) / 1024) : NaN;
}

async function measure(t: Target): Promise<ChainRpcRow> {
  const n = await start(t);
  let row: Omit<ChainRpcRow, "idleRssMB">;
  try {
    await rpc(n.port, "generatetoaddress", [104, ADDRESS]);
    // Four fan-outs of 2,000 coins (standard-sized transactions), mined with generateblock.
    const coins: { outpoint: { txid: Uint8Array; vout: number }; value: bigint }[] = [];
    const fans: string[] = [];
    for (let h = 1; h <= 4; h++) {
      const cb = await coinbaseAt(n.port, h);
      const value = cb.outputs[0].value;
      const each = (value - 100_000n) / 2000n;
      const fan = spendP2wpkh(
        [{ outpoint: { txid: txid(cb), vout: 0 }, value, key }],
        Array.from({ length: 2000 }, () => ({ value: each, scriptPubKey: key.script })),
      );
      fans.push(toHex(encodeTransaction(fan)));
      for (let o = 0; o < 2000; o++) coins.push({ outpoint: { txid: txid(fan), vout: o }, value: each });
    }
    await rpc(n.port, "generateblock", [ADDRESS, fans]);
    const submitTimed = async (
      inputsPerTx: number,
      from: number,
      count = 2000,
    ): Promise<{ ms: number; hash: string }> => {
      const txs: Transaction[] = [];
      for (let i = 0; i < count; i++) {
        const ins = coins.slice(from + i * inputsPerTx, from + (i + 1) * inputsPerTx).map((c) => ({
          ...c,
          key,
        }));
        const total = ins.reduce((s, c) => s + c.value, 0n);
        txs.push(spendP2wpkh(ins, [{ value: total - 1000n, scriptPubKey: key.script }]));
      }
      const block = buildBlock({ prev: await tipEntry(n.port), params, txs, fees: BigInt(count) * 1000n });
      const hex = toHex(encodeBlock(block));
      const t0 = performance.now();
      const r = await rpc(n.port, "submitblock", [hex]);
      const ms = performance.now() - t0;
      if (r !== null) throw new Error(`${t.name} rejected the block: ${r}`);
      return { ms, hash: hashToHex(blockHash(block.header)) };
    };
    await submitTimed(1, 6000, 500);
    // tsbtc starts its script verification Workers when a block first has scripts (that one); inside the
    // sandbox they take about a second to come up: measure once they have.
    await new Promise((r) => setTimeout(r, 2000));
    const a = await submitTimed(1, 0);
    const getblock: number[] = [];
    for (let i = 0; i < 5; i++) {
      const t0 = performance.now();
      await rpc(n.port, "getblock", [a.hash, 2]);
      getblock.push(performance.now() - t0);
    }
    getblock.sort((x, y) => x - y);
    const b = await submitTimed(2, 2000);
    row = {
      target: t.name,
      block2000Ms: Math.round(a.ms),
      block2000InputsPerS: Math.round(2000 / (a.ms / 1000)),
      block4000Ms: Math.round(b.ms),
      block4000InputsPerS: Math.round(4000 / (b.ms / 1000)),
      getblock2Ms: Math.round(getblock[2] * 10) / 10,
    };
  } finally {
    await stop(n);
  }
  // Memory at idle after 1,000 blocks, on a fresh node.
  const m = await start(t);
  try {
    await rpc(m.port, "generatetoaddress", [1000, ADDRESS]);
    await new Promise((r) => setTimeout(r, 3000));
    return { ...row, idleRssMB: rssMB(m.child.pid) };
  } finally {
    await stop(m);
  }
}

/** The targets: tsbtc, and bitcoind when a binary is given or found. */
export function targets(withBitcoind: boolean): Target[] {
  const list: Target[] = [{
    name: "tsbtc node",
    command: (dir, port) =>
      tsbtcCommand([
        "node",
        "-regtest",
        `-datadir=${dir}`,
        `-rpcport=${port}`,
        "-rpcuser=bench",
        "-rpcpassword=bench",
        ...(Deno.env.get("TSBTC_ARGS")?.split(" ").filter((a) => a !== "") ?? []),
      ]),
  }];
  let bitcoind = Deno.env.get("BITCOIND");
  if (bitcoind === undefined) {
    try {
      Deno.statSync(CORE_BUILD);
      bitcoind = CORE_BUILD;
    } catch { /* not built here */ }
  }
  if (withBitcoind && bitcoind) {
    list.push({
      name: "bitcoind",
      command: (dir, port) => ({
        cmd: bitcoind!,
        args: [
          "-regtest",
          `-datadir=${dir}`,
          `-rpcport=${port}`,
          "-rpcuser=bench",
          "-rpcpassword=bench",
          "-disablewallet",
          "-listen=0",
          "-server",
          "-rpcthreads=16",
        ],
      }),
    });
  }
  return list;
}

if (import.meta.main) {
  const rows: ChainRpcRow[] = [];
  for (const t of targets(!Deno.args.includes("--no-bitcoind"))) rows.push(await measure(t));
  if (Deno.args.includes("--json")) console.log(JSON.stringify(rows, null, 2));
  else {
    console.log(
      "| target | submitblock 2,000 P2WPKH spends (ms, inputs/s) | submitblock 4,000 inputs (ms, inputs/s) | " +
        "getblock verbosity 2, 2,000-tx block (ms) | RSS at idle after 1,000 blocks (MB) |",
    );
    console.log("| --- | --- | --- | --- | --- |");
    for (const r of rows) {
      const f = (x: number) => x.toLocaleString("en-US");
      console.log(
        `| ${r.target} | ${r.block2000Ms} (${f(r.block2000InputsPerS)}/s) | ${r.block4000Ms} (${
          f(r.block4000InputsPerS)
        }/s) | ${r.getblock2Ms} | ${r.idleRssMB} |`,
      );
    }
  }
}
