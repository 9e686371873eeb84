import { indexInfoMethods } from "../../../rpc/methods/index_info.ts";
import { RpcTable } from "../../../rpc/table.ts";
import type { IndexSummary } from "../../../node/index/base_index.ts";
import { assert, assertEquals } from "../asserts.ts";
import { readCoreSession } from "../../core/wire/core_session.ts";

async function call(t: RpcTable, p: unknown[] = []): Promise<{ result?: unknown; error?: unknown }> {
  const r = await t.execute(JSON.stringify({ jsonrpc: "2.0", method: "getindexinfo", params: p, id: 1 }));
  return JSON.parse(r.body);
}

Deno.test("getindexinfo: enabled indexes only, filter by name, Core's shape", async () => {
  let summaries: IndexSummary[] = [];
  const t = new RpcTable();
  t.registerAll(indexInfoMethods({ indexes: () => summaries }));
  assertEquals((await call(t)).result, {});
  summaries = [{ name: "txindex", synced: true, bestBlockHeight: 0, bestBlockHash: "" }];
  const core = (await readCoreSession()).find((c) => c.call[0] === "getindexinfo")!;
  assertEquals((await call(t)).result, core.result);
  assertEquals((await call(t, ["txindex"])).result, { txindex: { synced: true, best_block_height: 0 } });
  assertEquals((await call(t, ["coinstatsindex"])).result, {});
  assertEquals((await call(t, [null])).result, { txindex: { synced: true, best_block_height: 0 } });
  assert((await call(t, [5])).error !== null);
  assert(t.help("getindexinfo").startsWith('getindexinfo ( "index_name" )'));
});
