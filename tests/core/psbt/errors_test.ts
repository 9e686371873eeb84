import { PsbtDecodeError } from "../../../core/psbt/errors.ts";
import { assertEquals } from "../../assert.ts";

Deno.test("PsbtDecodeError: Core's message, with libstdc++'s suffix for stream errors", () => {
  const stream = new PsbtDecodeError("Invalid PSBT magic bytes");
  assertEquals([stream.reason, stream.stream, stream.coreMessage], [
    "Invalid PSBT magic bytes",
    true,
    "Invalid PSBT magic bytes: iostream error",
  ]);
  assertEquals(stream.message, "Cannot decode PSBT: Invalid PSBT magic bytes");
  const plain = new PsbtDecodeError("invalid base64", false);
  assertEquals(plain.coreMessage, "invalid base64");
  assertEquals(plain.name, "PsbtDecodeError");
});
