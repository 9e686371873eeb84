import fc from "fast-check";
import { assert, assertEquals } from "../../assert.ts";
import { type Descriptor, DescriptorError, parseDescriptors } from "../../../core/descriptors/mod.ts";

/** Parses, requiring that only a DescriptorError can come out; checks what parsed. */
function probe(text: string, network: "main" | "regtest"): Descriptor[] | undefined {
  let parsed: Descriptor[];
  try {
    parsed = parseDescriptors(text, { network });
  } catch (e) {
    assert(
      e instanceof DescriptorError,
      `${text}: threw ${e instanceof Error ? e.name + ": " + e.message : e}`,
    );
    return undefined;
  }
  for (const d of parsed) {
    // The canonical text parses back to itself (public and private forms).
    const pub = d.toString();
    assertEquals(parseDescriptors(pub, { network, requireChecksum: true }).map((x) => x.toString())[0], pub);
    const prv = d.toString({ private: true });
    assertEquals(parseDescriptors(prv, { network })[0].toString(), pub);
    for (const pos of [0, 7]) {
      try {
        d.addressesAt(pos);
      } catch (e) {
        assert(e instanceof DescriptorError, `${text} at ${pos}: ${e}`);
      }
    }
  }
  return parsed;
}

const K1 = "03a34b99f22c790c4e36b2b3c2c35a36db06226e41c692fc82b8b56ac1c540c5bd";
const X1 = "a34b99f22c790c4e36b2b3c2c35a36db06226e41c692fc82b8b56ac1c540c5bd";
const U1 =
  "04a34b99f22c790c4e36b2b3c2c35a36db06226e41c692fc82b8b56ac1c540c5bd5b8dec5235a0fa8722476c7709c02559e3aa73" +
  "aa03918ba2d492eea75abea235";
const WIF = "L4rK1yDtCWekvXuE6oXD9jCYfFNV2cWRpVuPLBcCU2z8TrisoyY1";
const XPUB =
  "xpub68NZiKmJWnxxS6aaHmn81bvJeTESw724CRDs6HbuccFQN9Ku14VQrADWgqbhhTHBaohPX4CjNLf9fq9MYo6oDaPPLPxSb7gwQN3ih19Zm4Y";
const XPRV =
  "xprv9s21ZrQH143K31xYSDQpPDxsXRTUcvj2iNHm5NUtrGiGG5e2DtALGdso3pGz6ssrdK4PFmM8NSpSBHNqPqm55Qn3LqFtT2emdEXVYsCzC2U";

/** Descriptor-like text: function names, keys, paths and punctuation glued at random. */
const TOKENS = [
  "pk(",
  "pkh(",
  "wpkh(",
  "sh(",
  "wsh(",
  "tr(",
  "rawtr(",
  "combo(",
  "multi(",
  "sortedmulti(",
  "multi_a(",
  "sortedmulti_a(",
  "addr(",
  "raw(",
  "unused(",
  "musig(",
  "and_v(",
  "v:",
  ")",
  "(",
  ",",
  "{",
  "}",
  "[",
  "]",
  "/",
  "*",
  "'",
  "h",
  "<",
  ";",
  ">",
  "#",
  "0",
  "1",
  "2",
  "16",
  "2147483648",
  "deadbeef",
  "00",
  K1,
  X1,
  U1,
  WIF,
  XPUB,
  XPRV,
  " ",
  "6a",
  "bc1qngw83fg8dz0k749cg7k3emc7v98wy0c74dlrkd",
  "Ü",
];

Deno.test("property: random text only ever fails with a DescriptorError; what parses round-trips", () => {
  fc.assert(
    fc.property(fc.string({ unit: "binary", maxLength: 80 }), (s) => {
      probe(s, "main");
    }),
    { numRuns: 400 },
  );
  fc.assert(
    fc.property(fc.array(fc.constantFrom(...TOKENS), { maxLength: 14 }), (parts) => {
      probe(parts.join(""), "main");
    }),
    { numRuns: 1500 },
  );
});

/** Well-formed descriptors built from the grammar, to exercise successful parses. */
const key = fc.oneof(
  fc.constantFrom(K1, WIF, `[deadbeef/1h/2]${K1}`),
  fc.tuple(
    fc.constantFrom(XPUB, XPRV),
    fc.array(fc.integer({ min: 0, max: 5 }), { maxLength: 3 }),
    fc.boolean(),
  )
    .map(([x, path, range]) => x + path.map((p) => `/${p}`).join("") + (range ? "/*" : "")),
);
const xkey = fc.oneof(fc.constantFrom(X1, WIF), key.filter((k) => k.startsWith("x")));
const leaf: fc.Arbitrary<string> = fc.oneof(
  xkey.map((k) => `pk(${k})`),
  fc.array(xkey, { minLength: 1, maxLength: 3 }).map((ks) => `multi_a(1,${ks.join(",")})`),
  fc.array(xkey, { minLength: 2, maxLength: 3 }).map((ks) => `sortedmulti_a(2,${ks.join(",")})`),
);
const { tree } = fc.letrec((tie) => ({
  tree: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    leaf,
    fc.tuple(tie("tree"), tie("tree")).map(([a, b]) => `{${a},${b}}`),
  ) as fc.Arbitrary<string>,
}));
const wellFormed = fc.oneof(
  key.map((k) => `pkh(${k})`),
  key.map((k) => `sh(wpkh(${k}))`),
  key.map((k) => `wsh(pk(${k}))`),
  key.map((k) => `combo(${k})`),
  fc.array(key, { minLength: 1, maxLength: 3 }).map((ks) => `wsh(sortedmulti(1,${ks.join(",")}))`),
  fc.tuple(xkey, tree).map(([k, t]) => `tr(${k},${t})`),
  xkey.map((k) => `rawtr(${k})`),
);

Deno.test("property: grammar-built descriptors parse, round-trip and expand", () => {
  fc.assert(
    fc.property(wellFormed, (text) => {
      const parsed = probe(text, "main");
      assert(parsed !== undefined && parsed.length === 1, `did not parse: ${text}`);
    }),
    { numRuns: 150 },
  );
});
