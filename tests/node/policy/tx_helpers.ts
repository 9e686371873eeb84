/**
 * Hand-built transactions and scripts for the policy tests.
 *
 * @module
 */

import {
  OP_0,
  OP_1,
  OP_CHECKSIG,
  OP_DUP,
  OP_EQUAL,
  OP_EQUALVERIFY,
  OP_HASH160,
  OP_RETURN,
} from "../../../core/script/opcodes.ts";
import { ScriptBuilder } from "../../../core/script/script.ts";
import { scriptForMultisig } from "../../../core/script/standard.ts";
import type { OutPoint, Transaction, TxIn, TxOut } from "../../../core/wire/types.ts";

/** `n` bytes of `fill`. */
export function bytes(n: number, fill = 0): Uint8Array {
  return new Uint8Array(n).fill(fill);
}

/** A 32-byte txid (internal order) made of `fill`. */
export function fakeTxid(fill: number): Uint8Array {
  return bytes(32, fill);
}

/** An outpoint. */
export function outpoint(txid: Uint8Array, vout = 0): OutPoint {
  return { txid, vout };
}

/** An input. */
export function input(
  prevout: OutPoint,
  options: { scriptSig?: Uint8Array; sequence?: number; witness?: Uint8Array[] } = {},
): TxIn {
  return {
    prevout,
    scriptSig: options.scriptSig ?? new Uint8Array(0),
    sequence: options.sequence ?? 0xffffffff,
    witness: options.witness ?? [],
  };
}

/** An output. */
export function output(value: bigint | number, scriptPubKey: Uint8Array): TxOut {
  return { value: BigInt(value), scriptPubKey };
}

/** A transaction (version 2, locktime 0 by default). */
export function tx(
  inputs: TxIn[],
  outputs: TxOut[],
  options: { version?: number; locktime?: number } = {},
): Transaction {
  return { version: options.version ?? 2, inputs, outputs, locktime: options.locktime ?? 0 };
}

/** P2PKH scriptPubKey of a 20-byte hash. */
export function p2pkh(hash = bytes(20, 1)): Uint8Array {
  return new ScriptBuilder().op(OP_DUP, OP_HASH160).push(hash).op(OP_EQUALVERIFY, OP_CHECKSIG).build();
}

/** P2SH scriptPubKey of a 20-byte hash. */
export function p2sh(hash = bytes(20, 2)): Uint8Array {
  return new ScriptBuilder().op(OP_HASH160).push(hash).op(OP_EQUAL).build();
}

/** P2WPKH scriptPubKey. */
export function p2wpkh(hash = bytes(20, 3)): Uint8Array {
  return new ScriptBuilder().op(OP_0).push(hash).build();
}

/** P2WSH scriptPubKey. */
export function p2wsh(hash = bytes(32, 4)): Uint8Array {
  return new ScriptBuilder().op(OP_0).push(hash).build();
}

/** P2TR scriptPubKey. */
export function p2tr(key = bytes(32, 5)): Uint8Array {
  return new ScriptBuilder().op(OP_1).push(key).build();
}

/** The pay-to-anchor scriptPubKey `OP_1 <4e73>`. */
export const P2A: Uint8Array = Uint8Array.of(0x51, 0x02, 0x4e, 0x73);

/** `OP_RETURN <data>…` */
export function nulldata(...pushes: Uint8Array[]): Uint8Array {
  const b = new ScriptBuilder().op(OP_RETURN);
  for (const p of pushes) b.push(p);
  return b.build();
}

/** A compressed public key (valid encoding; not necessarily on the curve). */
export function pubkey(fill = 7): Uint8Array {
  const k = bytes(33, fill);
  k[0] = 0x02;
  return k;
}

/** Bare m-of-n multisig of compressed keys. */
export function multisig(m: number, n: number): Uint8Array {
  return scriptForMultisig(m, Array.from({ length: n }, (_, i) => pubkey(i + 1)));
}

/** A scriptSig pushing 65 zero bytes (stands in for a signature; push-only). */
export const DUMMY_SCRIPTSIG: Uint8Array = new ScriptBuilder().push(bytes(65)).build();

/** A standard one-input one-output transaction paying `value` to P2PKH. */
export function simpleTx(
  value: bigint | number = 90_000_000n,
  options: { version?: number } = {},
): Transaction {
  return tx(
    [input(outpoint(fakeTxid(0xaa), 1), { scriptSig: DUMMY_SCRIPTSIG })],
    [output(value, p2pkh())],
    options,
  );
}
