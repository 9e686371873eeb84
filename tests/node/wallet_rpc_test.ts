import type { Rpc } from "../../interfaces/rpc.ts";
import type { RpcCommandSpec } from "../../interfaces/chain.ts";
import { IpcError } from "../../ipc/rpc/error.ts";
import { WalletRpcForwarder } from "../../node/wallet_rpc.ts";
import { RpcTable } from "../../rpc/table.ts";
import { assert, assertEquals, assertThrows } from "../assert.ts";

const spec = (name: string): RpcCommandSpec => ({
  name,
  category: "wallet",
  description: `${name} does things.`,
  args: [
    { names: "amount", type: "amount", fallback: "omitted", description: "an amount" },
    { names: "flag", type: "bool", fallback: "omitted", description: "a flag" },
  ],
  results: [{ type: "any", description: "" }],
  examples: "",
});

async function call(table: RpcTable, method: string, params: string, uri = "/") {
  const body = (await table.execute(`{"jsonrpc":"2.0","id":7,"method":"${method}","params":${params}}`, {
    uri,
    user: "u",
  })).body;
  return JSON.parse(body) as { result: unknown; error: { code: number; message: string } | null };
}

Deno.test("wallet rpc forwarding: calls reach the wallet with URI, user and exact amounts; errors come back unchanged", async () => {
  const table = new RpcTable();
  const f = new WalletRpcForwarder(table);
  const seen: string[] = [];
  const rpc: Rpc = {
    executeRpc(request, uri, user) {
      seen.push(`${request} ${uri} ${user}`);
      const req = JSON.parse(request);
      if (req.method === "failing") {
        return Promise.resolve(
          `{"result":null,"error":{"code":-13,"message":"Please enter the wallet passphrase"},"id":${req.id}}\n`,
        );
      }
      return Promise.resolve(`{"result":{"amount":0.00001000},"error":null,"id":${req.id}}\n`);
    },
    close: () => Promise.resolve(),
  };
  f.register([spec("paying"), spec("failing")], rpc);
  assertEquals(f.state, "up");
  const body = (await table.execute(`{"jsonrpc":"2.0","id":1,"method":"paying","params":[0.00001000]}`, {
    uri: "/wallet/w%20x",
    user: "alice",
  })).body;
  assertEquals(body, '{"jsonrpc":"2.0","result":{"amount":0.00001000},"id":1}\n');
  assert(seen[0].includes('"params":[0.00001000]'), seen[0]);
  assert(seen[0].endsWith(" /wallet/w%20x alice"), seen[0]);
  assertEquals((await call(table, "failing", "[]")).error, {
    code: -13,
    message: "Please enter the wallet passphrase",
  });
  // The node checks arguments with the wallet's documentation before forwarding.
  assertEquals((await call(table, "paying", '[1, "yes"]')).error?.code, -3);
  assert(table.help("paying").startsWith("paying ( amount flag )"), table.help("paying"));
  // Names the node serves itself cannot be taken.
  table.register({ ...spec("getblockcount"), category: "blockchain", handler: () => 1 });
  assertThrows(() => f.register([spec("getblockcount")], rpc), "already registered");
});

Deno.test("wallet rpc forwarding: starting → -28, gone → -18 with a clear message, disconnect → Method not found", async () => {
  const table = new RpcTable();
  const f = new WalletRpcForwarder(table);
  table.setUnknownMethodHook((m) => f.unknownMethodError(m));
  assertEquals((await call(table, "listwallets", "[]")).error?.code, -32601);
  f.starting();
  assertEquals((await call(table, "listwallets", "[]")).error, { code: -28, message: "Loading wallet…" });
  assertEquals((await call(table, "nosuchmethod", "[]")).error?.code, -32601);
  let dead = false;
  const rpc: Rpc = {
    executeRpc: () =>
      dead
        ? Promise.reject(new IpcError("Peer disconnected", { type: "disconnected" }))
        : Promise.resolve('{"result":[],"error":null,"id":1}'),
    close: () => Promise.resolve(),
  };
  const h = f.register([spec("listwallets")], rpc);
  assertEquals((await call(table, "listwallets", "[]")).result, []);
  // A call in flight when the process dies.
  dead = true;
  const inflight = await call(table, "listwallets", "[]");
  assertEquals(inflight.error?.code, -18);
  assert(
    inflight.error!.message.startsWith("Wallet process is not running (Peer disconnected)"),
    inflight.error!.message,
  );
  // The connection went: the methods stay, failing with -18.
  h.released();
  assertEquals(f.state, "down");
  const down = await call(table, "listwallets", "[]");
  assertEquals(down.error?.code, -18);
  assert(down.error!.message.includes("tsbtc wallet -ipcconnect"), down.error!.message);
  // A new wallet process takes the names over.
  f.starting();
  assertEquals((await call(table, "listwallets", "[]")).error?.code, -18);
  dead = false;
  const h2 = f.register([spec("listwallets")], rpc);
  assertEquals((await call(table, "listwallets", "[]")).result, []);
  // A clean stop withdraws them.
  await h2.disconnect();
  assertEquals(f.state, "none");
  assertEquals((await call(table, "listwallets", "[]")).error?.code, -32601);
  assertEquals(table.get("listwallets"), undefined);
});

Deno.test("wallet rpc forwarding: the newest live registration serves a name; an older one takes it back", async () => {
  const table = new RpcTable();
  const f = new WalletRpcForwarder(table);
  const answering = (who: string): Rpc => ({
    executeRpc: () => Promise.resolve(`{"result":"${who}","error":null,"id":1}`),
    close: () => Promise.resolve(),
  });
  const spawned = f.register([spec("listwallets"), spec("getwalletinfo")], answering("spawned"));
  const attached = f.register([spec("listwallets")], answering("attached"));
  assertEquals((await call(table, "listwallets", "[]")).result, "attached");
  assertEquals((await call(table, "getwalletinfo", "[]")).result, "spawned");
  await attached.disconnect();
  assertEquals((await call(table, "listwallets", "[]")).result, "spawned");
  spawned.released();
  assertEquals(f.state, "down");
  assertEquals((await call(table, "listwallets", "[]")).error?.code, -18);
  assertEquals(f.names, ["getwalletinfo", "listwallets"]);
});
