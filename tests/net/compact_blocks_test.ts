import { assert, assertEquals } from "../assert.ts";
import { siphash24, SipHasher } from "../../net/siphash.ts";
import { createCompactBlock, shortIdHasher, shortTxId } from "../../net/compact_blocks.ts";
import { decodePayload, encodePayload } from "../../net/messages.ts";
import { chainParams } from "../../core/chain_params.ts";
import { wtxid } from "../../core/wire/transaction.ts";
import { sha256 } from "../../core/hash/hashes.ts";
import { encodeBlockHeader } from "../../core/wire/block.ts";
import type { Block, Transaction } from "../../core/wire/types.ts";

// SipHash-2-4 reference vectors (the SipHash paper's siphash24.c, as in Core's hash_tests): key 00..0f,
// messages 00, 00 01, ..., 00..3e.
const VECTORS = [
  0x726fdb47dd0e0e31n,
  0x74f839c593dc67fdn,
  0x0d6c8009d9a94f5an,
  0x85676696d7fb7e2dn,
  0xcf2794e0277187b7n,
  0x18765564cd99a68dn,
  0xcbc9466e58fee3cen,
  0xab0200f58b01d137n,
  0x93f5f5799a932462n,
  0x9e0082df0ba9e4b0n,
  0x7a5dbbc594ddb9f3n,
  0xf4b32f46226bada7n,
  0x751e8fbc860ee5fbn,
  0x14ea5627c0843d90n,
  0xf723ca908e7af2een,
  0xa129ca6149be45e5n,
  0x3f2acc7f57c29bdbn,
  0x699ae9f52cbe4794n,
  0x4bc1b3f0968dd39cn,
  0xbb6dc91da77961bdn,
  0xbed65cf21aa2ee98n,
  0xd0f2cbb02e3b67c7n,
  0x93536795e3a33e88n,
  0xa80c038ccd5ccec8n,
  0xb8ad50c6f649af94n,
  0xbce192de8a85b8ean,
  0x17d835b85bbb15f3n,
  0x2f2e6163076bcfadn,
  0xde4daaaca71dc9a5n,
  0xa6a2506687956571n,
  0xad87a3535c49ef28n,
  0x32d892fad841c342n,
  0x7127512f72f27ccen,
  0xa7f32346f95978e3n,
  0x12e0b01abb051238n,
  0x15e034d40fa197aen,
  0x314dffbe0815a3b4n,
  0x027990f029623981n,
  0xcadcd4e59ef40c4dn,
  0x9abfd8766a33735cn,
  0x0e3ea96b5304a7d0n,
  0xad0c42d6fc585992n,
  0x187306c89bc215a9n,
  0xd4a60abcf3792b95n,
  0xf935451de4f21df2n,
  0xa9538f0419755787n,
  0xdb9acddff56ca510n,
  0xd06c98cd5c0975ebn,
  0xe612a3cb9ecba951n,
  0xc766e62cfcadaf96n,
  0xee64435a9752fe72n,
  0xa192d576b245165an,
  0x0a8787bf8ecb74b2n,
  0x81b3e73d20b49b6fn,
  0x7fa8220ba3b2ecean,
  0x245731c13ca42499n,
  0xb78dbfaf3a8d83bdn,
  0xea1ad565322a1a0bn,
  0x60e61c23a3795013n,
  0x6606d7e446282b93n,
  0x6ca4ecb15c5f91e1n,
  0x9f626da15c9625f3n,
  0xe51b38608ef25f57n,
  0x958a324ceb064572n,
];
const KEY = { k0: 0x0706050403020100n, k1: 0x0f0e0d0c0b0a0908n };

Deno.test("siphash: the 64 reference vectors", () => {
  for (let i = 0; i < VECTORS.length; i++) {
    const msg = new Uint8Array(i).map((_, j) => j);
    assertEquals(siphash24(KEY, msg), VECTORS[i], `length ${i}`);
  }
});

Deno.test("siphash: a uint256 as Core's PresaltedSipHasher hashes it, and 48-bit short ids", () => {
  const u256 = new Uint8Array(32).map((_, j) => j); // uint256 "1f1e…0100" in internal order
  assertEquals(siphash24(KEY, u256), 0x7127512f72f27ccen);
  const h = new SipHasher(KEY);
  assertEquals(h.hash48(u256), Number(0x7127512f72f27ccen & 0xffffffffffffn));
});

function tx(n: number): Transaction {
  return {
    version: 2,
    inputs: [{
      prevout: { txid: new Uint8Array(32).fill(n), vout: n },
      scriptSig: Uint8Array.of(n),
      sequence: 0xffffffff,
      witness: n % 2 === 0 ? [Uint8Array.of(1, 2, n)] : [],
    }],
    outputs: [{ value: BigInt(1000 * n), scriptPubKey: Uint8Array.of(0x51) }],
    locktime: 0,
  };
}

Deno.test("compact blocks: Core's construction, short ids keyed by SHA-256(header || nonce), round trip", () => {
  const genesis = chainParams("regtest").genesis;
  const block: Block = { header: genesis.header, txs: [genesis.txs[0], tx(1), tx(2), tx(3)] };
  const nonce = 0x0102030405060708n;
  const cb = createCompactBlock(block, nonce);
  assertEquals(cb.prefilled.map((p) => p.index), [0]);
  assertEquals(cb.shortIds.length, 3);
  // key derivation by hand: first two little-endian uint64s of SHA-256(header || nonce LE)
  const pre = new Uint8Array(88);
  pre.set(encodeBlockHeader(block.header));
  pre.set(Uint8Array.of(8, 7, 6, 5, 4, 3, 2, 1), 80);
  const digest = sha256(pre);
  const view = new DataView(digest.buffer, digest.byteOffset);
  const key = { k0: view.getBigUint64(0, true), k1: view.getBigUint64(8, true) };
  for (let i = 1; i < 4; i++) {
    const expected = Number(siphash24(key, wtxid(block.txs[i])) & 0xffffffffffffn);
    assertEquals(cb.shortIds[i - 1], expected);
    assertEquals(shortTxId(shortIdHasher(block.header, nonce), wtxid(block.txs[i])), expected);
  }
  const payload = encodePayload({ type: "cmpctblock", ...cb });
  // header 80 + nonce 8 + count 1 + 3 × 6 + count 1 + index 1 + coinbase
  assertEquals(
    payload.length,
    80 + 8 + 1 + 18 + 1 + 1 + encodePayload({ type: "tx", tx: block.txs[0] }).length,
  );
  const r = decodePayload("cmpctblock", payload);
  assert(r.ok && r.message.type === "cmpctblock");
  assertEquals(r.message.shortIds, cb.shortIds);
  assertEquals(r.message.nonce, nonce);
});

Deno.test("compact blocks: prefilled and requested indexes are differential on the wire", () => {
  const genesis = chainParams("regtest").genesis;
  const payload = encodePayload({
    type: "cmpctblock",
    header: genesis.header,
    nonce: 1n,
    shortIds: [],
    prefilled: [{ index: 0, tx: tx(1) }, { index: 5, tx: tx(2) }],
  });
  const txLen = encodePayload({ type: "tx", tx: tx(1) }).length;
  // after header, nonce and the empty short id list: count 2, diff 0, tx, diff 4
  assertEquals(payload[80 + 8 + 1], 2);
  assertEquals(payload[80 + 8 + 2], 0);
  assertEquals(payload[80 + 8 + 3 + txLen], 4);
  const req = encodePayload({ type: "getblocktxn", blockHash: new Uint8Array(32), indexes: [1, 2, 10, 300] });
  assertEquals(Array.from(req.subarray(32)), [4, 1, 0, 7, 0xfd, 0x21, 0x01]);
});
