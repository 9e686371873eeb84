import fc from "fast-check";
import { assert, assertEquals } from "../../assert.ts";
import {
  addChecksum,
  checkChecksum,
  descriptorChecksum,
  getDescriptorChecksum,
} from "../../../core/descriptors/checksum.ts";

const XPRV_MULTI =
  "sh(multi(2,[00000000/111'/222]xprvA1RpRA33e1JQ7ifknakTFpgNXPmW2YvmhqLQYMmrj4xJXXWYpDPS3xz7iAxn8L39" +
  "njGVyuoseXzU6rcxFLJ8HFsTjSyQbLYnMpCqE2VbFWc,xprv9uPDJpEQgRQfDcW7BkF7eTya6RPxXeJCqCJGHuCJ4GiRVLzkTXBAJMu2qaMWPrS7AAN" +
  "Yqdq6vcBcBUdJCVVFceUvJFjaPdGZ2y9WACViL4L/0))";
const XPUB_MULTI =
  "sh(multi(2,[00000000/111'/222]xpub6ERApfZwUNrhLCkDtcHTcxd75RbzS1ed54G1LkBUHQVHQKqhMkhgbmJbZRkrgZw4" +
  "koxb5JaHWkY4ALHY2grBGRjaDMzQLcgJvLJuZZvRcEL,xpub68NZiKmJWnxxS6aaHmn81bvJeTESw724CRDs6HbuccFQN9Ku14VQrADWgqbhhTHBaoh" +
  "PX4CjNLf9fq9MYo6oDaPPLPxSb7gwQN3ih19Zm4Y/0))";

Deno.test("checksums of known descriptors (BIP 380, Core's descriptor_tests, the recorded Core session)", () => {
  assertEquals(descriptorChecksum("raw(deadbeef)"), "89f8spxm");
  assertEquals(descriptorChecksum(XPRV_MULTI), "ggrsrxfy");
  assertEquals(descriptorChecksum(XPUB_MULTI), "tjg09x5t");
  assertEquals(
    addChecksum("wpkh(023333333333333333333333333333333333333333333333333333333333333333)"),
    "wpkh(023333333333333333333333333333333333333333333333333333333333333333)#h3r6svrt",
  );
  assertEquals(descriptorChecksum("addr(mh5CE8Nbj38iND267s4XnvhSmhDW7yWc6Q)"), "7cjjyjvp");
  assertEquals(
    descriptorChecksum("rawtr(2222222222222222222222222222222222222222222222222222222222222222)"),
    "azlavzmj",
  );
  assertEquals(
    descriptorChecksum(
      "wpkh([d34db33f/84h/0h/0h]xpub6DJ2dNUysrn5Vt36jH2KLBT2i1auw1tTSSomg8PhqNiUtx8QX2SvC9nrHu81fT41fvDUnhMjEzQgXnQjKEu3" +
        "oaqMSzhSrHMxyyoEAmUHQbY/0/*)",
    ),
    "cjjspncu",
  );
  // Characters outside the set give no checksum.
  assertEquals(descriptorChecksum("raw(Ü)"), "");
  assertEquals(descriptorChecksum("pk(\t)"), "");
  assertEquals(descriptorChecksum("").length, 8);
});

Deno.test("checkChecksum: Core's CheckChecksum errors (BIP 380 invalid checksums)", () => {
  const err = (text: string, require = false) => {
    const r = checkChecksum(text, require);
    return r.ok ? `ok ${r.payload} ${r.checksum}` : r.error;
  };
  assertEquals(err("raw(deadbeef)#89f8spxm"), "ok raw(deadbeef) 89f8spxm");
  assertEquals(err("raw(deadbeef)"), "ok raw(deadbeef) 89f8spxm");
  assertEquals(err("raw(deadbeef)", true), "Missing checksum");
  assertEquals(err("raw(deadbeef)#"), "Expected 8 character checksum, not 0 characters");
  assertEquals(err("raw(deadbeef)#89f8spxmx"), "Expected 8 character checksum, not 9 characters");
  assertEquals(err("raw(deadbeef)#89f8spx"), "Expected 8 character checksum, not 7 characters");
  assertEquals(
    err("raw(deadbeef)#89f8spxn"),
    "Provided checksum '89f8spxn' does not match computed checksum '89f8spxm'",
  );
  assertEquals(
    err("raw(deedbeef)#89f8spxm"),
    `Provided checksum '89f8spxm' does not match computed checksum '${descriptorChecksum("raw(deedbeef)")}'`,
  );
  assertEquals(err("raw(deadbeef)##9f8spxm"), "Multiple '#' symbols");
  assertEquals(err("raw(Ü)#00000000"), "Invalid characters in payload");
  assertEquals(getDescriptorChecksum("raw(deadbeef)#89f8spxn"), "");
  assertEquals(getDescriptorChecksum("raw(deadbeef)#89f8spxm"), "89f8spxm");
  assertEquals(getDescriptorChecksum("raw(deadbeef)"), "89f8spxm");
});

const CHARSET =
  "0123456789()[],'/*abcdefgh@:$%{}IJKLMNOPQRSTUVWXYZ&+-.;<=>?!^_|~ijklmnopqrstuvwxyzABCDEFGH`#\"\\ "
    .replace("#", "");

Deno.test("property: a checksum verifies its text, and any single-character change is detected", () => {
  const text = fc.array(fc.constantFrom(...CHARSET), { minLength: 1, maxLength: 300 }).map((a) => a.join(""));
  fc.assert(
    fc.property(text, fc.nat(), fc.constantFrom(...CHARSET), (t, pos, ch) => {
      const withSum = addChecksum(t);
      const ok = checkChecksum(withSum, true);
      assert(ok.ok && ok.payload === t);
      const i = pos % t.length;
      if (t[i] === ch) return;
      const changed = t.slice(0, i) + ch + t.slice(i + 1) + withSum.slice(t.length);
      assert(!checkChecksum(changed, true).ok, `undetected: ${changed}`);
    }),
    { numRuns: 300 },
  );
});
