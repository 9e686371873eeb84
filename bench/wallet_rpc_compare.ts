/**
 * The balance, history and label RPCs side by side with Bitcoin Core's: the same calls against a fresh
 * `tsbtc node -regtest` and a fresh `bitcoind -regtest` (Core's build under /tmp/corebuild, or `BITCOIND`), and
 * a list of the differences.
 *
 * 1. Bad arguments and edge cases on an empty wallet (errors' codes and messages, results), compared exactly.
 * 2. A scenario — 101 blocks to wallet `a`, `sendmany` from `a` to four address types of wallet `b`, a block —
 *    with the results compared by shape (keys in order, value types, array lengths), as hashes and keys differ.
 * 3. An avoid_reuse wallet: balances (`used`), `getbalance` with and without avoid_reuse, `listunspent`'s
 *    `reused`, compared by value (the fees are the same on both).
 *
 * The help texts are compared too ("tsbtc rpc" in examples read as "bitcoin-cli"). Prints the differences.
 *
 * Usage: `deno run -A bench/wallet_rpc_compare.ts`
 *
 * @module
 */
import { benchNodeCommand, CORE_BUILD, type Json, startBenchNode } from "./bench_node.ts";

const ERROR_CALLS: Array<[string, Json[]]> = [
  ["getbalance", ["x"]],
  ["getbalance", ["*", 0, false, true]],
  ["getbalance", ["*", "x"]],
  ["getbalances", [1]],
  ["listunspent", [0, 9999999, ["nope"]]],
  ["listunspent", [0, 9999999, [], true, { foo: 1 }]],
  ["listunspent", [0, 9999999, [], true, { maximumCount: "x" }]],
  ["listunspent", [0, 9999999, [], true, { minimumAmount: -1 }]],
  ["listunspent", [0, 9999999, [], true, { minimumAmount: "abc" }]],
  ["listunspent", [0, 9999999, [], true, { minimumAmount: null }]],
  ["listunspent", [0, 9999999, [1]]],
  ["listunspent", ["x"]],
  ["listunspent", [0, 9999999, "x"]],
  ["lockunspent", [false, [{ txid: "zz", vout: 0 }]]],
  ["lockunspent", [false, [{ vout: 0 }]]],
  ["lockunspent", [false, [{ txid: "ab".repeat(32) }]]],
  ["lockunspent", [false, [{ txid: "ab".repeat(32), vout: -1 }]]],
  ["lockunspent", [false, [{ txid: "ab".repeat(32), vout: 0 }]]],
  ["lockunspent", [false, [1]]],
  ["lockunspent", ["x"]],
  ["lockunspent", [false, [{ txid: "ab".repeat(32), vout: "0" }]]],
  ["lockunspent", [false, [{ txid: 5, vout: 0 }]]],
  ["lockunspent", [false, [{ txid: "ab".repeat(32), vout: 0, extra: 1 }]]],
  ["lockunspent", [true]],
  ["lockunspent", [false]],
  ["listlockunspent", []],
  ["listtransactions", [""]],
  ["listtransactions", ["*", -1]],
  ["listtransactions", ["*", 1, -1]],
  ["listtransactions", ["*", "x"]],
  ["listtransactions", ["lbl"]],
  ["listsinceblock", ["zz"]],
  ["listsinceblock", ["", 0]],
  ["listsinceblock", ["ff".repeat(32)]],
  ["listsinceblock", ["", 1, false, false, false, "*"]],
  ["gettransaction", ["zz"]],
  ["gettransaction", ["00".repeat(32)]],
  ["gettransaction", [5]],
  ["abandontransaction", ["00".repeat(32)]],
  ["abandontransaction", ["zz"]],
  ["listreceivedbyaddress", [1, false, false, "bad"]],
  ["listreceivedbyaddress", [1, false, false, ""]],
  ["listreceivedbylabel", []],
  ["getreceivedbyaddress", ["x"]],
  ["getreceivedbylabel", ["nope"]],
  ["getreceivedbylabel", ["*"]],
  ["getreceivedbyaddress", ["bcrt1qw508d6qejxtdg4y5r3zarvary0c5xw7kygt080"]],
  ["getaddressinfo", ["bc1q09vm5lfy0j5reeulh4x5752q25uqqvz34hufdl"]],
  ["getaddressinfo", ["x"]],
  ["getaddressinfo", [""]],
  ["getaddressinfo", ["bcrt1qw508d6qejxtdg4y5r3zarvary0c5xw7kygt080"]],
  ["getaddressinfo", ["2MzQwSSnBHWHqSAqtTVQ6v47XtaisrJa1Vc"]],
  ["setlabel", ["x", "a"]],
  ["setlabel", ["bcrt1qw508d6qejxtdg4y5r3zarvary0c5xw7kygt080", "*"]],
  ["setlabel", ["bcrt1qw508d6qejxtdg4y5r3zarvary0c5xw7kygt080", "shop"]],
  ["getaddressesbylabel", ["shop"]],
  ["listlabels", []],
  ["listlabels", ["send"]],
  ["listlabels", ["x"]],
  ["listlabels", [""]],
  ["getaddressesbylabel", ["nope"]],
  ["listreceivedbyaddress", [0, true]],
  ["listreceivedbylabel", [0, true]],
  ["listsinceblock", []],
  ["listtransactions", []],
];

const HELP = [
  "getbalance",
  "getbalances",
  "getreceivedbyaddress",
  "getreceivedbylabel",
  "listunspent",
  "lockunspent",
  "listlockunspent",
  "listtransactions",
  "listsinceblock",
  "gettransaction",
  "abandontransaction",
  "listreceivedbyaddress",
  "listreceivedbylabel",
  "getaddressinfo",
  "setlabel",
  "listlabels",
  "getaddressesbylabel",
];

/** Keys in order, value types and array lengths (first element's shape). */
function shape(v: unknown): Json {
  if (Array.isArray(v)) return v.length === 0 ? [] : [shape(v[0]), v.length];
  if (v !== null && typeof v === "object") {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, shape(x)]));
  }
  return typeof v;
}

async function session(kind: "tsbtc" | "bitcoind"): Promise<Record<string, Json>> {
  const core = Deno.env.get("BITCOIND") ?? CORE_BUILD;
  const node = await startBenchNode(
    kind,
    benchNodeCommand(kind, core, ["-fallbackfee=0.0002"]),
    "listwallets",
  );
  const raw = (method: string, params: Json[], wallet?: string) => node.client.raw(method, params, wallet);
  const rpc = (method: string, params: Json[] = [], wallet?: string) =>
    node.client.call(method, params, wallet);
  const out: Record<string, Json> = {};
  try {
    for (const m of HELP) {
      const text = await rpc("help", [m]) as string;
      out[`help ${m}`] = text;
    }
    await rpc("createwallet", ["w"]);
    for (const [m, p] of ERROR_CALLS) {
      const r = await raw(m, p, "w");
      out[`${m} ${JSON.stringify(p)}`] = r.error ?? r.result;
    }
    // Scenario, compared by shape.
    await rpc("createwallet", ["a"]);
    await rpc("createwallet", ["b"]);
    const addr = await rpc("getnewaddress", [], "a") as string;
    await rpc("generatetoaddress", [101, addr]);
    const to = await rpc("getnewaddress", ["lbl"], "b") as string;
    const legacy = await rpc("getnewaddress", ["", "legacy"], "b") as string;
    const nested = await rpc("getnewaddress", ["", "p2sh-segwit"], "b") as string;
    const tr = await rpc("getnewaddress", ["", "bech32m"], "b") as string;
    const txid = await rpc("sendmany", ["", { [to]: 1, [legacy]: 2, [nested]: 3, [tr]: 4 }], "a");
    out["shape gettransaction (sender)"] = shape(await rpc("gettransaction", [txid], "a"));
    out["shape gettransaction (receiver)"] = shape(await rpc("gettransaction", [txid], "b"));
    out["shape gettransaction verbose"] = shape(await rpc("gettransaction", [txid, false, true], "b"));
    out["shape listunspent 0"] = (await rpc("listunspent", [0], "b") as Json[]).map(shape);
    out["shape listtransactions (receiver)"] = (await rpc("listtransactions", [], "b") as Json[]).map(shape);
    out["shape listtransactions (sender)"] = (await rpc("listtransactions", ["*", 3], "a") as Json[]).map(
      shape,
    );
    const tip = await rpc("getbestblockhash");
    await rpc("generatetoaddress", [1, addr]);
    out["shape listsinceblock"] = shape(await rpc("listsinceblock", [tip], "b"));
    out["shape listunspent"] = (await rpc("listunspent", [], "b") as Json[]).map(shape);
    for (const [k, a] of Object.entries({ to, legacy, nested, tr })) {
      out[`shape getaddressinfo ${k}`] = shape(await rpc("getaddressinfo", [a], "b"));
    }
    out["shape listreceivedbyaddress"] = shape(await rpc("listreceivedbyaddress", [0, true], "b"));
    out["listreceivedbylabel"] = await rpc("listreceivedbylabel", [0, true], "b");
    out["listlabels"] = await rpc("listlabels", [], "b");
    const balances = await rpc("getbalances", [], "b") as { mine: Json };
    out["getbalances"] = balances.mine;
    out["getreceivedbylabel"] = await rpc("getreceivedbylabel", ["lbl"], "b");
    // avoid_reuse, compared by value.
    await rpc("createwallet", ["r", false, false, "", true]);
    const reused = await rpc("getnewaddress", [], "r") as string;
    await rpc("sendtoaddress", [reused, 1], "a");
    await rpc("sendtoaddress", [reused, 1], "a");
    await rpc("generatetoaddress", [1, addr]);
    await rpc("sendtoaddress", [addr, 0.5], "r");
    await rpc("generatetoaddress", [1, addr]);
    await rpc("sendtoaddress", [reused, 0.3], "a");
    await rpc("generatetoaddress", [1, addr]);
    out["avoid_reuse getbalances"] = (await rpc("getbalances", [], "r") as { mine: Json }).mine;
    out["avoid_reuse getbalance"] = await rpc("getbalance", [], "r");
    out["avoid_reuse getbalance avoid_reuse=false"] = await rpc("getbalance", ["*", 0, false, false], "r");
    out["avoid_reuse listunspent"] = (await rpc("listunspent", [], "r") as Array<Record<string, Json>>)
      .map((e) => [e.amount, e.reused, Object.keys(e).join(",")]).sort();
  } finally {
    await node.stop();
  }
  return out;
}

const core = await session("bitcoind");
const ours = await session("tsbtc");
let diffs = 0;
for (const key of Object.keys(core)) {
  const a = JSON.stringify(core[key]);
  // tsbtc's examples name its own client.
  const b = JSON.stringify(ours[key]).replaceAll("tsbtc rpc", "bitcoin-cli");
  if (a === b) continue;
  diffs++;
  console.log(`DIFF ${key}\n  bitcoind ${a}\n  tsbtc    ${b}`);
}
console.log(`${Object.keys(core).length} compared, ${diffs} different`);
