/**
 * Child process of the storage crash test: opens the storage in `<datadir>` (regtest, `-fastprune`, small
 * `-dbcache`), replays an interrupted flush if there is one, then keeps connecting synthetic blocks and flushing
 * until it is killed. It prints one line per event on stdout:
 * `R <tip height>` ready, `W <height>` block connected (not durable), `S <height>` flush started,
 * `C <commit index> <final>` a chainstate commit, `F <height>` flush complete (durable).
 *
 * Usage: `deno run -A --unstable-kv tests/node/storage/crash_child.ts <datadir> <flush every n blocks>`
 *
 * @module
 */

import { toHex } from "../../../core/hash/hashes.ts";
import { NodeStorage } from "../../../node/storage/storage.ts";
import { ChainGenerator, connectBlock, loadIndex, replayBlocks } from "./crash_chain.ts";

const [dataDir, flushEveryArg] = Deno.args;
const flushEvery = Number(flushEveryArg ?? "5");
const enc = new TextEncoder();
const say = (line: string): void => {
  Deno.stdout.writeSync(enc.encode(line + "\n"));
};

const storage = await NodeStorage.open({
  dataDir,
  network: "regtest",
  dbcacheMiB: 4,
  fastPrune: true,
  onCoinsCommit: (p) => say(`C ${p.index} ${p.final}`),
});
const index = await loadIndex(storage);
await replayBlocks(storage, index);
const best = storage.coins.getBestBlock();
const tip = best === undefined ? -1 : index.get(toHex(best))!.height;
const gen = new ChainGenerator();
while (gen.height < tip) gen.next();
say(`R ${tip}`);

for (;;) {
  const { block, hash, height } = gen.next();
  await connectBlock(storage, block, hash, height);
  say(`W ${height}`);
  if (height % flushEvery === 0) {
    say(`S ${height}`);
    await storage.flushStateToDisk(height % (2 * flushEvery) === 0 ? "force-flush" : "force-sync");
    say(`F ${height}`);
  } else {
    const r = await storage.flushStateToDisk("if-needed");
    if (r.wrote) say(`F ${height}`);
  }
}
