/**
 * `verifychain`'s checks (Core's `CVerifyDB::VerifyDB` in `src/validation.cpp`) over the `Chainstate` contract:
 * walking back from the tip over the last `nblocks` blocks,
 * - level 0 reads each block and checks it hashes to its index entry;
 * - level 1 runs the context-free block checks (`checkBlock`: PoW, merkle root, sizes, coinbase, transactions);
 * - level 2 reads the undo data and checks it has one coin per input of each non-coinbase transaction;
 * - level 3 disconnects the blocks in memory from the UTXO set at the tip: every output a block created must be
 *   in the set (with its value, script, height and coinbase flag) and the undo data restores what it spent;
 * - level 4 reconnects the blocks in memory: every input must find its coin, equal to the undo data, coinbase
 *   outputs must be mature, inputs must cover outputs, the coinbase must claim at most subsidy plus fees, and the
 *   set reached must agree with the chain's UTXO set on every coin the blocks touched. (Scripts are not re-run:
 *   the contract has no script check entry point; Core's level 4 re-runs ConnectBlock with scripts.)
 * Each level includes the checks of the previous levels (Core's `CHECKLEVEL_DOC`).
 *
 * @module
 */
import { type ChainParams, COINBASE_MATURITY } from "../../core/chain_params.ts";
import { checkBlock, validationStateToString } from "../../core/consensus/mod.ts";
import { getBlockSubsidy } from "../../core/pow.ts";
import { bytesEqual } from "../../core/hash/mod.ts";
import { blockHash, outPointKey, txid } from "../../core/wire/mod.ts";
import type { Block, OutPoint } from "../../core/wire/types.ts";
import type { BlockIndexEntry, ChainCoin, Chainstate } from "../../node/chain/types.ts";

/** Core's `DEFAULT_CHECKLEVEL`. */
export const DEFAULT_CHECKLEVEL = 3;
/** Core's `DEFAULT_CHECKBLOCKS`. */
export const DEFAULT_CHECKBLOCKS = 6;
/** Core's `CHECKLEVEL_DOC`. */
export const CHECKLEVEL_DOC: readonly string[] = [
  "level 0 reads the blocks from disk",
  "level 1 verifies block validity",
  "level 2 verifies undo data",
  "level 3 checks disconnection of tip blocks",
  "level 4 tries to reconnect the blocks",
  "each level includes the checks of the previous levels",
];

/** The outcome of {@link verifyChain}. */
export interface VerifyChainResult {
  /** Whether every check passed. */
  readonly ok: boolean;
  /** Why not (Core's log line), or a summary. */
  readonly message: string;
}

/** Core's `CScript::IsUnspendable`: OP_RETURN first, or larger than MAX_SCRIPT_SIZE (never in the UTXO set). */
function isUnspendable(script: Uint8Array): boolean {
  return (script.length > 0 && script[0] === 0x6a) || script.length > 10_000;
}

function coinEquals(a: ChainCoin, b: ChainCoin): boolean {
  return a.height === b.height && a.coinbase === b.coinbase && a.output.value === b.output.value &&
    bytesEqual(a.output.scriptPubKey, b.output.scriptPubKey);
}

/** An in-memory layer over the chain's UTXO set (null marks a spent coin). */
class CoinsOverlay {
  readonly #chain: Chainstate;
  readonly #map = new Map<string, { op: OutPoint; coin: ChainCoin | null }>();
  constructor(chain: Chainstate) {
    this.#chain = chain;
  }
  async get(op: OutPoint): Promise<ChainCoin | null> {
    const e = this.#map.get(outPointKey(op));
    return e !== undefined ? e.coin : await this.#chain.getCoin(op);
  }
  set(op: OutPoint, coin: ChainCoin | null): void {
    this.#map.set(outPointKey(op), { op, coin });
  }
  touched(): Iterable<{ op: OutPoint; coin: ChainCoin | null }> {
    return this.#map.values();
  }
}

/**
 * Runs `verifychain checklevel nblocks` against `chain` (level clamped to 0–4; `nblocks` ≤ 0 or above the tip
 * height means the whole chain down to block 1). Never throws: failures come back as `{ ok: false, message }`.
 */
export async function verifyChain(
  chain: Chainstate,
  checkLevel: number,
  checkDepth: number,
): Promise<VerifyChainResult> {
  const tip = chain.tip();
  if (tip.prev === null) return { ok: true, message: "Verification: nothing to check" };
  const level = Math.max(0, Math.min(4, checkLevel));
  const depth = checkDepth <= 0 || checkDepth > tip.height ? tip.height : checkDepth;
  const overlay = new CoinsOverlay(chain);
  const checked: { entry: BlockIndexEntry; block: Block; undo: readonly (readonly ChainCoin[])[] }[] = [];
  try {
    for (let entry: BlockIndexEntry | null = tip; entry !== null && entry.prev !== null; entry = entry.prev) {
      if (entry.height <= tip.height - depth) break;
      let block: Block;
      try {
        block = await chain.readBlock(entry);
      } catch (e) {
        return fail(`ReadBlock failed at ${entry.height}, hash=${entry.hashHex} (${errText(e)})`);
      }
      if (!bytesEqual(blockHash(block.header), entry.hash)) {
        return fail(`block at ${entry.height}, hash=${entry.hashHex} does not hash to its index entry`);
      }
      if (level >= 1) {
        const state = checkBlock(block, chain.params.consensus);
        if (!state.valid) {
          return fail(
            `found bad block at ${entry.height}, hash=${entry.hashHex} (${validationStateToString(state)})`,
          );
        }
      }
      let undo: readonly (readonly ChainCoin[])[] = [];
      if (level >= 2) {
        try {
          undo = await chain.readUndo(entry);
        } catch (e) {
          return fail(`found bad undo data at ${entry.height}, hash=${entry.hashHex} (${errText(e)})`);
        }
        const shapeOk = undo.length === block.txs.length - 1 &&
          undo.every((u, i) => u.length === block.txs[i + 1].inputs.length);
        if (!shapeOk) return fail(`found bad undo data at ${entry.height}, hash=${entry.hashHex}`);
      }
      if (level >= 3) {
        const bad = await disconnect(overlay, block, entry, undo);
        if (bad !== null) {
          return fail(`inconsistent block at ${entry.height}, hash=${entry.hashHex} (${bad})`);
        }
      }
      checked.push({ entry, block, undo });
    }
    if (level >= 4) {
      for (let i = checked.length - 1; i >= 0; i--) {
        const { entry, block, undo } = checked[i];
        const bad = await connect(overlay, block, entry, undo, chain.params);
        if (bad !== null) {
          return fail(`found unconnectable block at ${entry.height}, hash=${entry.hashHex} (${bad})`);
        }
      }
      for (const { op, coin } of overlay.touched()) {
        const actual = await chain.getCoin(op);
        if (
          (coin === null) !== (actual === null) ||
          (coin !== null && actual !== null && !coinEquals(coin, actual))
        ) {
          return fail(`reconnected UTXO set differs from the chainstate at ${outPointKey(op)}`);
        }
      }
    }
  } catch (e) {
    return fail(`verification failed: ${errText(e)}`);
  }
  return {
    ok: true,
    message:
      `Verification: No coin database inconsistencies in last ${checked.length} blocks (level ${level})`,
  };
}

function fail(message: string): VerifyChainResult {
  return { ok: false, message: `Verification error: ${message}` };
}

function errText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** Core's `DisconnectBlock` on the overlay: the problem found as text, or null when clean. */
async function disconnect(
  overlay: CoinsOverlay,
  block: Block,
  entry: BlockIndexEntry,
  undo: readonly (readonly ChainCoin[])[],
): Promise<string | null> {
  for (let i = block.txs.length - 1; i >= 0; i--) {
    const tx = block.txs[i];
    const id = txid(tx);
    for (let n = 0; n < tx.outputs.length; n++) {
      const out = tx.outputs[n];
      if (isUnspendable(out.scriptPubKey)) continue;
      const op = { txid: id, vout: n };
      const coin = await overlay.get(op);
      const expected: ChainCoin = { output: out, height: entry.height, coinbase: i === 0 };
      if (coin === null || !coinEquals(coin, expected)) {
        return `output ${n} of transaction ${i} is not unspent`;
      }
      overlay.set(op, null);
    }
    if (i > 0) {
      const spent = undo[i - 1];
      for (let k = 0; k < tx.inputs.length; k++) {
        const op = tx.inputs[k].prevout;
        if ((await overlay.get(op)) !== null) {
          return `input ${k} of transaction ${i} spends a coin that is still unspent`;
        }
        overlay.set(op, spent[k]);
      }
    }
  }
  return null;
}

/**
 * Core's `ConnectBlock` on the overlay: coin bookkeeping (inputs must exist and equal the undo data), coinbase
 * maturity, inputs covering outputs and the coinbase paying at most subsidy plus fees (Core's reject reasons).
 */
async function connect(
  overlay: CoinsOverlay,
  block: Block,
  entry: BlockIndexEntry,
  undo: readonly (readonly ChainCoin[])[],
  params: ChainParams,
): Promise<string | null> {
  let fees = 0n;
  for (let i = 0; i < block.txs.length; i++) {
    const tx = block.txs[i];
    if (i > 0) {
      let valueIn = 0n;
      for (let k = 0; k < tx.inputs.length; k++) {
        const op = tx.inputs[k].prevout;
        const coin = await overlay.get(op);
        if (coin === null) return `bad-txns-inputs-missingorspent (input ${k} of transaction ${i})`;
        if (!coinEquals(coin, undo[i - 1][k])) {
          return `input ${k} of transaction ${i} differs from its undo data`;
        }
        if (coin.coinbase && entry.height - coin.height < COINBASE_MATURITY) {
          return `bad-txns-premature-spend-of-coinbase (transaction ${i})`;
        }
        valueIn += coin.output.value;
        overlay.set(op, null);
      }
      const valueOut = tx.outputs.reduce((a, o) => a + o.value, 0n);
      if (valueIn < valueOut) return `bad-txns-in-belowout (transaction ${i})`;
      fees += valueIn - valueOut;
    }
    const id = txid(tx);
    for (let n = 0; n < tx.outputs.length; n++) {
      const out = tx.outputs[n];
      if (isUnspendable(out.scriptPubKey)) continue;
      overlay.set({ txid: id, vout: n }, { output: out, height: entry.height, coinbase: i === 0 });
    }
  }
  const coinbaseOut = block.txs[0].outputs.reduce((a, o) => a + o.value, 0n);
  if (coinbaseOut > getBlockSubsidy(entry.height, params.consensus) + fees) return "bad-cb-amount";
  return null;
}
