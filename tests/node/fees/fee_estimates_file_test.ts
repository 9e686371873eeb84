import { BlockPolicyEstimator } from "../../../node/fees/block_policy_estimator.ts";
import {
  checkAcceptStaleFeeEstimates,
  feeEstimatesPath,
  loadFeeEstimates,
  loadFeeEstimatesSync,
  saveFeeEstimates,
  saveFeeEstimatesSync,
} from "../../../node/fees/fee_estimates_file.ts";
import { assert, assertEquals } from "../../assert.ts";
import { History } from "./history.ts";

const HOUR = 3_600_000;

function trained(): BlockPolicyEstimator {
  const h = new History(new BlockPolicyEstimator(), 500);
  h.run(30, [{ satPerVB: 10, perBlock: 5, confirmAfter: 1 }, { satPerVB: 3, perBlock: 5, confirmAfter: 2 }]);
  return h.estimator;
}

function lines() {
  const got: string[] = [];
  return {
    got,
    logger: { info: (m: string) => got.push(`I ${m}`), warn: (m: string) => got.push(`W ${m}`) },
  };
}

Deno.test("fee_estimates.dat: path, missing file, save and load back", async () => {
  const dir = await Deno.makeTempDir();
  try {
    assertEquals(feeEstimatesPath("/x/regtest/"), "/x/regtest/fee_estimates.dat");
    const path = feeEstimatesPath(dir);
    const log = lines();
    const missing = await loadFeeEstimates(path, { logger: log.logger });
    assertEquals([missing.status, missing.estimator.bestSeenHeight], ["missing", 0]);
    assertEquals(log.got, [`I ${path} is not found. Continue anyway.`]);

    const e = trained();
    assertEquals(await saveFeeEstimates(path, e), true);
    const back = await loadFeeEstimates(path);
    assertEquals([back.status, back.messages], ["loaded", []]);
    assertEquals(back.estimator.serialize(), e.serialize());
    assertEquals(back.estimator.estimateSmartFee(2, false).feeRate, 10000n);
    const sync = loadFeeEstimatesSync(path);
    assertEquals(sync.status, "loaded");
    assertEquals(sync.estimator.serialize(), e.serialize());
    // No temporary file is left behind.
    assertEquals([...Deno.readDirSync(dir)].map((d) => d.name), ["fee_estimates.dat"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("fee_estimates.dat: the shutdown flush counts tracked mempool transactions as failures", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = feeEstimatesPath(dir);
    const e = trained();
    e.processTransaction({ txid: "x", height: e.bestSeenHeight, fee: 100n, vsize: 100 }, true);
    const tracked = e.trackedCount;
    assert(tracked > 1 && e.isTracked("x"));
    assertEquals(saveFeeEstimatesSync(path, e), true);
    assertEquals(e.trackedCount, tracked);
    assertEquals(await saveFeeEstimates(path, e, { flushUnconfirmed: true }), true);
    assertEquals(e.trackedCount, 0);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("fee_estimates.dat: older than 60 hours is not read unless -acceptstalefeeestimates", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = feeEstimatesPath(dir);
    await saveFeeEstimates(path, trained());
    const mtime = (await Deno.stat(path)).mtime!.getTime();
    // 60 h 59 min counts as 60 hours (whole hours, as Core's duration_cast): still read.
    assertEquals((await loadFeeEstimates(path, { now: mtime + 61 * HOUR - 60_000 })).status, "loaded");
    const log = lines();
    const stale = await loadFeeEstimates(path, { now: mtime + 61 * HOUR, logger: log.logger });
    assertEquals([stale.status, stale.estimator.bestSeenHeight], ["stale", 0]);
    assertEquals(log.got, [
      `W Fee estimation file ${path} too old (age=61 > 60 hours) and will not be used to avoid serving stale ` +
      "estimates.",
    ]);
    const accepted = await loadFeeEstimates(path, { now: mtime + 100 * HOUR, acceptStale: true });
    assertEquals([accepted.status, accepted.estimator.bestSeenHeight], ["loaded", 530]);
    // The real clock sees a file made 70 hours ago as stale too.
    await Deno.utime(path, new Date(Date.now() - 70 * HOUR), new Date(Date.now() - 70 * HOUR));
    assertEquals(loadFeeEstimatesSync(path).status, "stale");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("fee_estimates.dat: damaged, truncated or unreadable files give a warning and a fresh estimator", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = feeEstimatesPath(dir);
    const good = trained().serialize();
    const cases: Array<[Uint8Array, string]> = [
      [
        good.subarray(0, 1000),
        "Cannot decode fee estimates: feerate bucket count 237 needs at least 1896 bytes",
      ],
      [new Uint8Array(), "Cannot decode fee estimates: end of data"],
      [
        new Uint8Array([0xff, 0xff, 0xff, 0x7f, 0, 0, 0, 0]),
        "File version (2147483647) too high to be read.",
      ],
    ];
    for (const [bytes, why] of cases) {
      await Deno.writeFile(path, bytes);
      const log = lines();
      const r = await loadFeeEstimates(path, { logger: log.logger });
      assertEquals([r.status, r.estimator.bestSeenHeight], ["corrupt", 0]);
      assertEquals(log.got.length, 2);
      assert(log.got[0].startsWith(`W Unable to read policy estimator data (non-fatal): ${why}`), log.got[0]);
      assertEquals(log.got[1], `W Failed to read fee estimates from ${path}. Continue anyway.`);
    }
    const old = good.slice();
    new DataView(old.buffer).setInt32(0, 149900, true);
    await Deno.writeFile(path, old);
    const r = await loadFeeEstimates(path);
    assertEquals([r.status, r.messages], [
      "old-version",
      ["Incompatible old fee estimation data (non-fatal). Version: 149900"],
    ]);
    // A directory in place of the file.
    await Deno.remove(path);
    await Deno.mkdir(path);
    assertEquals(loadFeeEstimatesSync(path).status, "corrupt");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("fee_estimates.dat: a write that fails logs Core's warning and returns false", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/missing-dir/fee_estimates.dat`;
    const log = lines();
    assertEquals(await saveFeeEstimates(path, trained(), { logger: log.logger }), false);
    assert(log.got[0].startsWith(`W Failed to write fee estimates to ${path}. Continue anyway.`), log.got[0]);
    assertEquals(saveFeeEstimatesSync(path, trained()), false);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("-acceptstalefeeestimates is regtest only (Core's init error)", () => {
  assertEquals(checkAcceptStaleFeeEstimates("regtest", true), null);
  assertEquals(checkAcceptStaleFeeEstimates("main", false), null);
  assertEquals(
    checkAcceptStaleFeeEstimates("main", true),
    "acceptstalefeeestimates is not supported on main chain.",
  );
  assertEquals(
    checkAcceptStaleFeeEstimates("signet", true),
    "acceptstalefeeestimates is not supported on signet chain.",
  );
});
