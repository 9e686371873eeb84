import { assert, assertEquals, assertThrows } from "../assert.ts";
import { IpcAddressError, isLoopbackHost, parseIpcAddress } from "../../ipc/address.ts";

const opts = { netDataDir: "/var/empty/notexist" };

Deno.test("parseIpcAddress: unix forms like Core's parse_address_test", () => {
  assertEquals(parseIpcAddress("unix", opts), {
    kind: "unix",
    path: "/var/empty/notexist/node.sock",
    text: "unix:/var/empty/notexist/node.sock",
  });
  assertEquals(parseIpcAddress("unix:", opts).text, "unix:/var/empty/notexist/node.sock");
  assertEquals(parseIpcAddress("unix:path.sock", opts).text, "unix:/var/empty/notexist/path.sock");
  assertEquals(parseIpcAddress("unix:sub/dir/x.sock", opts).text, "unix:/var/empty/notexist/sub/dir/x.sock");
  assertEquals(parseIpcAddress("unix:/abs/x.sock", opts).text, "unix:/abs/x.sock");
  assertEquals(
    parseIpcAddress("unix", { ...opts, defaultName: "wallet" }).text,
    "unix:/var/empty/notexist/wallet.sock",
  );
  assertEquals(parseIpcAddress("unix:a.sock", { netDataDir: "/d/" }).text, "unix:/d/a.sock");
});

Deno.test("parseIpcAddress: unix path length error with Core's text", () => {
  const long = "0".repeat(100) + ".sock";
  const e = assertThrows(() => parseIpcAddress(`unix:${long}`, opts));
  assert(e instanceof IpcAddressError);
  assertEquals(
    e.message,
    `Unix address path "/var/empty/notexist/${long}" exceeded maximum socket path length`,
  );
  // 107 bytes fit (plus the NUL = 108), 108 do not.
  const fit = "/" + "a".repeat(106);
  assertEquals(parseIpcAddress(`unix:${fit}`, opts).kind, "unix");
  assertThrows(() => parseIpcAddress(`unix:${fit}a`, opts), "exceeded maximum socket path length");
  // Bytes, not characters.
  assertThrows(() => parseIpcAddress(`unix:/${"é".repeat(54)}`, opts), "exceeded");
});

Deno.test("parseIpcAddress: unknown schemes with Core's text", () => {
  for (const bad of ["invalid", "invalid:", "", "unixx", "Unix", "auto", "0", "fd:3"]) {
    const e = assertThrows(() => parseIpcAddress(bad, opts));
    assert(e instanceof IpcAddressError, bad);
    assertEquals(e.message, `Unrecognized address '${bad}'`);
  }
});

function loopback(text: string): boolean {
  const a = parseIpcAddress(text, opts);
  assert(a.kind === "tcp", text);
  return a.loopback;
}

Deno.test("parseIpcAddress: tcp", () => {
  assertEquals(parseIpcAddress("tcp:127.0.0.1:8336", opts), {
    kind: "tcp",
    hostname: "127.0.0.1",
    port: 8336,
    loopback: true,
    text: "tcp:127.0.0.1:8336",
  });
  assertEquals(parseIpcAddress("tcp:[::1]:0", opts), {
    kind: "tcp",
    hostname: "::1",
    port: 0,
    loopback: true,
    text: "tcp:[::1]:0",
  });
  assertEquals(loopback("tcp:localhost:65535"), true);
  assertEquals(loopback("tcp:0.0.0.0:1"), false);
  assertEquals(loopback("tcp:192.168.1.2:1"), false);
  assertEquals(loopback("tcp:node.example.org:1"), false);
  assertEquals(loopback("tcp:[::]:1"), false);
  for (
    const bad of [
      "tcp:",
      "tcp:127.0.0.1",
      "tcp:127.0.0.1:",
      "tcp::8336",
      "tcp:127.0.0.1:65536",
      "tcp:127.0.0.1:-1",
      "tcp:127.0.0.1:12a",
      "tcp:::1:8336",
      "tcp:[::1:8336",
      "tcp:[zz::1]:8336",
      "tcp:[::1]8336",
      "tcp:host name:1",
      "tcp:a/b:1",
    ]
  ) {
    const e = assertThrows(() => parseIpcAddress(bad, opts));
    assert(e instanceof IpcAddressError, bad);
    assertEquals(e.message, `Unrecognized address '${bad}'`);
  }
});

Deno.test("isLoopbackHost", () => {
  for (
    const h of [
      "localhost",
      "LOCALHOST",
      "127.0.0.1",
      "127.255.0.9",
      "::1",
      "0:0:0:0:0:0:0:1",
      "::ffff:127.0.0.1",
    ]
  ) {
    assertEquals(isLoopbackHost(h), true, h);
  }
  for (
    const h of [
      "0.0.0.0",
      "::",
      "10.0.0.1",
      "128.0.0.1",
      "::2",
      "::ffff:10.0.0.1",
      "example.com",
      "127.0.0.1.x",
    ]
  ) {
    assertEquals(isLoopbackHost(h), false, h);
  }
});
