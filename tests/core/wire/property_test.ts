import fc from "fast-check";
import { assert, assertEquals } from "../../assert.ts";
import { fromHex } from "../../../core/hash/hashes.ts";
import {
  blockStrippedSize,
  blockTotalSize,
  blockWeight,
  decodeBlock,
  decodeBlockHeader,
  encodeBlock,
} from "../../../core/wire/block.ts";
import { DecodeError } from "../../../core/wire/errors.ts";
import { decodeBlockLocator, encodeBlockLocator } from "../../../core/wire/locator.ts";
import { decodeOutPoint } from "../../../core/wire/outpoint.ts";
import {
  decodeTransaction,
  encodeTransaction,
  hasWitness,
  transactionStrippedSize,
  transactionTotalSize,
  transactionWeight,
  txid,
  wtxid,
} from "../../../core/wire/transaction.ts";
import type { Block, Transaction } from "../../../core/wire/types.ts";
import { plainTx } from "./helpers.ts";

const u32 = fc.integer({ min: 0, max: 0xffffffff });
/** Records with ordinary prototypes (fast-check makes null-prototype objects by default). */
const NP = { noNullPrototype: true } as const;
/** Byte strings biased to cross the 253-byte compact-size boundary sometimes. */
const script = fc.oneof(
  { weight: 5, arbitrary: fc.uint8Array({ maxLength: 40 }) },
  { weight: 1, arbitrary: fc.uint8Array({ minLength: 250, maxLength: 300 }) },
);

const txIn = fc.record({
  prevout: fc.record({ txid: fc.uint8Array({ minLength: 32, maxLength: 32 }), vout: u32 }, NP),
  scriptSig: script,
  sequence: u32,
  witness: fc.oneof(fc.constant([] as Uint8Array[]), fc.array(script, { maxLength: 4 })),
}, NP);

const txOut = fc.record({
  value: fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }),
  scriptPubKey: script,
}, NP);

/** Transactions with at least one input (with none, the legacy form is ambiguous with BIP144's marker). */
const transaction: fc.Arbitrary<Transaction> = fc.record({
  version: u32,
  inputs: fc.array(txIn, { minLength: 1, maxLength: 4 }),
  outputs: fc.array(txOut, { maxLength: 4 }),
  locktime: u32,
}, NP);

const header = fc.record({
  version: fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }),
  prevBlock: fc.uint8Array({ minLength: 32, maxLength: 32 }),
  merkleRoot: fc.uint8Array({ minLength: 32, maxLength: 32 }),
  time: u32,
  bits: u32,
  nonce: u32,
}, NP);

const block: fc.Arbitrary<Block> = fc.record({ header, txs: fc.array(transaction, { maxLength: 4 }) }, NP);

/** The transaction as it decodes after a round trip without witnesses. */
function stripped(tx: Transaction): Transaction {
  return { ...tx, inputs: tx.inputs.map((i) => ({ ...i, witness: [] })) };
}

Deno.test("property: decode(encode(tx)) = tx, with and without witnesses; hashes and sizes agree", () => {
  fc.assert(
    fc.property(transaction, (tx) => {
      const bytes = encodeTransaction(tx);
      const back = decodeTransaction(bytes);
      assertEquals(back, tx);
      assertEquals(encodeTransaction(back), bytes);
      const legacy = encodeTransaction(tx, { witness: false });
      assertEquals(decodeTransaction(legacy, { allowWitness: false }), stripped(tx));
      assertEquals(decodeTransaction(legacy), stripped(tx));
      assertEquals(txid(back), txid(tx));
      assertEquals(wtxid(back), wtxid(tx));
      assertEquals(hasWitness(back), tx.inputs.some((i) => i.witness.length > 0));
      assertEquals(transactionTotalSize(tx), bytes.length);
      assertEquals(transactionStrippedSize(back), legacy.length);
      assertEquals(transactionWeight(back), legacy.length * 3 + bytes.length);
    }),
    { numRuns: 400 },
  );
});

Deno.test("property: decode(encode(block)) = block; sizes agree", () => {
  fc.assert(
    fc.property(block, (b) => {
      const bytes = encodeBlock(b);
      const back = decodeBlock(bytes);
      assertEquals(back, b);
      assertEquals(encodeBlock(back), bytes);
      assertEquals(blockTotalSize(back), bytes.length);
      assertEquals(blockStrippedSize(b), encodeBlock(b, { witness: false }).length);
      assertEquals(blockWeight(back), blockStrippedSize(b) * 3 + bytes.length);
      assertEquals(decodeBlockHeader(bytes.subarray(0, 80)), b.header);
    }),
    { numRuns: 150 },
  );
});

/** Runs a decoder: it must either return or throw a DecodeError. */
function onlyDecodeErrors<T>(f: () => T): T | undefined {
  try {
    return f();
  } catch (e) {
    if (e instanceof DecodeError) return undefined;
    throw e;
  }
}

/** Random edits of a valid encoding: flip, insert, delete bytes, truncate. */
const edits = fc.array(
  fc.record({
    kind: fc.constantFrom("flip", "insert", "delete", "set", "truncate"),
    at: fc.nat(),
    byte: fc.integer({ min: 0, max: 255 }),
  }),
  { minLength: 1, maxLength: 4 },
);

function applyEdits(bytes: Uint8Array, list: { kind: string; at: number; byte: number }[]): Uint8Array {
  let b = Array.from(bytes);
  for (const { kind, at, byte } of list) {
    const i = b.length === 0 ? 0 : at % b.length;
    if (kind === "flip") b[i] ^= 1 << (byte & 7);
    else if (kind === "set") b[i] = byte === 0 ? 0xfd : byte;
    else if (kind === "insert") b.splice(i, 0, byte);
    else if (kind === "delete") b.splice(i, 1);
    else b = b.slice(0, i);
  }
  return Uint8Array.from(b);
}

Deno.test("property: damaged transactions and blocks give only DecodeErrors; anything accepted is canonical", () => {
  fc.assert(
    fc.property(transaction, edits, fc.boolean(), (tx, list, allowWitness) => {
      const bytes = applyEdits(encodeTransaction(tx), list);
      const got = onlyDecodeErrors(() => decodeTransaction(bytes, { allowWitness }));
      if (got !== undefined) {
        assertEquals(encodeTransaction(got, { witness: allowWitness }), bytes);
        assertEquals(encodeTransaction(plainTx(got), { witness: allowWitness }), bytes);
        assertEquals(txid(got), txid(plainTx(got)));
        assertEquals(wtxid(got), wtxid(plainTx(got)));
      }
    }),
    { numRuns: 1500 },
  );
  fc.assert(
    fc.property(block, edits, (b, list) => {
      const bytes = applyEdits(encodeBlock(b), list);
      const got = onlyDecodeErrors(() => decodeBlock(bytes));
      if (got !== undefined) assertEquals(encodeBlock(got), bytes);
    }),
    { numRuns: 400 },
  );
});

Deno.test("property: random bytes into every wire decoder give only DecodeErrors", () => {
  const prefixes = ["", "01000000", "0200000000", "020000000001", "0100000001", "0100000000fd"].map(fromHex);
  fc.assert(
    fc.property(fc.constantFrom(...prefixes), fc.uint8Array({ maxLength: 200 }), (prefix, tail) => {
      const bytes = new Uint8Array([...prefix, ...tail]);
      onlyDecodeErrors(() => decodeTransaction(bytes));
      onlyDecodeErrors(() => decodeTransaction(bytes, { allowWitness: false }));
      onlyDecodeErrors(() => decodeBlock(new Uint8Array([...new Uint8Array(80), ...bytes])));
      onlyDecodeErrors(() => decodeBlock(bytes));
      onlyDecodeErrors(() => decodeBlockHeader(bytes));
      onlyDecodeErrors(() => decodeBlockLocator(bytes));
      onlyDecodeErrors(() => decodeOutPoint(bytes));
    }),
    { numRuns: 2000 },
  );
});

Deno.test("property: locators round-trip", () => {
  fc.assert(
    fc.property(
      fc.array(fc.uint8Array({ minLength: 32, maxLength: 32 }), { maxLength: 40 }),
      fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }),
      (hashes, version) => {
        assertEquals(decodeBlockLocator(encodeBlockLocator(hashes, version)), { version, hashes });
      },
    ),
    { numRuns: 200 },
  );
  assert(true);
});
