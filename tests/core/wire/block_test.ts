import { assert, assertEquals } from "../../assert.ts";
import { fromHex, reverseHex, toHex } from "../../../core/hash/hashes.ts";
import {
  blockMerkleRoot,
  blockWitnessMerkleRoot,
  findWitnessCommitmentIndex,
  merkleRoot as merkleRoot_,
  witnessCommitmentScript,
} from "../../../core/hash/merkle.ts";
import {
  BLOCK_HEADER_SIZE,
  blockHash,
  blockStrippedSize,
  blockTotalSize,
  blockWeight,
  decodeBlock,
  decodeBlockHeader,
  encodeBlock,
  encodeBlockHeader,
} from "../../../core/wire/block.ts";
import { NULL_OUTPOINT } from "../../../core/wire/outpoint.ts";
import { txid } from "../../../core/wire/transaction.ts";
import type { Block, Transaction } from "../../../core/wire/types.ts";
import { readCoreSession } from "./core_session.ts";
import { decodeErrorOf, plainBlock } from "./helpers.ts";

/** Mainnet's genesis block, built from Core's CreateGenesisBlock parameters. */
function mainnetGenesis(): Block {
  const text = new TextEncoder().encode(
    "The Times 03/Jan/2009 Chancellor on brink of second bailout for banks",
  );
  const scriptSig = new Uint8Array([0x04, 0xff, 0xff, 0x00, 0x1d, 0x01, 0x04, text.length, ...text]);
  const pubkey = fromHex(
    "04678afdb0fe5548271967f1a67130b7105cd6a828e03909a67962e0ea1f61deb649f6bc3f4cef38c4f35504e51ec112de5c384df7ba0b8d578a4c702b6bf11d5f",
  );
  const coinbase: Transaction = {
    version: 1,
    inputs: [{ prevout: NULL_OUTPOINT, scriptSig, sequence: 0xffffffff, witness: [] }],
    outputs: [{ value: 5_000_000_000n, scriptPubKey: new Uint8Array([0x41, ...pubkey, 0xac]) }],
    locktime: 0,
  };
  const merkleRoot = merkleRoot_([txid(coinbase)]).root;
  return {
    header: {
      version: 1,
      prevBlock: new Uint8Array(32),
      merkleRoot,
      time: 1231006505,
      bits: 0x1d00ffff,
      nonce: 2083236893,
    },
    txs: [coinbase],
  };
}

Deno.test("mainnet genesis: block hash and merkle root", () => {
  const genesis = mainnetGenesis();
  assertEquals(
    reverseHex(genesis.header.merkleRoot),
    "4a5e1e4baab89f3a32518a88c31bc87f618f76673e2cc77ab2127b7afdeda33b",
  );
  assertEquals(
    reverseHex(blockHash(genesis.header)),
    "000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f",
  );
  assertEquals(reverseHex(txid(genesis.txs[0])), reverseHex(genesis.header.merkleRoot));
  const bytes = encodeBlock(genesis);
  assertEquals(bytes.length, 285);
  assertEquals(blockTotalSize(genesis), 285);
  assertEquals(blockStrippedSize(genesis), 285);
  assertEquals(blockWeight(genesis), 285 * 4);
  const decoded = decodeBlock(bytes);
  assertEquals(decoded, genesis);
  assertEquals(blockHash(decoded.header), blockHash(genesis.header));
  assertEquals(encodeBlock(decoded), bytes);
});

Deno.test("Core's session: regtest block 1 decodes, hashes and sizes as Core reported", async () => {
  const session = await readCoreSession();
  const raw = session.find((c) => c.call[0] === "getblock" && c.call[1][1] === 0)!;
  const info = session.find((c) => c.call[0] === "getblock" && c.call[1][1] === 1)!.result as Record<
    string,
    unknown
  >;
  const headerHex = session.find((c) => c.call[0] === "getblockheader" && c.call[1][1] === false)!
    .result as string;
  const bytes = fromHex(raw.result as string);
  const block = decodeBlock(bytes);
  assertEquals(reverseHex(blockHash(block.header)), info.hash);
  assertEquals(reverseHex(blockHash(decodeBlockHeader(fromHex(headerHex)))), info.hash);
  assertEquals(toHex(encodeBlockHeader(block.header)), headerHex);
  assertEquals(reverseHex(block.header.prevBlock), info.previousblockhash);
  assertEquals(reverseHex(block.header.merkleRoot), info.merkleroot);
  assertEquals(block.header.version, info.version);
  assertEquals(block.header.time, info.time);
  assertEquals(block.header.nonce, info.nonce);
  assertEquals(block.header.bits.toString(16), info.bits);
  assertEquals(block.txs.map((t) => reverseHex(txid(t))), info.tx);
  assertEquals(blockTotalSize(block), info.size);
  assertEquals(blockStrippedSize(block), info.strippedsize);
  assertEquals(blockWeight(block), info.weight);
  const plain = plainBlock(block);
  assertEquals([blockTotalSize(plain), blockStrippedSize(plain), blockWeight(plain)], [
    info.size,
    info.strippedsize,
    info.weight,
  ]);
  assertEquals(encodeBlock(plain), bytes);
  assertEquals(blockMerkleRoot(block), { root: block.header.merkleRoot.slice(), mutated: false });
  // The witness commitment in the coinbase matches the block's witness merkle root and reserved value.
  const at = findWitnessCommitmentIndex(block);
  assertEquals(at, 1);
  const nonce = block.txs[0].inputs[0].witness[0];
  assertEquals(
    toHex(block.txs[0].outputs[at].scriptPubKey),
    toHex(witnessCommitmentScript(blockWitnessMerkleRoot(block), nonce)),
  );
});

Deno.test("decodeBlock: truncations, trailing bytes, oversized counts, errors naming the transaction", async () => {
  const session = await readCoreSession();
  const bytes = fromHex(
    session.find((c) => c.call[0] === "getblock" && c.call[1][1] === 0)!.result as string,
  );
  for (let len = 0; len < bytes.length; len++) {
    const e = decodeErrorOf(() => decodeBlock(bytes.subarray(0, len)));
    assertEquals(e.subject, "block");
  }
  const trailing = new Uint8Array([...bytes, 0]);
  assertEquals(
    decodeErrorOf(() => decodeBlock(trailing)).message,
    "Cannot decode block: 1 byte left after the last transaction",
  );
  const header = bytes.subarray(0, BLOCK_HEADER_SIZE);
  assertEquals(
    decodeErrorOf(() => decodeBlock(new Uint8Array([...header, 0xfd, 0xe8, 0x03, 0, 0]))).reason,
    "transaction count 1000 needs at least 10000 bytes, 2 left",
  );
  assertEquals(
    decodeErrorOf(() => decodeBlock(new Uint8Array([...header, 0xfd, 0x01, 0x00]))).reason,
    "non-canonical ReadCompactSize()",
  );
  const cut = bytes.subarray(0, bytes.length - 1);
  assertEquals(
    decodeErrorOf(() => decodeBlock(cut)).reason,
    `transaction 0: end of data (needs 4 bytes at byte ${cut.length - 3}, 3 left)`,
  );
  assertEquals(
    decodeErrorOf(() => decodeBlockHeader(header.subarray(0, 79))).message,
    "Cannot decode block header: length is 79, expected 80",
  );
});

Deno.test("blocks: an empty block, and copy: true", () => {
  const genesis = mainnetGenesis();
  const empty: Block = { header: genesis.header, txs: [] };
  const bytes = encodeBlock(empty);
  assertEquals(bytes.length, 81);
  assertEquals(decodeBlock(bytes), empty);
  const viewed = decodeBlock(encodeBlock(genesis));
  assert(viewed.header.prevBlock.byteLength === 32);
  const src = encodeBlock(genesis);
  const copied = decodeBlock(src, { copy: true });
  src.fill(0);
  assertEquals(
    reverseHex(blockHash(copied.header)),
    "000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f",
  );
  assertEquals(
    reverseHex(txid(copied.txs[0])),
    "4a5e1e4baab89f3a32518a88c31bc87f618f76673e2cc77ab2127b7afdeda33b",
  );
});
