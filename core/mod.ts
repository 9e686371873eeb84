/**
 * Bitcoin's data structures and rules, as small pure modules (one folder per concern, each usable alone):
 *
 * - `wire`: transactions, blocks, headers, outpoints, locators — encoding, txid/wtxid, weight.
 * - `hash`: SHA-256, HASH160, tagged hashes, merkle roots (with the CVE-2012-2459 check), partial merkle trees.
 * - `script`: opcodes, parsing, asm, standard types, sigops, verify flags, script errors, the interpreter,
 *   signature hashing and the transaction signature checker.
 * - `crypto`: secp256k1 ECDSA/Schnorr verification behind one interface, DER parsing.
 * - `address`: Base58Check, WIF, Bech32/Bech32m, Core's key_io.
 * - `descriptors`: Core's output descriptors (parsing, checksums, BIP32 derivation, taproot trees).
 * - `message`: Bitcoin signed messages (Core's signmessage / verifymessage).
 * - `consensus`: CheckTransaction, context-free block checks, sigop cost, validation states.
 * - `verify`: the Worker pool that verifies a block's input scripts in parallel, and the signature and script
 *   execution caches.
 * - chain parameters of every network and proof-of-work rules.
 *
 * @module
 */
export * from "./chain_params_base.ts";
export * from "./chain_params.ts";
export * from "./pow.ts";
export * as wire from "./wire/mod.ts";
export * as psbt from "./psbt/mod.ts";
export * as hash from "./hash/mod.ts";
export * as script from "./script/mod.ts";
export * as crypto from "./crypto/mod.ts";
export * as address from "./address/mod.ts";
export type { Block, BlockHeader, OutPoint, Transaction, TxIn, TxOut } from "./wire/types.ts";
export type { AddressPrefixes } from "./address/prefixes.ts";
export * as consensus from "./consensus/mod.ts";
export * as verify from "./verify/mod.ts";
export * as descriptors from "./descriptors/mod.ts";
export * as message from "./message.ts";
