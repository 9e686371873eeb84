import { deepStrictEqual, ok, throws } from "node:assert";
import { decodeSecret } from "../../core/address/wif.ts";
import { hash160, sha256d, toHex } from "../../core/hash/hashes.ts";
import {
  decodeBase64,
  encodeBase64,
  MESSAGE_MAGIC,
  messageHash,
  recoverCompact,
  signCompact,
  signMessage,
  verifyMessage,
} from "../../core/message.ts";
import { defaultSecp256k1 } from "../../core/crypto/default_backend.ts";

const enc = new TextEncoder();

Deno.test("messageHash: sha256d of the length-prefixed magic and message (Core's message_hash)", () => {
  const msg = "...";
  const prefixed = Uint8Array.of(
    MESSAGE_MAGIC.length,
    ...enc.encode(MESSAGE_MAGIC),
    msg.length,
    ...enc.encode(msg),
  );
  deepStrictEqual(messageHash(msg), sha256d(prefixed));
  ok(toHex(messageHash(msg)) !== toHex(sha256d(enc.encode(msg))));
  // Long messages use a 3-byte compact size.
  const long = "x".repeat(300);
  const prefixedLong = Uint8Array.of(
    MESSAGE_MAGIC.length,
    ...enc.encode(MESSAGE_MAGIC),
    0xfd,
    300 & 0xff,
    300 >> 8,
    ...enc.encode(long),
  );
  deepStrictEqual(messageHash(long), sha256d(prefixedLong));
});

Deno.test("signMessage equals Core's signatures byte for byte (util_tests message_sign, functional test)", () => {
  const key = Uint8Array.from([
    0xD9,
    0x7F,
    0x51,
    0x08,
    0xF1,
    0x1C,
    0xDA,
    0x6E,
    0xEE,
    0xBA,
    0xAA,
    0x42,
    0x0F,
    0xEF,
    0x07,
    0x26,
    0xB1,
    0xF8,
    0x98,
    0x06,
    0x0B,
    0x98,
    0x48,
    0x9F,
    0xA3,
    0x09,
    0x84,
    0x63,
    0xC0,
    0x03,
    0x28,
    0x66,
  ]);
  const sig = signMessage({ key, compressed: true }, "Trust no one");
  deepStrictEqual(
    sig,
    "IPojfrX2dfPnH26UegfbGQQLrdK844DlHq5157/P6h57WyuS/Qsl+h/WSVGDF4MUi4rWSswW38oimDYfNNUBUOk=",
  );
  deepStrictEqual(verifyMessage("15CRxFdyRpGZLW9w8HnHvVduizdL5jKNbs", sig, "Trust no one", "main"), "OK");
  deepStrictEqual(
    verifyMessage("15CRxFdyRpGZLW9w8HnHvVduizdL5jKNbs", sig, "I never signed this", "main"),
    "ERR_NOT_SIGNED",
  );

  const wif = decodeSecret("cUeKHd5orzT3mz8P9pxyREHfsWtVfgsfDjiZZBcjUBAaGk1BTj7N", "regtest")!;
  const sig2 = signMessage(wif, "This is just a test message");
  deepStrictEqual(
    sig2,
    "INbVnW4e6PeRmsv2Qgu8NuopvrVjkcxob+sX8OcZG0SALhWybUjzMLPdAsXI46YZGb0KQTRii+wWIQzRpG/U+S0=",
  );
  deepStrictEqual(
    verifyMessage("mpLQjfK79b7CCV4VMJWEWAj5Mpx8Up5zxB", sig2, "This is just a test message", "regtest"),
    "OK",
  );
});

Deno.test("verifyMessage: Core's error outcomes (util_tests message_verify)", () => {
  deepStrictEqual(verifyMessage("invalid address", "x", "m", "main"), "ERR_INVALID_ADDRESS");
  deepStrictEqual(
    verifyMessage("3B5fQsEXEaV8v6U3ejYc8XaKXAkyQj2MjV", "x", "m", "main"),
    "ERR_ADDRESS_NO_KEY",
  );
  deepStrictEqual(
    verifyMessage(
      "1KqbBpLy5FARmTPD4VZnDDpYjkUvkr82Pm",
      "invalid signature, not in base64 encoding",
      "m",
      "main",
    ),
    "ERR_MALFORMED_SIGNATURE",
  );
  deepStrictEqual(
    verifyMessage("1KqbBpLy5FARmTPD4VZnDDpYjkUvkr82Pm", "A".repeat(87) + "=", "m", "main"),
    "ERR_PUBKEY_NOT_RECOVERED",
  );
  // A mainnet address on regtest is invalid.
  deepStrictEqual(
    verifyMessage("15CRxFdyRpGZLW9w8HnHvVduizdL5jKNbs", "x", "m", "regtest"),
    "ERR_INVALID_ADDRESS",
  );
  // Empty signature: valid Base64 of nothing, nothing to recover.
  deepStrictEqual(
    verifyMessage("15CRxFdyRpGZLW9w8HnHvVduizdL5jKNbs", "", "m", "main"),
    "ERR_PUBKEY_NOT_RECOVERED",
  );
});

Deno.test("recoverCompact: uncompressed keys, header variants, out-of-range values", () => {
  const secp = defaultSecp256k1();
  const key = new Uint8Array(32).fill(7);
  const hash = messageHash("hello");
  const compressedPub = secp.publicKeyCreate(key);
  const c = signCompact(hash, { key, compressed: true });
  ok(c[0] >= 31 && c[0] <= 34);
  deepStrictEqual(recoverCompact(hash, c), compressedPub);
  const u = signCompact(hash, { key, compressed: false });
  ok(u[0] >= 27 && u[0] <= 30);
  const upub = recoverCompact(hash, u)!;
  deepStrictEqual(upub.length, 65);
  deepStrictEqual(upub.subarray(1, 33), compressedPub.subarray(1));
  // Same r and s either way (the header only tells the encoding).
  deepStrictEqual(c.subarray(1), u.subarray(1));
  // The wrong recovery id gives another key.
  const flipped = c.slice();
  flipped[0] = 31 + ((c[0] - 31) ^ 1);
  const other = recoverCompact(hash, flipped);
  ok(other !== null && toHex(hash160(other)) !== toHex(hash160(compressedPub)));
  // r = 0 or s >= n: nothing.
  const zeroR = c.slice();
  zeroR.fill(0, 1, 33);
  deepStrictEqual(recoverCompact(hash, zeroR), null);
  const bigS = c.slice();
  bigS.fill(0xff, 33, 65);
  deepStrictEqual(recoverCompact(hash, bigS), null);
  deepStrictEqual(recoverCompact(hash, c.subarray(0, 64)), null);
  throws(() => signCompact(hash, { key: new Uint8Array(32), compressed: true }), RangeError);
});

Deno.test("Base64 as Core's EncodeBase64/DecodeBase64 (strict padding and stray bits)", () => {
  const cases: Array<[string, string]> = [
    ["", ""],
    ["f", "Zg=="],
    ["fo", "Zm8="],
    ["foo", "Zm9v"],
    ["foob", "Zm9vYg=="],
    ["fooba", "Zm9vYmE="],
    ["foobar", "Zm9vYmFy"],
  ];
  for (const [plain, b64] of cases) {
    deepStrictEqual(encodeBase64(enc.encode(plain)), b64);
    deepStrictEqual(decodeBase64(b64), enc.encode(plain));
  }
  deepStrictEqual(decodeBase64("Zg="), undefined); // length not a multiple of 4
  deepStrictEqual(decodeBase64("Zh=="), undefined); // stray bits
  deepStrictEqual(decodeBase64("Z==="), undefined); // three '='
  deepStrictEqual(decodeBase64("Zm=v"), undefined); // '=' inside
  deepStrictEqual(decodeBase64("Zm9v\n"), undefined);
  const bytes = crypto.getRandomValues(new Uint8Array(257));
  deepStrictEqual(decodeBase64(encodeBase64(bytes)), bytes);
});
