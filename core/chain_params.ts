/**
 * Chain parameters of each network (Bitcoin Core's `CChainParams` and `Consensus::Params`, from
 * `kernel/chainparams.cpp`): the genesis block built from its parameters, message start bytes, ports, address
 * prefixes, proof-of-work limits and retarget rules, buried deployment heights, subsidy halving interval, and the
 * facts the node starts from (minimum chain work, assumed-valid block, assumeutxo snapshots).
 *
 * Hashes are given as Core prints them (display hex, byte-reversed from the internal order); 256-bit numbers
 * (proof-of-work limit, chain work) as bigint.
 *
 * @module
 */
import { type BaseChainParams, baseParams, type Network } from "./chain_params_base.ts";
import { type AddressPrefixes, addressPrefixes } from "./address/prefixes.ts";
import type { Block, Transaction } from "./wire/types.ts";
import { txid } from "./wire/transaction.ts";
import { blockHash } from "./wire/block.ts";
import { fromHex, reverseHex, sha256d } from "./hash/hashes.ts";
import { ScriptBuilder } from "./script/script.ts";

/** Satoshis per bitcoin (Core's `COIN`). */
export const COIN = 100_000_000n;

/** No amount larger than this (in satoshis) is valid (Core's `MAX_MONEY`: 21 million BTC). */
export const MAX_MONEY: bigint = 21_000_000n * COIN;

/** Coinbase outputs can be spent only after this many confirmations (Core's `COINBASE_MATURITY`). */
export const COINBASE_MATURITY = 100;

/**
 * BIP94: the first block of a retarget period may be at most this many seconds earlier than its predecessor
 * (Core's `MAX_TIMEWARP`).
 */
export const MAX_TIMEWARP = 600;

/** Core's `BIP9Deployment::NO_TIMEOUT` (int64 max). */
export const NO_TIMEOUT = 9223372036854775807n;

/** Core's `BIP9Deployment::ALWAYS_ACTIVE`: a start time meaning the deployment is always active. */
export const ALWAYS_ACTIVE: bigint = -1n;

/** Core's `BIP9Deployment::NEVER_ACTIVE`: a start time meaning the deployment is never active. */
export const NEVER_ACTIVE: bigint = -2n;

/** A BIP9 version-bits deployment (Core's `Consensus::BIP9Deployment`). */
export interface BIP9Deployment {
  /** Bit of nVersion that signals it. */
  readonly bit: number;
  /** Median time past from which signalling counts ({@link ALWAYS_ACTIVE} / {@link NEVER_ACTIVE} special). */
  readonly startTime: bigint;
  /** Median time past after which the attempt fails ({@link NO_TIMEOUT} for never). */
  readonly timeout: bigint;
  /** Lock-in delays activation until at least this height. */
  readonly minActivationHeight: number;
  /** Blocks per signalling period. */
  readonly period: number;
  /** Signalling blocks in a period needed for lock-in. */
  readonly threshold: number;
}

/**
 * Core's verify flag names (as in the script test vectors, without `SCRIPT_VERIFY_`) that a historical block is
 * checked with instead of the default P2SH, WITNESS and TAPROOT (`script_flag_exceptions`); empty for NONE.
 */
export type ScriptFlagException = readonly ("P2SH" | "WITNESS")[];

/** Consensus rules of a network (Core's `Consensus::Params`). */
export interface ConsensusParams {
  /** Hash of the genesis block (display hex). */
  readonly hashGenesisBlock: string;
  /** Blocks between subsidy halvings (210000; regtest 150). */
  readonly subsidyHalvingInterval: number;
  /** Blocks (display hex hash) validated with other script flags than P2SH|WITNESS|TAPROOT. */
  readonly scriptFlagExceptions: ReadonlyMap<string, ScriptFlagException>;
  /** Height from which blocks must carry their height in the coinbase (BIP34). */
  readonly bip34Height: number;
  /** Hash of the block at `bip34Height` (display hex; all zero when not meaningful). */
  readonly bip34Hash: string;
  /** Height from which OP_CHECKLOCKTIMEVERIFY is enforced (BIP65). */
  readonly bip65Height: number;
  /** Height from which strict DER signatures are enforced (BIP66). */
  readonly bip66Height: number;
  /** Height from which BIP68/112/113 (relative lock-time, CSV, median time past) apply. */
  readonly csvHeight: number;
  /**
   * Height from which segwit (BIP141/143/147) is active for block validity (witness commitments, NULLDUMMY);
   * segwit v0 script rules themselves apply to all blocks except the exceptions.
   */
  readonly segwitHeight: number;
  /** No warnings about unknown version-bits deployments below this height. */
  readonly minBip9WarningHeight: number;
  /** Version-bits deployments (Core has only the test dummy). */
  readonly deployments: { readonly testdummy: BIP9Deployment };
  /** Easiest allowed target. */
  readonly powLimit: bigint;
  /** Testnet rule: a block more than 2 × spacing after its predecessor may use the minimum difficulty. */
  readonly powAllowMinDifficultyBlocks: boolean;
  /** BIP94: timewarp fix, and (testnet4) retarget from the period's first block, not its last. */
  readonly enforceBIP94: boolean;
  /** Regtest: difficulty never changes. */
  readonly powNoRetargeting: boolean;
  /** Target seconds between blocks (600). */
  readonly powTargetSpacing: number;
  /** Target seconds per retarget period (two weeks; regtest one day). */
  readonly powTargetTimespan: number;
  /** Blocks per retarget period: timespan / spacing (2016; regtest 144). */
  readonly difficultyAdjustmentInterval: number;
  /** The best chain must have at least this much work. */
  readonly minimumChainWork: bigint;
  /** Scripts of ancestors of this block are assumed valid (display hex; all zero for none). */
  readonly defaultAssumeValid: string;
  /** Signet: blocks carry a solution to `signetChallenge` in their witness commitment (BIP325). */
  readonly signetBlocks: boolean;
  /** Signet's block challenge script (empty on other networks). */
  readonly signetChallenge: Uint8Array;
}

/** An assumeutxo snapshot the node accepts (Core's `AssumeutxoData`). */
export interface AssumeutxoData {
  /** Height of the snapshot's base block. */
  readonly height: number;
  /** Hash of the serialized UTXO set (display hex). */
  readonly hashSerialized: string;
  /** Transactions in the chain up to and including the base block. */
  readonly chainTxCount: number;
  /** Base block hash (display hex). */
  readonly blockHash: string;
}

/** Transaction statistics used to estimate verification progress (Core's `ChainTxData`). */
export interface ChainTxData {
  /** Unix time of the last known transaction count. */
  readonly time: number;
  /** Transactions up to that time. */
  readonly txCount: number;
  /** Estimated transactions per second after that time. */
  readonly txRate: number;
}

/** Everything that differs between networks (Core's `CChainParams`), plus the base facts (ports, data dir). */
export interface ChainParams extends BaseChainParams {
  /** Consensus rules. */
  readonly consensus: ConsensusParams;
  /** The 4 bytes that start every P2P message (`pchMessageStart`). */
  readonly messageStart: Uint8Array;
  /** Default P2P port (`nDefaultPort`, same as `p2pPort`). */
  readonly defaultPort: number;
  /** Pruning never goes below this height (`nPruneAfterHeight`). */
  readonly pruneAfterHeight: number;
  /** Approximate block data size in GB (`m_assumed_blockchain_size`). */
  readonly assumedBlockchainSize: number;
  /** Approximate chainstate size in GB (`m_assumed_chain_state_size`). */
  readonly assumedChainStateSize: number;
  /** The genesis block, built from its parameters. */
  readonly genesis: Block;
  /** Address and key prefixes. */
  readonly prefixes: AddressPrefixes;
  /** DNS seeds. */
  readonly dnsSeeds: readonly string[];
  /** Default for `-checkblockindex` and similar consistency checks (`fDefaultConsistencyChecks`). */
  readonly defaultConsistencyChecks: boolean;
  /** Whether `setmocktime` is allowed (`m_is_mockable_chain`). */
  readonly isMockableChain: boolean;
  /** Known assumeutxo snapshots. */
  readonly assumeutxo: readonly AssumeutxoData[];
  /** Transaction statistics. */
  readonly chainTxData: ChainTxData;
  /** Headers presync parameters (Core's `HeadersSyncParams`). */
  readonly headersSync: { readonly commitmentPeriod: number; readonly redownloadBufferSize: number };
}

/** Buried deployments whose height regtest lets a test move (`-testactivationheight=name@height`). */
export type BuriedDeployment = "segwit" | "bip34" | "dersig" | "cltv" | "csv";

/** Options for {@linkcode chainParams} (Core's `SigNetOptions` / `RegTestOptions`). */
export interface ChainParamsOptions {
  /** Signet: a custom block challenge (`-signetchallenge`); the default signet's otherwise. */
  readonly signetChallenge?: Uint8Array;
  /** Signet: DNS seeds replacing the default ones (`-signetseednode`). */
  readonly signetSeeds?: readonly string[];
  /** Regtest: enforce BIP94 (`-test=bip94`). */
  readonly enforceBIP94?: boolean;
  /** Regtest: prune after 100 blocks instead of 1000 (`-fastprune`). */
  readonly fastprune?: boolean;
  /** Regtest: activation heights of buried deployments (`-testactivationheight`). */
  readonly activationHeights?: Partial<Readonly<Record<BuriedDeployment, number>>>;
}

const ZERO_HASH_HEX = "0".repeat(64);

/** The coinbase message of the genesis block of main, test, signet and regtest. */
const SATOSHI_MESSAGE = "The Times 03/Jan/2009 Chancellor on brink of second bailout for banks";
/** The uncompressed public key the original genesis output pays to. */
const SATOSHI_PUBKEY = "04678afdb0fe5548271967f1a67130b7105cd6a828e03909a67962e0ea1f61de" +
  "b649f6bc3f4cef38c4f35504e51ec112de5c384df7ba0b8d578a4c702b6bf11d5f";
/** Testnet4's coinbase message (a mainnet block hash of its launch day). */
const TESTNET4_MESSAGE = "03/May/2024 000000000000000000001ebd58c244970b3aa9d783bb001011fbe8ea8e98e00e";
/** The default signet's challenge: 1-of-2 multisig. */
const DEFAULT_SIGNET_CHALLENGE =
  "512103ad5e0edad18cb1f0fc0d28a3d4f1f3e445640337489abb10404f2d1e086be430210359ef" +
  "5021964fe22d6f8e05b2463c9540ce96883fe3b278760f048f5189f2e6c452ae";

const OP_CHECKSIG = 0xac;

/** The parameters a genesis block is built from (Core's `CreateGenesisBlock`). */
export interface GenesisParams {
  /** Message pushed in the coinbase scriptSig. */
  readonly message: string;
  /** The coinbase output script. */
  readonly outputScript: Uint8Array;
  /** Block time. */
  readonly time: number;
  /** Nonce that solves the block. */
  readonly nonce: number;
  /** Compact target. */
  readonly bits: number;
  /** Block version. */
  readonly version: number;
  /** Coinbase output value in satoshis. */
  readonly reward: bigint;
}

/**
 * Builds a genesis block (Core's `CreateGenesisBlock`): one version-1 coinbase whose scriptSig pushes 486604799,
 * the number 4 (as a one-byte push) and the message, paying `reward` to `outputScript`; previous hash zero and
 * the merkle root of that one transaction.
 */
export function createGenesisBlock(p: GenesisParams): Block {
  const scriptSig = new ScriptBuilder()
    .num(486604799)
    .push(Uint8Array.of(4))
    .push(new TextEncoder().encode(p.message))
    .build();
  const coinbase: Transaction = {
    version: 1,
    inputs: [{
      prevout: { txid: new Uint8Array(32), vout: 0xffffffff },
      scriptSig,
      sequence: 0xffffffff,
      witness: [],
    }],
    outputs: [{ value: p.reward, scriptPubKey: p.outputScript }],
    locktime: 0,
  };
  return {
    header: {
      version: p.version,
      prevBlock: new Uint8Array(32),
      merkleRoot: txid(coinbase), // the merkle root of a single transaction is its txid
      time: p.time,
      bits: p.bits,
      nonce: p.nonce,
    },
    txs: [coinbase],
  };
}

/** The original genesis block's message and output script with the given header fields (main, test, signet, regtest). */
function satoshiGenesis(time: number, nonce: number, bits: number): Block {
  const outputScript = new ScriptBuilder().push(fromHex(SATOSHI_PUBKEY)).op(OP_CHECKSIG).build();
  return createGenesisBlock({
    message: SATOSHI_MESSAGE,
    outputScript,
    time,
    nonce,
    bits,
    version: 1,
    reward: 50n * COIN,
  });
}

/** Checks that the genesis block built hashes to Core's value; a mismatch is a bug, never bad input. */
function checkedGenesis(genesis: Block, expectedHash: string): Block {
  const hash = reverseHex(blockHash(genesis.header));
  if (hash !== expectedHash) throw new Error(`Genesis block hashes to ${hash}, expected ${expectedHash}`);
  return genesis;
}

/** The test dummy deployment with the given threshold / period / start. */
function testDummy(threshold: number, period = 2016, startTime = NEVER_ACTIVE): BIP9Deployment {
  return { bit: 28, startTime, timeout: NO_TIMEOUT, minActivationHeight: 0, period, threshold };
}

const TWO_WEEKS = 14 * 24 * 60 * 60;
const POW_LIMIT_DEFAULT = 0x00000000ffffffffffffffffffffffffffffffffffffffffffffffffffffffffn;

function consensus(
  fields: Omit<ConsensusParams, "difficultyAdjustmentInterval" | "signetBlocks" | "signetChallenge"> & {
    signetChallenge?: Uint8Array;
  },
): ConsensusParams {
  const signetChallenge = fields.signetChallenge ?? new Uint8Array();
  return {
    ...fields,
    signetBlocks: fields.signetChallenge !== undefined,
    signetChallenge,
    difficultyAdjustmentInterval: fields.powTargetTimespan / fields.powTargetSpacing,
  };
}

function mainParams(): ChainParams {
  const genesis = checkedGenesis(
    satoshiGenesis(1231006505, 2083236893, 0x1d00ffff),
    "000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f",
  );
  return {
    ...baseParams("main"),
    consensus: consensus({
      hashGenesisBlock: "000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f",
      subsidyHalvingInterval: 210000,
      scriptFlagExceptions: new Map<string, ScriptFlagException>([
        ["00000000000002dc756eebf4f49723ed8d30cc28a5f108eb94b1ba88ac4f9c22", []], // BIP16 exception
        ["0000000000000000000f14c35b2d841e986ab5441de8c585d5ffe55ea1e395ad", ["P2SH", "WITNESS"]], // Taproot exception
      ]),
      bip34Height: 227931,
      bip34Hash: "000000000000024b89b42a942fe0d9fea3bb44ab7bd1b19115dd6a759c0808b8",
      bip65Height: 388381,
      bip66Height: 363725,
      csvHeight: 419328,
      segwitHeight: 481824,
      minBip9WarningHeight: 711648,
      deployments: { testdummy: testDummy(1815) },
      powLimit: POW_LIMIT_DEFAULT,
      powAllowMinDifficultyBlocks: false,
      enforceBIP94: false,
      powNoRetargeting: false,
      powTargetSpacing: 600,
      powTargetTimespan: TWO_WEEKS,
      minimumChainWork: 0x1128750f82f4c366153a3a030n,
      defaultAssumeValid: "00000000000000000000ccebd6d74d9194d8dcdc1d177c478e094bfad51ba5ac", // 938343
    }),
    messageStart: Uint8Array.of(0xf9, 0xbe, 0xb4, 0xd9),
    defaultPort: 8333,
    pruneAfterHeight: 100000,
    assumedBlockchainSize: 856,
    assumedChainStateSize: 14,
    genesis,
    prefixes: addressPrefixes("main"),
    dnsSeeds: [
      "dnsseed.bluematt.me.",
      "seed.bitcoin.jonasschnelli.ch.",
      "seed.btc.petertodd.net.",
      "seed.bitcoin.sprovoost.nl.",
      "dnsseed.emzy.de.",
      "seed.bitcoin.wiz.biz.",
      "seed.mainnet.achownodes.xyz.",
    ],
    defaultConsistencyChecks: false,
    isMockableChain: false,
    assumeutxo: [
      {
        height: 840000,
        hashSerialized: "a2a5521b1b5ab65f67818e5e8eccabb7171a517f9e2382208f77687310768f96",
        chainTxCount: 991032194,
        blockHash: "0000000000000000000320283a032748cef8227873ff4872689bf23f1cda83a5",
      },
      {
        height: 880000,
        hashSerialized: "dbd190983eaf433ef7c15f78a278ae42c00ef52e0fd2a54953782175fbadcea9",
        chainTxCount: 1145604538,
        blockHash: "000000000000000000010b17283c3c400507969a9c2afd1dcf2082ec5cca2880",
      },
      {
        height: 910000,
        hashSerialized: "4daf8a17b4902498c5787966a2b51c613acdab5df5db73f196fa59a4da2f1568",
        chainTxCount: 1226586151,
        blockHash: "0000000000000000000108970acb9522ffd516eae17acddcb1bd16469194a821",
      },
      {
        height: 935000,
        hashSerialized: "e4b90ef9eae834f56c4b64d2d50143cee10ad87994c614d7d04125e2a6025050",
        chainTxCount: 1305397408,
        blockHash: "0000000000000000000147034958af1652b2b91bba607beacc5e72a56f0fb5ee",
      },
    ],
    chainTxData: { time: 1772055173, txCount: 1315805869, txRate: 5.40111006496122 },
    headersSync: { commitmentPeriod: 641, redownloadBufferSize: 15218 },
  };
}

function testnet3Params(): ChainParams {
  const genesis = checkedGenesis(
    satoshiGenesis(1296688602, 414098458, 0x1d00ffff),
    "000000000933ea01ad0ee984209779baaec3ced90fa3f408719526f8d77f4943",
  );
  return {
    ...baseParams("test"),
    consensus: consensus({
      hashGenesisBlock: "000000000933ea01ad0ee984209779baaec3ced90fa3f408719526f8d77f4943",
      subsidyHalvingInterval: 210000,
      scriptFlagExceptions: new Map<string, ScriptFlagException>([
        ["00000000dd30457c001f4095d208cc1296b0eed002427aa599874af7a432b105", []], // BIP16 exception
      ]),
      bip34Height: 21111,
      bip34Hash: "0000000023b3a96d3484e5abb3755c413e7d41500f8e2a5c3f0dd01299cd8ef8",
      bip65Height: 581885,
      bip66Height: 330776,
      csvHeight: 770112,
      segwitHeight: 834624,
      minBip9WarningHeight: 2013984,
      deployments: { testdummy: testDummy(1512) },
      powLimit: POW_LIMIT_DEFAULT,
      powAllowMinDifficultyBlocks: true,
      enforceBIP94: false,
      powNoRetargeting: false,
      powTargetSpacing: 600,
      powTargetTimespan: TWO_WEEKS,
      minimumChainWork: 0x17dde1c649f3708d14b6n,
      defaultAssumeValid: "000000007a61e4230b28ac5cb6b5e5a0130de37ac1faf2f8987d2fa6505b67f4", // 4842348
    }),
    messageStart: Uint8Array.of(0x0b, 0x11, 0x09, 0x07),
    defaultPort: 18333,
    pruneAfterHeight: 1000,
    assumedBlockchainSize: 245,
    assumedChainStateSize: 19,
    genesis,
    prefixes: addressPrefixes("test"),
    dnsSeeds: [
      "testnet-seed.bitcoin.jonasschnelli.ch.",
      "seed.tbtc.petertodd.net.",
      "seed.testnet.bitcoin.sprovoost.nl.",
      "testnet-seed.bluematt.me.",
      "seed.testnet.achownodes.xyz.",
    ],
    defaultConsistencyChecks: false,
    isMockableChain: false,
    assumeutxo: [
      {
        height: 2500000,
        hashSerialized: "f841584909f68e47897952345234e37fcd9128cd818f41ee6c3ca68db8071be7",
        chainTxCount: 66484552,
        blockHash: "0000000000000093bcb68c03a9a168ae252572d348a2eaeba2cdf9231d73206f",
      },
      {
        height: 4840000,
        hashSerialized: "ce6bb677bb2ee9789c4a1c9d73e6683c53fc20e8fdbedbdaaf468982a0c8db2a",
        chainTxCount: 536078574,
        blockHash: "00000000000000f4971a7fb37fbdff89315b69a2e1920c467654a382f0d64786",
      },
    ],
    chainTxData: { time: 1772051651, txCount: 536108416, txRate: 0.02691479016257117 },
    headersSync: { commitmentPeriod: 673, redownloadBufferSize: 14460 },
  };
}

function testnet4Params(): ChainParams {
  const outputScript = new ScriptBuilder().push(new Uint8Array(33)).op(OP_CHECKSIG).build();
  const genesis = checkedGenesis(
    createGenesisBlock({
      message: TESTNET4_MESSAGE,
      outputScript,
      time: 1714777860,
      nonce: 393743547,
      bits: 0x1d00ffff,
      version: 1,
      reward: 50n * COIN,
    }),
    "00000000da84f2bafbbc53dee25a72ae507ff4914b867c565be350b0da8bf043",
  );
  return {
    ...baseParams("testnet4"),
    consensus: consensus({
      hashGenesisBlock: "00000000da84f2bafbbc53dee25a72ae507ff4914b867c565be350b0da8bf043",
      subsidyHalvingInterval: 210000,
      scriptFlagExceptions: new Map(),
      bip34Height: 1,
      bip34Hash: ZERO_HASH_HEX,
      bip65Height: 1,
      bip66Height: 1,
      csvHeight: 1,
      segwitHeight: 1,
      minBip9WarningHeight: 0,
      deployments: { testdummy: testDummy(1512) },
      powLimit: POW_LIMIT_DEFAULT,
      powAllowMinDifficultyBlocks: true,
      enforceBIP94: true,
      powNoRetargeting: false,
      powTargetSpacing: 600,
      powTargetTimespan: TWO_WEEKS,
      minimumChainWork: 0x9a0fe15d0177d086304n,
      defaultAssumeValid: "0000000002368b1e4ee27e2e85676ae6f9f9e69579b29093e9a82c170bf7cf8a", // 123613
    }),
    messageStart: Uint8Array.of(0x1c, 0x16, 0x3f, 0x28),
    defaultPort: 48333,
    pruneAfterHeight: 1000,
    assumedBlockchainSize: 31,
    assumedChainStateSize: 2,
    genesis,
    prefixes: addressPrefixes("testnet4"),
    dnsSeeds: ["seed.testnet4.bitcoin.sprovoost.nl.", "seed.testnet4.wiz.biz."],
    defaultConsistencyChecks: false,
    isMockableChain: false,
    assumeutxo: [
      {
        height: 90000,
        hashSerialized: "784fb5e98241de66fdd429f4392155c9e7db5c017148e66e8fdbc95746f8b9b5",
        chainTxCount: 11347043,
        blockHash: "0000000002ebe8bcda020e0dd6ccfbdfac531d2f6a81457191b99fc2df2dbe3b",
      },
      {
        height: 120000,
        hashSerialized: "10b05d05ad468d0971162e1b222a4aa66caca89da2bb2a93f8f37fb29c4794b0",
        chainTxCount: 14141057,
        blockHash: "000000000bd2317e51b3c5794981c35ba894ce27d3e772d5c39ecd9cbce01dc8",
      },
    ],
    chainTxData: { time: 1772013387, txCount: 14191421, txRate: 0.01848579579528412 },
    headersSync: { commitmentPeriod: 606, redownloadBufferSize: 16092 },
  };
}

/** Signet's message start: the first 4 bytes of SHA256d of the challenge serialized with its length. */
function signetMessageStart(challenge: Uint8Array): Uint8Array {
  const n = challenge.length;
  const prefix = n < 253
    ? [n]
    : n <= 0xffff
    ? [253, n & 0xff, n >> 8]
    : [254, n & 0xff, (n >> 8) & 0xff, (n >> 16) & 0xff, n >>> 24];
  const ser = new Uint8Array(prefix.length + n);
  ser.set(prefix);
  ser.set(challenge, prefix.length);
  return sha256d(ser).slice(0, 4);
}

function signetParams(options: ChainParamsOptions): ChainParams {
  const custom = options.signetChallenge !== undefined;
  const challenge = custom ? options.signetChallenge!.slice() : fromHex(DEFAULT_SIGNET_CHALLENGE);
  const genesis = checkedGenesis(
    satoshiGenesis(1598918400, 52613770, 0x1e0377ae),
    "00000008819873e925422c1ff0f99f7cc9bbb232af63a077a480a3633bee1ef6",
  );
  const defaultSeeds = custom ? [] : ["seed.signet.bitcoin.sprovoost.nl.", "seed.signet.achownodes.xyz."];
  return {
    ...baseParams("signet"),
    consensus: consensus({
      hashGenesisBlock: "00000008819873e925422c1ff0f99f7cc9bbb232af63a077a480a3633bee1ef6",
      subsidyHalvingInterval: 210000,
      scriptFlagExceptions: new Map(),
      bip34Height: 1,
      bip34Hash: ZERO_HASH_HEX,
      bip65Height: 1,
      bip66Height: 1,
      csvHeight: 1,
      segwitHeight: 1,
      minBip9WarningHeight: 0,
      deployments: { testdummy: testDummy(1815) },
      powLimit: 0x00000377ae000000000000000000000000000000000000000000000000000000n,
      powAllowMinDifficultyBlocks: false,
      enforceBIP94: false,
      powNoRetargeting: false,
      powTargetSpacing: 600,
      powTargetTimespan: TWO_WEEKS,
      minimumChainWork: custom ? 0n : 0xb463ea0a4b8n,
      defaultAssumeValid: custom
        ? ZERO_HASH_HEX
        : "00000008414aab61092ef93f1aacc54cf9e9f16af29ddad493b908a01ff5c329", // 293175
      signetChallenge: challenge,
    }),
    messageStart: signetMessageStart(challenge),
    defaultPort: 38333,
    pruneAfterHeight: 1000,
    assumedBlockchainSize: custom ? 0 : 24,
    assumedChainStateSize: custom ? 0 : 4,
    genesis,
    prefixes: addressPrefixes("signet"),
    dnsSeeds: options.signetSeeds !== undefined ? [...options.signetSeeds] : defaultSeeds,
    defaultConsistencyChecks: false,
    isMockableChain: false,
    assumeutxo: [
      {
        height: 160000,
        hashSerialized: "fe0a44309b74d6b5883d246cb419c6221bcccf0b308c9b59b7d70783dbdf928a",
        chainTxCount: 2289496,
        blockHash: "0000003ca3c99aff040f2563c2ad8f8ec88bd0fd6b8f0895cfaf1ef90353a62c",
      },
      {
        height: 290000,
        hashSerialized: "97267e000b4b876800167e71b9123f1529d13b14308abec2888bbd2160d14545",
        chainTxCount: 28547497,
        blockHash: "0000000577f2741bb30cd9d39d6d71b023afbeb9764f6260786a97969d5c9ac0",
      },
    ],
    chainTxData: custom
      ? { time: 0, txCount: 0, txRate: 0 }
      : { time: 1772055248, txCount: 28676833, txRate: 0.06736623436338929 },
    headersSync: { commitmentPeriod: 620, redownloadBufferSize: 15724 },
  };
}

function regtestParams(options: ChainParamsOptions): ChainParams {
  const genesis = checkedGenesis(
    satoshiGenesis(1296688602, 2, 0x207fffff),
    "0f9188f13cb7b2c71f2a335e3a4fc328bf5beb436012afca590b1a11466e2206",
  );
  const h = options.activationHeights ?? {};
  return {
    ...baseParams("regtest"),
    consensus: consensus({
      hashGenesisBlock: "0f9188f13cb7b2c71f2a335e3a4fc328bf5beb436012afca590b1a11466e2206",
      subsidyHalvingInterval: 150,
      scriptFlagExceptions: new Map(),
      bip34Height: h.bip34 ?? 1,
      bip34Hash: ZERO_HASH_HEX,
      bip65Height: h.cltv ?? 1,
      bip66Height: h.dersig ?? 1,
      csvHeight: h.csv ?? 1,
      segwitHeight: h.segwit ?? 0,
      minBip9WarningHeight: 0,
      deployments: { testdummy: testDummy(108, 144, 0n) },
      powLimit: 0x7fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffn,
      powAllowMinDifficultyBlocks: true,
      enforceBIP94: options.enforceBIP94 ?? false,
      powNoRetargeting: true,
      powTargetSpacing: 600,
      powTargetTimespan: 24 * 60 * 60,
      minimumChainWork: 0n,
      defaultAssumeValid: ZERO_HASH_HEX,
    }),
    messageStart: Uint8Array.of(0xfa, 0xbf, 0xb5, 0xda),
    defaultPort: 18444,
    pruneAfterHeight: options.fastprune ? 100 : 1000,
    assumedBlockchainSize: 0,
    assumedChainStateSize: 0,
    genesis,
    prefixes: addressPrefixes("regtest"),
    dnsSeeds: ["dummySeed.invalid."],
    defaultConsistencyChecks: true,
    isMockableChain: true,
    assumeutxo: [
      {
        height: 110,
        hashSerialized: "86e9a1205b418b16dde3a18a78c730e30137e28466bda5dbf6b33ab8fc05447c",
        chainTxCount: 111,
        blockHash: "135eec25a6fb277884e5824e7aa7d052c4868161c99a5122170b5266f86c273d",
      },
      {
        height: 200,
        hashSerialized: "17dcc016d188d16068907cdeb38b75691a118d43053b8cd6a25969419381d13a",
        chainTxCount: 201,
        blockHash: "385901ccbd69dff6bbd00065d01fb8a9e464dede7cfe0372443884f9b1dcf6b9",
      },
      {
        height: 299,
        hashSerialized: "106b2c56233e378a824cf0d5ff2be42ed32c72f1605c9be288d00942908a40ac",
        chainTxCount: 334,
        blockHash: "0c552ced4721c249a389eb9b08cb8da261cd46f0e7b5f9d064d48f3113406853",
      },
    ],
    chainTxData: { time: 0, txCount: 0, txRate: 0.001 },
    headersSync: { commitmentPeriod: 275, redownloadBufferSize: 7017 },
  };
}

/**
 * The chain parameters of `network` (Core's `CreateChainParams`), a new object each call. Options apply to
 * signet (custom challenge and seeds) and regtest (BIP94, fast pruning, activation heights) only.
 */
export function chainParams(network: Network, options: ChainParamsOptions = {}): ChainParams {
  switch (network) {
    case "main":
      return mainParams();
    case "test":
      return testnet3Params();
    case "testnet4":
      return testnet4Params();
    case "signet":
      return signetParams(options);
    case "regtest":
      return regtestParams(options);
  }
}

/** Message starts of the networks, in Core's order of lookup (signet with its default challenge). */
const MAGIC: readonly (readonly [Network, Uint8Array])[] = [
  ["main", Uint8Array.of(0xf9, 0xbe, 0xb4, 0xd9)],
  ["test", Uint8Array.of(0x0b, 0x11, 0x09, 0x07)],
  ["testnet4", Uint8Array.of(0x1c, 0x16, 0x3f, 0x28)],
  ["regtest", Uint8Array.of(0xfa, 0xbf, 0xb5, 0xda)],
  ["signet", signetMessageStart(fromHex(DEFAULT_SIGNET_CHALLENGE))],
];

/** The network whose message start is `magic` (Core's `GetNetworkForMagic`; signet with its default challenge). */
export function networkForMagic(magic: Uint8Array): Network | undefined {
  for (const [net, start] of MAGIC) {
    if (magic.length === 4 && start.every((b, i) => b === magic[i])) return net;
  }
  return undefined;
}

/** Height at which a buried deployment activates (Core's `Consensus::Params::DeploymentHeight`). */
export function deploymentHeight(params: ConsensusParams, dep: BuriedDeployment): number {
  switch (dep) {
    case "bip34":
      return params.bip34Height;
    case "cltv":
      return params.bip65Height;
    case "dersig":
      return params.bip66Height;
    case "csv":
      return params.csvHeight;
    case "segwit":
      return params.segwitHeight;
  }
}

/** Verify flag names (as in the script test vectors) a block is checked with (Core's `GetBlockScriptFlags`). */
export type BlockScriptFlag =
  | "P2SH"
  | "WITNESS"
  | "TAPROOT"
  | "DERSIG"
  | "CHECKLOCKTIMEVERIFY"
  | "CHECKSEQUENCEVERIFY"
  | "NULLDUMMY";

/**
 * The script verify flags for the block at `height` with hash `blockHashHex` (display hex), as Core's
 * `GetBlockScriptFlags`: P2SH, WITNESS and TAPROOT always (taproot's rules apply from genesis, like P2SH's and
 * segwit's) except for the listed exception blocks; DERSIG, CHECKLOCKTIMEVERIFY, CHECKSEQUENCEVERIFY and
 * NULLDUMMY from the BIP66, BIP65, CSV and segwit heights.
 */
export function blockScriptFlags(
  params: ConsensusParams,
  block: { readonly height: number; readonly hash: string },
): BlockScriptFlag[] {
  const exception = params.scriptFlagExceptions.get(block.hash);
  const flags: BlockScriptFlag[] = exception !== undefined ? [...exception] : ["P2SH", "WITNESS", "TAPROOT"];
  if (block.height >= params.bip66Height) flags.push("DERSIG");
  if (block.height >= params.bip65Height) flags.push("CHECKLOCKTIMEVERIFY");
  if (block.height >= params.csvHeight) flags.push("CHECKSEQUENCEVERIFY");
  if (block.height >= params.segwitHeight) flags.push("NULLDUMMY");
  return flags;
}
