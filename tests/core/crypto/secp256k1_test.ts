import { secp256k1 } from "@noble/curves/secp256k1.js";
import { sha256 } from "@noble/hashes/sha2.js";
import { assert, assertEquals, assertThrows } from "../../assert.ts";
import {
  bigIntTo32Bytes,
  bytesToBigInt,
  CURVE_ORDER,
  defaultSecp256k1,
  FIELD_PRIME,
  isPubkeySizeValid,
  nobleSecp256k1,
  normalizeCompactSignature,
  type Secp256k1,
  standardPubkeyEncoding,
  tinySecp256k1,
} from "../../../core/crypto/mod.ts";
import { hex, readVectorJson, vectorPath } from "../vectors.ts";

const assertFalse = (cond: unknown, msg?: string) => assert(!cond, msg);
const BACKENDS: Secp256k1[] = [tinySecp256k1(), nobleSecp256k1()];
const toHex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
const G_X = hex("79be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798");

interface Bip340Row {
  index: string;
  secretKey: string;
  publicKey: string;
  auxRand: string;
  message: string;
  signature: string;
  result: boolean;
  comment: string;
}

async function bip340Rows(): Promise<Bip340Row[]> {
  const lines = (await Deno.readTextFile(vectorPath("bip340_vectors.csv"))).split(/\r?\n/).filter((l) => l);
  assertEquals(
    lines[0],
    "index,secret key,public key,aux_rand,message,signature,verification result,comment",
  );
  return lines.slice(1).map((line) => {
    const f = line.split(",");
    return {
      index: f[0],
      secretKey: f[1],
      publicKey: f[2],
      auxRand: f[3],
      message: f[4],
      signature: f[5],
      result: f[6] === "TRUE",
      comment: f.slice(7).join(","),
    };
  });
}

Deno.test("defaultSecp256k1 is the tiny-secp256k1 backend (measured faster)", () => {
  assertEquals(defaultSecp256k1().name, "tiny-secp256k1");
  assert(defaultSecp256k1() === defaultSecp256k1());
});

Deno.test("bip340_vectors.csv: every verification row, both backends", async (t) => {
  const rows = await bip340Rows();
  assertEquals(rows.length, 19);
  for (const row of rows) {
    await t.step(`row ${row.index}${row.comment ? ` (${row.comment})` : ""}`, () => {
      for (const b of BACKENDS) {
        assertEquals(
          b.verifySchnorr(hex(row.signature), hex(row.message), hex(row.publicKey)),
          row.result,
          `${b.name} verify`,
        );
      }
    });
  }
});

Deno.test("bip340_vectors.csv: every signing row (noble: all; tiny: 32-byte messages)", async (t) => {
  const rows = (await bip340Rows()).filter((r) => r.secretKey !== "");
  assertEquals(rows.length, 8);
  for (const row of rows) {
    await t.step(`row ${row.index}`, () => {
      const sk = hex(row.secretKey);
      const msg = hex(row.message);
      const noble = nobleSecp256k1();
      assertEquals(toHex(noble.signSchnorr(msg, sk, hex(row.auxRand))).toUpperCase(), row.signature);
      assertEquals(toHex(noble.publicKeyCreate(sk).slice(1)).toUpperCase(), row.publicKey);
      if (msg.length === 32) {
        assertEquals(
          toHex(tinySecp256k1().signSchnorr(msg, sk, hex(row.auxRand))).toUpperCase(),
          row.signature,
        );
      } else {
        assertThrows(() => tinySecp256k1().signSchnorr(msg, sk, hex(row.auxRand)), "32-byte message");
      }
    });
  }
});

Deno.test("bip340_vectors.csv: x-only key validity agrees with the vectors' public key failures", async () => {
  for (const row of await bip340Rows()) {
    const invalidKey = /public key not on the curve|public key is not a valid X coordinate/.test(row.comment);
    for (const b of BACKENDS) assertEquals(b.isValidXOnlyPubkey(hex(row.publicKey)), !invalidKey, row.index);
  }
});

/** Deterministic test keys. */
function key(i: number): Uint8Array {
  return sha256(new TextEncoder().encode(`secp256k1_test key ${i}`));
}
function msgOf(i: number): Uint8Array {
  return sha256(new TextEncoder().encode(`secp256k1_test msg ${i}`));
}
/** 65-byte encoding of a compressed key (noble's point codec). */
function uncompressed(compressed: Uint8Array): Uint8Array {
  return secp256k1.Point.fromBytes(compressed).toBytes(false);
}
/** A 33-byte 02-key whose x is not on the curve (both backends must agree it is invalid). */
function offCurveKey(): Uint8Array {
  for (let i = 0; i < 256; i++) {
    const k = Uint8Array.from([2, ...sha256(Uint8Array.of(0xee, i))]);
    try {
      secp256k1.Point.fromBytes(k);
    } catch {
      return k;
    }
  }
  throw new Error("no off-curve x found");
}

Deno.test("ECDSA: signatures from either backend verify in both; high S is normalized; tampering fails", () => {
  for (let i = 0; i < 16; i++) {
    const sk = key(i);
    const msg = msgOf(i);
    for (const signer of BACKENDS) {
      const pub = signer.publicKeyCreate(sk);
      const sig = signer.signEcdsa(msg, sk);
      const s = bytesToBigInt(sig.subarray(32));
      assert(s <= CURVE_ORDER >> 1n, "signers produce low S");
      const high = sig.slice();
      high.set(bigIntTo32Bytes(CURVE_ORDER - s), 32);
      assertEquals(toHex(normalizeCompactSignature(high)), toHex(sig));
      const unc = uncompressed(pub);
      const badMsg = msg.slice();
      badMsg[0] ^= 1;
      const badSig = sig.slice();
      badSig[5] ^= 1;
      for (const v of BACKENDS) {
        assert(v.verifyEcdsa(sig, msg, pub), `${v.name} verifies ${signer.name}`);
        assert(v.verifyEcdsa(high, msg, pub), `${v.name} verifies high S`);
        assert(v.verifyEcdsa(sig, msg, unc), `${v.name} verifies with uncompressed key`);
        assertFalse(v.verifyEcdsa(sig, badMsg, pub));
        assertFalse(v.verifyEcdsa(badSig, msg, pub));
        assertFalse(v.verifyEcdsa(sig, msg, BACKENDS[0].publicKeyCreate(key(i + 100))));
      }
    }
  }
});

Deno.test("ECDSA: out-of-range r/s and malformed inputs are false (never throw) in both backends", () => {
  const sk = key(1);
  const msg = msgOf(1);
  const pub = BACKENDS[0].publicKeyCreate(sk);
  const sig = BACKENDS[0].signEcdsa(msg, sk);
  const nBytes = bigIntTo32Bytes(CURVE_ORDER);
  const variants: [string, Uint8Array][] = [
    ["r = 0", Uint8Array.from([...new Uint8Array(32), ...sig.subarray(32)])],
    ["s = 0", Uint8Array.from([...sig.subarray(0, 32), ...new Uint8Array(32)])],
    ["r = n", Uint8Array.from([...nBytes, ...sig.subarray(32)])],
    ["s = n", Uint8Array.from([...sig.subarray(0, 32), ...nBytes])],
    ["r = s = 0xff..", new Uint8Array(64).fill(0xff)],
    ["63 bytes", sig.subarray(0, 63)],
    ["65 bytes", Uint8Array.from([...sig, 1])],
  ];
  for (const b of BACKENDS) {
    for (const [name, bad] of variants) assertFalse(b.verifyEcdsa(bad, msg, pub), `${b.name} ${name}`);
    assertFalse(b.verifyEcdsa(sig, msg.subarray(0, 31), pub), `${b.name} 31-byte msg`);
    assertFalse(b.verifyEcdsa(sig, msg, pub.subarray(0, 32)), `${b.name} 32-byte key`);
    assertFalse(b.verifyEcdsa(sig, msg, new Uint8Array(0)), `${b.name} empty key`);
    assertFalse(b.verifyEcdsa(sig, msg, offCurveKey()), `${b.name} x not on the curve`);
  }
});

Deno.test("public keys: Core's sizes, hybrid 06/07 keys parse when parity matches (as libsecp256k1)", () => {
  for (let i = 0; i < 8; i++) {
    const sk = key(i);
    const msg = msgOf(i);
    const pub = BACKENDS[0].publicKeyCreate(sk);
    const sig = BACKENDS[0].signEcdsa(msg, sk);
    const unc = uncompressed(pub);
    const odd = unc[64] & 1;
    const hybridGood = unc.slice();
    hybridGood[0] = 6 | odd;
    const hybridBad = unc.slice();
    hybridBad[0] = 6 | (odd ^ 1);
    assert(isPubkeySizeValid(hybridGood) && isPubkeySizeValid(hybridBad));
    assertEquals(standardPubkeyEncoding(hybridBad), null);
    for (const b of BACKENDS) {
      assert(b.isValidPubkey(pub) && b.isValidPubkey(unc) && b.isValidPubkey(hybridGood), b.name);
      assertFalse(b.isValidPubkey(hybridBad));
      assert(b.verifyEcdsa(sig, msg, hybridGood));
      assertFalse(b.verifyEcdsa(sig, msg, hybridBad));
      const wrongLen = Uint8Array.from([...pub, 0]);
      assertFalse(b.isValidPubkey(wrongLen));
      const header5 = unc.slice();
      header5[0] = 5;
      assertFalse(b.isValidPubkey(header5));
      const offCurve = unc.slice();
      offCurve[64] ^= 2;
      assertFalse(b.isValidPubkey(offCurve));
      const compressed04 = pub.slice();
      compressed04[0] = 4;
      assertFalse(b.isValidPubkey(compressed04));
    }
  }
});

Deno.test("both backends agree on compressed keys with arbitrary x (curve membership)", () => {
  for (let i = 0; i < 64; i++) {
    const x = sha256(Uint8Array.of(i));
    for (const header of [2, 3]) {
      const k = Uint8Array.from([header, ...x]);
      assertEquals(BACKENDS[0].isValidPubkey(k), BACKENDS[1].isValidPubkey(k), toHex(k));
    }
    assertEquals(BACKENDS[0].isValidXOnlyPubkey(x), BACKENDS[1].isValidXOnlyPubkey(x));
    assertEquals(BACKENDS[0].isValidXOnlyPubkey(x), BACKENDS[0].isValidPubkey(Uint8Array.from([2, ...x])));
  }
  const p = bigIntTo32Bytes(FIELD_PRIME);
  for (const b of BACKENDS) {
    assertFalse(b.isValidXOnlyPubkey(p), `${b.name} x = p`);
    assertFalse(b.isValidXOnlyPubkey(new Uint8Array(32)), `${b.name} x = 0`);
    assertFalse(b.isValidPubkey(Uint8Array.from([2, ...p])), `${b.name} 02 x = p`);
  }
});

Deno.test("Schnorr: signatures from either backend verify in both; tampering and range failures are false", () => {
  for (let i = 0; i < 12; i++) {
    const sk = key(i);
    const msg = msgOf(i);
    for (const signer of BACKENDS) {
      const sig = signer.signSchnorr(msg, sk, msgOf(i + 50));
      const xonly = signer.publicKeyCreate(sk).slice(1);
      for (const v of BACKENDS) {
        assert(v.verifySchnorr(sig, msg, xonly), `${v.name} verifies ${signer.name}`);
        const bad = sig.slice();
        bad[63] ^= 1;
        assertFalse(v.verifySchnorr(bad, msg, xonly));
        const s0 = sig.slice();
        s0.fill(0, 32);
        assertFalse(v.verifySchnorr(s0, msg, xonly), "s = 0");
        const sN = sig.slice();
        sN.set(bigIntTo32Bytes(CURVE_ORDER), 32);
        assertFalse(v.verifySchnorr(sN, msg, xonly), "s = n");
        const rBig = sig.slice();
        rBig.set(bigIntTo32Bytes(CURVE_ORDER + 5n), 0); // n ≤ r < p: tiny falls back to the BIP340 routine
        assertFalse(v.verifySchnorr(rBig, msg, xonly), "n <= r < p");
        assertFalse(v.verifySchnorr(sig.subarray(0, 63), msg, xonly));
        assertFalse(v.verifySchnorr(sig, msg, xonly.subarray(1)));
      }
    }
  }
});

interface Bip341Vectors {
  scriptPubKey: {
    given: { internalPubkey: string };
    intermediary: { tweak: string; tweakedPubkey: string };
    expected: { scriptPathControlBlocks?: string[] };
  }[];
  keyPathSpending: {
    given: { utxosSpent: { scriptPubKey: string }[] };
    inputSpending: {
      given: { txinIndex: number; internalPrivkey: string };
      intermediary: { internalPubkey: string; tweak: string; tweakedPrivkey: string };
    }[];
  }[];
}

Deno.test("checkTapTweak: bip341_wallet_vectors.json tweaks, both backends, parity from the control blocks", async () => {
  const v = await readVectorJson<Bip341Vectors>("bip341_wallet_vectors.json");
  let checked = 0;
  for (const [i, c] of v.scriptPubKey.entries()) {
    const internal = hex(c.given.internalPubkey);
    const output = hex(c.intermediary.tweakedPubkey);
    const tweak = hex(c.intermediary.tweak);
    const blocks = c.expected.scriptPathControlBlocks ?? [];
    for (const b of BACKENDS) {
      const ok = [b.checkTapTweak(internal, output, 0, tweak), b.checkTapTweak(internal, output, 1, tweak)];
      assertEquals(ok.filter((x) => x).length, 1, `scriptPubKey[${i}] ${b.name}: exactly one parity matches`);
      for (const cb of blocks) {
        assert(ok[hex(cb)[0] & 1], `scriptPubKey[${i}] ${b.name}: control block parity`);
      }
      const otherTweak = tweak.slice();
      otherTweak[31] ^= 1;
      assertFalse(
        b.checkTapTweak(internal, output, 0, otherTweak) || b.checkTapTweak(internal, output, 1, otherTweak),
      );
    }
    checked++;
  }
  for (const spend of v.keyPathSpending) {
    for (const input of spend.inputSpending) {
      const spk = hex(spend.given.utxosSpent[input.given.txinIndex].scriptPubKey);
      const output = spk.subarray(2);
      const internal = hex(input.intermediary.internalPubkey);
      const tweak = hex(input.intermediary.tweak);
      // The tweaked private key's public key has the output's x; its y parity is the tweak parity.
      const tweakedFull = BACKENDS[1].publicKeyCreate(hex(input.intermediary.tweakedPrivkey));
      assertEquals(toHex(tweakedFull.slice(1)), toHex(output));
      const parity = (tweakedFull[0] & 1) as 0 | 1;
      for (const b of BACKENDS) {
        assert(b.checkTapTweak(internal, output, parity, tweak), `input ${input.given.txinIndex} ${b.name}`);
        assertFalse(b.checkTapTweak(internal, output, (parity ^ 1) as 0 | 1, tweak));
      }
      checked++;
    }
  }
  assertEquals(checked, 7 + 7);
});

Deno.test("checkTapTweak: tweak ≥ n, invalid internal key and the point at infinity are false", () => {
  const nMinus1 = bigIntTo32Bytes(CURVE_ORDER - 1n);
  const n = bigIntTo32Bytes(CURVE_ORDER);
  for (const b of BACKENDS) {
    // lift_x(G.x) = G (even y); G + (n-1)·G is the point at infinity.
    assertFalse(b.checkTapTweak(G_X, new Uint8Array(32), 0, nMinus1), `${b.name} infinity`);
    assertFalse(b.checkTapTweak(G_X, new Uint8Array(32), 1, nMinus1), `${b.name} infinity`);
    // tweak 0: output = internal, parity even.
    assert(b.checkTapTweak(G_X, G_X, 0, new Uint8Array(32)), `${b.name} zero tweak`);
    assertFalse(b.checkTapTweak(G_X, G_X, 1, new Uint8Array(32)));
    assertFalse(b.checkTapTweak(G_X, G_X, 0, n), `${b.name} tweak = n`);
    assertFalse(b.checkTapTweak(bigIntTo32Bytes(FIELD_PRIME), G_X, 0, new Uint8Array(32)), `${b.name} x = p`);
    assertFalse(b.checkTapTweak(G_X.subarray(1), G_X, 0, new Uint8Array(32)));
  }
});
