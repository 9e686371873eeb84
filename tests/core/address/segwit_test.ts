import { assert, assertEquals, assertThrows } from "../../assert.ts";
import { hex, readVectorJson } from "../vectors.ts";
import {
  bech32Decode,
  bech32Encode,
  decodeSegwitAddress,
  encodeSegwitAddress,
  locateBech32Errors,
  toWords,
  type WitnessProgram,
} from "../../../core/address/segwit.ts";

interface Bech32Vectors {
  bech32: { valid: string[]; invalid: { string: string; reason: string }[] };
  bech32m: { valid: string[]; invalid: { string: string; reason: string }[] };
  segwit_addresses_bip173: {
    valid: { address: string; scriptPubKey: string }[];
    invalid: { address: string; reason: string }[];
  };
  segwit_addresses_bip350: {
    valid: { address: string; scriptPubKey: string }[];
    invalid: { address: string; reason: string }[];
  };
}

const vectors = await readVectorJson<Bech32Vectors>("bech32_vectors.json");
const toHex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
const printable = (s: string) => JSON.stringify(s);

/** The witness output script of a decoded address. */
function witnessScript(w: WitnessProgram): string {
  return toHex(Uint8Array.of(w.version === 0 ? 0 : 0x50 + w.version, w.program.length, ...w.program));
}

/** The human-readable part of an address (before its last '1'), lowercased. */
const hrpOf = (address: string) => address.slice(0, address.lastIndexOf("1")).toLowerCase();

for (const encoding of ["bech32", "bech32m"] as const) {
  const other = encoding === "bech32" ? "bech32m" : "bech32";
  Deno.test(`bech32_vectors.json ${encoding}: valid strings decode with their checksum`, async (t) => {
    for (const str of vectors[encoding].valid) {
      await t.step(printable(str), () => {
        const dec = bech32Decode(str);
        assert(dec !== undefined, "does not decode");
        assertEquals(dec.encoding, encoding);
        assertEquals(bech32Encode(encoding, dec.hrp, dec.data), str.toLowerCase());
        assertEquals(locateBech32Errors(str), { error: "", errorLocations: [] });
        // The same data under the other checksum is another string.
        assert(bech32Encode(other, dec.hrp, dec.data) !== str.toLowerCase());
        // Any single substituted data character is detected and located.
        const pos = str.length - 3;
        const swapped = str.slice(0, pos) + (str[pos].toLowerCase() === "q" ? "p" : "q") + str.slice(pos + 1);
        const fixedCase = str === str.toUpperCase() ? swapped.toUpperCase() : swapped;
        assertEquals(bech32Decode(fixedCase), undefined);
        const located = locateBech32Errors(fixedCase);
        assertEquals(located.errorLocations, [pos]);
        assertEquals(
          located.error,
          encoding === "bech32" ? "Invalid Bech32 checksum" : "Invalid Bech32m checksum",
        );
      });
    }
  });

  Deno.test(`bech32_vectors.json ${encoding}: invalid strings are refused with a reason`, async (t) => {
    for (const { string: str, reason } of vectors[encoding].invalid) {
      await t.step(`${printable(str)} (${reason})`, () => {
        assertEquals(bech32Decode(str), undefined);
        assert(locateBech32Errors(str).error !== "", "no error located");
      });
    }
  });
}

// Core's bech32_tests: the message and positions LocateErrors gives for each invalid string. Core's cases use
// single raw bytes 0x80 / 0xff; here (as through JSON-RPC) those are U+0080 / U+00FF, two UTF-8 bytes each.
const LOCATE_CASES: [string, string, number[]][] = [
  [" 1nwldj5", "Invalid character or mixed case", [0]],
  ["\x7f1axkwrx", "Invalid character or mixed case", [0]],
  ["\u00801eym55h", "Invalid character or mixed case", [0, 1]],
  [
    "an84characterslonghumanreadablepartthatcontainsthenumber1andtheexcludedcharactersbio1569pvx",
    "Bech32 string too long",
    [90],
  ],
  ["pzry9x0s0muk", "Missing separator", []],
  ["1pzry9x0s0muk", "Invalid separator position", [0]],
  ["x1b4n0q5v", "Invalid Base 32 character", [2]],
  ["li1dgmt3", "Invalid separator position", [2]],
  ["de1lg7wt\u00ff", "Invalid character or mixed case", [8, 9]],
  ["A1G7SGD8", "Invalid checksum", []],
  ["10a06t8", "Invalid separator position", [0]],
  ["1qzzfhee", "Invalid separator position", [0]],
  ["a12UEL5L", "Invalid character or mixed case", [3, 4, 5, 7]],
  ["A12uEL5L", "Invalid character or mixed case", [3]],
  ["abcdef1qpzrz9x8gf2tvdw0s3jn54khce6mua7lmqqqxw", "Invalid Bech32 checksum", [11]],
  ["test1zg69w7y6hn0aqy352euf40x77qddq3dc", "Invalid Bech32 checksum", [9, 16]],
  [" 1xj0phk", "Invalid character or mixed case", [0]],
  ["\x7f1g6xzxy", "Invalid character or mixed case", [0]],
  ["\u00801vctc34", "Invalid character or mixed case", [0, 1]],
  [
    "an84characterslonghumanreadablepartthatcontainsthetheexcludedcharactersbioandnumber11d6pts4",
    "Bech32 string too long",
    [90],
  ],
  ["qyrz8wqd2c9m", "Missing separator", []],
  ["1qyrz8wqd2c9m", "Invalid separator position", [0]],
  ["y1b0jsk6g", "Invalid Base 32 character", [2]],
  ["lt1igcx5c0", "Invalid Base 32 character", [3]],
  ["in1muywd", "Invalid separator position", [2]],
  ["mm1crxm3i", "Invalid Base 32 character", [8]],
  ["au1s5cgom", "Invalid Base 32 character", [7]],
  ["M1VUXWEZ", "Invalid checksum", []],
  ["16plkw9", "Invalid separator position", [0]],
  ["1p2gdwpf", "Invalid separator position", [0]],
  ["abcdef1l7aum6echk45nj2s0wdvt2fg8x9yrzpqzd3ryx", "Invalid Bech32m checksum", [21]],
  ["test1zg69v7y60n00qy352euf40x77qcusag6", "Invalid Bech32m checksum", [13, 32]],
];

Deno.test("locateBech32Errors: Core's bech32_tests messages and positions", async (t) => {
  for (const [str, error, errorLocations] of LOCATE_CASES) {
    await t.step(`${printable(str)}: ${error} ${JSON.stringify(errorLocations)}`, () => {
      assertEquals(bech32Decode(str), undefined);
      assertEquals(locateBech32Errors(str), { error, errorLocations });
    });
  }
});

Deno.test("bech32_vectors.json BIP350 addresses: valid ones decode to their scriptPubKey and re-encode", async (t) => {
  for (const { address, scriptPubKey } of vectors.segwit_addresses_bip350.valid) {
    await t.step(address, () => {
      const res = decodeSegwitAddress(hrpOf(address), address);
      assert(!("error" in res), `refused: ${"error" in res ? res.error : ""}`);
      assertEquals(witnessScript(res), scriptPubKey);
      assertEquals(encodeSegwitAddress(hrpOf(address), res), address.toLowerCase());
    });
  }
});

Deno.test("bech32_vectors.json BIP350 addresses: invalid ones are refused for bc and tb", async (t) => {
  for (const { address, reason } of vectors.segwit_addresses_bip350.invalid) {
    await t.step(`${address} (${reason})`, () => {
      for (const hrp of ["bc", "tb"]) {
        const res = decodeSegwitAddress(hrp, address);
        assert("error" in res && res.error !== "", `accepted for ${hrp}`);
      }
    });
  }
});

Deno.test("bech32_vectors.json BIP173 addresses: v0 valid, v1+ with Bech32 refused (BIP350), invalid refused", async (t) => {
  for (const { address, scriptPubKey } of vectors.segwit_addresses_bip173.valid) {
    await t.step(`valid under BIP173: ${address}`, () => {
      const res = decodeSegwitAddress(hrpOf(address), address);
      if (scriptPubKey.startsWith("00")) {
        assert(!("error" in res), `refused: ${"error" in res ? res.error : ""}`);
        assertEquals(witnessScript(res), scriptPubKey);
      } else {
        assertEquals(res, {
          error: "Version 1+ witness address must use Bech32m checksum",
          errorLocations: [],
        });
      }
    });
  }
  for (const { address, reason } of vectors.segwit_addresses_bip173.invalid) {
    await t.step(`invalid: ${address} (${reason})`, () => {
      for (const hrp of ["bc", "tb"]) {
        const res = decodeSegwitAddress(hrp, address);
        assert("error" in res && res.error !== "", `accepted for ${hrp}`);
      }
    });
  }
});

Deno.test("decodeSegwitAddress: Core's messages for each kind of bad address", () => {
  const err = (hrp: string, a: string) => {
    const res = decodeSegwitAddress(hrp, a);
    return "error" in res ? res.error : "valid";
  };
  const v0 = encodeSegwitAddress("bc", { version: 0, program: new Uint8Array(20) });
  assertEquals(
    err("tb", v0),
    "Invalid or unsupported prefix for Segwit (Bech32) address (expected tb, got bc).",
  );
  assertEquals(err("bc", "bc1gmk9yu"), "Empty Bech32 data section");
  // Version 0 under Bech32m, version 1 under Bech32.
  assertEquals(
    err("bc", bech32Encode("bech32m", "bc", [0, ...new Array(32).fill(0)])),
    "Version 0 witness address must use Bech32 checksum",
  );
  assertEquals(
    err("bc", bech32Encode("bech32", "bc", [1, ...new Array(52).fill(0)])),
    "Version 1+ witness address must use Bech32m checksum",
  );
  assertEquals(
    err("bc", "BC1QR508D6QEJXTDG4Y5R3ZARVARYV98GJ9P"),
    "Invalid Bech32 v0 address program size (16 bytes), per BIP141",
  );
  assertEquals(
    err("bc", bech32Encode("bech32m", "bc", [1, 0, 0])),
    "Invalid Bech32 address program size (1 byte)",
  );
  assertEquals(
    err("bc", bech32Encode("bech32m", "bc", [17, 0, 0, 0, 0])),
    "Invalid Bech32 address witness version",
  );
  // Witness version 2 under Bech32: the checksum variant is checked before the padding.
  assertEquals(
    err("bc", "bc1zw508d6qejxtdg4y5r3zarvaryvqyzf3du"),
    "Version 1+ witness address must use Bech32m checksum",
  );
  assertEquals(
    err("bc", bech32Encode("bech32", "bc", [0, ...new Array(33).fill(0)])),
    "Invalid padding in Bech32 data section",
  );
  assertEquals(
    err("tb", "tb1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3pjxtptv"),
    "Invalid padding in Bech32 data section",
  );
  assertEquals(err("bc", "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t5"), "Invalid Bech32 checksum");
  assertEquals(
    err("bc", bech32Encode("bech32m", "bc", [1, ...toWords(new Uint8Array(41))])),
    "Invalid Bech32 address program size (41 bytes)",
  );
  // The longest witness program fits in 90 characters; a program of 2 bytes is the shortest.
  const v16 = encodeSegwitAddress("bc", { version: 16, program: new Uint8Array(40).fill(7) });
  assertEquals(v16.length, 74);
  assertEquals(witnessScript(decodeSegwitAddress("bc", v16) as WitnessProgram).slice(0, 4), "6028");
  assertEquals(err("bc", encodeSegwitAddress("bc", { version: 2, program: hex("abcd") })), "valid");
});

Deno.test("encodeSegwitAddress / bech32Encode refuse what Core cannot encode", () => {
  assertThrows(
    () => encodeSegwitAddress("bc", { version: 17, program: new Uint8Array(20) }),
    "witness version is 17",
  );
  assertThrows(
    () => encodeSegwitAddress("bc", { version: 1, program: new Uint8Array(41) }),
    "program length is 41",
  );
  assertThrows(
    () => encodeSegwitAddress("bc", { version: 1, program: new Uint8Array(1) }),
    "program length is 1",
  );
  assertThrows(
    () => encodeSegwitAddress("bc", { version: 0, program: new Uint8Array(21) }),
    "version 0 program",
  );
  assertThrows(() => bech32Encode("bech32", "BC", [0]), "has capitals");
});

Deno.test("bech32Decode / locateBech32Errors: random strings never throw (fast-check)", async () => {
  const fc = (await import("fast-check")).default;
  const chars = fc.constantFrom(..."qpzry9x8gf2tvdw0s3jn54khce6mua7lQPZRY1bio \u0080\u00ff\u212a".split(""));
  fc.assert(
    fc.property(fc.array(chars, { maxLength: 100 }), (arr: string[]) => {
      const s = arr.join("");
      const dec = bech32Decode(s);
      const located = locateBech32Errors(s);
      return dec === undefined ? located.error !== "" : located.error === "";
    }),
    { numRuns: 3000 },
  );
});
