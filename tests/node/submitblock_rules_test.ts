/**
 * End to end over RPC: blocks that break one consensus rule each, built by the test helper
 * (tests/node/chain/block_builder.ts) and submitted to a real `tsbtc node -regtest` with `submitblock`, come
 * back with Core's reject reason, and the tip does not move. (The chainstate-level tests check the same rules
 * through `processNewBlock`; this is the path a miner or a P2P peer takes.)
 */
import { assertEquals } from "../assert.ts";
import { startNode, type TestNode } from "../helpers.ts";
import { encodeDestination } from "../../core/address/destination.ts";
import { chainParams } from "../../core/chain_params.ts";
import { fromHex, sha256, toHex } from "../../core/hash/hashes.ts";
import { checkProofOfWork } from "../../core/pow.ts";
import { blockHash, decodeBlock, encodeBlock } from "../../core/wire/block.ts";
import { txid } from "../../core/wire/transaction.ts";
import type { Block, BlockHeader, Transaction } from "../../core/wire/types.ts";
import { hashToHex, hexToHash } from "../../node/chain/block_index.ts";
import type { BlockIndexEntry } from "../../node/chain/types.ts";
import { buildBlock, type BuildBlockOptions, solve, spendP2wpkh, testKey } from "./chain/block_builder.ts";

const params = chainParams("regtest");
const key = testKey(2);
const ADDRESS = encodeDestination(key.script, "regtest")!;
const COIN = 1_0000_0000n;

async function call(node: TestNode, method: string, params: unknown[] = []): Promise<unknown> {
  const r = await node.rpc(method, params);
  if (r.error) throw new Error(`${method}: ${JSON.stringify(r.error)}`);
  return r.result;
}

/** The tip as the block builder needs it (height, hash, median time past, bits), read over RPC. */
async function tipEntry(node: TestNode): Promise<BlockIndexEntry> {
  const hash = await call(node, "getbestblockhash") as string;
  const h = await call(node, "getblockheader", [hash]) as {
    height: number;
    mediantime: number;
    time: number;
    bits: string;
    version: number;
  };
  return {
    hash: hexToHash(hash),
    hashHex: hash,
    height: h.height,
    medianTimePast: h.mediantime,
    header: { time: h.time, bits: parseInt(h.bits, 16), version: h.version } as BlockHeader,
  } as BlockIndexEntry;
}

/** The coinbase (50 BTC to {@link key}) of the block at `height`. */
async function coinbaseOf(node: TestNode, height: number): Promise<Transaction> {
  const hash = await call(node, "getblockhash", [height]);
  const hex = await call(node, "getblock", [hash, 0]) as string;
  return decodeBlock(fromHex(hex)).txs[0];
}

function spend(cb: Transaction, outputs: { value: bigint; scriptPubKey: Uint8Array }[], opts?: {
  version?: number;
  locktime?: number;
  sequence?: number;
}): Transaction {
  return spendP2wpkh(
    [{ outpoint: { txid: txid(cb), vout: 0 }, value: cb.outputs[0].value, key, sequence: opts?.sequence }],
    outputs,
    opts,
  );
}

function hexOf(block: Block): string {
  return toHex(encodeBlock(block));
}

Deno.test({
  name: "node: submitblock rejects a block breaking each consensus rule with Core's reason",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async () => {
    const node = await startNode();
    try {
      await call(node, "generatetoaddress", [120, ADDRESS]);
      const submit = async (o: Omit<BuildBlockOptions, "prev" | "params">, mutate?: (b: Block) => Block) => {
        const prev = await tipEntry(node);
        let block = buildBlock({ ...o, prev, params });
        if (mutate !== undefined) block = mutate(block);
        const result = await call(node, "submitblock", [hexOf(block)]);
        return { result, block };
      };
      const expectReject = async (
        reason: string,
        o: Omit<BuildBlockOptions, "prev" | "params">,
        mutate?: (b: Block) => Block,
      ) => {
        const tip = await call(node, "getbestblockhash");
        const { result } = await submit(o, mutate);
        assertEquals(result, reason);
        assertEquals(await call(node, "getbestblockhash"), tip, `tip moved on ${reason}`);
      };
      const to = (value: bigint) => [{ value, scriptPubKey: key.script }];
      const cb1 = await coinbaseOf(node, 1);
      const cb2 = await coinbaseOf(node, 2);
      const cb3 = await coinbaseOf(node, 3);
      const now = Math.floor(Date.now() / 1000);

      // Header rules (CheckBlockHeader, ContextualCheckBlockHeader).
      await expectReject("high-hash", {}, (b) => {
        for (let nonce = 0;; nonce++) {
          const header = { ...b.header, nonce };
          if (!checkProofOfWork(blockHash(header), header.bits, params.consensus)) return { ...b, header };
        }
      });
      await expectReject("bad-diffbits", { bits: 0x207ffffe });
      const prev = await tipEntry(node);
      await expectReject("time-too-old", { time: prev.medianTimePast });
      await expectReject("time-too-new", { time: now + 2 * 60 * 60 + 600 });
      await expectReject("bad-version(0x00000003)", { version: 3 });
      await expectReject("bad-version(0x00000001)", { version: 1 });

      // Block structure (CheckBlock, ContextualCheckBlock).
      await expectReject("bad-txnmrklroot", {}, (b) => {
        const merkleRoot = b.header.merkleRoot.slice();
        merkleRoot[0] ^= 1;
        return { ...b, header: solve({ ...b.header, merkleRoot }, params) };
      });
      await expectReject("bad-cb-height", { cbHeight: 5 });
      await expectReject("bad-witness-merkle-match", { badCommitment: true });
      await expectReject("bad-witness-merkle-match", {
        txs: [spend(cb1, to(49n * COIN))],
        badCommitment: true,
      });
      const heavy = spend(cb1, to(49n * COIN));
      await expectReject("bad-blk-weight", {
        txs: [{
          ...heavy,
          inputs: [{ ...heavy.inputs[0], witness: [...heavy.inputs[0].witness, new Uint8Array(4_000_000)] }],
        }],
        fees: COIN,
      });
      const tipNow = await tipEntry(node);
      await expectReject("bad-txns-nonfinal", {
        txs: [spend(cb1, to(49n * COIN), { locktime: tipNow.height + 1, sequence: 0 })],
        fees: COIN,
      });

      // ConnectBlock: amounts, inputs, maturity, BIP68, sigops, scripts.
      await expectReject("bad-cb-amount", { coinbaseValue: 50n * COIN + 1n });
      await expectReject("bad-cb-amount", { txs: [spend(cb1, to(49n * COIN))], fees: COIN + 1n });
      await expectReject("bad-txns-in-belowout", { txs: [spend(cb1, to(51n * COIN))] });
      const missing = spendP2wpkh(
        [{ outpoint: { txid: new Uint8Array(32).fill(0x42), vout: 0 }, value: 50n * COIN, key }],
        to(49n * COIN),
      );
      await expectReject("bad-txns-inputs-missingorspent", { txs: [missing], fees: COIN });
      const young = await coinbaseOf(node, tipNow.height - 50);
      await expectReject("bad-txns-premature-spend-of-coinbase", {
        txs: [spend(young, to(49n * COIN))],
        fees: COIN,
      });
      await expectReject("bad-txns-nonfinal", {
        txs: [spend(cb1, to(49n * COIN), { version: 2, sequence: 1000 })],
        fees: COIN,
      });
      const signed = spend(cb1, to(49n * COIN));
      const sig = signed.inputs[0].witness[0].slice();
      sig[10] ^= 1;
      await expectReject(
        "block-script-verify-flag-failed (Script evaluated without error but finished with a false/empty top stack element)",
        {
          txs: [{
            ...signed,
            inputs: [{ ...signed.inputs[0], witness: [sig, signed.inputs[0].witness[1]] }],
          }],
          fees: COIN,
        },
      );

      // Sigop cost: fund a P2WSH of 4,001 OP_CHECKMULTISIG (20 sigops each), then spend it.
      const witnessScript = new Uint8Array(4001).fill(0xae);
      const fund = spend(cb2, [{
        value: 49n * COIN,
        scriptPubKey: new Uint8Array([0x00, 0x20, ...sha256(witnessScript)]),
      }]);
      const funded = await submit({ txs: [fund], fees: COIN });
      assertEquals(funded.result, null);
      const sigops: Transaction = {
        version: 2,
        inputs: [{
          prevout: { txid: txid(fund), vout: 0 },
          scriptSig: new Uint8Array(0),
          sequence: 0,
          witness: [witnessScript],
        }],
        outputs: to(48n * COIN),
        locktime: 0,
      };
      await expectReject("bad-blk-sigops", { txs: [sigops], fees: COIN });

      // BIP30: the funding transaction again, while its output is unspent (Core checks this before the inputs).
      await expectReject("bad-txns-BIP30", { txs: [fund], fees: COIN });

      // A valid block is accepted (null), a second submission is a duplicate, an invalid one stays invalid.
      const ok = await submit({ txs: [spend(cb3, to(49n * COIN))], fees: COIN });
      assertEquals(ok.result, null);
      assertEquals(await call(node, "getbestblockhash"), hashToHex(blockHash(ok.block.header)));
      assertEquals(await call(node, "submitblock", [hexOf(ok.block)]), "duplicate");
      const bad = await submit({ coinbaseValue: 50n * COIN + 1n });
      assertEquals(bad.result, "bad-cb-amount");
      assertEquals(await call(node, "submitblock", [hexOf(bad.block)]), "duplicate-invalid");
      const okEntry = await tipEntry(node);
      const badEntry = { ...okEntry, hash: blockHash(bad.block.header), height: okEntry.height + 1 };
      const onBad = buildBlock({ prev: badEntry as BlockIndexEntry, params });
      assertEquals(await call(node, "submitblock", [hexOf(onBad)]), "bad-prevblk");
      const r = await node.rpc("submitblock", ["00"]);
      assertEquals((r.error as { code: number; message: string }).message, "Block decode failed");
    } finally {
      await node.rpc("stop");
      await node.wait();
      await node.cleanup();
    }
  },
});
