import { assert, assertEquals } from "../assert.ts";
import { hex } from "./vectors.ts";
import { sha256 } from "@noble/hashes/sha2.js";
import { baseParams, type Network, NETWORKS } from "../../core/chain_params_base.ts";
import {
  blockScriptFlags,
  chainParams,
  COINBASE_MATURITY,
  createGenesisBlock,
  deploymentHeight,
  MAX_MONEY,
  networkForMagic,
} from "../../core/chain_params.ts";
import { addressPrefixes } from "../../core/address/prefixes.ts";
import { getCompact, setCompact } from "../../core/pow.ts";
import type { Block, Transaction } from "../../core/wire/types.ts";

const toHex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
const sha256d = (b: Uint8Array) => sha256(sha256(b));
const display = (h: Uint8Array) => toHex(h.slice().reverse());

// A minimal serializer, independent of core/wire, for the genesis blocks (no witnesses, small counts).
function u32(n: number): number[] {
  return [n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, n >>> 24];
}
function u64(n: bigint): number[] {
  return Array.from({ length: 8 }, (_, i) => Number((n >> BigInt(8 * i)) & 0xffn));
}
function varBytes(b: Uint8Array): number[] {
  assert(b.length < 253);
  return [b.length, ...b];
}
function serializeTx(tx: Transaction): Uint8Array {
  const out: number[] = [...u32(tx.version), tx.inputs.length];
  for (const i of tx.inputs) {
    out.push(...i.prevout.txid, ...u32(i.prevout.vout), ...varBytes(i.scriptSig), ...u32(i.sequence));
  }
  out.push(tx.outputs.length);
  for (const o of tx.outputs) out.push(...u64(o.value), ...varBytes(o.scriptPubKey));
  out.push(...u32(tx.locktime));
  return Uint8Array.from(out);
}
function serializeHeader(b: Block): Uint8Array {
  const h = b.header;
  return Uint8Array.from([
    ...u32(h.version),
    ...h.prevBlock,
    ...h.merkleRoot,
    ...u32(h.time),
    ...u32(h.bits),
    ...u32(h.nonce),
  ]);
}

/** Core's genesis hashes and merkle roots (kernel/chainparams.cpp). */
const GENESIS: Record<Network, { hash: string; merkle: string }> = {
  main: {
    hash: "000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f",
    merkle: "4a5e1e4baab89f3a32518a88c31bc87f618f76673e2cc77ab2127b7afdeda33b",
  },
  test: {
    hash: "000000000933ea01ad0ee984209779baaec3ced90fa3f408719526f8d77f4943",
    merkle: "4a5e1e4baab89f3a32518a88c31bc87f618f76673e2cc77ab2127b7afdeda33b",
  },
  testnet4: {
    hash: "00000000da84f2bafbbc53dee25a72ae507ff4914b867c565be350b0da8bf043",
    merkle: "7aa0a7ae1e223414cb807e40cd57e667b718e42aaf9306db9102fe28912b7b4e",
  },
  signet: {
    hash: "00000008819873e925422c1ff0f99f7cc9bbb232af63a077a480a3633bee1ef6",
    merkle: "4a5e1e4baab89f3a32518a88c31bc87f618f76673e2cc77ab2127b7afdeda33b",
  },
  regtest: {
    hash: "0f9188f13cb7b2c71f2a335e3a4fc328bf5beb436012afca590b1a11466e2206",
    merkle: "4a5e1e4baab89f3a32518a88c31bc87f618f76673e2cc77ab2127b7afdeda33b",
  },
};

Deno.test("genesis blocks: built from their parameters, each hashes to the real genesis hash", async (t) => {
  for (const net of NETWORKS) {
    await t.step(net, () => {
      const p = chainParams(net);
      const g = p.genesis;
      assertEquals(g.txs.length, 1);
      assertEquals(display(sha256d(serializeTx(g.txs[0]))), GENESIS[net].merkle);
      assertEquals(display(g.header.merkleRoot), GENESIS[net].merkle);
      assertEquals(display(sha256d(serializeHeader(g))), GENESIS[net].hash);
      assertEquals(p.consensus.hashGenesisBlock, GENESIS[net].hash);
      assertEquals(toHex(g.header.prevBlock), "00".repeat(32));
      assertEquals(g.txs[0].outputs[0].value, 5_000_000_000n);
    });
  }
});

Deno.test("genesis: the mainnet header and coinbase bytes are the well-known ones", () => {
  const g = chainParams("main").genesis;
  assertEquals(
    toHex(serializeHeader(g)),
    "0100000000000000000000000000000000000000000000000000000000000000000000003ba3edfd7a7b12b27ac72c3e67768f617fc81b" +
      "c3888a51323a9fb8aa4b1e5e4a29ab5f49ffff001d1dac2b7c",
  );
  // Core's comment: coinbase 04ffff001d0104455468652054696d6573…
  assertEquals(
    toHex(g.txs[0].inputs[0].scriptSig),
    "04ffff001d0104455468652054696d65732030332f4a616e2f32303039204368616e63656c6c6f72206f6e206272696e6b206f66207365" +
      "636f6e64206261696c6f757420666f722062616e6b73",
  );
  // Testnet4's 76-byte message needs OP_PUSHDATA1.
  const t4 = chainParams("testnet4").genesis.txs[0];
  assertEquals(toHex(t4.inputs[0].scriptSig.subarray(0, 9)), "04ffff001d01044c4c");
  assertEquals(toHex(t4.outputs[0].scriptPubKey), "21" + "00".repeat(33) + "ac");
  // Another block from the same parameters but a different nonce no longer matches.
  const other = createGenesisBlock({
    message: "x",
    outputScript: Uint8Array.of(0x51),
    time: 1,
    nonce: 2,
    bits: 0x207fffff,
    version: 1,
    reward: 1n,
  });
  assertEquals(toHex(other.txs[0].inputs[0].scriptSig), "04ffff001d01040178");
});

Deno.test("message start, ports, prefixes per network", () => {
  const magic: Record<Network, string> = {
    main: "f9beb4d9",
    test: "0b110907",
    testnet4: "1c163f28",
    signet: "0a03cf40",
    regtest: "fabfb5da",
  };
  const ports: Record<Network, number> = {
    main: 8333,
    test: 18333,
    testnet4: 48333,
    signet: 38333,
    regtest: 18444,
  };
  for (const net of NETWORKS) {
    const p = chainParams(net);
    assertEquals(toHex(p.messageStart), magic[net], net);
    assertEquals(networkForMagic(p.messageStart), net);
    assertEquals(p.defaultPort, ports[net]);
    assertEquals(p.p2pPort, baseParams(net).p2pPort);
    assertEquals(p.rpcPort, baseParams(net).rpcPort);
    assertEquals(p.dataDir, baseParams(net).dataDir);
    assertEquals(p.prefixes, addressPrefixes(net));
  }
  assertEquals(networkForMagic(hex("00000000")), undefined);
  assertEquals(networkForMagic(hex("f9beb4")), undefined);
  const main = chainParams("main").prefixes;
  assertEquals([main.pubkeyAddress, main.scriptAddress, main.secretKey, main.bech32Hrp], [0, 5, 128, "bc"]);
  for (const net of ["test", "testnet4", "signet"] as const) {
    const p = chainParams(net).prefixes;
    assertEquals([p.pubkeyAddress, p.scriptAddress, p.secretKey, p.bech32Hrp], [111, 196, 239, "tb"]);
  }
  const r = chainParams("regtest").prefixes;
  assertEquals([r.pubkeyAddress, r.scriptAddress, r.secretKey, r.bech32Hrp], [111, 196, 239, "bcrt"]);
  assertEquals(toHex(main.extPublicKey), "0488b21e");
  assertEquals(toHex(r.extSecretKey), "04358394");
});

Deno.test("signet: default challenge, custom challenge changes the message start", () => {
  const s = chainParams("signet");
  assert(s.consensus.signetBlocks);
  assertEquals(
    toHex(s.consensus.signetChallenge),
    "512103ad5e0edad18cb1f0fc0d28a3d4f1f3e445640337489abb10404f2d1e086be430210359ef5021964fe22d6f8e05b2463c9540ce96" +
      "883fe3b278760f048f5189f2e6c452ae",
  );
  assertEquals(s.dnsSeeds.length, 2);
  const custom = chainParams("signet", { signetChallenge: Uint8Array.of(0x51) });
  assertEquals(toHex(custom.consensus.signetChallenge), "51");
  // First 4 bytes of SHA256d(0x01 0x51).
  assertEquals(toHex(custom.messageStart), toHex(sha256d(Uint8Array.of(1, 0x51)).subarray(0, 4)));
  assertEquals(custom.consensus.minimumChainWork, 0n);
  assertEquals(custom.consensus.defaultAssumeValid, "00".repeat(32));
  assertEquals(custom.dnsSeeds, []);
  assertEquals(custom.consensus.hashGenesisBlock, s.consensus.hashGenesisBlock);
  assertEquals(chainParams("signet", { signetSeeds: ["a.example."] }).dnsSeeds, ["a.example."]);
  for (const net of ["main", "test", "testnet4", "regtest"] as const) {
    assert(!chainParams(net).consensus.signetBlocks);
    assertEquals(chainParams(net).consensus.signetChallenge.length, 0);
  }
});

Deno.test("consensus: proof-of-work rules and limits per network (Core's values)", () => {
  const c = (net: Network) => chainParams(net).consensus;
  const limit = 0x00000000ffffffffffffffffffffffffffffffffffffffffffffffffffffffffn;
  assertEquals([c("main").powLimit, c("test").powLimit, c("testnet4").powLimit], [limit, limit, limit]);
  assertEquals(c("signet").powLimit, 0x377aen << 216n);
  assertEquals(c("regtest").powLimit, (1n << 255n) - 1n);
  assertEquals(NETWORKS.map((n) => c(n).powAllowMinDifficultyBlocks), [false, true, true, false, true]);
  assertEquals(NETWORKS.map((n) => c(n).enforceBIP94), [false, false, true, false, false]);
  assertEquals(chainParams("regtest", { enforceBIP94: true }).consensus.enforceBIP94, true);
  assertEquals(NETWORKS.map((n) => c(n).powNoRetargeting), [false, false, false, false, true]);
  assertEquals(NETWORKS.map((n) => c(n).powTargetSpacing), [600, 600, 600, 600, 600]);
  assertEquals(NETWORKS.map((n) => c(n).powTargetTimespan), [1209600, 1209600, 1209600, 1209600, 86400]);
  assertEquals(NETWORKS.map((n) => c(n).difficultyAdjustmentInterval), [2016, 2016, 2016, 2016, 144]);
  assertEquals(NETWORKS.map((n) => c(n).subsidyHalvingInterval), [210000, 210000, 210000, 210000, 150]);
  assertEquals(COINBASE_MATURITY, 100);
  assertEquals(MAX_MONEY, 2_100_000_000_000_000n);
});

Deno.test("consensus: Core's sanity checks on each network's parameters (pow_tests sanity_check_chainparams)", async (t) => {
  for (const net of NETWORKS) {
    await t.step(net, () => {
      const p = chainParams(net);
      const c = p.consensus;
      assertEquals(c.powTargetTimespan % c.powTargetSpacing, 0);
      const { target, negative, overflow } = setCompact(p.genesis.header.bits);
      assert(!negative && target !== 0n && !overflow);
      assert(c.powLimit >= target);
      if (!c.powNoRetargeting) assert(c.powLimit < ((1n << 256n) - 1n) / BigInt(c.powTargetTimespan * 4));
      // The genesis bits are the compact form of the limit on every network.
      assertEquals(p.genesis.header.bits, getCompact(c.powLimit));
    });
  }
});

Deno.test("consensus: buried deployment heights, taproot from genesis, script flags", () => {
  const heights = (net: Network, opts = {}) => {
    const c = chainParams(net, opts).consensus;
    return (["bip34", "cltv", "dersig", "csv", "segwit"] as const).map((d) => deploymentHeight(c, d));
  };
  assertEquals(heights("main"), [227931, 388381, 363725, 419328, 481824]);
  assertEquals(heights("test"), [21111, 581885, 330776, 770112, 834624]);
  assertEquals(heights("testnet4"), [1, 1, 1, 1, 1]);
  assertEquals(heights("signet"), [1, 1, 1, 1, 1]);
  assertEquals(heights("regtest"), [1, 1, 1, 1, 0]);
  assertEquals(heights("regtest", { activationHeights: { segwit: 432, csv: 500 } }), [1, 1, 1, 500, 432]);
  const main = chainParams("main").consensus;
  assertEquals(main.bip34Hash, "000000000000024b89b42a942fe0d9fea3bb44ab7bd1b19115dd6a759c0808b8");
  assertEquals(blockScriptFlags(main, { height: 1, hash: "00".repeat(32) }), ["P2SH", "WITNESS", "TAPROOT"]);
  assertEquals(blockScriptFlags(main, { height: 481824, hash: "11".repeat(32) }), [
    "P2SH",
    "WITNESS",
    "TAPROOT",
    "DERSIG",
    "CHECKLOCKTIMEVERIFY",
    "CHECKSEQUENCEVERIFY",
    "NULLDUMMY",
  ]);
  assertEquals(
    blockScriptFlags(main, {
      height: 170060,
      hash: "00000000000002dc756eebf4f49723ed8d30cc28a5f108eb94b1ba88ac4f9c22",
    }),
    [],
  );
  assertEquals(
    blockScriptFlags(main, {
      height: 692261,
      hash: "0000000000000000000f14c35b2d841e986ab5441de8c585d5ffe55ea1e395ad",
    }),
    ["P2SH", "WITNESS", "DERSIG", "CHECKLOCKTIMEVERIFY", "CHECKSEQUENCEVERIFY", "NULLDUMMY"],
  );
  assertEquals(chainParams("test").consensus.scriptFlagExceptions.size, 1);
  assertEquals(blockScriptFlags(chainParams("regtest").consensus, { height: 0, hash: "00".repeat(32) }), [
    "P2SH",
    "WITNESS",
    "TAPROOT",
    "NULLDUMMY",
  ]);
});

Deno.test("chain facts: minimum chain work, assumed valid, assumeutxo, test dummy deployment", () => {
  const main = chainParams("main");
  assertEquals(
    main.consensus.minimumChainWork,
    0x0000000000000000000000000000000000000001128750f82f4c366153a3a030n,
  );
  assertEquals(
    main.consensus.defaultAssumeValid,
    "00000000000000000000ccebd6d74d9194d8dcdc1d177c478e094bfad51ba5ac",
  );
  assertEquals(main.assumeutxo.map((a) => a.height), [840000, 880000, 910000, 935000]);
  assertEquals(chainParams("regtest").assumeutxo.map((a) => a.height), [110, 200, 299]);
  assertEquals(chainParams("regtest").consensus.minimumChainWork, 0n);
  const dummy = chainParams("regtest").consensus.deployments.testdummy;
  assertEquals([dummy.bit, dummy.startTime, dummy.period, dummy.threshold], [28, 0n, 144, 108]);
  assertEquals(main.consensus.deployments.testdummy.startTime, -2n);
  assertEquals(chainParams("regtest", { fastprune: true }).pruneAfterHeight, 100);
  assertEquals(chainParams("regtest").pruneAfterHeight, 1000);
  assert(chainParams("regtest").isMockableChain && !main.isMockableChain);
  // A new object each call: changing one does not change another.
  chainParams("main").messageStart[0] = 0;
  assertEquals(chainParams("main").messageStart[0], 0xf9);
});

Deno.test("regtest genesis matches the recorded Core session's getblockchaininfo", async () => {
  const session = JSON.parse(
    await Deno.readTextFile(
      new URL("../../../shared/reference/core_regtest_rpc_session.json", import.meta.url),
    ),
  ) as { call: [string, unknown[]]; result?: Record<string, unknown> }[];
  const info = session.find((e) => e.call[0] === "getblockchaininfo")!.result!;
  const g = chainParams("regtest").genesis;
  assertEquals(info.bestblockhash, chainParams("regtest").consensus.hashGenesisBlock);
  assertEquals(info.bits, g.header.bits.toString(16).padStart(8, "0"));
  assertEquals(info.time, g.header.time);
  assertEquals(info.chain, "regtest");
});
