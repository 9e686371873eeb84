import { ArgsManager, atoi64, formatArgsError, interpretBool } from "../../cli/args.ts";
import { assert, assertEquals, assertThrows } from "../assert.ts";
import { argsError, argsErrorAsync, HOME, parse, withConfig, withDataDir } from "./helpers.ts";

// ------------------------------------------------------------------ command line

Deno.test("args: -opt, -opt=v, --opt, -noopt, -noopt=0, -opt=0", () => {
  const a = parse(["-server", "-rpcport=1234", "--txindex", "-nolisten", "-nodnsseed=0", "-discover=0"]);
  assertEquals(a.getArg("-server"), "");
  assertEquals(a.getBool("server", false), true);
  assertEquals(a.getArg("rpcport"), "1234");
  assertEquals(a.getInt("-rpcport", 0), 1234);
  assertEquals(a.getBool("-txindex", false), true);
  assertEquals(a.getArg("-listen"), "0");
  assertEquals(a.isNegated("-listen"), true);
  assertEquals(a.isSet("-listen"), true);
  assertEquals(a.getBool("-listen", true), false);
  assertEquals(a.getArg("-dnsseed"), "1");
  assertEquals(a.isNegated("-dnsseed"), false);
  assertEquals(a.getBool("-dnsseed", false), true);
  assertEquals(a.logLines, [{
    level: "warning",
    message: "Parsed potentially confusing double-negative -dnsseed=0",
  }]);
  assertEquals(a.getBool("-discover", true), false);
  assertEquals(a.isNegated("-discover"), false);
  assertEquals(a.isSet("-port"), false);
  assertEquals(a.getArg("-port"), undefined);
  assertEquals(a.getArg("-port", "x"), "x");
  assertEquals(a.getInt("-port", 7), 7);
  assertEquals(a.getBool("-port", true), true);
});

Deno.test("args: repeated options: getArgs returns all, getArg the last on the command line", () => {
  const a = parse(["-addnode=a", "-addnode=b", "-debug=net", "-debug=ipc", "-port=1", "-port=2"]);
  assertEquals(a.getArgs("-addnode"), ["a", "b"]);
  assertEquals(a.getArgs("debug"), ["net", "ipc"]);
  assertEquals(a.getArg("-port"), "2");
  assertEquals(a.getArgs("-connect"), []);
  // a negation drops the earlier values
  const b = parse(["-addnode=a", "-noaddnode", "-addnode=c"]);
  assertEquals(b.getArgs("-addnode"), ["c"]);
  assertEquals(b.getArg("-addnode"), "c");
  const c = parse(["-addnode=a", "-noaddnode"]);
  assertEquals(c.getArgs("-addnode"), []);
  assertEquals(c.isNegated("-addnode"), true);
});

Deno.test("args: unknown options are errors with Core's wording", () => {
  let e = argsError(() => parse(["-foo"]));
  assertEquals(e.kind, "cmdline");
  assertEquals(e.detail, "Invalid parameter -foo");
  assertEquals(e.message, "Error parsing command line arguments: Invalid parameter -foo");
  assertEquals(
    formatArgsError("node", e),
    "Error: Error parsing command line arguments: Invalid parameter -foo",
  );
  assertEquals(formatArgsError("rpc", e), "Error parsing command line arguments: Invalid parameter -foo");
  e = argsError(() => parse(["-dash_cli=1"]));
  assertEquals(e.detail, "Invalid parameter -dash_cli=1");
  // a section prefix is only for config files
  assertEquals(argsError(() => parse(["-regtest.port=1"])).detail, "Invalid parameter -regtest.port=1");
  // -node is "no" + "de"
  assertEquals(argsError(() => parse(["-node"])).detail, "Invalid parameter -node");
  assertEquals(argsError(() => parse(["--"])).detail, "Invalid parameter --");
  assertEquals(argsError(() => parse(["-=x"])).detail, "Invalid parameter -=x");
  // options are per mode: bitcoin-cli's options are not bitcoind's and vice versa
  assertEquals(argsError(() => parse(["-rpcwait"], "node")).detail, "Invalid parameter -rpcwait");
  assertEquals(argsError(() => parse(["-txindex"], "rpc")).detail, "Invalid parameter -txindex");
  assertEquals(argsError(() => parse(["-help-debug"], "rpc")).detail, "Invalid parameter -help-debug");
  parse(["-rpcwait", "-named", "-stdin", "-rpcwallet=w"], "rpc");
});

Deno.test("args: DISALLOW_NEGATION and DISALLOW_ELISION", () => {
  assertEquals(
    argsError(() => parse(["-nodatadir"])).detail,
    "Negating of -datadir is meaningless and therefore forbidden",
  );
  assertEquals(
    argsError(() => parse(["-loglevel"])).detail,
    "Can not set -loglevel with no value. Please specify value with -loglevel=value.",
  );
  assertEquals(
    argsError(() => parse(["-nologlevel"])).detail,
    "Negating of -loglevel is meaningless and therefore forbidden",
  );
  assertEquals(
    argsError(() => parse(["-rpcid"], "rpc")).detail,
    "Can not set -rpcid with no value. Please specify value with -rpcid=value.",
  );
  assertEquals(parse(["-loglevel="]).getArg("-loglevel"), "");
});

Deno.test("args: -includeconf is refused on the command line, -noincludeconf is accepted", () => {
  assertEquals(
    argsError(() => parse(["-includeconf=relative2.conf", "-includeconf=no_warn.conf"])).detail,
    '-includeconf cannot be used from commandline; -includeconf="relative2.conf"',
  );
  assertEquals(
    argsError(() => parse(["-noincludeconf=0"])).detail,
    "-includeconf cannot be used from commandline; -includeconf=true",
  );
  assertEquals(parse(["-noincludeconf"]).isNegated("-includeconf"), true);
  assertEquals(parse(["-includeconf=a", "-noincludeconf"]).isNegated("-includeconf"), true);
});

Deno.test("args: the first non-option argument ends option parsing", () => {
  const a = parse(["-regtest", "getblock", "abc", "-named", "x=1"], "rpc");
  assertEquals(a.positional, ["getblock", "abc", "-named", "x=1"]);
  assertEquals(a.isSet("-named"), false);
  assertEquals(a.network, "regtest");
  assertEquals(parse(["-regtest"], "rpc").positional, []);
  assertEquals(parse(["a=b", "c"], "rpc").positional, ["a=b", "c"]);
  assertEquals(parse(["-", "-regtest", "getblockcount"], "rpc").positional, ["getblockcount"]);
  assertEquals(parse([""], "rpc").positional, [""]);
  // the server modes refuse stray tokens, like bitcoind
  const e = argsError(() => parse(["-regtest", "foo", "-bar"]));
  assertEquals(e.kind, "other");
  assertEquals(
    e.message,
    "Command line contains unexpected token 'foo', see tsbtc node -h for a list of options.",
  );
  assertEquals(
    argsError(() => parse(["x"], "wallet")).message,
    "Command line contains unexpected token 'x', see tsbtc wallet -h for a list of options.",
  );
  assertEquals(parse(["-regtest"]).positional, []);
});

Deno.test("args: Core's LocaleIndependentAtoi and InterpretBool", () => {
  assertEquals(atoi64("12abc"), 12);
  assertEquals(atoi64("abc"), 0);
  assertEquals(atoi64(""), 0);
  assertEquals(atoi64("  +5"), 5);
  assertEquals(atoi64("\t-7 "), -7);
  assertEquals(atoi64("+-5"), 0);
  assertEquals(atoi64("++5"), 0);
  assertEquals(atoi64("-"), 0);
  assertEquals(atoi64("0x10"), 0);
  assertEquals(atoi64("1e5"), 1);
  assertEquals(atoi64("99999999999999999999999"), Number(9223372036854775807n));
  assertEquals(atoi64("-99999999999999999999999"), Number(-9223372036854775808n));
  assertEquals(interpretBool(""), true);
  assertEquals(interpretBool("1"), true);
  assertEquals(interpretBool("2"), true);
  assertEquals(interpretBool("0"), false);
  assertEquals(interpretBool("true"), false);
  assertEquals(interpretBool("false"), false);
  const a = parse(["-rpcport=12abc", "-txindex=true", "-listen=5"]);
  assertEquals(a.getInt("-rpcport", 0), 12);
  assertEquals(a.getBool("-txindex", true), false);
  assertEquals(a.getBool("-listen", false), true);
  assertEquals(parse(["-nolisten"]).getInt("-listen", 9), 0);
  assertEquals(parse(["-nolisten=0"]).getInt("-listen", 9), 1);
});

Deno.test("args: help and version", () => {
  for (const h of ["-h", "-?", "-help", "--help", "-help-debug"]) {
    assertEquals(parse([h]).helpRequested, true, h);
  }
  assertEquals(parse(["-help-debug"]).helpDebug, true);
  assertEquals(parse(["-help"]).helpDebug, false);
  assertEquals(parse([]).helpRequested, false);
  assertEquals(parse(["-version"]).versionRequested, true);
  assertEquals(parse(["-version=0"]).versionRequested, false);
  assertEquals(parse(["-h"], "rpc").helpRequested, true);
  assertEquals(parse(["-version"], "rpc").versionRequested, true);
});

Deno.test("args: network selection on the command line", () => {
  assertEquals(parse([]).network, "main");
  assertEquals(parse(["-regtest"]).network, "regtest");
  assertEquals(parse(["-testnet"]).network, "test");
  assertEquals(parse(["-testnet4"]).network, "testnet4");
  assertEquals(parse(["-signet"]).network, "signet");
  assertEquals(parse(["-chain=regtest"]).network, "regtest");
  assertEquals(parse(["-chain=main"]).network, "main");
  assertEquals(parse(["-regtest=0"]).network, "main");
  assertEquals(parse(["-noregtest"]).network, "main");
  const combo =
    "Invalid combination of -regtest, -signet, -testnet, -testnet4 and -chain. Can use at most one.";
  for (
    const argv of [["-regtest", "-testnet"], ["-chain=main", "-signet"], ["-testnet4", "-chain=testnet4"]]
  ) {
    const e = argsError(() => parse(argv).network);
    assertEquals(e.message, combo);
    assertEquals(formatArgsError("node", e), `Error: ${combo}`);
    assertEquals(formatArgsError("rpc", e), `Error: ${combo}`);
  }
  assertEquals(argsError(() => parse(["-chain=foo"]).network).message, "Unknown chain foo.");
  assertEquals(argsError(() => parse(["-chain=testnet"]).network).message, "Unknown chain testnet.");
});

Deno.test("args: data directories", () => {
  assertEquals(parse([]).dataDir, `${HOME}/.tsbtc`);
  assertEquals(parse([]).defaultDataDir, `${HOME}/.tsbtc`);
  assertEquals(parse([]).netDataDir, `${HOME}/.tsbtc`);
  assertEquals(parse(["-regtest"]).netDataDir, `${HOME}/.tsbtc/regtest`);
  assertEquals(parse(["-testnet"]).netDataDir, `${HOME}/.tsbtc/testnet3`);
  assertEquals(parse(["-testnet4"]).netDataDir, `${HOME}/.tsbtc/testnet4`);
  assertEquals(parse(["-signet"]).netDataDir, `${HOME}/.tsbtc/signet`);
  assertEquals(parse(["-datadir=/data/btc/"]).dataDir, "/data/btc");
  assertEquals(parse(["-datadir=/data//x/../btc"]).dataDir, "/data/btc");
  assertEquals(parse(["-datadir=rel/dir"]).dataDir, "/work/rel/dir");
  assertEquals(parse(["-datadir="]).dataDir, `${HOME}/.tsbtc`);
  assertEquals(parse(["-datadir=/d", "-regtest"]).netDataDir, "/d/regtest");
  assertEquals(ArgsManager.parse("node", [], { home: "" }).dataDir, "/.tsbtc");
  assertEquals(parse(["-regtest"]).absPathForConfigVal("x.log"), `${HOME}/.tsbtc/regtest/x.log`);
  assertEquals(parse(["-regtest"]).absPathForConfigVal("x.log", false), `${HOME}/.tsbtc/x.log`);
  assertEquals(parse(["-regtest"]).absPathForConfigVal("/abs/x.log"), "/abs/x.log");
  assertThrows(() => parse([]).configPath, "config not read yet");
});

Deno.test("args: -datadir must exist", async () => {
  const missing = `/nonexistent/tsbtc_${crypto.randomUUID()}`;
  const a = parse([`-datadir=${missing}`]);
  assertEquals(await a.checkDataDir(), false);
  const e = await argsErrorAsync(() => a.readConfigFiles());
  assertEquals(e.kind, "other");
  assertEquals(e.message, `Specified data directory "${missing}" does not exist.`);
  assertEquals(formatArgsError("rpc", e), `Error: Specified data directory "${missing}" does not exist.`);
  // a file is not a directory either
  await withDataDir({ "f": "x" }, async (dir) => {
    const b = parse([`-datadir=${dir}/f`]);
    assertEquals((await argsErrorAsync(() => b.readConfigFiles())).message.includes("does not exist"), true);
  });
});

Deno.test("args: forceSetArg and softSetArg", () => {
  const a = parse(["-port=1"]);
  a.forceSetArg("-port", "5");
  assertEquals(a.getArg("-port"), "5");
  assertEquals(a.getArgs("-port"), ["5"]);
  assertEquals(a.softSetArg("-port", "6"), false);
  assertEquals(a.softSetBool("-server", true), true);
  assertEquals(a.getBool("-server", false), true);
  assertEquals(a.softSetBool("-server", false), false);
  assertEquals(a.getBool("-server", false), true);
});

Deno.test("args: ensureDataDirs creates the data directories with wallets/", async () => {
  await withDataDir({}, async (dir) => {
    const a = ArgsManager.parse("node", [`-datadir=${dir}/new`, "-regtest"], { home: HOME });
    await Deno.mkdir(`${dir}/new`);
    await a.readConfigFiles();
    await a.ensureDataDirs();
    assert((await Deno.stat(`${dir}/new/regtest/wallets`)).isDirectory);
    const b = ArgsManager.parse("node", [], { home: dir });
    await b.readConfigFiles();
    await b.ensureDataDirs();
    assert((await Deno.stat(`${dir}/.tsbtc/wallets`)).isDirectory);
  });
});

Deno.test("args: logArgs and checkMultipleCliCommands", async () => {
  await withConfig("rpcpassword=secret\n[regtest]\nport=1", ["-regtest", "-rpcauth=a:b$c", "-debug"], (a) => {
    assertEquals(a.logArgs(), [
      "Config file arg: rpcpassword=****",
      'Config file arg: [regtest] port="1"',
      'Command-line arg: datadir="' + a.dataDir + '"',
      'Command-line arg: debug=""',
      'Command-line arg: regtest=""',
      "Command-line arg: rpcauth=****",
    ]);
  });
  parse(["-getinfo"], "rpc").checkMultipleCliCommands();
  const e = argsError(() => parse(["-netinfo", "-getinfo", "-generate"], "rpc").checkMultipleCliCommands());
  assertEquals(e.message, "Only one of -generate, -getinfo, -netinfo may be specified.");
});

Deno.test("args: no global state: instances are independent", () => {
  const a = parse(["-regtest", "-port=1"]);
  const b = parse(["-testnet", "-port=2"]);
  a.forceSetArg("-uacomment", "x");
  assertEquals([a.network, b.network], ["regtest", "test"]);
  assertEquals([a.getArg("-port"), b.getArg("-port")], ["1", "2"]);
  assertEquals([a.getArg("-uacomment"), b.getArg("-uacomment")], ["x", undefined]);
});
