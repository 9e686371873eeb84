import fc from "fast-check";
import { createHash } from "node:crypto";
import { assert, assertEquals } from "../../assert.ts";
import { fromHex, sha256, sha256d, toHex } from "../../../core/hash/hashes.ts";
import { merkleRoot } from "../../../core/hash/merkle.ts";
import {
  buildPartialMerkleTree,
  decodeMerkleBlock,
  decodePartialMerkleTree,
  encodePartialMerkleTree,
  extractMatches,
} from "../../../core/hash/partial_merkle_tree.ts";
import { DecodeError } from "../../../core/wire/errors.ts";

const native = (d: Uint8Array) => new Uint8Array(createHash("sha256").update(d).digest());

function onlyDecodeErrors<T>(f: () => T): T | undefined {
  try {
    return f();
  } catch (e) {
    if (e instanceof DecodeError) return undefined;
    throw e;
  }
}

Deno.test("property: sha256/sha256d equal node:crypto for any input", () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 1200 }), (d) => {
      assertEquals(sha256(d), native(d));
      assertEquals(sha256d(d), native(native(d)));
    }),
    { numRuns: 300 },
  );
});

Deno.test("property: hex round trip; any other string is a DecodeError", () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 100 }), (d) => {
      assertEquals(fromHex(toHex(d)), d);
      assertEquals(fromHex(toHex(d).toUpperCase()), d);
    }),
  );
  fc.assert(
    fc.property(fc.string({ maxLength: 20 }), (s) => {
      const got = onlyDecodeErrors(() => fromHex(s));
      if (got !== undefined) assertEquals(toHex(got), s.toLowerCase());
    }),
    { numRuns: 500 },
  );
});

const txidsAndMatches = fc.integer({ min: 1, max: 300 }).chain((n) =>
  fc.tuple(
    fc.constant(Array.from({ length: n }, (_, i) => sha256(Uint8Array.of(i & 255, i >> 8)))),
    fc.array(fc.boolean(), { minLength: n, maxLength: n }),
  )
);

Deno.test("property: partial merkle trees prove exactly their matches under the right root", () => {
  fc.assert(
    fc.property(txidsAndMatches, ([txids, match]) => {
      const tree = decodePartialMerkleTree(encodePartialMerkleTree(buildPartialMerkleTree(txids, match)));
      const got = extractMatches(tree);
      assert(got.ok);
      assertEquals(got.root, merkleRoot(txids).root);
      assertEquals(got.indexes, match.flatMap((m, i) => (m ? [i] : [])));
      assertEquals(got.matches, got.indexes.map((i) => txids[i]));
    }),
    { numRuns: 150 },
  );
});

Deno.test("property: random proofs give only DecodeErrors; a damaged hash never proves the original root", () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
      const tree = onlyDecodeErrors(() => decodePartialMerkleTree(bytes));
      if (tree !== undefined) extractMatches(tree);
      const mb = onlyDecodeErrors(() => decodeMerkleBlock(new Uint8Array([...new Uint8Array(80), ...bytes])));
      if (mb !== undefined) extractMatches(mb.tree);
    }),
    { numRuns: 1000 },
  );
  fc.assert(
    fc.property(txidsAndMatches, fc.nat(), fc.integer({ min: 0, max: 7 }), ([txids, match], at, bit) => {
      // Core's Damage(): one bit of one hash (the flags are not authenticated: a leaf's flag may flip freely).
      const built = buildPartialMerkleTree(txids, match);
      const bytes = encodePartialMerkleTree(built);
      const first = bytes.length - built.flags.length - (built.flags.length < 253 ? 1 : 3) -
        32 * built.hashes.length;
      bytes[first + (at % (32 * built.hashes.length))] ^= 1 << bit;
      const got = extractMatches(decodePartialMerkleTree(bytes));
      assert(!got.ok || toHex(got.root) !== toHex(merkleRoot(txids).root));
    }),
    { numRuns: 300 },
  );
});
