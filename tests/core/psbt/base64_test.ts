import fc from "fast-check";
import { decodeBase64, encodeBase64 } from "../../../core/psbt/base64.ts";
import { assertEquals } from "../../assert.ts";

Deno.test("base64 as Core's DecodeBase64: padding, alphabet, zero pad bits", () => {
  assertEquals(decodeBase64(""), new Uint8Array(0));
  assertEquals(decodeBase64("cHNidP8="), Uint8Array.of(0x70, 0x73, 0x62, 0x74, 0xff));
  assertEquals(decodeBase64("cHNidP8"), undefined); // length not a multiple of 4
  assertEquals(decodeBase64("cHNidP9="), undefined); // non-zero padding bits
  assertEquals(decodeBase64("cHNi dP8="), undefined);
  assertEquals(decodeBase64("cHN=dP8="), undefined);
  assertEquals(decodeBase64("cHNidA=="), Uint8Array.of(0x70, 0x73, 0x62, 0x74));
  assertEquals(decodeBase64("cHNidB=="), undefined);
  assertEquals(decodeBase64("===="), undefined);
  assertEquals(decodeBase64("cHNi\u00e9P8="), undefined);
});

Deno.test("fast-check: base64 round trip and agreement with btoa", () => {
  fc.assert(fc.property(fc.uint8Array({ maxLength: 64 }), (b) => {
    const s = encodeBase64(b);
    assertEquals(s, btoa(String.fromCharCode(...b)));
    assertEquals(decodeBase64(s), b);
  }));
});
