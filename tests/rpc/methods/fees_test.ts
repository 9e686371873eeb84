import { BlockPolicyEstimator } from "../../../node/fees/block_policy_estimator.ts";
import { feeMethods, type FeeMethodsOptions } from "../../../rpc/methods/fees.ts";
import { RpcTable } from "../../../rpc/table.ts";
import { History } from "../../node/fees/history.ts";
import { assert, assertEquals } from "../asserts.ts";

async function call(
  t: RpcTable,
  method: string,
  params: unknown[] = [],
): Promise<{ body: string; json: unknown }> {
  const r = await t.execute(JSON.stringify({ jsonrpc: "2.0", method, params, id: 1 }));
  return { body: r.body, json: JSON.parse(r.body) };
}

async function result(t: RpcTable, method: string, params: unknown[] = []): Promise<unknown> {
  const { json } = await call(t, method, params);
  const reply = json as { result?: unknown; error?: unknown };
  if (reply.error) throw new Error(`${method} failed: ${JSON.stringify(reply.error)}`);
  return reply.result;
}

async function error(
  t: RpcTable,
  method: string,
  params: unknown[],
): Promise<{ code: number; message: string }> {
  const { json } = await call(t, method, params);
  return (json as { error: { code: number; message: string } }).error;
}

function table(options: Partial<FeeMethodsOptions> & Pick<FeeMethodsOptions, "estimator">): RpcTable {
  const t = new RpcTable();
  t.registerAll(feeMethods({ mempoolMinFee: () => 0n, minRelayFee: () => 100n, ...options }));
  return t;
}

function trained(): BlockPolicyEstimator {
  const h = new History(new BlockPolicyEstimator(), 2000);
  h.run(30, [{ satPerVB: 10, perBlock: 5, confirmAfter: 1 }, { satPerVB: 2, perBlock: 5, confirmAfter: 3 }]);
  return h.estimator;
}

Deno.test("estimatesmartfee: Core's insufficient-data shape with no history", async () => {
  const t = table({ estimator: new BlockPolicyEstimator() });
  // As recorded from bitcoind regtest (core_regtest_rpc_session.json).
  assertEquals(await result(t, "estimatesmartfee", [6]), {
    errors: ["Insufficient data or no feerate found"],
    blocks: 0,
  });
  assertEquals(await result(t, "estimatesmartfee", [1008, "conservative"]), {
    errors: ["Insufficient data or no feerate found"],
    blocks: 0,
  });
});

Deno.test("estimatesmartfee: estimates in BTC/kvB with 8 decimals and the target used", async () => {
  const t = table({ estimator: trained() });
  const one = await call(t, "estimatesmartfee", [1]);
  assert(one.body.includes('"feerate":0.00010000'), one.body);
  assertEquals((one.json as { result: unknown }).result, { feerate: 0.0001, blocks: 2 });
  assertEquals(await result(t, "estimatesmartfee", [6, "ECONOMICAL"]), { feerate: 0.00002, blocks: 6 });
  assertEquals(await result(t, "estimatesmartfee", [6, "unset"]), { feerate: 0.00002, blocks: 6 });
  // 30 blocks of history: targets above 14 are answered for 14. Conservative also needs the long horizon,
  // which has too few 2 sat/vB transactions yet (0.1 / (1 - 0.99931) ≈ 145 per range).
  assertEquals(await result(t, "estimatesmartfee", [100]), { feerate: 0.00002, blocks: 14 });
  assertEquals(await result(t, "estimatesmartfee", [100, "conservative"]), { feerate: 0.0001, blocks: 14 });
  // Named parameters.
  const named = await t.execute(
    JSON.stringify({ jsonrpc: "2.0", method: "estimatesmartfee", params: { conf_target: 2 }, id: 1 }),
  );
  assertEquals(JSON.parse(named.body).result, { feerate: 0.0001, blocks: 2 });
});

Deno.test("estimatesmartfee: never below the mempool minimum fee or the minimum relay fee", async () => {
  let mempoolMin = 50_000n;
  let minRelay = 100n;
  const t = table({ estimator: trained(), mempoolMinFee: () => mempoolMin, minRelayFee: () => minRelay });
  assertEquals(await result(t, "estimatesmartfee", [6]), { feerate: 0.0005, blocks: 6 });
  mempoolMin = 0n;
  minRelay = 3000n;
  assertEquals(await result(t, "estimatesmartfee", [6]), { feerate: 0.00003, blocks: 6 });
  minRelay = 1000n;
  assertEquals(await result(t, "estimatesmartfee", [6]), { feerate: 0.00002, blocks: 6 });
});

Deno.test("estimatesmartfee: parameter errors with Core's codes and messages", async () => {
  const t = table({ estimator: new BlockPolicyEstimator() });
  const target = { code: -8, message: "Invalid conf_target, must be between 1 and 1008" };
  assertEquals(await error(t, "estimatesmartfee", [0]), target);
  assertEquals(await error(t, "estimatesmartfee", [1009]), target);
  assertEquals(await error(t, "estimatesmartfee", [-5]), target);
  assertEquals(await error(t, "estimatesmartfee", [6, "fast"]), {
    code: -8,
    message: 'Invalid estimate_mode parameter, must be one of: "unset", "economical", "conservative"',
  });
  assertEquals((await error(t, "estimatesmartfee", ["6"])).code, -3);
  assertEquals((await error(t, "estimatesmartfee", [6, 1])).code, -3);
  assertEquals((await error(t, "estimatesmartfee", [2.5])).code, -1);
  assertEquals((await error(t, "estimatesmartfee", [])).code, -1);
  const off = table({ estimator: null });
  assertEquals(await error(off, "estimatesmartfee", [6]), {
    code: -32603,
    message: "Fee estimation disabled",
  });
  assertEquals(await error(off, "estimaterawfee", [6]), { code: -32603, message: "Fee estimation disabled" });
});

Deno.test("estimaterawfee: per-horizon results, errors shape, horizons that track the target", async () => {
  const fresh = table({ estimator: new BlockPolicyEstimator() });
  // With no data every bucket is one range too small to test: Core reports it as the failed range.
  const emptyFail = {
    startrange: 0,
    endrange: 1e99,
    withintarget: 0,
    totalconfirmed: 0,
    inmempool: 0,
    leftmempool: 0,
  };
  const none = ["Insufficient data or no feerate found which meets threshold"];
  assertEquals(await result(fresh, "estimaterawfee", [12]), {
    short: { decay: 0.962, scale: 1, fail: emptyFail, errors: none },
    medium: { decay: 0.9952, scale: 2, fail: emptyFail, errors: none },
    long: { decay: 0.99931, scale: 24, fail: emptyFail, errors: none },
  });
  assertEquals(Object.keys(await result(fresh, "estimaterawfee", [13]) as object), ["medium", "long"]);
  assertEquals(Object.keys(await result(fresh, "estimaterawfee", [49]) as object), ["long"]);

  const t = table({ estimator: trained() });
  const r = await result(t, "estimaterawfee", [1, 0.85]) as Record<string, Record<string, unknown>>;
  assertEquals(r.short.feerate, 0.0001);
  assertEquals([r.short.decay, r.short.scale], [0.962, 1]);
  const pass = r.short.pass as Record<string, number>;
  assert(pass.startrange < 10000 && pass.endrange >= 10000, JSON.stringify(pass));
  assertEquals(Object.keys(pass), [
    "startrange",
    "endrange",
    "withintarget",
    "totalconfirmed",
    "inmempool",
    "leftmempool",
  ]);
  assertEquals(Number.isInteger(pass.startrange) && Number.isInteger(pass.endrange), true);
  assertEquals(Math.round(pass.withintarget * 100), pass.withintarget * 100);
  assertEquals(Object.keys(r.short), ["feerate", "decay", "scale", "pass", "fail"]);
  // Target 6 at the default 95%: the 2 sat/vB transactions qualify on the short and medium horizons; the long
  // one has too few of them yet.
  const six = await result(t, "estimaterawfee", [6]) as Record<string, Record<string, unknown>>;
  assertEquals([six.short.feerate, six.medium.feerate, six.long.feerate], [0.00002, 0.00002, 0.0001]);
  assertEquals((six.short.pass as Record<string, number>).startrange < 2000, true);
  assertEquals((six.long.fail as Record<string, number>).endrange > 2000, true);

  // Everything in the lowest bucket, confirmed at once: the only range passes and there is no "fail".
  const low = new History(new BlockPolicyEstimator(), 2000);
  low.run(30, [{ satPerVB: 0.1, perBlock: 10, confirmAfter: 1 }]);
  const lr = await result(table({ estimator: low.estimator }), "estimaterawfee", [2]) as Record<
    string,
    Record<string, unknown>
  >;
  assertEquals(Object.keys(lr.short), ["feerate", "decay", "scale", "pass"]);
  assertEquals(lr.short.feerate, 0.000001);
  assertEquals([
    (lr.short.pass as Record<string, number>).startrange,
    (lr.short.pass as Record<string, number>).endrange,
  ], [0, 1e99]);
});

Deno.test("estimaterawfee: threshold and target errors", async () => {
  const t = table({ estimator: new BlockPolicyEstimator() });
  assertEquals(await error(t, "estimaterawfee", [6, 1.5]), { code: -8, message: "Invalid threshold" });
  assertEquals(await error(t, "estimaterawfee", [6, -0.1]), { code: -8, message: "Invalid threshold" });
  assertEquals(await error(t, "estimaterawfee", [0]), {
    code: -8,
    message: "Invalid conf_target, must be between 1 and 1008",
  });
  assertEquals((await error(t, "estimaterawfee", [6, "x"])).code, -3);
  assertEquals(Object.keys(await result(t, "estimaterawfee", [6, 0]) as object), ["short", "medium", "long"]);
  assertEquals(Object.keys(await result(t, "estimaterawfee", [6, 1]) as object), ["short", "medium", "long"]);
});

Deno.test("fee RPCs: help texts, categories, sync hook and a replaceable estimator", async () => {
  let current = new BlockPolicyEstimator();
  let synced = 0;
  const t = table({ estimator: () => current, sync: () => void synced++ });
  const help = t.help("estimatesmartfee");
  assert(help.startsWith('estimatesmartfee conf_target ( "estimate_mode" )\n'), help);
  assert(
    help.includes('2. estimate_mode    (string, optional, default="economical") The fee estimate mode.'),
    help,
  );
  assert(help.includes("unset, economical, conservative \n"), help);
  assert(
    help.includes('"feerate" : n,    (numeric, optional) estimate fee rate in BTC/kvB (only present'),
    help,
  );
  assert(help.includes("> tsbtc rpc estimatesmartfee 6"), help);
  const raw = t.help("estimaterawfee");
  assert(raw.includes("WARNING: This interface is unstable and may disappear or change!"), raw);
  assert(raw.includes('"medium" : {'), raw);
  assert(t.help("").includes("estimatesmartfee"));
  assert(!t.help("").includes("estimaterawfee"), "estimaterawfee is hidden");
  await result(t, "estimatesmartfee", [2]);
  await result(t, "estimaterawfee", [2]);
  assertEquals(synced, 2);
  current = trained();
  assertEquals(await result(t, "estimatesmartfee", [2]), { feerate: 0.0001, blocks: 2 });
});

Deno.test("estimatesmartfee modes as Core's feature_fee_estimation (test_estimation_modes, sub 1 sat/vB)", async () => {
  for (const start of [300, 2000]) {
    // 12 blocks of 24 transactions at 0.005 BTC/kvB, each mined in the next block: both modes agree.
    const h = new History(new BlockPolicyEstimator(), start);
    const t = table({ estimator: h.estimator });
    const mode = async (m: string) =>
      ((await result(t, "estimatesmartfee", [1, m])) as { feerate: number }).feerate;
    h.run(12, [{ satPerVB: 500, perBlock: 24, confirmAfter: 1 }]);
    assertEquals([await mode("conservative"), await mode("economical"), await mode("unset")], [
      0.005,
      0.005,
      0.005,
    ]);
    // Then 4 blocks at 0.001: the short horizon follows, conservative keeps the longer view.
    h.run(4, [{ satPerVB: 100, perBlock: 24, confirmAfter: 1 }]);
    assertEquals([await mode("conservative"), await mode("economical")], [0.005, 0.001]);
    assertEquals(((await result(t, "estimatesmartfee", [1])) as { feerate: number }).feerate, 0.001);

    // Sub 1 sat/vB: 0.5 sat/vB transactions mined with 1 sat/vB ones give a 0.5 sat/vB estimate.
    const low = new History(new BlockPolicyEstimator(), start);
    low.run(6, [{ satPerVB: 0.5, perBlock: 24, confirmAfter: 1 }, {
      satPerVB: 1,
      perBlock: 24,
      confirmAfter: 1,
    }]);
    assertEquals(await result(table({ estimator: low.estimator }), "estimatesmartfee", [1]), {
      feerate: 0.000005,
      blocks: 2,
    });
  }
});
