/**
 * kill -9 during mining: a child (crash_child.ts) mines blocks with spends and flushes in several KV commits; it
 * is SIGKILLed at random moments (some right after a chainstate commit in the middle of a flush). After each kill
 * the chainstate reopens (replaying an interrupted flush), must keep at least the last flushed height, and its
 * UTXO set must equal a recount from the active chain's blocks.
 */
import { assert, assertEquals } from "../../assert.ts";
import { chainParams } from "../../../core/chain_params.ts";
import { toHex } from "../../../core/hash/hashes.ts";
import { isCoinBase, txid } from "../../../core/wire/transaction.ts";
import { openChainstate } from "../../../node/chain/chainstate.ts";
import { NodeStorage } from "../../../node/storage/storage.ts";
import { encodeCoin } from "../../../node/storage/coins.ts";
import { isUnspendable } from "../../../core/script/script.ts";

const CHILD = new URL("./crash_child.ts", import.meta.url).pathname;
const params = chainParams("regtest");

async function runAndKill(dataDir: string, killAt: (line: string, n: number) => boolean): Promise<string[]> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--unstable-kv", CHILD, dataDir, "400", "7"],
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const stderr = new Response(child.stderr).text();
  const lines: string[] = [];
  let killed = false;
  const dec = new TextDecoder();
  let buf = "";
  const timer = setTimeout(() => {
    if (!killed) {
      killed = true;
      child.kill("SIGKILL");
    }
  }, 60_000);
  for await (const chunk of child.stdout) {
    buf += dec.decode(chunk, { stream: true });
    let nl: number;
    while ((nl = buf.indexOf("\n")) >= 0) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      lines.push(line);
      if (!killed && killAt(line, lines.length)) {
        killed = true;
        child.kill("SIGKILL");
      }
    }
  }
  clearTimeout(timer);
  const status = await child.status;
  const err = await stderr;
  if (status.signal !== "SIGKILL") {
    throw new Error(`child ended on its own (code ${status.code}): ${err.slice(-2000)}`);
  }
  return lines;
}

Deno.test({
  name: "chainstate: SIGKILL during mining and mid-flush, then reopen to a consistent tip and UTXO set",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const dataDir = await Deno.makeTempDir({ prefix: "tsbtc_chain_crash_" });
    try {
      let lastFlushed = 0;
      let midFlush = 0;
      let replays = 0;
      let height = 0;
      for (let round = 0; round < 5; round++) {
        const target = 20 + Math.floor(Math.random() * 60);
        const mid = round % 2 === 1;
        let blocks = 0;
        const lines = await runAndKill(dataDir, (line) => {
          if (line.startsWith("B ")) blocks++;
          if (mid && blocks >= target && line.startsWith("C ") && line.endsWith("false")) {
            midFlush++;
            return true;
          }
          return !mid && blocks >= target;
        });
        for (const l of lines) if (l.startsWith("F ")) lastFlushed = Number(l.slice(2));

        // What the storage reports before the chainstate replays anything.
        const before = await NodeStorage.open({ dataDir, network: "regtest" });
        if (before.replayRange !== undefined) replays++;
        before.close();
        const cs = await openChainstate({ dataDir, params, workers: 0 });
        try {
          assertEquals(cs.storage.replayRange, undefined);
          height = cs.height();
          assert(cs.height() >= lastFlushed, `height ${cs.height()} < flushed ${lastFlushed}`);
          // Recount the UTXO set from the active chain's blocks.
          const expect = new Map<string, string>();
          for (let h = 1; h <= cs.height(); h++) {
            const block = await cs.readBlock(cs.atHeight(h)!);
            for (const tx of block.txs) {
              if (!isCoinBase(tx)) {
                for (const i of tx.inputs) expect.delete(`${toHex(i.prevout.txid)}:${i.prevout.vout}`);
              }
              const id = txid(tx);
              tx.outputs.forEach((out, o) => {
                if (isUnspendable(out.scriptPubKey)) return;
                expect.set(
                  `${toHex(id)}:${o}`,
                  toHex(encodeCoin({ out, height: h, coinbase: isCoinBase(tx) })),
                );
              });
            }
          }
          await cs.flush();
          const got = new Map<string, string>();
          for await (const e of cs.storage.coinsDb.entries()) {
            got.set(`${toHex(e.outpoint.txid)}:${e.outpoint.vout}`, toHex(encodeCoin(e.coin)));
          }
          assertEquals(got.size, expect.size);
          for (const [k, v] of expect) assertEquals(got.get(k), v, `coin ${k}`);
        } finally {
          await cs.close();
        }
      }
      assert(midFlush > 0);
      // Every kill inside a flush leaves a replay range; a kill meant for between flushes can still land in
      // one when the machine is slow (the kill signal arrives a little later), so there may be more.
      assert(replays >= midFlush, `replays ${replays} < mid-flush kills ${midFlush}`);
      assert(height >= 40, `final height ${height}`);
      console.log(`final height ${height}, mid-flush kills ${midFlush}, replays ${replays}`);
    } finally {
      await Deno.remove(dataDir, { recursive: true });
    }
  },
});
