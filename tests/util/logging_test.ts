import { ArgsManager } from "../../cli/args.ts";
import {
  LOG_CATEGORIES,
  logEscapeMessage,
  Logger,
  loggerFromArgs,
  logSettingsFromArgs,
  shrinkDebugFile,
} from "../../util/logging.ts";
import { assert, assertEquals, assertThrows } from "../assert.ts";

const FIXED = new Date("2026-01-01T00:00:00.123456Z");
const now = () => FIXED;

function lines(opts: ConstructorParameters<typeof Logger>[0] = {}): { logger: Logger; out: string[] } {
  const logger = new Logger({ now, ...opts });
  const out: string[] = [];
  logger.addCallback((l) => out.push(l));
  return { logger, out };
}

Deno.test("logging: Core's line format with a fixed clock", () => {
  const { logger, out } = lines({ categories: ["ipc"] });
  logger.info("Bitcoin Core version v1");
  logger.debug("ipc", "IPC client send Echo.echo$Params");
  logger.warn("careful");
  logger.error("broken");
  assertEquals(out, [
    "2026-01-01T00:00:00Z Bitcoin Core version v1\n",
    "2026-01-01T00:00:00Z [ipc] IPC client send Echo.echo$Params\n",
    "2026-01-01T00:00:00Z [warning] careful\n",
    "2026-01-01T00:00:00Z [error] broken\n",
  ]);
});

Deno.test("logging: -logtimemicros, -nologtimestamps, -logthreadnames, -logsourcelocations, mocktime", () => {
  assertEquals(lines({ micros: true }).logger.format(null, "info", "m"), "2026-01-01T00:00:00.123000Z m\n");
  assertEquals(lines({ timestamps: false }).logger.format(null, "info", "m"), "m\n");
  assertEquals(
    lines({ threadNames: true, threadName: "tsbtc-node" }).logger.format(null, "info", "m"),
    "2026-01-01T00:00:00Z [tsbtc-node] m\n",
  );
  assertEquals(
    lines({ threadNames: true, threadName: "" }).logger.format(null, "info", "m"),
    "2026-01-01T00:00:00Z [unknown] m\n",
  );
  assertEquals(
    lines({ sourceLocations: true, sourceLocation: "cli/node.ts" }).logger.format(null, "warning", "m"),
    "2026-01-01T00:00:00Z [cli/node.ts] [warning] m\n",
  );
  assertEquals(lines({ sourceLocations: true }).logger.format(null, "info", "m"), "2026-01-01T00:00:00Z m\n");
  assertEquals(
    lines({ mocktime: () => 1700000000 }).logger.format(null, "info", "m"),
    "2026-01-01T00:00:00Z (mocktime: 2023-11-14T22:13:20Z) m\n",
  );
  assertEquals(lines({ mocktime: () => 0 }).logger.format(null, "info", "m"), "2026-01-01T00:00:00Z m\n");
  // a message that already ends with a newline gets no second one
  assertEquals(lines({ timestamps: false }).logger.format(null, "info", "m\n"), "m\n");
  // the system clock gives microseconds too
  const stamp = new Logger({ micros: true }).format(null, "info", "x");
  assert(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z x\n$/.test(stamp), stamp);
  const t0 = Date.now();
  const sec = new Logger().format(null, "info", "x").slice(0, 20);
  assert(Math.abs(Date.parse(sec) - t0) < 2000, sec);
});

Deno.test("logging: prefixes as Core's GetLogPrefix", () => {
  const l = lines({ timestamps: false, categories: ["all"], level: "trace" }).logger;
  assertEquals(l.format(null, "info", "m"), "m\n");
  assertEquals(l.format(null, "warning", "m"), "[warning] m\n");
  assertEquals(l.format(null, "error", "m"), "[error] m\n");
  assertEquals(l.format(null, "debug", "m"), "[debug] m\n");
  assertEquals(l.format("net", "debug", "m"), "[net] m\n");
  assertEquals(l.format("net", "trace", "m"), "[net:trace] m\n");
  assertEquals(l.format("net", "info", "m"), "[net:info] m\n");
  assertEquals(l.format("net", "warning", "m"), "[net:warning] m\n");
  assertEquals(l.format("net", "error", "m"), "[net:error] m\n");
  const a = lines({ timestamps: false, alwaysPrintCategoryLevel: true }).logger;
  assertEquals(a.format(null, "info", "m"), "[all:info] m\n");
  assertEquals(a.format(null, "warning", "m"), "[all:warning] m\n");
  assertEquals(a.format("net", "debug", "m"), "[net:debug] m\n");
});

Deno.test("logging: control characters are escaped", () => {
  assertEquals(logEscapeMessage("plain"), "plain");
  assertEquals(logEscapeMessage("a\x01b\tc\x7fd\ne\x1b[31m"), "a\\x01b\\x09c\\x7fd\ne\\x1b[31m");
  assertEquals(logEscapeMessage("é ü €"), "é ü €");
  assertEquals(lines({ timestamps: false }).logger.format(null, "info", "\r\n"), "\\x0d\n");
});

Deno.test("logging: categories, enable/disable, categoryStates", () => {
  const { logger, out } = lines({ timestamps: false });
  assertEquals(logger.enabled("ipc"), false);
  logger.debug("ipc", "hidden");
  assertEquals(out, []);
  assertEquals(logger.enable("ipc"), true);
  assertEquals(logger.enabled("ipc"), true);
  logger.debug("ipc", "shown");
  assertEquals(out, ["[ipc] shown\n"]);
  assertEquals(logger.enable("foo"), false);
  assertEquals(logger.disable("foo"), false);
  assertEquals(logger.enable("lock"), false); // only in DEBUG_LOCKCONTENTION builds of Core
  assertEquals(logger.enable("all"), true);
  assertEquals([...logger.categories].sort(), LOG_CATEGORIES);
  assertEquals(logger.disable("net"), true);
  const states = logger.categoryStates();
  assertEquals(Object.keys(states), LOG_CATEGORIES);
  assertEquals(states.net, false);
  assertEquals(states.ipc, true);
  assertEquals(logger.disable("1"), true);
  assertEquals(logger.categories.size, 0);
  assertEquals(logger.enable(""), true);
  assertEquals(logger.categories.size, LOG_CATEGORIES.length);
  // debug() with a category that is not Core's never prints
  logger.debug("sandbox", "no");
  assertEquals(out.length, 1);
  // libevent: accepted, deprecated, no effect
  assertEquals(logger.disable("all"), true);
  assertEquals(logger.enable("libevent"), true);
  assertEquals(logger.categories.size, 0);
  assertEquals(
    out[1],
    "[warning] The logging category `libevent` is deprecated, does nothing, and will be removed in a future version\n",
  );
  assertThrows(() => new Logger({ categories: ["nope"] }), 'unknown category "nope"');
});

Deno.test("logging: levels (Core's WillLogCategoryLevel, SetLogLevel, SetCategoryLogLevel)", () => {
  const { logger, out } = lines({ timestamps: false, categories: ["net", "ipc"] });
  assertEquals(logger.level, "debug");
  logger.trace("net", "t1");
  logger.debug("net", "d1");
  assertEquals(out, ["[net] d1\n"]);
  assertEquals(logger.willLog("mempool", "info"), true);
  assertEquals(logger.willLog("mempool", "debug"), false);
  assertEquals(logger.setLevel("trace"), true);
  logger.trace("net", "t2");
  assertEquals(out.at(-1), "[net:trace] t2\n");
  assertEquals(logger.setLevel("info"), true);
  logger.debug("net", "d2");
  assertEquals(out.length, 2);
  assertEquals(logger.setCategoryLevel("ipc", "trace"), true);
  logger.trace("ipc", "t3");
  logger.debug("net", "d3");
  assertEquals(out.at(-1), "[ipc:trace] t3\n");
  assertEquals(logger.categoryLevels(), { ipc: "trace" });
  for (const bad of ["warning", "error", "foo", ""]) assertEquals(logger.setLevel(bad), false, bad);
  assertEquals(logger.setCategoryLevel("foo", "debug"), false);
  assertEquals(logger.setCategoryLevel("net", "warning"), false);
  // "all:<level>" is accepted but, as in Core, not applied to single categories
  assertEquals(logger.setCategoryLevel("all", "trace"), true);
  assertEquals(logger.willLog("net", "trace"), false);
  assertEquals(logger.setCategoryLevel("libevent", "trace"), true);
  // log(): info and above are unconditional, even for disabled categories
  logger.log("mempool", "warning", "w");
  logger.log("mempool", "debug", "no");
  assertEquals(out.at(-1), "[mempool:warning] w\n");
});

Deno.test("logging: debug.log gets every line synchronously, separated runs, appends", async () => {
  const dir = await Deno.makeTempDir({ prefix: "tsbtc_log_" });
  try {
    const file = `${dir}/debug.log`;
    const a = new Logger({ file, now });
    a.info("first");
    // already on disk before close
    assertEquals(Deno.readTextFileSync(file), "\n\n\n\n\n2026-01-01T00:00:00Z first\n");
    a.close();
    a.close();
    a.info("after close is dropped without error");
    const b = new Logger({ file, now, timestamps: false });
    for (let i = 0; i < 1000; i++) b.info(`line ${i}`);
    b.close();
    const text = Deno.readTextFileSync(file);
    assert(text.startsWith("\n\n\n\n\n2026-01-01T00:00:00Z first\n\n\n\n\n\nline 0\n"));
    assert(text.endsWith("line 999\n"));
    assertEquals(new Logger({ file: null }).filePath, null);
    assertThrows(
      () => new Logger({ file: `${dir}/missing/debug.log` }),
      `Could not open debug log file ${dir}/missing/debug.log`,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("logging: -shrinkdebugfile keeps the last 10 MB of a file over 11 MB", async () => {
  const dir = await Deno.makeTempDir({ prefix: "tsbtc_log_" });
  try {
    const file = `${dir}/debug.log`;
    assertEquals(shrinkDebugFile(file), false); // missing file
    const big = new Uint8Array(11_000_001).fill(0x61);
    big[big.length - 1] = 0x62;
    Deno.writeFileSync(file, big);
    assertEquals(shrinkDebugFile(file), true);
    const kept = Deno.readFileSync(file);
    assertEquals(kept.length, 10_000_000);
    assertEquals(kept[kept.length - 1], 0x62);
    assertEquals(shrinkDebugFile(file), false); // 10 MB is under the threshold
    const l = new Logger({ file, shrinkFile: true, timestamps: false });
    l.info("x");
    l.close();
    assertEquals(Deno.statSync(file).size, 10_000_000 + 5 + 2);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("logging: console output can go to stderr (IPC children use stdout for IPC)", async () => {
  const mod = new URL("../../util/logging.ts", import.meta.url).href;
  const code = `import { Logger } from "${mod}";
    const s = Deno.args[0];
    const l = new Logger({ console: true, consoleStream: s, timestamps: false });
    l.info("hello " + s);`;
  for (const stream of ["stdout", "stderr"]) {
    const out = await new Deno.Command(Deno.execPath(), { args: ["eval", "--no-check", code, stream] })
      .output();
    const stdout = new TextDecoder().decode(out.stdout);
    const stderr = new TextDecoder().decode(out.stderr);
    assertEquals(out.code, 0, stderr);
    assertEquals(stream === "stdout" ? stdout : stderr, `hello ${stream}\n`);
    assertEquals(stream === "stdout" ? stderr : stdout, "");
  }
});

function args(argv: string[], dir = "/nonexistent"): ArgsManager {
  return ArgsManager.parse("node", [`-datadir=${dir}`, ...argv], { home: "/h" });
}

function settings(argv: string[]) {
  return logSettingsFromArgs(args(argv), { processName: "tsbtc-node" });
}

Deno.test("logging: -debug and -debugexclude as Core's SetLoggingCategories", () => {
  const cats = (argv: string[]) => [...settings(argv).options.categories!].sort();
  assertEquals(cats([]), []);
  assertEquals(cats(["-debug=ipc", "-debug=net"]), ["ipc", "net"]);
  assertEquals(cats(["-debug"]), LOG_CATEGORIES);
  assertEquals(cats(["-debug=1"]), LOG_CATEGORIES);
  assertEquals(cats(["-debug=all"]), LOG_CATEGORIES);
  assertEquals(
    cats(["-debug", "-debugexclude=leveldb", "-debugexclude=rand"]).length,
    LOG_CATEGORIES.length - 2,
  );
  assertEquals(cats(["-debug=net", "-debug=0", "-debug=ipc"]), ["ipc"]);
  assertEquals(cats(["-debug=net", "-debug=none"]), []);
  assertEquals(cats(["-debug=net", "-nodebug"]), []);
  assertEquals(cats(["-debug=ipc", "-debugexclude=ipc"]), []);
  assertEquals(cats(["-debug", "-debugexclude=all"]), []);
  assertThrows(() => settings(["-debug=foo"]), "Unsupported logging category -debug=foo.");
  assertThrows(
    () => settings(["-debug=net", "-debugexclude=bar"]),
    "Unsupported logging category -debugexclude=bar.",
  );
  // values before the last -debug=0 are disregarded, not even checked (Core)
  assertEquals(cats(["-debug=foo", "-debug=0"]), []);
  const dep = settings(["-debug=libevent", "-debugexclude=libevent"]);
  assertEquals(dep.warnings.length, 2);
  assert(dep.warnings[0].startsWith("The logging category `libevent` is deprecated"));
});

Deno.test("logging: -loglevel as Core's SetLoggingLevel", () => {
  assertEquals(settings([]).options.level, "debug");
  assertEquals(settings(["-loglevel=trace"]).options.level, "trace");
  assertEquals(settings(["-loglevel=info", "-loglevel=trace"]).options.level, "trace");
  assertEquals(settings(["-loglevel=net:trace", "-loglevel=ipc:info"]).options.categoryLevels, {
    net: "trace",
    ipc: "info",
  });
  assertThrows(
    () => settings(["-loglevel=foo"]),
    "Unsupported global logging level -loglevel=foo. Valid values: info, debug, trace.",
  );
  assertThrows(() => settings(["-loglevel=warning"]), "Unsupported global logging level -loglevel=warning.");
  // a ':' before index 3 means a global level
  assertThrows(() => settings(["-loglevel=a:b"]), "Unsupported global logging level -loglevel=a:b.");
  const catErr = (v: string) =>
    `Unsupported category-specific logging level -loglevel=${v}. Expected -loglevel=<category>:<loglevel>. ` +
    `Valid categories: ${LOG_CATEGORIES.join(", ")}. Valid loglevels: info, debug, trace.`;
  assertThrows(() => settings(["-loglevel=net:foo"]), catErr("net:foo"));
  assertThrows(() => settings(["-loglevel=foo:trace"]), catErr("foo:trace"));
  assertThrows(() => settings(["-loglevel=net:trace:x"]), catErr("net:trace:x"));
  assertThrows(() => settings(["-loglevel=net:error"]), catErr("net:error"));
  assertEquals(settings(["-loglevel=all:trace"]).options.categoryLevels, { all: "trace" });
});

Deno.test("logging: file, console and format options from the arguments", () => {
  const o = (argv: string[]) => settings(["-regtest", ...argv]).options;
  assertEquals(o([]).file, "/nonexistent/regtest/debug.log");
  assertEquals(o(["-debuglogfile=x.log"]).file, "/nonexistent/regtest/x.log");
  assertEquals(o(["-debuglogfile=/var/log/t.log"]).file, "/var/log/t.log");
  assertEquals(o(["-debuglogfile="]).file, "/nonexistent/regtest/debug.log");
  assertEquals(o(["-nodebuglogfile"]).file, null);
  assertEquals(o([]).console, true); // bitcoind prints to the console unless -daemon
  assertEquals(o(["-daemon"]).console, false);
  assertEquals(o(["-printtoconsole=0"]).console, false);
  assertEquals(o(["-daemon", "-printtoconsole"]).console, true);
  assertEquals(o([]).consoleStream, "stdout");
  assertEquals(o([]).timestamps, true);
  assertEquals(o(["-nologtimestamps"]).timestamps, false);
  assertEquals(o(["-logtimemicros"]).micros, true);
  assertEquals(o(["-logthreadnames"]).threadNames, true);
  assertEquals(o([]).threadName, "tsbtc-node");
  assertEquals(o(["-logsourcelocations"]).sourceLocations, true);
  assertEquals(o(["-loglevelalways"]).alwaysPrintCategoryLevel, true);
  assertEquals(o(["-logips"]).logIps, true);
  // -shrinkdebugfile defaults to on only without -debug
  assertEquals(o([]).shrinkFile, true);
  assertEquals(o(["-debug=net"]).shrinkFile, false);
  assertEquals(o(["-debug=net", "-shrinkdebugfile"]).shrinkFile, true);
  assertEquals(o(["-shrinkdebugfile=0"]).shrinkFile, false);
  assertEquals(o(["-nodebuglogfile"]).shrinkFile, false);
  const c = logSettingsFromArgs(args(["-printtoconsole=1"]), {
    processName: "tsbtc-wallet",
    consoleStream: "stderr",
    defaultPrintToConsole: false,
  }).options;
  assertEquals([c.consoleStream, c.console], ["stderr", true]);
  const d =
    logSettingsFromArgs(args([]), { processName: "tsbtc-echo", defaultPrintToConsole: false }).options;
  assertEquals(d.console, false);
});

Deno.test("logging: loggerFromArgs writes debug.log in the network data directory", async () => {
  const dir = await Deno.makeTempDir({ prefix: "tsbtc_log_" });
  try {
    const a = args(
      ["-regtest", "-debug=ipc", "-debug=libevent", "-printtoconsole=0", "-logthreadnames"],
      dir,
    );
    await a.readConfigFiles();
    await a.ensureDataDirs();
    const logger = loggerFromArgs(a, { processName: "tsbtc-node", now });
    assertEquals(logger.filePath, `${dir}/regtest/debug.log`);
    assertEquals(logger.enabled("ipc"), true);
    assertEquals(logger.enabled("net"), false);
    assertEquals(logger.printToConsole, false);
    logger.debug("ipc", "hello");
    logger.close();
    assertEquals(
      Deno.readTextFileSync(`${dir}/regtest/debug.log`),
      "\n\n\n\n\n2026-01-01T00:00:00Z [tsbtc-node] [warning] The logging category `libevent` is deprecated, does " +
        "nothing, and will be removed in a future version\n2026-01-01T00:00:00Z [tsbtc-node] [ipc] hello\n",
    );
    const b = args(["-testnet4", "-printtoconsole=0"], dir);
    assertThrows(
      () => loggerFromArgs(b, { processName: "x" }),
      `Could not open debug log file ${dir}/testnet4/debug.log`,
    );
    assertThrows(
      () => loggerFromArgs(args(["-debug=bad"], dir), { processName: "x" }),
      "Unsupported logging category -debug=bad.",
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
