/** BIP9 state machine and ComputeBlockVersion (Core's versionbits.cpp), on synthetic chains and on regtest. */
import { ALWAYS_ACTIVE, type BIP9Deployment, NEVER_ACTIVE } from "../../../core/chain_params.ts";
import type { BlockIndexEntry } from "../../../node/chain/types.ts";
import { createNewBlock } from "../../../node/mining/block_assembler.ts";
import { generateBlocks } from "../../../node/mining/mine.ts";
import {
  computeBlockVersion,
  deploymentState,
  type ThresholdCache,
} from "../../../node/mining/version_bits.ts";
import { assertEquals } from "../../assert.ts";
import { FakeChain } from "./fake_chain.ts";

const OP_TRUE = Uint8Array.of(0x51);

/** A chain of `n` entries (heights 0..n-1) with MTP = 1000 + height and the given versions. */
function syntheticChain(n: number, version: (h: number) => number): BlockIndexEntry {
  let prev: BlockIndexEntry | null = null;
  for (let h = 0; h < n; h++) {
    const e: BlockIndexEntry = {
      hash: new Uint8Array(32),
      hashHex: String(h),
      height: h,
      header: {
        version: version(h),
        prevBlock: new Uint8Array(32),
        merkleRoot: new Uint8Array(32),
        time: 1000 + h,
        bits: 0x207fffff,
        nonce: 0,
      },
      prev,
      chainWork: BigInt(h),
      medianTimePast: 1000 + h,
      validity: "scripts",
      failed: "none",
      haveData: true,
      haveUndo: true,
      nTx: 1,
      chainTx: h + 1,
    };
    prev = e;
  }
  return prev!;
}

const dep = (o: Partial<BIP9Deployment>): BIP9Deployment => ({
  bit: 28,
  startTime: 0n,
  timeout: 9223372036854775807n,
  minActivationHeight: 0,
  period: 10,
  threshold: 8,
  ...o,
});
const SIGNAL = 0x30000000;
const NO = 0x20000000;

Deno.test("deploymentState: always/never active, defined before start, started, locked in, active", () => {
  const tip = syntheticChain(40, () => SIGNAL);
  assertEquals(deploymentState(tip, dep({ startTime: ALWAYS_ACTIVE })), "active");
  assertEquals(deploymentState(tip, dep({ startTime: NEVER_ACTIVE })), "defined");
  assertEquals(deploymentState(null, dep({})), "defined");
  const at = (h: number, d: BIP9Deployment, v = (_: number) => SIGNAL) =>
    deploymentState(syntheticChain(h + 1, v), d);
  // Heights 0..8 are in the first period (prev ends before block 9): defined.
  assertEquals(at(8, dep({})), "defined");
  assertEquals(at(9, dep({})), "started"); // period ending at 9 has MTP 1009 >= 0
  assertEquals(at(19, dep({})), "locked_in");
  assertEquals(at(29, dep({})), "active");
  // Start time not reached at the period end.
  assertEquals(at(9, dep({ startTime: 1010n })), "defined");
  assertEquals(at(19, dep({ startTime: 1010n })), "started");
  // Too few signals: stays started, then fails at the timeout.
  const few = (h: number) => h % 10 < 7 ? SIGNAL : NO;
  assertEquals(at(19, dep({}), few), "started");
  assertEquals(at(19, dep({ timeout: 1019n }), few), "failed");
  assertEquals(at(39, dep({ timeout: 1019n }), few), "failed"); // failed is final
  assertEquals(at(29, dep({ timeout: 1019n })), "active"); // lock-in is counted before the timeout
  // Exactly the threshold locks in; top bits must be 001.
  assertEquals(at(19, dep({}), (h) => h % 10 < 8 ? SIGNAL : NO), "locked_in");
  assertEquals(at(19, dep({}), () => 0x10000000), "started");
  // Minimum activation height delays activation.
  assertEquals(at(29, dep({ minActivationHeight: 35 })), "locked_in");
  assertEquals(at(39, dep({ minActivationHeight: 35 })), "active");
});

Deno.test("computeBlockVersion sets the bit while started or locked in", () => {
  const params = (d: BIP9Deployment) => ({ deployments: { testdummy: d } });
  assertEquals(computeBlockVersion(syntheticChain(9, () => NO), params(dep({}))), NO);
  assertEquals(computeBlockVersion(syntheticChain(10, () => SIGNAL), params(dep({}))), SIGNAL);
  assertEquals(computeBlockVersion(syntheticChain(20, () => SIGNAL), params(dep({}))), SIGNAL);
  assertEquals(computeBlockVersion(syntheticChain(30, () => SIGNAL), params(dep({}))), NO);
  const cache: ThresholdCache = new WeakMap();
  const tip = syntheticChain(30, () => SIGNAL);
  assertEquals(computeBlockVersion(tip, params(dep({})), cache), NO);
  assertEquals(computeBlockVersion(tip, params(dep({})), cache), NO);
});

Deno.test("version bits on regtest: testdummy signals (bit 28) in blocks 144 to 431, active from 432", async () => {
  const chain = new FakeChain();
  let t = 1700000000;
  const version = async () =>
    (await createNewBlock(chain, { coinbaseOutputScript: OP_TRUE })).block.header.version;
  await generateBlocks(chain, { count: 142, coinbaseOutputScript: OP_TRUE, now: () => t++ });
  assertEquals(await version(), 0x20000000); // block 143
  await generateBlocks(chain, { count: 1, coinbaseOutputScript: OP_TRUE, now: () => t++ });
  assertEquals(chain.tip().header.version, 0x20000000);
  assertEquals(await version(), 0x30000000); // block 144: started
  await generateBlocks(chain, { count: 431 - 143, coinbaseOutputScript: OP_TRUE, now: () => t++ });
  assertEquals(chain.atHeight(287)!.header.version, 0x30000000);
  assertEquals(chain.atHeight(288)!.header.version, 0x30000000); // locked in: still signals
  assertEquals(chain.tip().header.version, 0x30000000);
  assertEquals(await version(), 0x20000000); // block 432: active
  // -blockversion overrides.
  assertEquals(
    (await createNewBlock(chain, { coinbaseOutputScript: OP_TRUE, blockVersion: 4 })).block.header.version,
    4,
  );
});
