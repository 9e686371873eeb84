/**
 * Test helper: builds regtest blocks (coinbase with the BIP34 height push and a witness commitment, PoW by
 * grinding the nonce) and signed P2WPKH spends, so tests can produce blocks that break exactly one rule.
 *
 * @module
 */
import { secp256k1 } from "@noble/curves/secp256k1.js";
import type { ChainParams } from "../../../core/chain_params.ts";
import { defaultSecp256k1 } from "../../../core/crypto/default_backend.ts";
import { encodeDer } from "../../../core/crypto/der.ts";
import { hash160 } from "../../../core/hash/hashes.ts";
import {
  blockMerkleRoot,
  blockWitnessMerkleRoot,
  witnessCommitmentScript,
} from "../../../core/hash/merkle.ts";
import { checkProofOfWork, getBlockSubsidy } from "../../../core/pow.ts";
import { pushInt } from "../../../core/script/script.ts";
import {
  PrecomputedTransactionData,
  SIGHASH_ALL,
  SIGHASH_DEFAULT,
  signatureHash,
  signatureHashSchnorr,
} from "../../../core/script/sighash.ts";
import { secretTweakAdd, xonlyTweakAdd } from "../../../core/descriptors/ec.ts";
import { taprootTweak } from "../../../core/descriptors/taproot_tree.ts";
import { blockHash } from "../../../core/wire/block.ts";
import type { Block, BlockHeader, OutPoint, Transaction, TxOut } from "../../../core/wire/types.ts";
import type { BlockIndexEntry } from "../../../node/chain/types.ts";

/** A test key with its P2WPKH script. */
export interface TestKey {
  readonly secret: Uint8Array;
  readonly pubkey: Uint8Array;
  readonly script: Uint8Array;
  /** P2TR (key path only, BIP86-style: no script tree) output script of the same key. */
  readonly trScript: Uint8Array;
  /** The secret tweaked for the key-path spend of {@link trScript}. */
  readonly trSecret: Uint8Array;
}

const CURVE_N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;

/** A deterministic key from a small number. */
export function testKey(n: number): TestKey {
  const secret = new Uint8Array(32);
  secret[31] = n & 0xff;
  secret[30] = (n >> 8) & 0xff;
  secret[0] = 1;
  const pubkey = secp256k1.getPublicKey(secret, true);
  const script = new Uint8Array(22);
  script[0] = 0x00;
  script[1] = 0x14;
  script.set(hash160(pubkey), 2);
  // BIP341 key path: negate the secret for an odd-y internal key, tweak with TapTweak(internal x).
  const internal = pubkey.slice(1);
  let d = secret;
  if (pubkey[0] === 3) {
    let v = 0n;
    for (const b of secret) v = (v << 8n) | BigInt(b);
    v = CURVE_N - v;
    d = new Uint8Array(32);
    for (let i = 31; i >= 0; i--, v >>= 8n) d[i] = Number(v & 0xffn);
  }
  const tweak = taprootTweak(internal, null);
  const out = xonlyTweakAdd(internal, tweak)!;
  const trScript = new Uint8Array([0x51, 0x20, ...out.key]);
  const trSecret = secretTweakAdd(d, tweak)!;
  return { secret, pubkey, script, trScript, trSecret };
}

/** Options of {@link buildBlock}. */
export interface BuildBlockOptions {
  /** Parent entry. */
  readonly prev: BlockIndexEntry;
  /** Network parameters. */
  readonly params: ChainParams;
  /** Transactions after the coinbase. */
  readonly txs?: readonly Transaction[];
  /** Coinbase output script (default key 1's P2WPKH). */
  readonly payTo?: Uint8Array;
  /** Coinbase value (default subsidy + fees). */
  readonly coinbaseValue?: bigint;
  /** Fees to add to the default coinbase value. */
  readonly fees?: bigint;
  /** Block time (default prev time + 1, at least prev MTP + 1). */
  readonly time?: number;
  /** Version (default 0x20000000). */
  readonly version?: number;
  /** Bits (default prev's). */
  readonly bits?: number;
  /** Coinbase height push (default prev height + 1). */
  readonly cbHeight?: number;
  /** Extra bytes in the coinbase scriptSig (to make distinct blocks). */
  readonly extraNonce?: number;
  /** Coinbase witness nonce (default 32 zero bytes). */
  readonly witnessNonce?: Uint8Array;
  /** Whether to add the witness commitment (default true). */
  readonly commitment?: boolean;
  /** Corrupt the witness commitment. */
  readonly badCommitment?: boolean;
  /** Coinbase locktime (default 0). */
  readonly cbLocktime?: number;
  /** Coinbase input sequence (default 0xffffffff). */
  readonly cbSequence?: number;
}

/** Grinds the nonce until the header meets its target. */
export function solve(header: BlockHeader, params: ChainParams): BlockHeader {
  let h = header;
  for (let nonce = 0;; nonce++) {
    h = { ...header, nonce };
    if (checkProofOfWork(blockHash(h), h.bits, params.consensus)) return h;
  }
}

/** Builds and solves a block on `prev`. */
export function buildBlock(o: BuildBlockOptions): Block {
  const height = o.prev.height + 1;
  const txs = o.txs ?? [];
  const subsidy = getBlockSubsidy(height, o.params.consensus);
  const scriptSig = new Uint8Array([
    ...pushInt(o.cbHeight ?? height),
    ...pushInt(o.extraNonce ?? 0),
  ]);
  const commitment = o.commitment ?? true;
  const cbOutputs: TxOut[] = [{
    value: o.coinbaseValue ?? subsidy + (o.fees ?? 0n),
    scriptPubKey: o.payTo ?? testKey(1).script,
  }];
  let coinbase: Transaction = {
    version: 2,
    inputs: [{
      prevout: { txid: new Uint8Array(32), vout: 0xffffffff },
      scriptSig,
      sequence: o.cbSequence ?? 0xffffffff,
      witness: commitment ? [o.witnessNonce ?? new Uint8Array(32)] : [],
    }],
    outputs: cbOutputs,
    locktime: o.cbLocktime ?? 0,
  };
  if (commitment) {
    const tmp: Block = { header: dummyHeader(), txs: [coinbase, ...txs] };
    const nonce = o.witnessNonce?.length === 32 ? o.witnessNonce : new Uint8Array(32);
    const script = witnessCommitmentScript(blockWitnessMerkleRoot(tmp), nonce);
    if (o.badCommitment) script[10] ^= 1;
    coinbase = { ...coinbase, outputs: [...cbOutputs, { value: 0n, scriptPubKey: script }] };
  }
  const all = [coinbase, ...txs];
  const time = o.time ?? Math.max(o.prev.medianTimePast + 1, Math.floor(Date.now() / 1000));
  const header: BlockHeader = {
    version: o.version ?? 0x20000000,
    prevBlock: o.prev.hash,
    merkleRoot: blockMerkleRoot({ header: dummyHeader(), txs: all }).root,
    time,
    bits: o.bits ?? o.prev.header.bits,
    nonce: 0,
  };
  return { header: solve(header, o.params), txs: all };
}

function dummyHeader(): BlockHeader {
  return {
    version: 0,
    prevBlock: new Uint8Array(32),
    merkleRoot: new Uint8Array(32),
    time: 0,
    bits: 0,
    nonce: 0,
  };
}

/** A coin to spend. */
export interface SpendInput {
  readonly outpoint: OutPoint;
  readonly value: bigint;
  readonly key: TestKey;
  readonly sequence?: number;
}

/** Builds and signs (SIGHASH_ALL, BIP143) a transaction spending P2WPKH coins. */
export function spendP2wpkh(
  inputs: readonly SpendInput[],
  outputs: readonly TxOut[],
  opts: { version?: number; locktime?: number } = {},
): Transaction {
  const secp = defaultSecp256k1();
  let tx: Transaction = {
    version: opts.version ?? 2,
    inputs: inputs.map((i) => ({
      prevout: i.outpoint,
      scriptSig: new Uint8Array(0),
      sequence: i.sequence ?? 0xfffffffd,
      witness: [],
    })),
    outputs,
    locktime: opts.locktime ?? 0,
  };
  const witnesses = inputs.map((inp, n) => {
    const scriptCode = new Uint8Array([0x76, 0xa9, 0x14, ...hash160(inp.key.pubkey), 0x88, 0xac]);
    const sighash = signatureHash(scriptCode, tx, n, SIGHASH_ALL, {
      sigversion: "witness_v0",
      amount: inp.value,
    });
    const sig = encodeDer(secp.signEcdsa(sighash, inp.key.secret));
    return [new Uint8Array([...sig, SIGHASH_ALL]), inp.key.pubkey];
  });
  tx = { ...tx, inputs: tx.inputs.map((i, n) => ({ ...i, witness: witnesses[n] })) };
  return tx;
}

/** Builds and signs (SIGHASH_DEFAULT, BIP341 key path) a transaction spending P2TR coins of {@link TestKey}s. */
export function spendP2tr(
  inputs: readonly SpendInput[],
  outputs: readonly TxOut[],
  opts: { version?: number; locktime?: number } = {},
): Transaction {
  const secp = defaultSecp256k1();
  const tx: Transaction = {
    version: opts.version ?? 2,
    inputs: inputs.map((i) => ({
      prevout: i.outpoint,
      scriptSig: new Uint8Array(0),
      sequence: i.sequence ?? 0xfffffffd,
      witness: [],
    })),
    outputs,
    locktime: opts.locktime ?? 0,
  };
  const spent = inputs.map((i) => ({ value: i.value, scriptPubKey: i.key.trScript }));
  const pre = new PrecomputedTransactionData(tx, spent);
  const witnesses = inputs.map((inp, n) => {
    const msg = signatureHashSchnorr(tx, n, SIGHASH_DEFAULT, "taproot", { annex: null }, pre)!;
    return [secp.signSchnorr(msg, inp.key.trSecret)];
  });
  return { ...tx, inputs: tx.inputs.map((i, n) => ({ ...i, witness: witnesses[n] })) };
}
