/**
 * The mining RPCs (Core's src/rpc/mining.cpp): `getnetworkhashps`, `getmininginfo`, `submitblock`,
 * `submitheader`, and the hidden regtest helpers `generatetoaddress`, `generatetodescriptor`, `generateblock`.
 * Help text, arguments, results and errors as Core's.
 *
 * @module
 */
import { decodeDestination, isDecodedDestination } from "../../core/address/destination.ts";
import type { Network } from "../../core/chain_params_base.ts";
import {
  MAX_BLOCK_SERIALIZED_SIZE,
  MAX_BLOCK_SIGOPS_COST,
  MAX_BLOCK_WEIGHT,
  validationStateToString,
} from "../../core/consensus/mod.ts";
import { DescriptorError, parseDescriptors } from "../../core/descriptors/mod.ts";
import { reverseHex, toHex } from "../../core/hash/hashes.ts";
import { deriveTarget, getDifficulty, setCompact } from "../../core/pow.ts";
import { blockHash, decodeBlock, decodeBlockHeader, encodeBlock } from "../../core/wire/block.ts";
import { findWitnessCommitmentIndex, NO_WITNESS_COMMITMENT } from "../../core/hash/merkle.ts";
import { transactionWeight, txid, WITNESS_SCALE_FACTOR, wtxid } from "../../core/wire/transaction.ts";
import type { Block, Transaction } from "../../core/wire/types.ts";
import type { BlockIndexEntry, Chainstate } from "../../node/chain/types.ts";
import {
  type BlockAssemblerOptions,
  type BlockTemplate,
  createNewBlock,
  DEFAULT_BLOCK_MIN_TX_FEE,
  getMinimumTime,
  nextWorkRequired,
  regenerateCommitments,
} from "../../node/mining/block_assembler.ts";
import { DEFAULT_MAX_TRIES, generateBlocks, grindBlock } from "../../node/mining/mine.ts";
import { deploymentState } from "../../node/mining/version_bits.ts";
import { RpcError, RpcErrorCode } from "../errors.ts";
import { helpExampleCli, helpExampleRpc, type RpcResultSpec } from "../help.ts";
import { type JsonObject, type JsonValue, type RawJson, rawNumber, valueFromAmount } from "../json.ts";
import type { RpcMethod } from "../table.ts";
import { isHex, parseHex } from "../tx_json.ts";
import { decodeHexTx, encodeHexTx } from "../tx_json.ts";
import { getArray, getBool, getInt, getObject, getStr } from "../values.ts";

/** What the mining methods need from the node. */
export interface MiningMethodsOptions {
  /** The chain (a function: the node may open it after registering the methods). */
  chain: () => Chainstate;
  /** The network (for addresses, descriptors and `chain`). */
  network: Network;
  /** Current time in seconds (mockable; default the system clock). */
  now?: () => number;
  /** Candidate transactions for new blocks, in package order (default none: no mempool yet). */
  assembleTransactions?: () => NonNullable<BlockAssemblerOptions["transactions"]>;
  /** A mempool transaction by txid (display hex), for generateblock (default: none). */
  mempoolTransaction?: (txid: string) => Transaction | undefined;
  /** Number of mempool transactions for getmininginfo's `pooledtx` (default 0). */
  mempoolSize?: () => number;
  /** Node warnings for getmininginfo (default none). */
  warnings?: () => string[];
  /** `-blockmintxfee` in sat/kvB (default 1). */
  blockMinFeePerKvB?: bigint;
  /** Regtest `-blockversion` override. */
  blockVersion?: number;
  /** `-blockmaxweight` (default 4,000,000). */
  blockMaxWeight?: number;
  /** `-blockreservedweight` (default 8,000). */
  blockReservedWeight?: number;
  /** Count of mempool changes (Core's `GetTransactionsUpdated`; default 0), for getblocktemplate. */
  transactionsUpdated?: () => number;
  /** Number of P2P connections (getblocktemplate off test chains needs one; default 0). */
  connectionCount?: () => number;
  /** Program name in getblocktemplate's "not connected" errors (default "tsbtc"). */
  clientName?: string;
  /** Longpoll waits: first and later checks for mempool changes in ms (default 60000 and 10000). */
  longpollIntervalsMs?: readonly [number, number];
}

/**
 * A double as Core's UniValue writes it (`std::setprecision(16)`, i.e. printf "%.16g"): 16 significant digits,
 * trailing zeros dropped, exponent form below 1e-4 or from 1e16 (e.g. "4.656542373906925e-10").
 */
export function univalueDouble(x: number): RawJson {
  if (!Number.isFinite(x)) throw new RangeError(`Cannot write ${x} as a JSON number`);
  if (x === 0) return rawNumber(Object.is(x, -0) ? "-0" : "0");
  const [mant, expText] = x.toExponential(15).split("e");
  const exp = Number(expText);
  const strip = (t: string) => t.includes(".") ? t.replace(/0+$/, "").replace(/\.$/, "") : t;
  if (exp < -4 || exp >= 16) {
    const e = Math.abs(exp).toString().padStart(2, "0");
    return rawNumber(`${strip(mant)}e${exp < 0 ? "-" : "+"}${e}`);
  }
  return rawNumber(strip(x.toFixed(15 - exp)));
}

function hex32(n: number): string {
  return (n >>> 0).toString(16).padStart(8, "0");
}

function targetHex(bits: number, powLimit: bigint): string {
  return (deriveTarget(bits, powLimit) ?? 0n).toString(16).padStart(64, "0");
}

const GBT_RESULT_FIELDS: RpcResultSpec[] = [
  { type: "num", key: "version", description: "The preferred block version" },
  {
    type: "arr",
    key: "rules",
    description: "specific block rules that are to be enforced",
    inner: [{
      type: "str",
      description: "name of a rule the client must understand to some extent; see BIP 9 for format",
    }],
  },
  {
    type: "obj_dyn",
    key: "vbavailable",
    description: "set of pending, supported versionbit (BIP 9) softfork deployments",
    inner: [{
      type: "num",
      key: "rulename",
      description:
        "identifies the bit number as indicating acceptance and readiness for the named softfork rule",
    }],
  },
  {
    type: "arr",
    key: "capabilities",
    description: "",
    inner: [{ type: "str", key: "value", description: "A supported feature, for example 'proposal'" }],
  },
  {
    type: "num",
    key: "vbrequired",
    description: "bit mask of versionbits the server requires set in submissions",
  },
  { type: "str", key: "previousblockhash", description: "The hash of current highest block" },
  {
    type: "arr",
    key: "transactions",
    description: "contents of non-coinbase transactions that should be included in the next block",
    inner: [{
      type: "obj",
      description: "",
      inner: [
        {
          type: "str_hex",
          key: "data",
          description: "transaction data encoded in hexadecimal (byte-for-byte)",
        },
        {
          type: "str_hex",
          key: "txid",
          description: "transaction hash excluding witness data, shown in byte-reversed hex",
        },
        {
          type: "str_hex",
          key: "hash",
          description: "transaction hash including witness data, shown in byte-reversed hex",
        },
        {
          type: "arr",
          key: "depends",
          description: "array of numbers",
          inner: [{
            type: "num",
            description:
              "transactions before this one (by 1-based index in 'transactions' list) that must be present in the final block if this one is",
          }],
        },
        {
          type: "num",
          key: "fee",
          description:
            "difference in value between transaction inputs and outputs (in satoshis); for coinbase transactions, this is a negative Number of the total collected block fees (ie, not including the block subsidy); if key is not present, fee is unknown and clients MUST NOT assume there isn't one",
        },
        {
          type: "num",
          key: "sigops",
          description:
            "total SigOps cost, as counted for purposes of block limits; if key is not present, sigop cost is unknown and clients MUST NOT assume it is zero",
        },
        {
          type: "num",
          key: "weight",
          description: "total transaction weight, as counted for purposes of block limits",
        },
      ],
    }],
  },
  {
    type: "obj_dyn",
    key: "coinbaseaux",
    description: "data that should be included in the coinbase's scriptSig content",
    inner: [{
      type: "str_hex",
      key: "key",
      description: "values must be in the coinbase (keys may be ignored)",
    }],
  },
  {
    type: "num",
    key: "coinbasevalue",
    description:
      "maximum allowable input to coinbase transaction, including the generation award and transaction fees (in satoshis)",
  },
  {
    type: "str",
    key: "longpollid",
    description: "an id to include with a request to longpoll on an update to this template",
  },
  { type: "str", key: "target", description: "The hash target" },
  {
    type: "num_time",
    key: "mintime",
    description:
      "The minimum timestamp appropriate for the next block time, expressed in UNIX epoch time. Adjusted for the proposed BIP94 timewarp rule.",
  },
  {
    type: "arr",
    key: "mutable",
    description: "list of ways the block template may be changed",
    inner: [{
      type: "str",
      key: "value",
      description: "A way the block template may be changed, e.g. 'time', 'transactions', 'prevblock'",
    }],
  },
  { type: "str_hex", key: "noncerange", description: "A range of valid nonces" },
  { type: "num", key: "sigoplimit", description: "limit of sigops in blocks" },
  { type: "num", key: "sizelimit", description: "limit of block size" },
  { type: "num", key: "weightlimit", optional: true, description: "limit of block weight" },
  {
    type: "num_time",
    key: "curtime",
    description: "current timestamp in UNIX epoch time. Adjusted for the proposed BIP94 timewarp rule.",
  },
  { type: "str", key: "bits", description: "compressed target of next block" },
  { type: "num", key: "height", description: "The height of the next block" },
  { type: "str_hex", key: "signet_challenge", optional: true, description: "Only on signet" },
  {
    type: "str_hex",
    key: "default_witness_commitment",
    optional: true,
    description: "a valid witness commitment for the unmodified block template",
  },
];

/** Core's `ParseHashV(…, "longpollid")`. */
function parseLongpollHash(text: string): string {
  if (text.length !== 64) {
    throw new RpcError(
      RpcErrorCode.RPC_INVALID_PARAMETER,
      `longpollid must be of length 64 (not ${text.length}, for '${text}')`,
    );
  }
  if (!isHex(text)) {
    throw new RpcError(
      RpcErrorCode.RPC_INVALID_PARAMETER,
      `longpollid must be hexadecimal string (not '${text}')`,
    );
  }
  return text.toLowerCase();
}

/** Core's `LocaleIndependentAtoi<int64_t>`: leading integer of `text` (after whitespace), 0 when none. */
function atoi(text: string): number {
  const m = /^\s*([+-]?\d+)/.exec(text);
  return m === null ? 0 : Number(m[1]);
}

/** Core's `GetNetworkHashPS`: hashes per second over the last `lookup` blocks before `height` (-1: tip). */
export function getNetworkHashPS(chain: Chainstate, lookup: number, height: number): number {
  if (lookup < -1 || lookup === 0) {
    throw new RpcError(
      RpcErrorCode.RPC_INVALID_PARAMETER,
      "Invalid nblocks. Must be a positive number or -1.",
    );
  }
  if (height < -1 || height > chain.height()) {
    throw new RpcError(RpcErrorCode.RPC_INVALID_PARAMETER, "Block does not exist at specified height");
  }
  const pb = height >= 0 ? chain.atHeight(height) : chain.tip();
  if (pb === null || pb.height === 0) return 0;
  if (lookup === -1) lookup = (pb.height % chain.params.consensus.difficultyAdjustmentInterval) + 1;
  if (lookup > pb.height) lookup = pb.height;
  let pb0: BlockIndexEntry = pb;
  let minTime = pb0.header.time;
  let maxTime = minTime;
  for (let i = 0; i < lookup; i++) {
    pb0 = pb0.prev!;
    minTime = Math.min(pb0.header.time, minTime);
    maxTime = Math.max(pb0.header.time, maxTime);
  }
  if (minTime === maxTime) return 0;
  return Number(pb.chainWork - pb0.chainWork) / (maxTime - minTime);
}

/** Core's `getScriptFromDescriptor`: the script of a non-ranged descriptor, or null when it does not parse. */
function scriptFromDescriptor(text: string, network: Network): { script: Uint8Array } | { error: string } {
  let descs;
  try {
    descs = parseDescriptors(text, { network, requireChecksum: false });
  } catch (e) {
    if (e instanceof DescriptorError) return { error: e.message };
    throw e;
  }
  if (descs.length > 1) {
    throw new RpcError(RpcErrorCode.RPC_INVALID_PARAMETER, "Multipath descriptor not accepted");
  }
  const desc = descs[0];
  if (desc.isRange()) {
    throw new RpcError(
      RpcErrorCode.RPC_INVALID_PARAMETER,
      "Ranged descriptor not accepted. Maybe pass through deriveaddresses first?",
    );
  }
  let scripts: Uint8Array[];
  try {
    scripts = desc.expand(0).scriptPubKeys;
  } catch (e) {
    if (e instanceof DescriptorError) {
      throw new RpcError(
        RpcErrorCode.RPC_INVALID_ADDRESS_OR_KEY,
        "Cannot derive script without private keys",
      );
    }
    throw e;
  }
  if (scripts.length === 0 || scripts.length > 4) {
    throw new RpcError(
      RpcErrorCode.RPC_MISC_ERROR,
      "Internal bug detected: scripts.size() > 0 && scripts.size() <= 4",
    );
  }
  // combo(): 4 scripts (uncompressed key... compressed: p2pk, p2pkh, p2wpkh, p2sh-p2wpkh) → the P2WPKH one;
  // 2 scripts (uncompressed key: p2pk, p2pkh) → P2PKH.
  const script = scripts.length === 1 ? scripts[0] : scripts.length === 4 ? scripts[2] : scripts[1];
  return { script };
}

const GENERATE_RESULT = [{
  type: "arr" as const,
  description: "hashes of blocks generated",
  inner: [{ type: "str_hex" as const, description: "blockhash" }],
}];

/** The mining methods, ready for `RpcTable.registerAll`. */
export function miningMethods(options: MiningMethodsOptions): RpcMethod[] {
  const { network } = options;
  const clock = options.now ?? (() => Date.now() / 1000);
  const now = () => Math.floor(clock());
  let last: BlockTemplate | undefined;
  const assembler = (coinbaseOutputScript: Uint8Array) => ({
    coinbaseOutputScript,
    now,
    blockMinFeePerKvB: options.blockMinFeePerKvB ?? DEFAULT_BLOCK_MIN_TX_FEE,
    blockVersion: options.blockVersion,
    blockMaxWeight: options.blockMaxWeight,
    blockReservedWeight: options.blockReservedWeight,
  });
  const generate = async (count: number, script: Uint8Array, maxTries: number): Promise<string[]> => {
    try {
      return await generateBlocks(options.chain(), {
        ...assembler(script),
        count,
        maxTries,
        transactions: options.assembleTransactions?.() ?? [],
        onTemplate: (t) => last = t,
      });
    } catch (e) {
      if (e instanceof Error && e.message === "ProcessNewBlock, block not accepted") {
        throw new RpcError(RpcErrorCode.RPC_INTERNAL_ERROR, e.message);
      }
      throw e;
    }
  };
  const maxTriesArg = (v: unknown): number => {
    if (v === undefined || v === null) return DEFAULT_MAX_TRIES;
    const n = getInt(v);
    return n < 0 ? Number.MAX_SAFE_INTEGER : n; // Core converts a negative int to a huge uint64
  };

  const getnetworkhashps: RpcMethod = {
    name: "getnetworkhashps",
    category: "mining",
    description: "Returns the estimated network hashes per second based on the last n blocks.\n" +
      "Pass in [blocks] to override # of blocks, -1 specifies since last difficulty change.\n" +
      "Pass in [height] to estimate the network speed at the time when a certain block was found.\n",
    args: [
      {
        names: "nblocks",
        type: "num",
        fallback: { default: 120 },
        description:
          "The number of previous blocks to calculate estimate from, or -1 for blocks since last difficulty change.",
      },
      {
        names: "height",
        type: "num",
        fallback: { default: -1 },
        description: "To estimate at the time of the given height.",
      },
    ],
    results: [{ type: "num", description: "Hashes per second estimated" }],
    examples: helpExampleCli("getnetworkhashps", "") + helpExampleRpc("getnetworkhashps", ""),
    handler: (params) => {
      const nblocks = params[0] === undefined || params[0] === null ? 120 : getInt(params[0]);
      const height = params[1] === undefined || params[1] === null ? -1 : getInt(params[1]);
      return univalueDouble(getNetworkHashPS(options.chain(), nblocks, height));
    },
  };

  const getmininginfo: RpcMethod = {
    name: "getmininginfo",
    category: "mining",
    description: "Returns a json object containing mining-related information.",
    args: [],
    results: [{
      type: "obj",
      inner: [
        { type: "num", key: "blocks", description: "The current block" },
        {
          type: "num",
          key: "currentblockweight",
          optional: true,
          description:
            "The block weight (including reserved weight for block header, txs count and coinbase tx) of the last assembled block (only present if a block was ever assembled)",
        },
        {
          type: "num",
          key: "currentblocktx",
          optional: true,
          description:
            "The number of block transactions (excluding coinbase) of the last assembled block (only present if a block was ever assembled)",
        },
        {
          type: "str_hex",
          key: "bits",
          description: "The current nBits, compact representation of the block difficulty target",
        },
        { type: "num", key: "difficulty", description: "The current difficulty" },
        { type: "str_hex", key: "target", description: "The current target" },
        { type: "num", key: "networkhashps", description: "The network hashes per second" },
        { type: "num", key: "pooledtx", description: "The size of the mempool" },
        {
          type: "str_amount",
          key: "blockmintxfee",
          description: "Minimum feerate of packages selected for block inclusion in BTC/kvB",
        },
        {
          type: "str",
          key: "chain",
          description: "current network name (main, test, testnet4, signet, regtest)",
        },
        {
          type: "str_hex",
          key: "signet_challenge",
          optional: true,
          description:
            "The block challenge (aka. block script), in hexadecimal (only present if the current network is a signet)",
        },
        {
          type: "obj",
          key: "next",
          description: "The next block",
          inner: [
            { type: "num", key: "height", description: "The next height" },
            { type: "str_hex", key: "bits", description: "The next target nBits" },
            { type: "num", key: "difficulty", description: "The next difficulty" },
            { type: "str_hex", key: "target", description: "The next target" },
          ],
        },
        {
          type: "arr",
          key: "warnings",
          description:
            "any network and blockchain warnings (run with `-deprecatedrpc=warnings` to return the latest warning as a single string)",
          inner: [{ type: "str", description: "warning" }],
        },
      ],
    }],
    examples: helpExampleCli("getmininginfo", "") + helpExampleRpc("getmininginfo", ""),
    handler: () => {
      const chain = options.chain();
      const tip = chain.tip();
      const powLimit = chain.params.consensus.powLimit;
      const obj: Record<string, unknown> = { blocks: chain.height() };
      if (last !== undefined) {
        obj.currentblockweight = last.assembledWeight;
        obj.currentblocktx = last.txCount;
      }
      obj.bits = hex32(tip.header.bits);
      obj.difficulty = univalueDouble(getDifficulty(tip.header.bits));
      obj.target = targetHex(tip.header.bits, powLimit);
      obj.networkhashps = univalueDouble(getNetworkHashPS(chain, 120, -1));
      obj.pooledtx = options.mempoolSize?.() ?? 0;
      obj.blockmintxfee = valueFromAmount(options.blockMinFeePerKvB ?? DEFAULT_BLOCK_MIN_TX_FEE);
      obj.chain = network;
      const time = Math.max(getMinimumTime(tip, chain.params.consensus.difficultyAdjustmentInterval), now());
      const nextBits = nextWorkRequired(chain, tip, time);
      obj.next = {
        height: tip.height + 1,
        bits: hex32(nextBits),
        difficulty: univalueDouble(getDifficulty(nextBits)),
        target: targetHex(nextBits, powLimit),
      };
      if (network === "signet") obj.signet_challenge = toHex(chain.params.consensus.signetChallenge);
      obj.warnings = options.warnings?.() ?? [];
      return obj;
    },
  };

  const submitblock: RpcMethod = {
    name: "submitblock",
    category: "mining",
    description: "Attempts to submit new block to network.\n" +
      "See https://en.bitcoin.it/wiki/BIP_0022 for full specification.\n",
    args: [
      { names: "hexdata", type: "str_hex", description: "the hex-encoded block data to submit" },
      {
        names: "dummy",
        type: "str",
        fallback: { hint: "ignored" },
        description: "dummy value, for compatibility with BIP22. This value is ignored.",
      },
    ],
    results: [
      { cond: "If the block was accepted", type: "none", description: "" },
      { cond: "Otherwise", type: "str", description: "According to BIP22" },
    ],
    examples: helpExampleCli("submitblock", '"mydata"') + helpExampleRpc("submitblock", '"mydata"'),
    handler: async (params) => {
      const hex = getStr(params[0]);
      let block: Block;
      try {
        if (!isHex(hex)) throw new Error("not hex");
        block = decodeBlock(parseHex(hex));
      } catch {
        throw new RpcError(RpcErrorCode.RPC_DESERIALIZATION_ERROR, "Block decode failed");
      }
      const chain = options.chain();
      const prev = chain.lookup(block.header.prevBlock);
      if (prev !== undefined) block = updateUncommittedBlockStructures(block, prev.height + 1, chain);
      const { newBlock, state } = await chain.processNewBlock(block, { force: true });
      if (!state.valid) return state.reason === "" ? "rejected" : state.reason;
      if (!newBlock) return "duplicate";
      const entry = chain.lookup(blockHash(block.header));
      if (entry === undefined || !chain.contains(entry)) return "inconclusive";
      return null;
    },
  };

  const submitheader: RpcMethod = {
    name: "submitheader",
    category: "mining",
    description: "Decode the given hexdata as a header and submit it as a candidate chain tip if valid." +
      "\nThrows when the header is invalid.\n",
    args: [{ names: "hexdata", type: "str_hex", description: "the hex-encoded block header data" }],
    results: [{ type: "none", description: "None" }],
    examples: helpExampleCli("submitheader", '"aabbcc"') + helpExampleRpc("submitheader", '"aabbcc"'),
    handler: async (params) => {
      const hex = getStr(params[0]);
      const bytes = isHex(hex) ? parseHex(hex) : undefined;
      if (bytes === undefined || bytes.length < 80) {
        throw new RpcError(RpcErrorCode.RPC_DESERIALIZATION_ERROR, "Block header decode failed");
      }
      const header = decodeBlockHeader(bytes.subarray(0, 80));
      const chain = options.chain();
      if (chain.lookup(header.prevBlock) === undefined) {
        throw new RpcError(
          RpcErrorCode.RPC_VERIFY_ERROR,
          `Must submit previous header (${reverseHex(header.prevBlock)}) first`,
        );
      }
      const state = await chain.processNewBlockHeaders([header]);
      if (state.valid) return null;
      throw new RpcError(RpcErrorCode.RPC_VERIFY_ERROR, state.reason);
    },
  };

  const generatetoaddress: RpcMethod = {
    name: "generatetoaddress",
    category: "hidden",
    description: "Mine to a specified address and return the block hashes.",
    args: [
      { names: "nblocks", type: "num", description: "How many blocks are generated." },
      { names: "address", type: "str", description: "The address to send the newly generated bitcoin to." },
      {
        names: "maxtries",
        type: "num",
        fallback: { default: DEFAULT_MAX_TRIES },
        description: "How many iterations to try.",
      },
    ],
    results: GENERATE_RESULT,
    examples: "\nGenerate 11 blocks to myaddress\n" + helpExampleCli("generatetoaddress", '11 "myaddress"') +
      "If you are using the tsbtc wallet, you can get a new address to send the newly generated bitcoin to with:\n" +
      helpExampleCli("getnewaddress", ""),
    handler: (params) => {
      const n = getInt(params[0]);
      const maxTries = maxTriesArg(params[2]);
      const dest = decodeDestination(getStr(params[1]), network);
      if (!isDecodedDestination(dest)) {
        throw new RpcError(RpcErrorCode.RPC_INVALID_ADDRESS_OR_KEY, "Error: Invalid address");
      }
      return generate(n, dest.scriptPubKey, maxTries);
    },
  };

  const generatetodescriptor: RpcMethod = {
    name: "generatetodescriptor",
    category: "hidden",
    description: "Mine to a specified descriptor and return the block hashes.",
    args: [
      { names: "num_blocks", type: "num", description: "How many blocks are generated." },
      {
        names: "descriptor",
        type: "str",
        description: "The descriptor to send the newly generated bitcoin to.",
      },
      {
        names: "maxtries",
        type: "num",
        fallback: { default: DEFAULT_MAX_TRIES },
        description: "How many iterations to try.",
      },
    ],
    results: GENERATE_RESULT,
    examples: "\nGenerate 11 blocks to mydesc\n" + helpExampleCli("generatetodescriptor", '11 "mydesc"'),
    handler: (params) => {
      const n = getInt(params[0]);
      // Core reads maxtries as uint64 here: negative is out of range.
      const maxTries = params[2] === undefined || params[2] === null
        ? DEFAULT_MAX_TRIES
        : getInt(params[2], 0, Number.MAX_SAFE_INTEGER);
      const res = scriptFromDescriptor(getStr(params[1]), network);
      if ("error" in res) throw new RpcError(RpcErrorCode.RPC_INVALID_ADDRESS_OR_KEY, res.error);
      return generate(n, res.script, maxTries);
    },
  };

  const generateblock: RpcMethod = {
    name: "generateblock",
    category: "hidden",
    description:
      "Mine a set of ordered transactions to a specified address or descriptor and return the block hash.\n" +
      "Transaction fees are not collected in the block reward.",
    args: [
      {
        names: "output",
        type: "str",
        description: "The address or descriptor to send the newly generated bitcoin to.",
      },
      {
        names: "transactions",
        type: "arr",
        description: "An array of hex strings which are either txids or raw transactions.\n" +
          "Txids must reference transactions currently in the mempool.\n" +
          "All transactions must be valid and in valid order, otherwise the block will be rejected.",
        inner: [{ names: "rawtx/txid", type: "str_hex", fallback: "omitted", description: "" }],
      },
      {
        names: "submit",
        type: "bool",
        fallback: { default: true },
        description: "Whether to submit the block before the RPC call returns or to return it as hex.",
      },
    ],
    results: [{
      type: "obj",
      inner: [
        { type: "str_hex", key: "hash", description: "hash of generated block" },
        {
          type: "str_hex",
          key: "hex",
          optional: true,
          description: "hex of generated block, only present when submit=false",
        },
      ],
    }],
    examples: "\nGenerate a block to myaddress, with txs rawtx and mempool_txid\n" +
      helpExampleCli("generateblock", `"myaddress" '["rawtx", "mempool_txid"]'`),
    handler: async (params) => {
      const output = getStr(params[0]);
      let script: Uint8Array;
      const res = scriptFromDescriptor(output, network);
      if ("script" in res) {
        script = res.script;
      } else {
        const dest = decodeDestination(output, network);
        if (!isDecodedDestination(dest)) {
          throw new RpcError(RpcErrorCode.RPC_INVALID_ADDRESS_OR_KEY, "Error: Invalid address or descriptor");
        }
        script = dest.scriptPubKey;
      }
      const txs: Transaction[] = [];
      for (const item of getArray(params[1])) {
        const str = getStr(item);
        if (str.length === 64 && isHex(str)) {
          const tx = options.mempoolTransaction?.(str.toLowerCase());
          if (tx === undefined) {
            throw new RpcError(RpcErrorCode.RPC_INVALID_ADDRESS_OR_KEY, `Transaction ${str} not in mempool.`);
          }
          txs.push(tx);
          continue;
        }
        const tx = decodeHexTx(str);
        if (tx === null) {
          throw new RpcError(
            RpcErrorCode.RPC_DESERIALIZATION_ERROR,
            `Transaction decode failed for ${str}. Make sure the tx has at least one input.`,
          );
        }
        txs.push(tx);
      }
      const submit = params[2] === undefined || params[2] === null ? true : getBool(params[2]);
      const chain = options.chain();
      const template = await createNewBlock(chain, assembler(script));
      last = template;
      const block = regenerateCommitments(
        { header: template.block.header, txs: [template.block.txs[0], ...txs] },
        template.height,
        chain.params,
      );
      const state = await chain.testBlockValidity(block, { checkPow: false, checkMerkleRoot: false });
      if (!state.valid) {
        throw new RpcError(
          RpcErrorCode.RPC_VERIFY_ERROR,
          `TestBlockValidity failed: ${validationStateToString(state)}`,
        );
      }
      const mined = grindBlock(block, DEFAULT_MAX_TRIES);
      if (!mined.found) throw new RpcError(RpcErrorCode.RPC_MISC_ERROR, "Failed to make block.");
      if (submit) {
        const { state } = await chain.processNewBlock(mined.block, { force: true });
        if (!state.valid) {
          throw new RpcError(RpcErrorCode.RPC_INTERNAL_ERROR, "ProcessNewBlock, block not accepted");
        }
      }
      const hash = reverseHex(blockHash(mined.block.header));
      return submit ? { hash } : { hash, hex: toHex(encodeBlock(mined.block)) };
    },
  };

  // getblocktemplate's cached template (Core's statics pindexPrev, time_start, block_template).
  let gbtCache: { prev: BlockIndexEntry; template: BlockTemplate; timeStart: number } | undefined;
  let txUpdatedLast = 0;
  const clientName = options.clientName ?? "tsbtc";
  const transactionsUpdated = options.transactionsUpdated ?? (() => 0);

  const waitForTipChange = (chain: Chainstate, watched: string, ms: number): Promise<void> =>
    new Promise((resolve) => {
      if (chain.tip().hashHex !== watched) return resolve();
      const done = () => {
        clearTimeout(timer);
        unsubscribe();
        resolve();
      };
      const unsubscribe = chain.subscribe({ updatedBlockTip: done });
      const timer = setTimeout(done, ms);
    });

  const getblocktemplate: RpcMethod = {
    name: "getblocktemplate",
    category: "mining",
    description:
      "If the request parameters include a 'mode' key, that is used to explicitly select between the default 'template' request or a 'proposal'.\n" +
      "It returns data needed to construct a block to work on.\n" +
      "For full specification, see BIPs 22, 23, 9, and 145:\n" +
      "    https://github.com/bitcoin/bips/blob/master/bip-0022.mediawiki\n" +
      "    https://github.com/bitcoin/bips/blob/master/bip-0023.mediawiki\n" +
      "    https://github.com/bitcoin/bips/blob/master/bip-0009.mediawiki#getblocktemplate_changes\n" +
      "    https://github.com/bitcoin/bips/blob/master/bip-0145.mediawiki\n",
    args: [{
      names: "template_request",
      type: "obj",
      description: "Format of the template",
      inner: [
        {
          names: "mode",
          type: "str",
          fallback: "omitted",
          description: 'This must be set to "template", "proposal" (see BIP 23), or omitted',
        },
        {
          names: "capabilities",
          type: "arr",
          fallback: "omitted",
          description: "A list of strings",
          inner: [{
            names: "str",
            type: "str",
            fallback: "omitted",
            description:
              "client side supported feature, 'longpoll', 'coinbasevalue', 'proposal', 'serverlist', 'workid'",
          }],
        },
        {
          names: "rules",
          type: "arr",
          description: "A list of strings",
          inner: [
            { names: "segwit", type: "str", description: "(literal) indicates client side segwit support" },
            {
              names: "str",
              type: "str",
              fallback: "omitted",
              description: "other client side supported softfork deployment",
            },
          ],
        },
        {
          names: "longpollid",
          type: "str",
          fallback: "omitted",
          description:
            'delay processing request until the result would vary significantly from the "longpollid" of a prior template',
        },
        {
          names: "data",
          type: "str_hex",
          fallback: "omitted",
          description: 'proposed block data to check, encoded in hexadecimal; valid only for mode="proposal"',
        },
      ],
    }],
    results: [
      { cond: "If the proposal was accepted with mode=='proposal'", type: "none", description: "" },
      {
        cond: "If the proposal was not accepted with mode=='proposal'",
        type: "str",
        description: "According to BIP22",
      },
      { cond: "Otherwise", type: "obj", inner: GBT_RESULT_FIELDS },
    ],
    examples: helpExampleCli("getblocktemplate", `'{"rules": ["segwit"]}'`) +
      helpExampleRpc("getblocktemplate", `{"rules": ["segwit"]}`),
    handler: async (params) => {
      const chain = options.chain();
      const consensus = chain.params.consensus;
      let mode = "template";
      let lpval: JsonValue | undefined = undefined;
      const clientRules = new Set<string>();
      if (params[0] !== undefined && params[0] !== null) {
        const req = getObject(params[0]);
        const modeval = req.mode;
        if (typeof modeval === "string") mode = modeval;
        else if (modeval !== undefined && modeval !== null) {
          throw new RpcError(RpcErrorCode.RPC_INVALID_PARAMETER, "Invalid mode");
        }
        lpval = req.longpollid;
        if (mode === "proposal") {
          if (typeof req.data !== "string") {
            throw new RpcError(RpcErrorCode.RPC_TYPE_ERROR, "Missing data String key for proposal");
          }
          let block: Block;
          try {
            if (!isHex(req.data)) throw new Error("not hex");
            block = decodeBlock(parseHex(req.data));
          } catch {
            throw new RpcError(RpcErrorCode.RPC_DESERIALIZATION_ERROR, "Block decode failed");
          }
          const known = chain.lookup(blockHash(block.header));
          if (known !== undefined) {
            if (known.validity === "scripts") return "duplicate";
            if (known.failed === "failed") return "duplicate-invalid";
            return "duplicate-inconclusive";
          }
          const state = await chain.testBlockValidity(block, { checkPow: false, checkMerkleRoot: true });
          if (state.valid) return null;
          return state.reason === "" ? "rejected" : state.reason;
        }
        if (Array.isArray(req.rules)) { for (const r of req.rules) clientRules.add(getStr(r)); }
      }
      if (mode !== "template") throw new RpcError(RpcErrorCode.RPC_INVALID_PARAMETER, "Invalid mode");
      if (network !== "regtest" && network !== "test" && network !== "testnet4" && network !== "signet") {
        if ((options.connectionCount?.() ?? 0) === 0) {
          throw new RpcError(RpcErrorCode.RPC_CLIENT_NOT_CONNECTED, `${clientName} is not connected!`);
        }
        if (chain.isInitialBlockDownload()) {
          throw new RpcError(
            RpcErrorCode.RPC_CLIENT_IN_INITIAL_DOWNLOAD,
            `${clientName} is in initial sync and waiting for blocks...`,
          );
        }
      }
      let tip = chain.tip().hashHex;
      if (lpval !== undefined && lpval !== null) {
        let watched: string;
        let lpTxUpdated: number;
        if (typeof lpval === "string") {
          watched = parseLongpollHash(lpval.slice(0, 64));
          lpTxUpdated = atoi(lpval.slice(64));
        } else {
          watched = tip;
          lpTxUpdated = txUpdatedLast;
        }
        const [first, later] = options.longpollIntervalsMs ?? [60_000, 10_000];
        let wait = first;
        for (;;) {
          await waitForTipChange(chain, watched, wait);
          tip = chain.tip().hashHex;
          if (tip !== watched) break;
          if (transactionsUpdated() !== lpTxUpdated) break;
          wait = later;
        }
        tip = chain.tip().hashHex;
      }
      if (consensus.signetBlocks && !clientRules.has("signet")) {
        throw new RpcError(
          RpcErrorCode.RPC_INVALID_PARAMETER,
          'getblocktemplate must be called with the signet rule set (call with {"rules": ["segwit", "signet"]})',
        );
      }
      if (!clientRules.has("segwit")) {
        throw new RpcError(
          RpcErrorCode.RPC_INVALID_PARAMETER,
          'getblocktemplate must be called with the segwit rule set (call with {"rules": ["segwit"]})',
        );
      }
      if (
        gbtCache === undefined || gbtCache.prev.hashHex !== tip ||
        (transactionsUpdated() !== txUpdatedLast && now() - gbtCache.timeStart > 5)
      ) {
        gbtCache = undefined;
        txUpdatedLast = transactionsUpdated();
        const prevNew = chain.tip();
        const timeStart = now();
        const template = await createNewBlock(chain, {
          ...assembler(Uint8Array.of(0x51)),
          transactions: options.assembleTransactions?.() ?? [],
        });
        last = template;
        gbtCache = { prev: prevNew, template, timeStart };
      }
      const { prev, template } = gbtCache;
      let header = template.block.header;
      // UpdateTime.
      const newTime = Math.max(getMinimumTime(prev, consensus.difficultyAdjustmentInterval), now());
      if (header.time < newTime) header = { ...header, time: newTime };
      if (consensus.powAllowMinDifficultyBlocks) {
        header = { ...header, bits: nextWorkRequired(chain, prev, header.time) };
      }
      const preSegwit = prev.height + 1 < consensus.segwitHeight;

      const index = new Map<string, number>();
      const transactions: JsonObject[] = [];
      template.block.txs.forEach((tx, i) => {
        const id = reverseHex(txid(tx));
        index.set(id, i);
        if (i === 0) return;
        const depends: number[] = [];
        for (const input of tx.inputs) {
          const d = index.get(reverseHex(input.prevout.txid));
          if (d !== undefined) depends.push(d);
        }
        const sigops = template.sigOpsCost[i];
        transactions.push({
          data: encodeHexTx(tx),
          txid: id,
          hash: reverseHex(wtxid(tx)),
          depends,
          fee: Number(template.fees[i]),
          sigops: preSegwit ? sigops / WITNESS_SCALE_FACTOR : sigops,
          weight: transactionWeight(tx),
        });
      });

      let version = header.version;
      const rules = ["csv"];
      if (!preSegwit) rules.push("!segwit", "taproot");
      if (consensus.signetBlocks) rules.push("!signet");
      const vbavailable: JsonObject = {};
      const dep = consensus.deployments.testdummy;
      const state = deploymentState(prev, dep);
      // testdummy is an optional rule (gbt_optional_rule): its name has no '!' and clients need not know it.
      if (state === "started") vbavailable.testdummy = dep.bit;
      if (state === "locked_in") {
        version |= 1 << dep.bit;
        vbavailable.testdummy = dep.bit;
      }
      if (state === "active") rules.push("testdummy");

      const result: JsonObject = {
        capabilities: ["proposal"],
        version,
        rules,
        vbavailable,
        vbrequired: 0,
        previousblockhash: prev.hashHex,
        transactions,
        coinbaseaux: {},
        coinbasevalue: Number(template.block.txs[0].outputs[0].value),
        longpollid: tip + String(txUpdatedLast),
        target: setCompact(header.bits).target.toString(16).padStart(64, "0"),
        mintime: getMinimumTime(prev, consensus.difficultyAdjustmentInterval),
        mutable: ["time", "transactions", "prevblock"],
        noncerange: "00000000ffffffff",
        sigoplimit: preSegwit ? MAX_BLOCK_SIGOPS_COST / WITNESS_SCALE_FACTOR : MAX_BLOCK_SIGOPS_COST,
        sizelimit: preSegwit ? MAX_BLOCK_SERIALIZED_SIZE / WITNESS_SCALE_FACTOR : MAX_BLOCK_SERIALIZED_SIZE,
      };
      if (!preSegwit) result.weightlimit = MAX_BLOCK_WEIGHT;
      result.curtime = header.time;
      result.bits = hex32(header.bits);
      result.height = prev.height + 1;
      if (consensus.signetBlocks) result.signet_challenge = toHex(consensus.signetChallenge);
      const pos = findWitnessCommitmentIndex(template.block);
      if (pos !== NO_WITNESS_COMMITMENT) {
        result.default_witness_commitment = toHex(template.block.txs[0].outputs[pos].scriptPubKey);
      }
      return result;
    },
  };

  // Core keeps a hidden `generate` that points at bitcoin-cli's -generate (its error text is its own help).
  const generateDescription =
    "has been replaced by the -generate cli option. Refer to -help for more information.";
  const generateRemoved: RpcMethod = {
    name: "generate",
    category: "hidden",
    description: generateDescription,
    args: [],
    results: [],
    examples: "",
    handler: () => {
      throw new RpcError(RpcErrorCode.RPC_METHOD_NOT_FOUND, `generate\n\n${generateDescription}\n`);
    },
  };

  return [
    getnetworkhashps,
    getblocktemplate,
    getmininginfo,
    submitblock,
    submitheader,
    generatetoaddress,
    generatetodescriptor,
    generateblock,
    generateRemoved,
  ];
}

/**
 * Core's `UpdateUncommittedBlockStructures`: a block with a witness commitment whose coinbase has no witness gets
 * the 32-byte zero reserved value when segwit is active at `height`.
 */
export function updateUncommittedBlockStructures(block: Block, height: number, chain: Chainstate): Block {
  if (block.txs.length === 0 || block.txs[0].inputs.length === 0) return block;
  const cb = block.txs[0];
  if (findWitnessCommitmentIndex(block) === NO_WITNESS_COMMITMENT) return block;
  if (height < chain.params.consensus.segwitHeight) return block;
  if (cb.inputs.some((i) => i.witness.length > 0)) return block;
  const coinbase: Transaction = {
    ...cb,
    inputs: cb.inputs.map((input, i) => i === 0 ? { ...input, witness: [new Uint8Array(32)] } : input),
  };
  return { header: block.header, txs: [coinbase, ...block.txs.slice(1)] };
}
