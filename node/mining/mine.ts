/**
 * Proof-of-work grinding for the generate RPCs (Core's `GenerateBlock` / `generateBlocks` in rpc/mining.cpp):
 * nonces from 0 upward until the header meets its target; no extraNonce (current Core has none: a new template
 * is made for each block, and its time moves with the clock).
 *
 * @module
 */
import { setCompact } from "../../core/pow.ts";
import { encodeBlockHeader } from "../../core/wire/block.ts";
import { reverseHex, sha256d } from "../../core/hash/hashes.ts";
import type { Block } from "../../core/wire/types.ts";
import type { Chainstate } from "../chain/types.ts";
import { type BlockAssemblerOptions, type BlockTemplate, createNewBlock } from "./block_assembler.ts";

/**
 * Default longest stretch (ms) {@link generateBlocks} works without letting the event loop run: connecting a
 * block may need no I/O at all, so without a pause other requests (RPC, IPC) would wait for the whole batch.
 * A pause is a `setTimeout(0)`: it waits for a timer tick, 1–3 ms in Deno and tens of ms on a loaded machine,
 * so pauses are rare (a `generatetoaddress 101` usually makes none). Quicker ways do not do: `setImmediate` and
 * a MessageChannel message come back before sockets are polled, and pausing on a tiny WebCrypto digest added
 * about 20 ms of CPU to the first `generatetoaddress 101` (measured).
 */
export const GENERATE_YIELD_MS = 100;

/** Default tries of the generate RPCs (`DEFAULT_MAX_TRIES`). */
export const DEFAULT_MAX_TRIES = 1_000_000;

/** Result of {@link grindBlock}. */
export type GrindResult =
  /** Found: the block with a valid nonce, and its hash (internal byte order). */
  | { readonly found: true; readonly block: Block; readonly hash: Uint8Array; readonly triesLeft: number }
  /** Out of tries (triesLeft 0), or the nonce space ran out (triesLeft > 0, block absent as in Core). */
  | { readonly found: false; readonly triesLeft: number };

/**
 * Core's `GenerateBlock` grinding: from the block's nonce upward while tries remain and the hash is above the
 * target. Returns the solved block, or found=false when `maxTries` ran out or the nonce reached 2^32-1.
 */
export function grindBlock(block: Block, maxTries: number): GrindResult {
  const { target, negative, overflow } = setCompact(block.header.bits);
  const bytes = encodeBlockHeader(block.header);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let nonce = block.header.nonce >>> 0;
  let tries = maxTries;
  const valid = !negative && !overflow && target !== 0n && target < 1n << 256n;
  const limit = valid ? targetBytes(target) : new Uint8Array(32);
  let hash: Uint8Array = new Uint8Array(32);
  const ok = () => {
    if (!valid) return false;
    hash = sha256d(bytes);
    return hashAtMost(hash, limit);
  };
  view.setUint32(76, nonce, true);
  while (tries > 0 && nonce < 0xffffffff && !ok()) {
    nonce++;
    tries--;
    view.setUint32(76, nonce, true);
  }
  if (tries === 0 || nonce === 0xffffffff) return { found: false, triesLeft: tries };
  return {
    found: true,
    block: { header: { ...block.header, nonce }, txs: block.txs },
    hash,
    triesLeft: tries,
  };
}

const targetCache = new Map<bigint, Uint8Array>();

/** `target` as 32 bytes, least significant first (a hash's internal byte order); kept per target. */
function targetBytes(target: bigint): Uint8Array {
  const cached = targetCache.get(target);
  if (cached !== undefined) return cached;
  const out = new Uint8Array(32);
  let t = target;
  for (let i = 0; i < 32; i++, t >>= 8n) out[i] = Number(t & 0xffn);
  if (targetCache.size < 64) targetCache.set(target, out);
  return out;
}

/** Whether the hash, read as a little-endian 256-bit number, is at most `limit` (same order). */
function hashAtMost(hash: Uint8Array, limit: Uint8Array): boolean {
  for (let i = 31; i >= 0; i--) {
    if (hash[i] !== limit[i]) return hash[i] < limit[i];
  }
  return true;
}

/** Options of {@link generateBlocks}. */
export interface GenerateBlocksOptions extends BlockAssemblerOptions {
  /** Blocks to mine. */
  readonly count: number;
  /** Nonces to try in all (default {@link DEFAULT_MAX_TRIES}). */
  readonly maxTries?: number;
  /** Longest stretch of work between two pauses for the event loop (default {@link GENERATE_YIELD_MS}). */
  readonly yieldMs?: number;
  /** Called with each template before grinding (e.g. for getmininginfo's last block weight). */
  readonly onTemplate?: (template: BlockTemplate) => void;
}

/**
 * Core's `generateBlocks`: assembles a block on the tip, grinds it, and hands it to `chain.processNewBlock`
 * (forced), until `count` blocks are mined or the tries run out. Returns the block hashes (display hex).
 * Throws `Error("ProcessNewBlock, block not accepted")` when the chain rejects a mined block.
 */
export async function generateBlocks(chain: Chainstate, options: GenerateBlocksOptions): Promise<string[]> {
  const hashes: string[] = [];
  let remaining = options.count;
  let tries = options.maxTries ?? DEFAULT_MAX_TRIES;
  const yieldMs = options.yieldMs ?? GENERATE_YIELD_MS;
  let lastYield = performance.now();
  while (remaining > 0) {
    if (performance.now() - lastYield >= yieldMs) {
      await new Promise((resolve) => setTimeout(resolve, 0));
      lastYield = performance.now();
    }
    const template = await createNewBlock(chain, options);
    options.onTemplate?.(template);
    const res = grindBlock(template.block, tries);
    tries = res.triesLeft;
    if (!res.found) {
      if (tries === 0) break;
      continue; // nonce space exhausted: a new template (Core loops the same way)
    }
    const { state } = await chain.processNewBlock(res.block, { force: true });
    if (!state.valid) throw new Error("ProcessNewBlock, block not accepted");
    remaining--;
    hashes.push(reverseHex(res.hash));
  }
  return hashes;
}
