import {
  cookieFilePath,
  deleteCookie,
  generateCookie,
  makeRpcAuth,
  parseRpcAuth,
  permsToSymbolicString,
  readCookie,
  RpcAuthenticator,
  rpcAuthHash,
} from "../../rpc/auth.ts";
import { assert, assertEquals, assertThrows } from "./asserts.ts";

const basic = (s: string) => "Basic " + btoa(String.fromCharCode(...new TextEncoder().encode(s)));

Deno.test("rpcauth vectors from Core's rpc_users.py", () => {
  assertEquals(
    rpcAuthHash("93648e835a54c573682c2eb19f882535", "cA773lm788buwYe4g4WT+05pKyNruVKjQ25x3n0DQcM="),
    "7681e9c5b74bdd85e78166031d2058e1069b3ed7ed967c93fc63abba06f31144",
  );
  const a = new RpcAuthenticator([
    parseRpcAuth(
      "rt:93648e835a54c573682c2eb19f882535$7681e9c5b74bdd85e78166031d2058e1069b3ed7ed967c93fc63abba06f31144",
    ),
    parseRpcAuth(
      "user1:6dd184e5e69271fdd69103464630014f$eb3d7ce67c4d1ff3564270519b03b636c0291012692a5fa3dd1d2075daedd07b",
    ),
    parseRpcAuth(
      "user2:57b2f77c919eece63cfa46c2f06e46ae$266b63902f99f97eeaab882d4a87f8667ab84435c3799f2ce042ef5a994d620b",
    ),
  ]);
  assertEquals(a.check(basic("rt:cA773lm788buwYe4g4WT+05pKyNruVKjQ25x3n0DQcM=")), { ok: true, user: "rt" });
  assertEquals(a.check(basic("user1:bitcoin")), { ok: true, user: "user1" });
  assertEquals(a.check(basic("user2:bitcoin")), { ok: true, user: "user2" });
  assertEquals(a.check(basic("user1:bitcoinwrong")).ok, false);
  assertEquals(a.check(basic("user1wrong:bitcoin")).ok, false);
  assertEquals(a.check(basic("nocolon")).ok, false);
  assertEquals(a.check("Bearer x").ok, false);
  assertEquals(a.check("Basic !!!").ok, false);
  assertEquals(a.check(null).ok, false);
});

Deno.test("malformed -rpcauth values are rejected like Core", () => {
  for (const bad of ["", '""', "foo", "foo:bar", "foo:bar:baz", "foo$bar:baz", "foo$bar$baz"]) {
    assertThrows(() => parseRpcAuth(bad), "Invalid -rpcauth argument.");
  }
});

Deno.test("plain user/password (unicode) and makeRpcAuth round trip", () => {
  const a = new RpcAuthenticator();
  a.addPlain("rpcuser💻", "rpcpassword🔑");
  assertEquals(a.check(basic("rpcuser💻:rpcpassword🔑")), { ok: true, user: "rpcuser💻" });
  assertEquals(a.check(basic("rpcuser💻:rpcpassword")).ok, false);
  const b = new RpcAuthenticator([parseRpcAuth(makeRpcAuth("alice", "s3cret"))]);
  assert(b.checkUserPassword("alice", "s3cret"));
  assert(!b.checkUserPassword("alice", "s3cre"));
});

Deno.test("cookie: 0600 by default, chosen perms, content, removal", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = cookieFilePath(dir)!;
    assertEquals(path, `${dir}/.cookie`);
    const pass = await generateCookie(path);
    assert(/^[0-9a-f]{64}$/.test(pass));
    assertEquals((await Deno.stat(path)).mode! & 0o777, 0o600);
    assertEquals(await readCookie(path), `__cookie__:${pass}`);
    await generateCookie(path, 0o640);
    assertEquals((await Deno.stat(path)).mode! & 0o777, 0o640);
    await deleteCookie(path);
    assertEquals(await readCookie(path), null);
    await deleteCookie(path); // missing file is fine
    assertEquals(cookieFilePath(dir, "sub/c"), `${dir}/sub/c`);
    assertEquals(cookieFilePath(dir, "/abs/c"), "/abs/c");
    assertEquals(cookieFilePath(dir, false), null);
    assertEquals(permsToSymbolicString(0o640), "rw-r-----");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
