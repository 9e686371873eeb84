import { ArgsManager } from "../../cli/args.ts";
import {
  CATEGORIES,
  findOption,
  inertOptions,
  isMode,
  MODES,
  networkOnlyOptions,
  OPTIONS,
  optionsFor,
} from "../../cli/options.ts";
import { LOG_CATEGORIES, logCategoriesString } from "../../util/logging.ts";
import { assert, assertEquals } from "../assert.ts";

Deno.test("options: every entry is well formed", () => {
  for (const o of OPTIONS) {
    assert(/^[a-z0-9?][a-z0-9-]*$/.test(o.name) || o.name === "?", `bad name ${o.name}`);
    assert(!o.name.startsWith("no") || o.name === "no", `-${o.name} cannot be set: "no" means negation`);
    assert((CATEGORIES as readonly string[]).includes(o.category), `${o.name}: ${o.category}`);
    assert(o.modes.length > 0 && o.modes.every(isMode), o.name);
    assert(o.category === "Hidden" || o.help.length > 0, `${o.name} has no help`);
    assert(o.param === undefined || o.param.startsWith("="), `${o.name}: param ${o.param}`);
    assert(!o.help.includes("@ERR") && !o.help.includes("undefined"), `${o.name}: ${o.help}`);
  }
  for (const m of MODES) assert(optionsFor(m).size > 10, m);
  assertEquals(isMode("node"), true);
  assertEquals(isMode("bitcoind"), false);
});

Deno.test("options: lookups per mode, with or without the dash", () => {
  assertEquals(findOption("node", "-datadir")?.name, "datadir");
  assertEquals(findOption("node", "datadir")?.disallowNegation, true);
  assertEquals(findOption("rpc", "-rpcport")?.help.startsWith("Connect to JSON-RPC on <port>"), true);
  assertEquals(
    findOption("node", "-rpcport")?.help.startsWith("Listen for JSON-RPC connections on <port>"),
    true,
  );
  assertEquals(findOption("node", "-rpcwait"), undefined);
  assertEquals(findOption("rpc", "-txindex"), undefined);
  assertEquals(findOption("rpc", "-help-debug"), undefined);
  assertEquals(findOption("gui", "-choosedatadir")?.category, "UI Options");
  assertEquals(findOption("node", "-choosedatadir")?.category, "Hidden");
  assertEquals(findOption("node", "-rpcpassword")?.sensitive, true);
  assertEquals(findOption("node", "-loglevel")?.disallowElision, true);
  assertEquals(findOption("node", "-regtest")?.debugOnly, true);
});

Deno.test("options: Core's NETWORK_ONLY options", () => {
  assertEquals(networkOnlyOptions("node"), [
    "addnode",
    "bind",
    "connect",
    "port",
    "rpcbind",
    "rpcport",
    "wallet",
    "walletdir",
  ]);
  assertEquals(networkOnlyOptions("rpc"), ["rpcport"]);
});

Deno.test("options: the debug categories are listed in -debug and -loglevel help", () => {
  assertEquals([...LOG_CATEGORIES].sort(), LOG_CATEGORIES);
  assert(
    findOption("node", "debug")!.help.includes(
      `Other valid values for <category> are: ${logCategoriesString()}.`,
    ),
  );
  assert(
    findOption("node", "loglevel")!.help.includes("Possible values are info, debug, trace (default=debug)."),
  );
});

Deno.test("options: inert options are listed for README, acting ones are not", () => {
  const node = inertOptions("node").map((o) => o.name);
  for (
    const n of ["checkblocks", "rest"]
  ) {
    assert(node.includes(n), n);
  }
  for (
    const n of [
      "datadir",
      "conf",
      "debug",
      "printtoconsole",
      "rpcport",
      "ipcbind",
      "regtest",
      "h",
      "walletdir",
      "txindex",
      "uacomment",
      "listen",
      "disablewallet",
      "blocksxor",
      "testactivationheight",
    ]
  ) {
    assert(!node.includes(n), n);
  }
  const rpc = inertOptions("rpc").map((o) => o.name);
  assert(rpc.includes("getinfo") && !rpc.includes("rpcwait"));
  const all = inertOptions().map((o) => o.name);
  assertEquals(all, [...new Set(all)]);
  assertEquals(all, [...all].sort((a, b) => ("-" + a < "-" + b ? -1 : 1)));
});

// The arguments and bitcoin.conf lines of Core's functional test framework (test_node.py, util.py write_config).
const FRAMEWORK_NODE_ARGS = [
  "-datadir=/tmp",
  "-logtimemicros",
  "-debug",
  "-debugexclude=leveldb",
  "-debugexclude=rand",
  "-debugexclude=libevent",
  "-uacomment=testnode0",
  "-disablewallet",
  "-ipcbind=unix",
  "-ipcbind=unix:/tmp/node.sock",
  "-logthreadnames",
  "-logsourcelocations",
  "-loglevel=trace",
  "-nologratelimit",
  "-v2transport=1",
  "-bind=0.0.0.0:12000",
  "-bind=127.0.0.1:13000=onion",
  "-nolisten",
  "-listen=0",
  "-regtest",
  "-discover=0",
  "-listenonion=0",
  "-fallbackfee=0.0002",
  "-walletdir=/tmp/w",
  "-keypool=1",
  "-printtoconsole=0",
  "-checkblocks=1",
  "-checklevel=4",
  "-checkblockindex=1",
  "-checkaddrman=1",
  "-checkmempool=1",
  "-shrinkdebugfile=0",
  "-mocktime=1700000000",
  "-rpcservertimeout=99000",
  "-port=12000",
  "-rpcport=13000",
  "-rpcbind=127.0.0.1",
  "-rpcallowip=127.0.0.1",
  "-server=1",
  "-txindex",
  "-peertimeout=999999999",
  "-ipcfd=0",
  "-test=addrman",
  "-natpmp=0",
  "-blockfilterindex=1",
  "-coinstatsindex=1",
  "-wallet=w1",
  "-dnsseed=0",
  "-fixedseeds=0",
  "-connect=0",
  "-addnode=127.0.0.1:1",
  "-rpcdoccheck=1",
  "-rpcthreads=2",
  "-unsafesqlitesync=1",
  "-maxconnections=94",
  "-par=2",
  "-prevoutfetchthreads=1",
  "-acceptnonstdtxn=1",
  "-whitelist=noban@127.0.0.1",
  "-persistmempool=0",
  "-ipccookiefile=c",
];

Deno.test("options: everything Core's functional test framework passes to bitcoind is accepted", () => {
  for (const mode of ["node", "wallet", "gui", "echo"] as const) {
    const a = ArgsManager.parse(mode, FRAMEWORK_NODE_ARGS, { home: "/h" });
    assertEquals(a.getArgs("-debugexclude"), ["leveldb", "rand", "libevent"]);
    assertEquals(a.network, "regtest");
  }
});

Deno.test("options: everything Core's functional test framework passes to bitcoin-cli is accepted", () => {
  const a = ArgsManager.parse("rpc", [
    "-datadir=/tmp",
    "-rpcclienttimeout=30",
    "-rpcconnect=127.0.0.1",
    "-rpcport=13000",
    "-rpcwallet=w",
    "-named",
    "-stdin",
    "-stdinrpcpass",
    "-stdinwalletpassphrase",
    "-rpcwait",
    "-rpcwaittimeout=10",
    "-rpcuser=u",
    "-rpcpassword=p",
    "-rpccookiefile=/c",
    "-ipcconnect=unix",
    "-color=never",
    "-rpcid=7",
    "-conf=x.conf",
    "-chain=regtest",
    "-ipccookiefile=c",
    "-getinfo",
    "getblockcount",
  ], { home: "/h" });
  assertEquals(a.positional, ["getblockcount"]);
  for (
    const f of ["-generate", "-addrinfo", "-netinfo", "-version", "-help", "-h", "-?", "-regtest", "-testnet"]
  ) {
    ArgsManager.parse("rpc", [f], { home: "/h" });
  }
  for (const f of ["-testnet4", "-signet"]) ArgsManager.parse("rpc", [f], { home: "/h" });
});
