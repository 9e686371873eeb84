/**
 * `scantxoutset` (Core's `src/rpc/blockchain.cpp`): scans the UTXO set for outputs matching descriptors. The
 * chainstate is flushed first (Core's `ForceFlushStateToDisk`) and the coins database is read in key order (again,
 * up to three times, when another flush wrote to it during the scan: Deno KV has no snapshots); one
 * scan runs at a time, `status` reports its progress (from the first two txid bytes, as Core) and `abort` stops
 * it at the next 8192-coin boundary.
 *
 * @module
 */
import type { Network } from "../../core/chain_params_base.ts";
import { hash160, reverseHex, toHex } from "../../core/hash/hashes.ts";
import { addChecksum, formatHDKeypath } from "../../core/descriptors/mod.ts";
import type { ChainstateImpl } from "../../node/chain/chainstate.ts";
import type { BlockIndexEntry } from "../../node/chain/types.ts";
import { RpcError, RpcErrorCode } from "../errors.ts";
import { helpExampleCli, helpExampleRpc } from "../help.ts";
import { type JsonValue, valueFromAmount } from "../json.ts";
import type { RpcMethod } from "../table.ts";
import { inferDescriptor } from "../tx_json.ts";
import { getArray, getStr } from "../values.ts";
import { expandScanObject, parseScanObject } from "./descriptors.ts";

/** What `scantxoutset` needs from the node. */
export interface ScanTxOutSetOptions {
  /** The active chainstate (flushed, then its coins database is read). */
  chain: () => ChainstateImpl;
  /** The node's network (descriptors and addresses). */
  network: () => Network;
}

const EXAMPLE_DESCRIPTOR_RAW = "raw(76a91411b366edfc0a8b66feebae5c2e25a7b6a5d1cf3188ac)#fm24fxxy";

/** Coins between abort checks (Core's `FindScriptPubKey`). */
const ABORT_CHECK_INTERVAL = 8192;
/** Coins between progress updates. */
const PROGRESS_INTERVAL = 256;

/**
 * Core's `EvalDescriptorStringOrObject`: the output scripts of a scan object (a descriptor string, or
 * `{desc, range}`; default range 0–1000 for ranged descriptors), each with the descriptor Core infers for it.
 */
export function evalScanObject(
  scanObject: JsonValue,
  network: Network,
): { script: Uint8Array; desc: string }[] {
  const scan = parseScanObject(scanObject, network);
  const { descriptors: descs, range } = scan;
  const pubkeys = new Map<string, Uint8Array>();
  const scripts = new Map<string, Uint8Array>();
  const origins = new Map<string, string>();
  const keyOnlyTaproot = new Map<string, string>();
  const found: Uint8Array[] = [];
  for (let i = range[0]; i <= range[1]; i++) {
    for (const d of descs) {
      const expanded = expandScanObject(scan, () => d.expand(i));
      for (const k of expanded.pubkeys) {
        pubkeys.set(toHex(hash160(k.pubkey)), k.pubkey);
        const origin = `[${toHex(k.origin.fingerprint)}${formatHDKeypath(k.origin.path)}]`;
        origins.set(toHex(k.pubkey), origin);
        if (k.pubkey.length === 33) origins.set(toHex(k.pubkey.subarray(1)), origin);
      }
      for (const s of expanded.scripts) scripts.set(toHex(hash160(s)), s);
      for (const t of expanded.taproot) {
        if (t.merkleRoot === null) keyOnlyTaproot.set(toHex(t.outputKey), toHex(t.internalKey));
      }
      found.push(...expanded.scriptPubKeys);
    }
  }
  // Core infers each script's descriptor with the keys (and their origins) and scripts of the whole expansion.
  return found.map((script) => ({
    script,
    desc: inferWithOrigins(script, network, pubkeys, scripts, origins, keyOnlyTaproot),
  }));
}

/** A key expression in inferred descriptor text: after "(" or ",", before ")" or ",". */
const KEY_IN_TEXT = /([(,])([0-9a-f]{130}|[0-9a-f]{66}|[0-9a-f]{64})(?=[),])/g;

/**
 * Core's `InferDescriptor` with the provider `Expand` fills: keys carry their origin (`[fingerprint/path]`, Core's
 * `InferPubkey` with `GetKeyOrigin`), and a key-only P2TR output of the expansion is `tr(<internal key>)`. A P2TR
 * output with a script tree is given as `rawtr()` (tsbtc infers no tapscript leaves).
 */
function inferWithOrigins(
  script: Uint8Array,
  network: Network,
  pubkeys: ReadonlyMap<string, Uint8Array>,
  scripts: ReadonlyMap<string, Uint8Array>,
  origins: ReadonlyMap<string, string>,
  keyOnlyTaproot: ReadonlyMap<string, string>,
): string {
  let text: string;
  if (
    script.length === 34 && script[0] === 0x51 && script[1] === 0x20 &&
    keyOnlyTaproot.has(toHex(script.subarray(2)))
  ) {
    text = `tr(${keyOnlyTaproot.get(toHex(script.subarray(2)))})`;
  } else {
    const inferred = inferDescriptor(script, network, { pubkeys, scripts }).descriptor;
    text = inferred.slice(0, inferred.lastIndexOf("#"));
  }
  if (text.startsWith("raw(") || text.startsWith("addr(")) return addChecksum(text);
  return addChecksum(text.replace(KEY_IN_TEXT, (m, pre: string, hex: string) => {
    const origin = origins.get(hex);
    return origin === undefined ? m : `${pre}${origin}${hex}`;
  }));
}

/** The block of the active chain (as seen from `tip`) at `height`. */
function ancestor(chain: ChainstateImpl, tip: BlockIndexEntry, height: number): BlockIndexEntry {
  if (chain.contains(tip)) {
    const e = chain.atHeight(height);
    if (e !== null) return e;
  }
  let e: BlockIndexEntry | null = tip;
  while (e !== null && e.height > height) e = e.prev;
  if (e === null) throw new RpcError(RpcErrorCode.RPC_INTERNAL_ERROR, "Coin height above the tip");
  return e;
}

/** Scans of the UTXO set tried before a result read while the database changed is returned anyway. */
const MAX_ATTEMPTS = 3;

interface ScanResult {
  readonly success: boolean;
  readonly count: number;
  readonly tip: BlockIndexEntry;
  readonly unspents: Record<string, JsonValue>[];
  readonly total: bigint;
  /** The coins database recorded the same best block before and after the scan. */
  readonly consistent: boolean;
}

/** One pass of Core's `FindScriptPubKey` over the flushed coins database. */
async function scanOnce(
  chain: ChainstateImpl,
  needles: ReadonlyMap<string, string>,
  shouldAbort: () => boolean,
  setProgress: (p: number) => void,
): Promise<ScanResult> {
  await chain.flush();
  const db = chain.storage.coinsDb;
  const best = db.getBestBlock();
  const tip = (best === undefined ? undefined : chain.lookup(best)) ?? chain.tip();
  let count = 0;
  let success = true;
  const unspents: Record<string, JsonValue>[] = [];
  let total = 0n;
  setProgress(0);
  for await (const { outpoint, coin } of db.entries()) {
    count++;
    if (count % ABORT_CHECK_INTERVAL === 0) {
      await new Promise((r) => setTimeout(r, 0));
      if (shouldAbort()) {
        success = false;
        break;
      }
    }
    if (count % PROGRESS_INTERVAL === 0) {
      const high = 0x100 * outpoint.txid[0] + outpoint.txid[1];
      setProgress(Math.floor(high * 100 / 65536 + 0.5));
    }
    const script = coin.out.scriptPubKey;
    const desc = needles.get(toHex(script));
    if (desc === undefined) continue;
    total += coin.out.value;
    unspents.push({
      txid: reverseHex(outpoint.txid),
      vout: outpoint.vout,
      scriptPubKey: toHex(script),
      desc,
      amount: valueFromAmount(coin.out.value),
      coinbase: coin.coinbase,
      height: coin.height,
      blockhash: ancestor(chain, tip, coin.height).hashHex,
      confirmations: tip.height - coin.height + 1,
    });
  }
  const after = db.getBestBlock();
  const consistent = best !== undefined && after !== undefined && toHex(best) === toHex(after);
  return { success, count, tip, unspents, total, consistent };
}

/** `scantxoutset`, ready for `RpcTable.registerAll`; the scan state belongs to the returned method. */
export function scanTxOutSetMethods(options: ScanTxOutSetOptions): RpcMethod[] {
  let inProgress = false;
  let progress = 0;
  let shouldAbort = false;

  const scantxoutset: RpcMethod = {
    name: "scantxoutset",
    category: "blockchain",
    description:
      "Scans the unspent transaction output set for entries that match certain output descriptors.\n" +
      "Examples of output descriptors are:\n" +
      "    addr(<address>)                      Outputs whose output script corresponds to the specified address (does not include P2PK)\n" +
      "    raw(<hex script>)                    Outputs whose output script equals the specified hex-encoded bytes\n" +
      "    combo(<pubkey>)                      P2PK, P2PKH, P2WPKH, and P2SH-P2WPKH outputs for the given pubkey\n" +
      "    pkh(<pubkey>)                        P2PKH outputs for the given pubkey\n" +
      "    sh(multi(<n>,<pubkey>,<pubkey>,...)) P2SH-multisig outputs for the given threshold and pubkeys\n" +
      "    tr(<pubkey>)                         P2TR\n" +
      "    tr(<pubkey>,{pk(<pubkey>)})          P2TR with single fallback pubkey in tapscript\n" +
      "    rawtr(<pubkey>)                      P2TR with the specified key as output key rather than inner\n" +
      "    wsh(and_v(v:pk(<pubkey>),after(2)))  P2WSH miniscript with mandatory pubkey and a timelock\n" +
      "\nIn the above, <pubkey> either refers to a fixed public key in hexadecimal notation, or to an xpub/xprv optionally followed by one\n" +
      'or more path elements separated by "/", and optionally ending in "/*" (unhardened), or "/*\'" or "/*h" (hardened) to specify all\n' +
      "unhardened or hardened child keys.\n" +
      "In the latter case, a range needs to be specified by below if different from 1000.\n" +
      "For more information on output descriptors, see the documentation in the doc/descriptors.md file.\n",
    args: [
      {
        names: "action",
        type: "str",
        description: "The action to execute\n" +
          '"start" for starting a scan\n' +
          '"abort" for aborting the current scan (returns true when abort was successful)\n' +
          '"status" for progress report (in %) of the current scan',
      },
      {
        names: "scanobjects",
        type: "arr",
        fallback: "omitted",
        description: 'Array of scan objects. Required for "start" action\n' +
          "Every scan object is either a string descriptor or an object:",
        onelineDescription: "[scanobjects,...]",
        inner: [
          { names: "descriptor", type: "str", fallback: "omitted", description: "An output descriptor" },
          {
            names: "",
            type: "obj",
            fallback: "omitted",
            description: "An object with output descriptor and metadata",
            inner: [
              { names: "desc", type: "str", description: "An output descriptor" },
              {
                names: "range",
                type: "range",
                fallback: { default: 1000 },
                description: "The range of HD chain indexes to explore (either end or [begin,end])",
              },
            ],
          },
        ],
      },
    ],
    results: [
      {
        cond: "when action=='start'; only returns after scan completes",
        type: "obj",
        inner: [
          { type: "bool", key: "success", description: "Whether the scan was completed" },
          { type: "num", key: "txouts", description: "The number of unspent transaction outputs scanned" },
          { type: "num", key: "height", description: "The block height at which the scan was done" },
          { type: "str_hex", key: "bestblock", description: "The hash of the block at the tip of the chain" },
          {
            type: "arr",
            key: "unspents",
            description: "",
            inner: [{
              type: "obj",
              description: "",
              inner: [
                { type: "str_hex", key: "txid", description: "The transaction id" },
                { type: "num", key: "vout", description: "The vout value" },
                { type: "str_hex", key: "scriptPubKey", description: "The output script" },
                {
                  type: "str",
                  key: "desc",
                  description: "A specialized descriptor for the matched output script",
                },
                {
                  type: "str_amount",
                  key: "amount",
                  description: "The total amount in BTC of the unspent output",
                },
                { type: "bool", key: "coinbase", description: "Whether this is a coinbase output" },
                { type: "num", key: "height", description: "Height of the unspent transaction output" },
                {
                  type: "str_hex",
                  key: "blockhash",
                  description: "Blockhash of the unspent transaction output",
                },
                {
                  type: "num",
                  key: "confirmations",
                  description:
                    "Number of confirmations of the unspent transaction output when the scan was done",
                },
              ],
            }],
          },
          {
            type: "str_amount",
            key: "total_amount",
            description: "The total amount of all found unspent outputs in BTC",
          },
        ],
      },
      {
        cond: "when action=='abort'",
        type: "bool",
        key: "success",
        description:
          "True if scan will be aborted (not necessarily before this RPC returns), or false if there is no scan to abort",
      },
      {
        cond: "when action=='status' and a scan is currently in progress",
        type: "obj",
        inner: [{ type: "num", key: "progress", description: "Approximate percent complete" }],
      },
      { cond: "when action=='status' and no scan is in progress - possibly already completed", type: "none" },
    ],
    examples: helpExampleCli("scantxoutset", `start '["${EXAMPLE_DESCRIPTOR_RAW}"]'`) +
      helpExampleCli("scantxoutset", "status") +
      helpExampleCli("scantxoutset", "abort") +
      helpExampleRpc("scantxoutset", `"start", ["${EXAMPLE_DESCRIPTOR_RAW}"]`) +
      helpExampleRpc("scantxoutset", '"status"') +
      helpExampleRpc("scantxoutset", '"abort"'),
    handler: async (params) => {
      const action = getStr(params[0]);
      if (action === "status") {
        if (!inProgress) return null;
        return { progress };
      }
      if (action === "abort") {
        if (!inProgress) return false;
        shouldAbort = true;
        return true;
      }
      if (action !== "start") {
        throw new RpcError(RpcErrorCode.RPC_INVALID_PARAMETER, `Invalid action '${action}'`);
      }
      if (inProgress) {
        throw new RpcError(
          RpcErrorCode.RPC_INVALID_PARAMETER,
          'Scan already in progress, use action "abort" or "status"',
        );
      }
      inProgress = true;
      progress = 0;
      try {
        if (params.length < 2 || params[1] === undefined) {
          throw new RpcError(
            RpcErrorCode.RPC_MISC_ERROR,
            "scanobjects argument is required for the start action",
          );
        }
        const network = options.network();
        const needles = new Map<string, string>();
        for (const obj of getArray(params[1])) {
          for (const { script, desc } of evalScanObject(obj, network)) {
            const key = toHex(script);
            if (!needles.has(key)) needles.set(key, desc);
          }
        }
        shouldAbort = false;
        const chain = options.chain();
        // Core scans a database snapshot; Deno KV lists have none, so a scan during which the coins database
        // was written (another flush) is done again, a few times at most.
        let result: ScanResult | undefined;
        for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
          result = await scanOnce(chain, needles, () => shouldAbort, (p) => progress = p);
          if (result.consistent || !result.success) break;
        }
        const { success, count, tip, unspents, total } = result!;
        if (success) progress = 100;
        return {
          success,
          txouts: count,
          height: tip.height,
          bestblock: tip.hashHex,
          unspents,
          total_amount: valueFromAmount(total),
        };
      } finally {
        inProgress = false;
        progress = 0;
      }
    },
  };
  return [scantxoutset];
}
