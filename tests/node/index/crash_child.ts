/**
 * Child process of `tx_index_test.ts`'s crash test: opens the chainstate and the transaction index of the data
 * directory given as the first argument, syncs with tiny commits, and SIGKILLs itself right after commit number
 * `argv[1]`, having written the best block height of that commit to `<datadir>/killed-at`.
 *
 * @module
 */
import { chainParams } from "../../../core/chain_params.ts";
import { openChainstate } from "../../../node/chain/chainstate.ts";
import { TxIndex } from "../../../node/index/tx_index.ts";

const [dataDir, killAfter] = Deno.args;
const cs = await openChainstate({ dataDir, params: chainParams("regtest"), workers: 0 });
let commits = 0;
const index = await TxIndex.open({
  netDataDir: `${dataDir}/regtest`,
  chain: cs,
  limits: { maxMutations: 4, maxKeyBytes: 80_000, maxMutationBytes: 800_000 },
  onCommit: (best) => {
    if (++commits === Number(killAfter)) {
      Deno.writeTextFileSync(`${dataDir}/killed-at`, String(best!.height));
      Deno.kill(Deno.pid, "SIGKILL");
    }
  },
});
index.start();
await new Promise((r) => setTimeout(r, 30_000));
