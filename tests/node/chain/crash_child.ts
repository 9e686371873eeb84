/**
 * Child process of crash_test.ts: opens the chainstate in `Deno.args[0]`, then mines up to `Deno.args[1]` more
 * blocks (each spending a mature coinbase), flushing every `Deno.args[2]` blocks with small KV commits so flushes
 * span several commits. Prints "R <height>" when ready, "B <height>" per block, "C <index> <final>" per
 * chainstate commit and "F <height>" after each completed flush.
 */
import { chainParams } from "../../../core/chain_params.ts";
import { txid } from "../../../core/wire/transaction.ts";
import { openChainstate } from "../../../node/chain/chainstate.ts";
import { buildBlock, spendP2wpkh, testKey } from "./block_builder.ts";

const [dir, countText, flushEveryText] = Deno.args;
const params = chainParams("regtest");
const key = testKey(1);
const enc = new TextEncoder();
const say = (s: string): void => {
  Deno.stdout.writeSync(enc.encode(s + "\n"));
};

const cs = await openChainstate({
  dataDir: dir,
  params,
  workers: 0,
  storage: {
    kvLimits: { maxMutations: 8, maxKeyBytes: 80_000, maxMutationBytes: 800_000 },
    onCoinsCommit: async (p) => {
      say(`C ${p.index} ${p.final}`);
      // Give the parent time to kill us in the middle of the flush.
      if (!p.final) await new Promise((r) => setTimeout(r, 50));
    },
  },
});
say(`R ${cs.height()}`);
const count = Number(countText);
const flushEvery = Number(flushEveryText);
for (let i = 0; i < count; i++) {
  const prev = cs.tip();
  const txs = [];
  if (prev.height + 1 > 100) {
    const old = await cs.readBlock(cs.atHeight(prev.height + 1 - 100)!);
    const cb = old.txs[0];
    const coin = await cs.getCoin({ txid: txid(cb), vout: 0 });
    if (coin !== null && coin.output.scriptPubKey.length === key.script.length) {
      txs.push(spendP2wpkh(
        [{ outpoint: { txid: txid(cb), vout: 0 }, value: coin.output.value, key }],
        [{ value: coin.output.value - 1000n, scriptPubKey: key.script }, {
          value: 500n,
          scriptPubKey: key.script,
        }],
      ));
    }
  }
  const block = buildBlock({ prev, params, txs, fees: txs.length > 0 ? 500n : 0n, extraNonce: i });
  const r = await cs.processNewBlock(block);
  if (!r.state.valid) throw new Error(`block rejected: ${r.state.reason}`);
  say(`B ${cs.height()}`);
  if ((i + 1) % flushEvery === 0) {
    await cs.flush();
    say(`F ${cs.height()}`);
  }
}
await cs.close();
say("DONE");
