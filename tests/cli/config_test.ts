import { ArgsManager, formatArgsError } from "../../cli/args.ts";
import { ConfigError, parseConfig } from "../../cli/config.ts";
import { assert, assertEquals } from "../assert.ts";
import { argsErrorAsync, HOME, parse, withConfig, withDataDir } from "./helpers.ts";

Deno.test("config: parse comments, whitespace, sections, section.option, malformed lines", () => {
  const sections: { name: string; file: string; line: number }[] = [];
  const opts = parseConfig(
    "# comment\n  server = 1  \r\n\nrpcuser=u # trailing\n[regtest]\nport=1\nmain.port=2\n[ foo ]\nx.y=3\n",
    "/f.conf",
    sections,
  );
  assertEquals(opts, [["server", "1"], ["rpcuser", "u"], ["regtest.port", "1"], ["regtest.main.port", "2"], [
    " foo .x.y",
    "3",
  ]]);
  assertEquals(sections, [
    { name: "regtest", file: "/f.conf", line: 5 },
    { name: "regtest.main", file: "/f.conf", line: 7 },
    { name: " foo ", file: "/f.conf", line: 8 },
    { name: " foo .x", file: "/f.conf", line: 9 },
  ]);
  const err = (text: string) => {
    try {
      parseConfig(text, "f");
    } catch (e) {
      assert(e instanceof ConfigError, String(e));
      return `Error reading configuration file: ${e.message}`;
    }
    throw new Error("expected a ConfigError");
  };
  assertEquals(err("garbage"), "Error reading configuration file: parse error on line 1: garbage");
  assertEquals(
    err("\n\n-dash=1"),
    "Error reading configuration file: parse error on line 3: -dash=1, options in configuration file must be " +
      "specified without leading -",
  );
  assertEquals(
    err("nono"),
    "Error reading configuration file: parse error on line 1: nono, if you intended to specify a negated " +
      "option, use nono=1 instead",
  );
  assertEquals(err("n"), "Error reading configuration file: parse error on line 1: n");
  for (const text of ["a=1\nb=2\nrpcpassword=abc#def", "a=1\nb=2\nrpcpassword=abc # comment"]) {
    assertEquals(
      err(text),
      "Error reading configuration file: parse error on line 3, using # in rpcpassword can be ambiguous and " +
        "should be avoided",
    );
  }
  assertEquals(
    err("x=1\n[regtest]\nrpcpassword=a # b"),
    "Error reading configuration file: parse error on line 3, using # in rpcpassword can be ambiguous and " +
      "should be avoided",
  );
  // a whole-line comment in front of rpcpassword is fine
  assertEquals(parseConfig("#rpcpassword=x\nrpcpassword=y", "f"), [["rpcpassword", "y"]]);
});

Deno.test("config: bitcoin.conf values, precedence and first-value-wins", async () => {
  const conf = [
    "server=1",
    "rpcuser=fileuser",
    "uacomment=a",
    "uacomment=b",
    "listen=0",
    "nodnsseed=1",
    "nofixedseeds=0",
    "txindex",
  ].join("\n");
  await withDataDir({ "bitcoin.conf": conf }, async (dir) => {
    const a = ArgsManager.parse("node", [`-datadir=${dir}`, "-rpcuser=cmduser", "-uacomment=c"], {
      home: HOME,
    });
    await a.readConfigFiles().then(() => {
      throw new Error("expected a parse error for 'txindex'");
    }, (e) => assertEquals(e.message, "Error reading configuration file: parse error on line 8: txindex"));
  });
  await withConfig(conf.replace("\ntxindex", ""), ["-rpcuser=cmduser", "-uacomment=c"], (a, dir) => {
    assertEquals(a.configPath, `${dir}/bitcoin.conf`);
    assertEquals(a.getBool("-server", false), true);
    assertEquals(a.getArg("-rpcuser"), "cmduser");
    assertEquals(a.getArgs("-uacomment"), ["c", "a", "b"]);
    assertEquals(a.getArg("-listen"), "0");
    assertEquals(a.isNegated("-dnsseed"), true);
    assertEquals(a.getBool("-fixedseeds", false), true);
    assertEquals(a.network, "main");
    assert(
      a.logLines.some((l) => l.message === "Parsed potentially confusing double-negative -fixedseeds=0"),
    );
  });
  // first value wins in a config file, last on the command line
  await withConfig("port=1\nport=2\n[regtest]\nrpcport=3\nrpcport=4", [], (a) => {
    assertEquals(a.getArg("-port"), "1");
  });
  await withConfig("regtest=1\n[regtest]\nrpcport=3\nrpcport=4", ["-port=5", "-port=6"], (a) => {
    assertEquals(a.getArg("-rpcport"), "3");
    assertEquals(a.getArg("-port"), "6");
  });
});

Deno.test("config: network sections override the default section; command line overrides both", async () => {
  const conf =
    "uacomment=def\nrpcthreads=2\n[regtest]\nuacomment=reg\n[test]\nuacomment=tst\n[main]\nuacomment=mn";
  await withConfig(conf, ["-regtest"], (a) => {
    assertEquals(a.network, "regtest");
    assertEquals(a.getArg("-uacomment"), "reg");
    assertEquals(a.getArgs("-uacomment"), ["reg", "def"]);
    assertEquals(a.getArg("-rpcthreads"), "2");
  });
  await withConfig(conf, ["-testnet"], (a) => assertEquals(a.getArg("-uacomment"), "tst"));
  await withConfig(conf, [], (a) => assertEquals(a.getArg("-uacomment"), "mn"));
  await withConfig(conf, ["-signet"], (a) => assertEquals(a.getArg("-uacomment"), "def"));
  await withConfig(conf, ["-regtest", "-uacomment=cmd"], (a) => assertEquals(a.getArg("-uacomment"), "cmd"));
  // section.option form outside a section
  await withConfig("regtest.uacomment=x\nuacomment=y", ["-regtest"], (a) => {
    assertEquals(a.getArg("-uacomment"), "x");
    assertEquals(a.unrecognizedSections(), []);
  });
  // a negation in the network section hides the default section's values
  await withConfig("addnode=a\n[regtest]\nnoaddnode=1", ["-regtest"], (a) => {
    assertEquals(a.getArgs("-addnode"), []);
  });
});

Deno.test("config: Core's getArgs negation rules across sources", async () => {
  // -noX on the command line hides config values...
  await withConfig("debug=net", ["-nodebug"], (a) => assertEquals(a.getArgs("-debug"), []));
  // ...unless followed by a value, which brings them back (Core's "zombie" values)
  await withConfig(
    "debug=net",
    ["-nodebug", "-debug=ipc"],
    (a) => assertEquals(a.getArgs("-debug"), ["ipc", "net"]),
  );
  await withConfig("debug=net\nnodebug=1\ndebug=rpc", [], (a) => assertEquals(a.getArgs("-debug"), ["rpc"]));
  // forced settings replace the command line's values, but config values still come back (Core's zombies)
  await withConfig("debug=net", ["-debug=rpc"], (a) => {
    a.forceSetArg("-debug", "ipc");
    assertEquals(a.getArgs("-debug"), ["ipc", "net"]);
    assertEquals(a.getArg("-debug"), "ipc");
  });
});

Deno.test("config: chain selection from the config file", async () => {
  await withConfig("regtest=1", [], (a) => {
    assertEquals(a.network, "regtest");
    assert(a.netDataDir.endsWith("/regtest"));
  });
  await withConfig("chain=testnet4", [], (a) => assertEquals(a.network, "testnet4"));
  await withConfig("testnet=1", [], (a) => assert(a.netDataDir.endsWith("/testnet3")));
  // chain options in a network section do not select a chain
  await withConfig("[regtest]\nregtest=1", [], (a) => assertEquals(a.network, "main"));
  // last value wins for the chain type, even in the config file
  await withConfig("regtest=1\nregtest=0", [], (a) => assertEquals(a.network, "main"));
  // Core ignores a command-line negation of the chain options
  await withConfig("regtest=1", ["-noregtest"], (a) => assertEquals(a.network, "regtest"));
  await withDataDir({ "bitcoin.conf": "regtest=1" }, async (dir) => {
    const a = parse([`-datadir=${dir}`, "-testnet"]);
    const e = await argsErrorAsync(() => a.readConfigFiles());
    assertEquals(e.kind, "other");
    assertEquals(
      e.message,
      "Invalid combination of -regtest, -signet, -testnet, -testnet4 and -chain. Can use at most one.",
    );
  });
  await withDataDir({ "bitcoin.conf": "chain=nope" }, async (dir) => {
    assertEquals(
      (await argsErrorAsync(() => parse([`-datadir=${dir}`]).readConfigFiles())).message,
      "Unknown chain nope.",
    );
  });
});

Deno.test("config: network-only options in the default section are ignored off main, with Core's text", async () => {
  const conf = "rpcport=1111\nport=2222\nwallet=w\naddnode=x\nuacomment=u\n[regtest]\nport=3333";
  await withConfig(conf, ["-regtest"], (a) => {
    assertEquals(a.getArg("-rpcport"), undefined);
    assertEquals(a.getArg("-port"), "3333");
    assertEquals(a.getArgs("-wallet"), []);
    assertEquals(a.getArgs("-addnode"), []);
    assertEquals(a.getArg("-uacomment"), "u");
    assertEquals(a.unsuitableSectionOnlyArgs(), ["addnode", "rpcport", "wallet"]);
    assertEquals(a.warnings, [
      "Warning: Config setting for -addnode only applied on regtest network when in [regtest] section.\n" +
      "Config setting for -rpcport only applied on regtest network when in [regtest] section.\n" +
      "Config setting for -wallet only applied on regtest network when in [regtest] section.",
    ]);
  });
  // on main they apply from the default section
  await withConfig(conf, [], (a) => {
    assertEquals(a.getArg("-rpcport"), "1111");
    assertEquals(a.getArgs("-wallet"), ["w"]);
    assertEquals(a.unsuitableSectionOnlyArgs(), []);
    assertEquals(a.warnings, []);
  });
  // set on the command line too: no warning
  await withConfig("rpcport=1111", ["-regtest", "-rpcport=5"], (a) => {
    assertEquals(a.getArg("-rpcport"), "5");
    assertEquals(a.warnings, []);
  });
  // a negation in the default section still applies (Core's backwards-compatible quirk)
  await withConfig("noconnect=1", ["-regtest"], (a) => assertEquals(a.isNegated("-connect"), true));
  // Core's bitcoind refuses to start instead, when asked to
  await withDataDir({ "bitcoin.conf": "wallet=w" }, async (dir) => {
    const a = parse([`-datadir=${dir}`, "-regtest"]);
    const e = await argsErrorAsync(() => a.readConfigFiles({ sectionOnly: "error" }));
    assertEquals(
      formatArgsError("node", e),
      "Error: Config setting for -wallet only applied on regtest network when in [regtest] section.",
    );
  });
  // bitcoin-cli ignores the value without a warning
  await withConfig("rpcport=1111", ["-regtest"], (a) => {
    assertEquals(a.getArg("-rpcport"), undefined);
    assertEquals(a.warnings, []);
  }, "rpc");
});

Deno.test("config: unknown keys and sections", async () => {
  await withConfig("foo=1\nregtest.bar=2\n[testnot]\nx=1\n[regtest]\ntest.baz=1", [], (a, dir) => {
    assertEquals(a.logLines.filter((l) => l.level === "warning").map((l) => l.message), [
      "Ignoring unknown configuration value foo",
      "Ignoring unknown configuration value regtest.bar",
      "Ignoring unknown configuration value testnot.x",
      "Ignoring unknown configuration value regtest.test.baz",
    ]);
    assertEquals(a.warnings, [
      `Warning: ${dir}/bitcoin.conf:3 Section [testnot] is not recognized.\n` +
      `${dir}/bitcoin.conf:6 Section [regtest.test] is not recognized.`,
    ]);
  });
  await withDataDir({ "bitcoin.conf": "[regtest]\nconf=x" }, async (dir) => {
    assertEquals(
      (await argsErrorAsync(() => parse([`-datadir=${dir}`]).readConfigFiles())).message,
      "Error reading configuration file: conf cannot be set in the configuration file; use includeconf= if you " +
        "want to include additional config files",
    );
  });
  await withDataDir({ "bitcoin.conf": "nodatadir=1" }, async (dir) => {
    assertEquals(
      (await argsErrorAsync(() => parse([`-datadir=${dir}`]).readConfigFiles())).message,
      "Error reading configuration file: Negating of -datadir is meaningless and therefore forbidden",
    );
  });
  await withConfig(
    "reindex=1",
    [],
    (a) => assert(a.logLines.some((l) => l.message.startsWith("reindex=1 is set"))),
  );
});

Deno.test("config: -conf, -noconf, missing and directory config files", async () => {
  await withDataDir({ "other.conf": "uacomment=other", "sub/x.conf": "uacomment=sub" }, async (dir) => {
    // no bitcoin.conf: fine
    const a = parse([`-datadir=${dir}`]);
    await a.readConfigFiles();
    assertEquals(a.configPath, `${dir}/bitcoin.conf`);
    assertEquals(a.getArg("-uacomment"), undefined);
    // -conf relative to the data directory
    const b = parse([`-datadir=${dir}`, "-conf=other.conf"]);
    await b.readConfigFiles();
    assertEquals(b.configPath, `${dir}/other.conf`);
    assertEquals(b.getArg("-uacomment"), "other");
    const c = parse([`-datadir=${dir}`, `-conf=${dir}/sub/x.conf`]);
    await c.readConfigFiles();
    assertEquals(c.getArg("-uacomment"), "sub");
    // an explicitly named missing file is an error
    const d = parse([`-datadir=${dir}`, "-conf=missing.conf"]);
    const e = await argsErrorAsync(() => d.readConfigFiles());
    assertEquals(e.kind, "config");
    assertEquals(
      e.message,
      `Error reading configuration file: specified config file "${dir}/missing.conf" could not be opened.`,
    );
    assertEquals(formatArgsError("rpc", e), e.message);
    // a directory
    const f = parse([`-datadir=${dir}`, "-conf=sub"]);
    assertEquals(
      (await argsErrorAsync(() => f.readConfigFiles())).message,
      `Error reading configuration file: Config file "${dir}/sub" is a directory.`,
    );
    // -noconf
    const g = parse([`-datadir=${dir}`, "-noconf", "-regtest"]);
    await g.readConfigFiles();
    assertEquals(g.configPath, null);
    assertEquals(g.network, "regtest");
  });
});

Deno.test("config: a datadir= in the config file moves the data directory, and must exist", async () => {
  await withDataDir({ "other/x": "" }, async (dir) => {
    await Deno.writeTextFile(`${dir}/x.conf`, `datadir=${dir}/other\nregtest=1`);
    const a = ArgsManager.parse("node", [`-conf=${dir}/x.conf`], { home: dir });
    assertEquals(a.dataDir, `${dir}/.tsbtc`);
    await a.readConfigFiles();
    assertEquals(a.dataDir, `${dir}/other`);
    assertEquals(a.netDataDir, `${dir}/other/regtest`);
    // the command line still wins
    const b = ArgsManager.parse("node", [`-conf=${dir}/x.conf`, `-datadir=${dir}`], { home: dir });
    await b.readConfigFiles();
    assertEquals(b.dataDir, dir);
    await Deno.writeTextFile(`${dir}/x.conf`, `datadir=${dir}/missing`);
    const e = await argsErrorAsync(() =>
      ArgsManager.parse("node", [`-conf=${dir}/x.conf`], { home: dir }).readConfigFiles()
    );
    assertEquals(e.kind, "config");
    assertEquals(
      e.message,
      `Error reading configuration file: specified data directory "${dir}/missing" does not exist.`,
    );
  });
});

Deno.test("config: a bitcoin.conf in the datadir that another config file overrides is an error", async () => {
  await withDataDir({ "bitcoin.conf": "uacomment=main", "other.conf": "uacomment=other" }, async (dir) => {
    const e = await argsErrorAsync(() => parse([`-datadir=${dir}`, "-conf=other.conf"]).readConfigFiles());
    assertEquals(e.kind, "other");
    assertEquals(
      e.message,
      `Data directory "${dir}" contains a "bitcoin.conf" file which is ignored, because a different configuration ` +
        `file "${dir}/other.conf" from command line argument "-conf=other.conf" is being used instead. Possible ` +
        `ways to address this would be to:\n- Delete or rename the "bitcoin.conf" file in data directory ` +
        `"${dir}".\n- Change datadir= or conf= options to specify one configuration file, not two, and use ` +
        `includeconf= to include any other configuration files.\n- Set allowignoredconf=1 option to treat this ` +
        `condition as a warning, not an error.`,
    );
    const a = parse([`-datadir=${dir}`, "-conf=other.conf", "-allowignoredconf"]);
    await a.readConfigFiles();
    assertEquals(a.getArg("-uacomment"), "other");
    assert(a.logLines.some((l) => l.level === "warning" && l.message.includes("which is ignored")));
    const b = parse([`-datadir=${dir}`, "-noconf"]);
    await b.readConfigFiles();
    assert(b.logLines.some((l) => l.message.includes("explicitly ignored using -noconf")));
    // naming the same file is fine; bitcoin-cli does not check
    await parse([`-datadir=${dir}`, `-conf=${dir}/bitcoin.conf`]).readConfigFiles();
    await parse([`-datadir=${dir}`, "-conf=other.conf"], "rpc").readConfigFiles();
  });
});

Deno.test("config: includeconf", async () => {
  const files = {
    "bitcoin.conf": "uacomment=main\nincludeconf=relative.conf\n[regtest]\nincludeconf=reg.conf\n",
    "relative.conf": "uacomment=relative\nincludeconf=relative2.conf\n",
    "relative2.conf": "uacomment=relative2\n",
    "reg.conf": "uacomment=reg\n",
    "dir/x": "",
  };
  await withDataDir(files, async (dir) => {
    const a = parse([`-datadir=${dir}`]);
    await a.readConfigFiles();
    assertEquals(a.getArgs("-uacomment"), ["main", "relative"]);
    assertEquals(a.warnings, [
      "warning: -includeconf cannot be used from included files; ignoring -includeconf=relative2.conf",
    ]);
    assert(
      a.logLines.some((l) => l.level === "info" && l.message === "Included configuration file relative.conf"),
    );
    // the network's section includes are read too (network from the command line)
    const b = parse([`-datadir=${dir}`, "-regtest"]);
    await b.readConfigFiles();
    assertEquals(b.getArgs("-uacomment"), ["main", "reg", "relative"]); // the network's includes come first
    // -noincludeconf disables includes
    const c = parse([`-datadir=${dir}`, "-noincludeconf"]);
    await c.readConfigFiles();
    assertEquals(c.getArgs("-uacomment"), ["main"]);
    assertEquals(c.warnings, []);
    // several includes from the main file, an absolute one, and a negation dropping earlier ones
    await Deno.writeTextFile(
      `${dir}/bitcoin.conf`,
      `includeconf=reg.conf\nnoincludeconf=1\nincludeconf=relative2.conf\nincludeconf=${dir}/reg.conf\n`,
    );
    const d = parse([`-datadir=${dir}`]);
    await d.readConfigFiles();
    assertEquals(d.getArgs("-uacomment"), ["relative2", "reg"]);
    // a missing include, a directory
    await Deno.writeTextFile(`${dir}/bitcoin.conf`, "includeconf=missing.conf\n");
    assertEquals(
      (await argsErrorAsync(() => parse([`-datadir=${dir}`]).readConfigFiles())).message,
      "Error reading configuration file: Failed to include configuration file missing.conf",
    );
    await Deno.writeTextFile(`${dir}/bitcoin.conf`, "includeconf=dir\n");
    assertEquals(
      (await argsErrorAsync(() => parse([`-datadir=${dir}`]).readConfigFiles())).message,
      `Error reading configuration file: Included config file "${dir}/dir" is a directory.`,
    );
    // a malformed included file reports its line
    await Deno.writeTextFile(`${dir}/bitcoin.conf`, "includeconf=bad.conf\n");
    await Deno.writeTextFile(`${dir}/bad.conf`, "a=1\nbad\n");
    assertEquals(
      (await argsErrorAsync(() => parse([`-datadir=${dir}`]).readConfigFiles())).message,
      "Error reading configuration file: parse error on line 2: bad",
    );
    // an included file that selects a chain: that chain's includes are warned about
    await Deno.writeTextFile(
      `${dir}/bitcoin.conf`,
      "includeconf=chain.conf\n[regtest]\nincludeconf=reg.conf\n",
    );
    await Deno.writeTextFile(`${dir}/chain.conf`, "regtest=1\n");
    const e = parse([`-datadir=${dir}`]);
    await e.readConfigFiles();
    assertEquals(e.network, "regtest");
    assertEquals(e.warnings, [
      "warning: -includeconf cannot be used from included files; ignoring -includeconf=reg.conf",
    ]);
    // sections of included files are reported with the include's name
    await Deno.writeTextFile(`${dir}/bitcoin.conf`, "includeconf=sec.conf\n");
    await Deno.writeTextFile(`${dir}/sec.conf`, "[testnot]\n");
    const f = parse([`-datadir=${dir}`]);
    await f.readConfigFiles();
    assertEquals(f.warnings, ["Warning: sec.conf:1 Section [testnot] is not recognized."]);
  });
});

Deno.test("config: rpc mode reads bitcoin-cli's options from the same file", async () => {
  await withConfig("rpcuser=u\nrpcpassword=p\ntxindex=1\n[regtest]\nrpcport=1234", ["-regtest"], (a) => {
    assertEquals(a.getArg("-rpcuser"), "u");
    assertEquals(a.getArg("-rpcport"), "1234");
    assert(a.logLines.some((l) => l.message === "Ignoring unknown configuration value txindex"));
  }, "rpc");
});

Deno.test("config: Core's util_ReadConfigStream expectations (option names mapped to real ones)", async () => {
  // Core's test uses options a, b, ccc, d, fff, ggg, h, i, iii and sections sec1, sec2; here they are mapped to
  // non-network-only options and to the regtest and test sections.
  const conf = [
    "alertnotify=",
    "blocksonly=1",
    "uacomment=argument",
    "uacomment=multiple",
    "rpcuser=e",
    "nofixedseeds=1",
    "nodnsseed=0",
    "txindex=1",
    "notxindex=1",
    "nolisten=1",
    "listen=1",
    "regtest.uacomment=extend1",
    "",
    "[regtest]",
    "uacomment=extend2",
    "rpcuser=eee",
    "txindex=1",
    "[test]",
    "uacomment=extend3",
    "rpcthreads=2",
  ].join("\n");
  await withConfig(conf, [], (a) => {
    for (
      const n of ["alertnotify", "blocksonly", "uacomment", "rpcuser", "fixedseeds", "dnsseed", "txindex"]
    ) {
      assert(a.isSet(n), n);
    }
    assert(a.isSet("listen"));
    assert(!a.isSet("rpcthreads"));
    assertEquals(a.getArg("alertnotify", "xxx"), "");
    assertEquals(a.getArg("blocksonly", "xxx"), "1");
    assertEquals(a.getArg("uacomment", "xxx"), "argument");
    assertEquals(a.getArg("rpcuser", "xxx"), "e");
    assertEquals(a.getArg("fixedseeds", "xxx"), "0");
    assertEquals(a.getArg("dnsseed", "xxx"), "1");
    assertEquals(a.getArg("txindex", "xxx"), "0");
    assertEquals(a.getArg("listen", "xxx"), "1");
    assertEquals(a.getArg("rpcthreads", "xxx"), "xxx");
    for (const def of [false, true]) {
      assert(a.getBool("alertnotify", def));
      assert(a.getBool("blocksonly", def));
      assert(!a.getBool("uacomment", def));
      assert(!a.getBool("rpcuser", def));
      assert(!a.getBool("fixedseeds", def));
      assert(a.getBool("dnsseed", def));
      assert(!a.getBool("txindex", def));
      assert(a.getBool("listen", def));
      assertEquals(a.getBool("rpcthreads", def), def);
    }
    assertEquals(a.getArgs("alertnotify"), [""]);
    assertEquals(a.getArgs("uacomment"), ["argument", "multiple"]);
    assertEquals(a.getArgs("fixedseeds"), []);
    assertEquals(a.getArgs("nofixedseeds"), []);
    assertEquals(a.getArgs("dnsseed"), ["1"]);
    assertEquals(a.getArgs("txindex"), []);
    assertEquals(a.getArgs("listen"), ["1"]);
    assertEquals([a.isNegated("fixedseeds"), a.isNegated("dnsseed")], [true, false]);
    assertEquals([a.isNegated("txindex"), a.isNegated("listen")], [true, false]);
  });
  await withConfig(conf, ["-regtest"], (a) => {
    assertEquals(a.getArg("alertnotify", "xxx"), "");
    assertEquals(a.getArg("fixedseeds", "xxx"), "0");
    assertEquals(a.getArg("rpcuser", "xxx"), "eee");
    assertEquals(a.getArg("txindex", "xxx"), "1");
    assertEquals(a.getArg("uacomment", "xxx"), "extend1");
    assertEquals(a.getArgs("uacomment"), ["extend1", "extend2", "argument", "multiple"]);
  });
  await withConfig(conf, ["-testnet"], (a) => {
    assertEquals(a.getArg("rpcuser", "xxx"), "e");
    assertEquals(a.getArg("txindex", "xxx"), "0");
    assertEquals(a.getArg("rpcthreads", "xxx"), "2");
    assertEquals(a.getArg("uacomment", "xxx"), "extend3");
    assertEquals(a.getArgs("uacomment"), ["extend3", "argument", "multiple"]);
  });
});

Deno.test("config: a missing read permission (sandbox) is reported as such, not as a missing directory", async () => {
  const mod = new URL("../../cli/args.ts", import.meta.url).href;
  const dir = await Deno.makeTempDir({ prefix: "tsbtc_args_" });
  try {
    const script = `${dir}/probe.ts`;
    await Deno.writeTextFile(
      script,
      `import { ArgsManager } from "${mod}";
      try {
        await ArgsManager.parse("node", ["-datadir=${dir}"], { home: "/h" }).readConfigFiles();
        console.log("read");
      } catch (e) {
        console.log(e instanceof Deno.errors.NotCapable ? "NotCapable" : String(e));
      }`,
    );
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "--no-prompt", "--no-check", script],
    })
      .output();
    assertEquals(new TextDecoder().decode(out.stdout).trim(), "NotCapable");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
