/**
 * Crash consistency of the storage layer: a child process (crash_child.ts) connects synthetic blocks and flushes
 * large coin sets; it is SIGKILLed at random moments, half of the time right after a chainstate commit in the
 * middle of a multi-commit flush. After every kill the storage is reopened and must be consistent: the
 * chainstate's best block (after replaying an interrupted flush) has exactly the reference UTXO set of that
 * height, nothing the child reported durable is lost, and every block and undo record the index points at reads
 * back with the right hash and checksum.
 */

import { assert, assertEquals } from "../../assert.ts";
import { toHex } from "../../../core/hash/hashes.ts";
import { coinEquals, outPointMapKey } from "../../../node/storage/coins.ts";
import { BLOCK_HAVE_DATA, BLOCK_HAVE_UNDO } from "../../../node/storage/block_index_db.ts";
import { NodeStorage } from "../../../node/storage/storage.ts";
import { loadIndex, referenceAt, replayBlocks } from "./crash_chain.ts";

const CHILD = new URL("./crash_child.ts", import.meta.url).pathname;
const ITERATIONS = 10;

interface RunResult {
  lines: string[];
}

/** Runs the child until `shouldKill` says so (checked on every line) or `maxMs` passes, then SIGKILLs it. */
async function runAndKill(
  dataDir: string,
  shouldKill: (line: string, sinceReadyMs: number) => boolean,
  maxMs: number,
): Promise<RunResult> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--unstable-kv", CHILD, dataDir, "5"],
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const lines: string[] = [];
  let killed = false;
  let readyAt = 0;
  const kill = () => {
    if (killed) return;
    killed = true;
    try {
      child.kill("SIGKILL");
    } catch {
      // already exited
    }
  };
  const timer = setTimeout(kill, maxMs);
  const stderr = new Response(child.stderr).text();
  const decoder = new TextDecoder();
  let buf = "";
  for await (const chunk of child.stdout) {
    buf += decoder.decode(chunk, { stream: true });
    let nl: number;
    while ((nl = buf.indexOf("\n")) >= 0) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      lines.push(line);
      if (line.startsWith("R ")) readyAt = performance.now();
      if (!killed && readyAt > 0 && shouldKill(line, performance.now() - readyAt)) kill();
    }
  }
  clearTimeout(timer);
  const status = await child.status;
  const err = await stderr;
  if (!killed || status.signal !== "SIGKILL") {
    throw new Error(`child ended on its own (code ${status.code}): ${err.slice(-2000)}`);
  }
  return { lines };
}

Deno.test({
  name: "storage survives SIGKILL at random moments, mid-block and mid-flush",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const dataDir = await Deno.makeTempDir({ prefix: "tsbtc_crash_" });
    let replays = 0;
    let midFlushKills = 0;
    let lastDurable = -1;
    const heights: number[] = [];
    try {
      for (let it = 0; it < ITERATIONS; it++) {
        const midFlush = it % 2 === 1;
        const delay = 100 + Math.floor(Math.random() * 1200);
        const { lines } = await runAndKill(
          dataDir,
          (line, ms) => midFlush ? /^C [1-9]\d* false$/.test(line) && ms > 200 : ms > delay,
          20_000,
        );
        if (midFlush) midFlushKills++;
        for (const l of lines) {
          if (l.startsWith("F ")) lastDurable = Math.max(lastDurable, Number(l.slice(2)));
        }

        // Reopen and check.
        const storage = await NodeStorage.open({ dataDir, network: "regtest", fastPrune: true });
        try {
          const index = await loadIndex(storage);
          if (storage.replayRange !== undefined) {
            replays++;
            const to = index.get(toHex(storage.replayRange.to));
            assert(to !== undefined, "replay target is in the block index");
            if (storage.replayRange.from !== undefined) {
              const from = index.get(toHex(storage.replayRange.from));
              assert(
                from !== undefined && from.height < to.height,
                "replay source is an older indexed block",
              );
            }
            assert(await replayBlocks(storage, index) > 0);
          }
          const best = storage.coins.getBestBlock();
          const bestHeight = best === undefined ? -1 : index.get(toHex(best))!.height;
          heights.push(bestHeight);
          assert(
            bestHeight >= lastDurable,
            `best height ${bestHeight} lost a durable flush at ${lastDurable}`,
          );
          // The chainstate equals the reference set at its best block.
          const ref = referenceAt(bestHeight);
          if (best !== undefined) assertEquals(toHex(ref.tipHash), toHex(best));
          let n = 0;
          for await (const { outpoint, coin } of storage.coinsDb.entries()) {
            const want = ref.utxos.get(outPointMapKey(outpoint));
            assert(
              want !== undefined && coinEquals(coin, want.coin),
              `unexpected coin at height ${bestHeight}`,
            );
            n++;
          }
          assertEquals(n, ref.utxos.size);
          // Every indexed block and undo record reads back; the chain up to the best block is complete.
          for (const r of index.values()) {
            if (r.status & BLOCK_HAVE_DATA) {
              storage.blockFiles.readBlock({ file: r.file, pos: r.dataPos }, r.hash);
            }
            if (r.status & BLOCK_HAVE_UNDO) {
              storage.blockFiles.readUndo({ file: r.file, pos: r.undoPos }, r.header.prevBlock);
            }
          }
          const indexedHeights = new Set([...index.values()].map((r) => r.height));
          for (let h = 0; h <= bestHeight; h++) {
            assert(indexedHeights.has(h), `block ${h} missing from the index`);
          }
        } finally {
          storage.close();
        }
      }
      console.log(
        `crash test: best heights ${
          heights.join(",")
        }; ${replays} replays after ${midFlushKills} mid-flush kills`,
      );
      assert(heights[heights.length - 1] > 20, "the chain made progress");
      assert(replays >= 1, "at least one kill landed inside a multi-commit flush");
    } finally {
      await Deno.remove(dataDir, { recursive: true });
    }
  },
});
