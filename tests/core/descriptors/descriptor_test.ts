import { assert, assertEquals, assertThrows } from "../../assert.ts";
import { hex } from "../vectors.ts";
import { hash160, sha256, toHex } from "../../../core/hash/hashes.ts";
import {
  type Descriptor,
  DescriptorError,
  encodeExtKey,
  extKeyFromSeed,
  getDescriptorChecksum,
  HARDENED,
  parseDescriptor,
  parseDescriptors,
} from "../../../core/descriptors/mod.ts";
import { CORE_CHECKS, CORE_UNPARSABLE, type CoreCheckVector } from "./core_descriptor_vectors.ts";

const main = { network: "main" } as const;

/** Core's `EqualDescriptor`: equal, ignoring the checksum when only one side has it. */
function equalDescriptor(a: string, b: string): boolean {
  const aCheck = a.length > 9 && a[a.length - 9] === "#";
  const bCheck = b.length > 9 && b[b.length - 9] === "#";
  if (aCheck !== bCheck) {
    if (aCheck) a = a.slice(0, -9);
    if (bCheck) b = b.slice(0, -9);
  }
  return a === b;
}

function assertDescriptor(actual: string, expected: string, what: string): void {
  assert(equalDescriptor(actual, expected), `${what}: got ${actual}, expected ${expected}`);
}

/** Core's `UseHInsteadOfApostrophe`: `'` -> `h`, with the checksum recomputed when there was one. */
function useH(desc: string): string {
  let ret = desc.replaceAll("'", "h");
  if (getDescriptorChecksum(ret) === "") {
    ret = ret.slice(0, desc.length - 9);
    ret += "#" + getDescriptorChecksum(ret);
  }
  return ret;
}

function scriptsAt(d: Descriptor, pos: number): string[] {
  return d.expand(pos).scriptPubKeys.map(toHex);
}

/** One run of Core's `DoCheck` on the vector (with the given texts). */
function doCheck(v: CoreCheckVector, prv: string, pub: string): void {
  const parsePriv = parseDescriptor(prv, main);
  const parsePub = parseDescriptor(pub, main);
  assertEquals(parsePriv.outputType() ?? null, v.type, prv);
  assertEquals(parsePub.outputType() ?? null, v.type, pub);
  assert(parsePriv.hasPrivateKeys(), prv);
  assert(!parsePub.hasPrivateKeys(), pub);
  assertDescriptor(parsePriv.toString(), pub, "private text, public form");
  assertDescriptor(parsePub.toString(), pub, "public form");
  if (v.id !== null) assertEquals(toHex(parsePriv.descriptorId().reverse()), v.id, `descriptor id of ${prv}`);
  if (!v.missingPrivkeys) {
    assertDescriptor(parsePriv.toString({ private: true }), prv, "private form");
    assert(parsePriv.hasAllPrivateKeys(), prv);
    assert(!parsePub.hasAllPrivateKeys(), pub);
  } else {
    assertEquals(parsePriv.toString({ private: true }).slice(0, -9), prv);
    assert(!parsePriv.hasAllPrivateKeys(), prv);
  }
  assertDescriptor(parsePriv.toString({ normalized: true }), v.norm, "normalized form");
  // Without private keys the normalized form is known unless an xpub must be derived at a hardened step.
  try {
    assertDescriptor(parsePub.toString({ normalized: true }), v.norm, "normalized form");
  } catch (e) {
    assert(e instanceof DescriptorError && !parsePub.canSelfExpand(), String(e));
  }
  assertEquals(parsePriv.isRange(), v.range);
  assertEquals(parsePub.isRange(), v.range);
  assertEquals(parsePriv.canSelfExpand(), !v.hardened);
  const max = v.range ? v.scripts.length : 3;
  const seenPaths = new Set<string>();
  for (let i = 0; i < max; i++) {
    const ref = v.scripts[v.range ? i : 0];
    assertEquals(scriptsAt(parsePriv, i), ref, `${prv} at ${i}`);
    if (v.hardened) {
      assertThrows(() => parsePub.expand(i), "Cannot derive script without private keys");
    } else {
      assertEquals(scriptsAt(parsePub, i), ref, `${pub} at ${i}`);
    }
    for (const k of parsePriv.expand(i).pubkeys) seenPaths.add(JSON.stringify(k.origin.path));
  }
  const expectedPaths = new Set((v.paths ?? [[]]).map((p) => JSON.stringify(p)));
  assertEquals([...seenPaths].sort(), [...expectedPaths].sort(), `key paths of ${prv}`);
}

Deno.test("Core's descriptor vectors: parse, public/private/normalized forms, IDs, scripts at each position", () => {
  assertEquals(CORE_CHECKS.length, 42);
  for (const v of CORE_CHECKS) {
    doCheck(v, v.prv, v.pub);
    // Core runs every vector again with h for '.
    if (v.prv.includes("'") && v.pub.includes("'")) doCheck(v, useH(v.prv), useH(v.pub));
  }
});

Deno.test("Core's unparsable descriptors fail with Core's messages", () => {
  assert(CORE_UNPARSABLE.length >= 60);
  for (const v of CORE_UNPARSABLE) {
    if (v.prv !== "") assertThrows(() => parseDescriptors(v.prv, main));
    const err = assertThrows(() => parseDescriptors(v.pub, main));
    assert(err instanceof DescriptorError, `${err.name}: ${err.message}`);
    assertEquals(err.message, v.error, v.pub);
  }
});

/** The public descriptor's texts and scripts of a multipath vector. */
function checkMultipath(text: string, expanded: string[], scripts: string[][][]): void {
  const all = parseDescriptors(text, main);
  assertEquals(all.length, expanded.length);
  all.forEach((d, i) => {
    assertDescriptor(d.toString(), expanded[i], "multipath expansion");
    scripts[i].forEach((ref, pos) => assertEquals(scriptsAt(d, pos), ref));
  });
  assertThrows(() => parseDescriptor(text, main), "Multipath descriptor not accepted");
}

Deno.test("multipath descriptors (BIP 389) expand like Core's CheckMultipath vectors", () => {
  const x =
    "xpub68NZiKmJWnxxS6aaHmn81bvJeTESw724CRDs6HbuccFQN9Ku14VQrADWgqbhhTHBaohPX4CjNLf9fq9MYo6oDaPPLPxSb7gwQN3ih19Zm4Y";
  checkMultipath(`pk(${x}/<0;1>)`, [`pk(${x}/0)`, `pk(${x}/1)`], [
    [["210379e45b3cf75f9c5f9befd8e9506fb962f6a9d185ac87001ec44a8d3df8d4a9e3ac"]],
    [["21034f8d02282ac6786737d0f37f0df7655f49daa24843bc7de3f4ea88603d26d10aac"]],
  ]);
  const w =
    "xpub69H7F5d8KSRgmmdJg2KhpAK8SR3DjMwAdkxj3ZuxV27CprR9LgpeyGmXUbC6wb7ERfvrnKZjXoUmmDznezpbZb7ap6r1D3tgFxHmwMkQTPH";
  checkMultipath(`wpkh([ffffffff/13h]${w}/<1;3>/2/*)`, [
    `wpkh([ffffffff/13h]${w}/1/2/*)`,
    `wpkh([ffffffff/13h]${w}/3/2/*)`,
  ], [
    [
      ["0014326b2249e3a25d5dc60935f044ee835d090ba859"],
      ["0014af0bd98abc2f2cae66e36896a39ffe2d32984fb7"],
      ["00141fa798efd1cbf95cebf912c031b8a4a6e9fb9f27"],
    ],
    [
      ["001426183882ef9c76b9a44386e9b387f33cee7c3a2d"],
      ["001447c1b9dc215c3f8b47e572981eb97528768cde4e"],
      ["00146e92cbaa397f9caeccf9a049460258af6ccd67e2"],
    ],
  ]);
  const a =
    "xpub6ERApfZwUNrhLCkDtcHTcxd75RbzS1ed54G1LkBUHQVHQKqhMkhgbmJbZRkrgZw4koxb5JaHWkY4ALHY2grBGRjaDMzQLcgJvLJuZZvRcEL";
  checkMultipath(`multi(2,${a}/<1;2>/*,${x}/<3;4>/0/*)`, [
    `multi(2,${a}/1/*,${x}/3/0/*)`,
    `multi(2,${a}/2/*,${x}/4/0/*)`,
  ], [
    [[
      "522103095e95d8c50ae3f3fea93fa8e983f710489f60ff681a658c06eba64622c824b121020443e9e729b42628913f1a69b46b7d43ff87c46e86140e12ee420d7e2e8caf8c52ae",
    ]],
    [[
      "5221031c0517fff3d483f06ca769bd2326bf30aca1c4de278e676e6ef760c3301244c6210316e171ff4f82dc62ad3f0d84c97865034fc5041eaa508b48c1d7af77f301c8bd52ae",
    ]],
  ]);
  // A multipath key next to a plain one: the plain key is shared by every expansion; tr() leaves too.
  const two = parseDescriptors(`tr(${a}/<0;1>/*,pk(${x}/0))`, main);
  assertEquals(two.map((d) => d.toString().split("#")[0]), [
    `tr(${a}/0/*,pk(${x}/0))`,
    `tr(${a}/1/*,pk(${x}/0))`,
  ]);
});

/** The BIP39 seed of "abandon abandon … about" (no passphrase), as published with BIP84/BIP86. */
const TEST_MNEMONIC_SEED = "5eb00bbddcf069084889a8ab9155568165f5c453ccb85e70811aaed6f6da5fc1" +
  "9a5ac40b389cd370d086206dec8aa6c43daea6690f20ad3d8d48b2d2ce9e38e4";

Deno.test("BIP84 and BIP86 first receive addresses of the standard test mnemonic", () => {
  const xprv = encodeExtKey(extKeyFromSeed(hex(TEST_MNEMONIC_SEED))!, "main");
  const bip84 = parseDescriptor(`wpkh(${xprv}/84h/0h/0h/0/*)`, main);
  assertEquals(bip84.addressAt(0), "bc1qcr8te4kr609gcawutmrza0j4xv80jy8z306fyu");
  assertEquals(bip84.addressAt(1), "bc1qnjg0jd8228aq7egyzacy8cys3knf9xvrerkf9g");
  const bip86 = parseDescriptor(`tr(${xprv}/86h/0h/0h/0/*)`, main);
  assertEquals(bip86.addressAt(0), "bc1p5cyxnuxmeuwuvkwfem96lqzszd02n6xdcjrs20cac6yqjjwudpxqkedrcr");
  assertEquals(bip86.addressAt(1), "bc1p4qhjn9zdvkux4e44uhx8tc55attvtyu358kutcqkudyccelu0was9fqzwh");
  // BIP84's account xpub (zpub in the BIP) is the normalized form's key: the keys from it match.
  const norm = bip84.toString({ normalized: true });
  assert(norm.startsWith("wpkh([73c5da0a/84h/0h/0h]xpub"), norm);
  const watch = parseDescriptor(norm, main);
  assert(!watch.hasPrivateKeys() && watch.canSelfExpand());
  assertEquals(watch.addressAt(0), "bc1qcr8te4kr609gcawutmrza0j4xv80jy8z306fyu");
  assertEquals(toHex(watch.expand(0).pubkeys[0].pubkey), toHex(bip84.expand(0).pubkeys[0].pubkey));
  assertEquals(bip84.expand(0).pubkeys[0].origin.path, [84 + HARDENED, HARDENED, HARDENED, 0, 0]);
  assertEquals(toHex(bip84.expand(0).pubkeys[0].origin.fingerprint), "73c5da0a");
  // The private key at each position is the one of the derived public key.
  const [secret] = bip84.expandPrivate(1);
  assertEquals(toHex(secret.pubkey), toHex(bip84.expand(1).pubkeys[0].pubkey));
  assertEquals(watch.expandPrivate(1), []);
});

Deno.test("checksums: required, verified, counted in bytes; canonical forms are lowercase hex with h", () => {
  const pk = "0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798";
  assertThrows(
    () => parseDescriptor(`wpkh(${pk})`, { network: "main", requireChecksum: true }),
    "Missing checksum",
  );
  const d = parseDescriptor(`wpkh(${pk.toUpperCase()})`, main);
  assertEquals(d.toString(), `wpkh(${pk})#${getDescriptorChecksum(`wpkh(${pk})`)}`);
  assertEquals(
    parseDescriptor(d.toString(), { network: "main", requireChecksum: true }).toString(),
    d.toString(),
  );
  // Core counts bytes: four 2-byte characters are 8.
  assertThrows(
    () => parseDescriptor(`wpkh(${pk})#ÜÜÜ`, main),
    "Expected 8 character checksum, not 6 characters",
  );
  assertEquals(
    assertThrows(() => parseDescriptor(`wpkh(${pk})#ÜÜÜÜ`, main)).message,
    `Provided checksum 'ÜÜÜÜ' does not match computed checksum '${getDescriptorChecksum(`wpkh(${pk})`)}'`,
  );
  assertThrows(() => parseDescriptor(`wpkh(${pk}\n)`, main), "Invalid characters in payload");
  assertThrows(() => parseDescriptor(`wpkh(${pk})#a#b`, main), "Multiple '#' symbols");
  // Text after a complete expression fails with an empty message, as in Core.
  const e = assertThrows(() => parseDescriptor(`pk(${pk}))`, main));
  assert(e instanceof DescriptorError);
  assertEquals(e.message, "");
  assertEquals(assertThrows(() => parseDescriptor(`sh(pk(${pk}),x)`, main)).message, "");
});

Deno.test("keys and addresses follow the network: tpub/WIF on regtest, xpub refused there", () => {
  const tpub =
    "tpubDC9N92d48ynQYxT6VXWiiVDptuBRLJSYRVy2cf9dbNGrBdt8dJixgDirB21TZZD1i9HeKP3vCRADDNJDEaJymFi79QnaKDkMD8TrAyJYRcd";
  assertThrows(() => parseDescriptor(`wpkh(${tpub}/0/*)`, main), `wpkh(): key '${tpub}' is not valid`);
  const xpub =
    "xpub661MyMwAqRbcFtXgS5sYJABqqG9YLmC4Q1Rdap9gSE8NqtwybGhePY2gZ29ESFjqJoCu1Rupje8YtGqsefD265TMg7usUDFdp6W1EGMcet8";
  assertThrows(
    () => parseDescriptor(`pkh(${xpub})`, { network: "regtest" }),
    `pkh(): key '${xpub}' is not valid`,
  );
  assertThrows(
    () => parseDescriptor("pk(L4rK1yDtCWekvXuE6oXD9jCYfFNV2cWRpVuPLBcCU2z8TrisoyY1)", { network: "regtest" }),
    "pk(): key 'L4rK1yDtCWekvXuE6oXD9jCYfFNV2cWRpVuPLBcCU2z8TrisoyY1' is not valid",
  );
  assertThrows(
    () => parseDescriptor("addr(bcrt1qzyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3lgth6c)", main),
    "Address is not valid",
  );
  const a = parseDescriptor("addr(BCRT1QZYG3ZYG3ZYG3ZYG3ZYG3ZYG3ZYG3ZYG3LGTH6C)", { network: "regtest" });
  assertEquals(a.toString(), "addr(bcrt1qzyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3lgth6c)#r4xeeasu");
  assertEquals(a.addressAt(0), "bcrt1qzyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3lgth6c");
  assertEquals(a.outputType(), "bech32");
  assert(!a.isSolvable() && !a.isRange());
});

Deno.test("addresses: combo gives three (P2PK skipped), pk/multi/raw of non-standard scripts have none", () => {
  const k = "03a34b99f22c790c4e36b2b3c2c35a36db06226e41c692fc82b8b56ac1c540c5bd";
  const combo = parseDescriptor(`combo(${k})`, main);
  assertEquals(combo.addressesAt(0), [
    "1F3sAm6ZtwLAUnj7d38pGFxtP3RVEvtsbV",
    "bc1qngw83fg8dz0k749cg7k3emc7v98wy0c74dlrkd",
    "3DnW8JGpPViEZdpqat8qky1zc26EKbXnmM",
  ]);
  assertThrows(() => combo.addressAt(0), "Descriptor has 3 addresses at each position");
  assertThrows(
    () => parseDescriptor(`pk(${k})`, main).addressesAt(0),
    "Descriptor does not have a corresponding address",
  );
  assertThrows(
    () => parseDescriptor(`multi(1,${k})`, main).addressAt(0),
    "does not have a corresponding address",
  );
  assertThrows(
    () => parseDescriptor("raw(6a00)", main).addressAt(0),
    "does not have a corresponding address",
  );
  assertEquals(
    parseDescriptor("raw(0014a8409d1b6dfb1ed2a3e8aa5e0ef2ff26b15b75b7)", main).outputType(),
    "bech32",
  );
  const unused = parseDescriptor(`unused(${k})`, main);
  assert(!unused.hasScripts());
  assertEquals(unused.addressesAt(0), []);
  assertEquals(unused.expand(0).scriptPubKeys, []);
  assertThrows(() => combo.expand(-1), "must be 0 to 2147483647");
  assertThrows(() => combo.expand(2 ** 31), "must be 0 to 2147483647");
});

Deno.test("expansion data: redeem/witness scripts, key origins, taproot leaves with control blocks", () => {
  const k1 = "03a34b99f22c790c4e36b2b3c2c35a36db06226e41c692fc82b8b56ac1c540c5bd";
  const k2 = "0260b2003c386519fc9eadf2b5cf124dd8eea4c4e68d5e154050a9346ea98ce600";
  const shwsh = parseDescriptor(`sh(wsh(multi(1,[deadbeef/1h/2]${k1},${k2})))`, main).expand(0);
  assertEquals(shwsh.scripts.map(toHex), [
    `5121${k1}21${k2}52ae`,
    "0020" + toHex(sha256(hex(`5121${k1}21${k2}52ae`))),
  ]);
  // A key with origin has it; a plain key is its own root (fingerprint of its HASH160, empty path).
  assertEquals(shwsh.pubkeys.map((p) => [toHex(p.pubkey), toHex(p.origin.fingerprint), p.origin.path]), [
    [k1, "deadbeef", [1 + HARDENED, 2]],
    [k2, toHex(hash160(hex(k2)).slice(0, 4)), []],
  ]);
  const x1 = k1.slice(2), x2 = k2.slice(2);
  const tr = parseDescriptor(`tr(${x1},{pk(${x2}),sortedmulti_a(1,${x2},${x1})})`, main).expand(0);
  assertEquals(tr.taproot.length, 1);
  const [t] = tr.taproot;
  assertEquals(toHex(t.internalKey), x1);
  assertEquals(t.leaves.map((l) => toHex(l.script)), [
    `20${x2}ac`,
    // sorted: 60b2… before a34b…
    `20${x2}ac20${x1}ba519c`,
  ]);
  assert(t.leaves.every((l) => l.controlBlock.length === 65 && (l.controlBlock[0] & 0xfe) === 0xc0));
  assertEquals(toHex(tr.scriptPubKeys[0]), "5120" + toHex(t.outputKey));
});

Deno.test("size estimates follow Core's formulas", () => {
  const k = "03a34b99f22c790c4e36b2b3c2c35a36db06226e41c692fc82b8b56ac1c540c5bd";
  const w = parseDescriptor(`wpkh(${k})`, main);
  assertEquals([w.scriptSize(), w.maxSatisfactionWeight(true), w.maxSatisfactionWeight(false)], [
    22,
    107,
    106,
  ]);
  assertEquals(w.maxSatisfactionElems(), 2);
  const p = parseDescriptor(`pkh(${k})`, main);
  assertEquals([p.scriptSize(), p.maxSatisfactionWeight(true)], [25, 428]);
  const s = parseDescriptor(`sh(wpkh(${k}))`, main);
  assertEquals([s.scriptSize(), s.maxSatisfactionWeight(true), s.maxSatisfactionElems()], [23, 199, 3]);
  const t = parseDescriptor(`tr(${k})`, main);
  assertEquals([t.scriptSize(), t.maxSatisfactionWeight(true), t.maxSatisfactionElems()], [34, 66, 1]);
  const m = parseDescriptor(`wsh(multi(2,${k},${k},${k}))`, main);
  assertEquals([m.scriptSize(), m.maxSatisfactionWeight(true), m.maxSatisfactionElems()], [34, 253, 4]);
  const c = parseDescriptor(`combo(${k})`, main);
  assertEquals([c.scriptSize(), c.maxSatisfactionWeight(true), c.isSingleType()], [
    undefined,
    undefined,
    false,
  ]);
});

Deno.test("hardened derivation without the private key fails to expand; the private text derives", () => {
  const xprv =
    "xprv9s21ZrQH143K31xYSDQpPDxsXRTUcvj2iNHm5NUtrGiGG5e2DtALGdso3pGz6ssrdK4PFmM8NSpSBHNqPqm55Qn3LqFtT2emdEXVYsCzC2U";
  const priv = parseDescriptor(`wpkh(${xprv}/0h/*h)`, main);
  const pub = parseDescriptor(priv.toString(), main);
  assert(pub.isRange() && !pub.canSelfExpand() && !pub.hasPrivateKeys());
  assertThrows(() => pub.addressAt(5), "Cannot derive script without private keys");
  assertEquals(priv.toString().split("#")[0], pub.toString().split("#")[0]);
  assert(priv.addressAt(5).startsWith("bc1q"));
  // The same xpub written twice: the xprv in one place makes both private (one key store per descriptor).
  const twice = parseDescriptor(`sh(multi(1,${xprv}/0h,${xpubOf(pub)}/1h))`, main);
  assert(twice.hasAllPrivateKeys());
  assertEquals(twice.toString({ private: true }).split("#")[0], `sh(multi(1,${xprv}/0h,${xprv}/1h))`);
});

function xpubOf(d: Descriptor): string {
  return d.toString().match(/xpub[1-9A-HJ-NP-Za-km-z]+/)![0];
}
