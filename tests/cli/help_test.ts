import {
  formatParagraph,
  helpOption,
  helpText,
  optionsHelp,
  VERSION,
  versionLine,
  versionText,
} from "../../cli/help.ts";
import { MODES } from "../../cli/options.ts";
import { assert, assertEquals } from "../assert.ts";

Deno.test("help: formatParagraph matches Core's test_FormatParagraph", () => {
  assertEquals(formatParagraph("", 79, 0), "");
  assertEquals(formatParagraph("test", 79, 0), "test");
  assertEquals(formatParagraph(" test", 79, 0), " test");
  assertEquals(formatParagraph("test test", 79, 0), "test test");
  assertEquals(formatParagraph("test test", 4, 0), "test\ntest");
  assertEquals(formatParagraph("testerde test", 4, 0), "testerde\ntest");
  assertEquals(formatParagraph("test test", 4, 4), "test\n    test");
  assertEquals(formatParagraph("test test\nabc", 4, 4), "test\n    test\nabc");
  assertEquals(
    formatParagraph(
      "This_is_a_very_long_test_string_without_any_spaces_so_it_should_just_get_returned_as_is_despite_the_length until it gets here",
      79,
    ),
    "This_is_a_very_long_test_string_without_any_spaces_so_it_should_just_get_returned_as_is_despite_the_length\nuntil it gets here",
  );
  const alpha =
    "a b c d e f g h i j k l m n o p q r s t u v w x y z 1 2 3 4 5 6 7 8 9 a b c de f g h i j k l m n o p";
  assertEquals(
    formatParagraph(alpha, 79),
    "a b c d e f g h i j k l m n o p q r s t u v w x y z 1 2 3 4 5 6 7 8 9 a b c de\nf g h i j k l m n o p",
  );
  assertEquals(
    formatParagraph("x\n" + alpha, 79),
    "x\na b c d e f g h i j k l m n o p q r s t u v w x y z 1 2 3 4 5 6 7 8 9 a b c de\nf g h i j k l m n o p",
  );
  assertEquals(
    formatParagraph(
      "x\na b c d e f g h i j k l m n o p q r s t u v w x y z 1 2 3 4 5 6 7 8 9 a b c de f g h i j k l m n o p q r s t u v w x y z 0 1 2 3 4 5 6 7 8 9 a b c d e fg h i j k",
      79,
      4,
    ),
    "x\na b c d e f g h i j k l m n o p q r s t u v w x y z 1 2 3 4 5 6 7 8 9 a b c de\n    f g h i j k l m n o p q r s t u v w x y z 0 1 2 3 4 5 6 7 8 9 a b c d e fg\n    h i j k",
  );
  assertEquals(
    formatParagraph(
      "This is a very long test string. This is a second sentence in the very long test string.",
      79,
    ),
    "This is a very long test string. This is a second sentence in the very long\ntest string.",
  );
  assertEquals(
    formatParagraph(
      "This is a very long test string.\n\nThis is a second sentence in the very long test string. This is a third sentence in the very long test string.",
      79,
    ),
    "This is a very long test string.\n\nThis is a second sentence in the very long test string. This is a third\nsentence in the very long test string.",
  );
  assertEquals(
    formatParagraph("Testing that normal newlines do not get indented.\nLike here.", 79),
    "Testing that normal newlines do not get indented.\nLike here.",
  );
});

Deno.test("help: an option is printed as Core's HelpMessageOpt", () => {
  assertEquals(
    helpOption({ name: "datadir", param: "=<dir>", help: "Specify data directory" }),
    "  -datadir=<dir>\n       Specify data directory\n\n",
  );
  assertEquals(
    helpOption({
      name: "x",
      help: "Whether to reject transactions from network peers. Disables automatic broadcast and rebroadcast",
    }),
    "  -x\n       Whether to reject transactions from network peers. Disables automatic\n" +
      "       broadcast and rebroadcast\n\n",
  );
});

Deno.test("help: node -help has Core's layout, categories in Core's order, no debug or hidden options", () => {
  const text = helpText("node", { debug: false });
  assert(text.startsWith(`tsbtc node version v${VERSION}\n\n`), "version line");
  assert(
    text.includes("\nUsage: tsbtc node [options]\n\nOptions:\n\n  -alertnotify=<cmd>\n"),
    "usage then options",
  );
  const headings = [...text.matchAll(/^([A-Z][^\n]*options|Options|UI Options):$/gm)].map((m) => m[1]);
  assertEquals(headings, [
    "Options",
    "Connection options",
    "Wallet options",
    "Debugging/Testing options",
    "Chain selection options",
    "Node relay options",
    "Block creation options",
    "RPC server options",
    "IPC interprocess connection options",
  ]);
  assert(text.includes("\n  -datadir=<dir>\n       Specify data directory\n\n"));
  assert(text.includes("\n  -help\n       Print this help message and exit (also -h or -?)\n\n"));
  assert(text.includes("\n  -debug=<category>\n"));
  assert(!text.includes("\n  -regtest\n"), "-regtest is DEBUG_ONLY");
  assert(!text.includes("\n  -loglevel="), "-loglevel is DEBUG_ONLY");
  assert(!text.includes("\n  -h\n"), "hidden");
  assert(!text.includes("-zmqpub"), "no ZMQ in tsbtc: hidden");
  assert(!text.includes("-choosedatadir"), "GUI options are hidden outside the GUI");
  assert(!text.includes("Wallet debugging/testing options"));
  // options sorted by name inside a category
  const opts = text.slice(text.indexOf("Options:\n"), text.indexOf("Connection options:")).match(
    /^ {2}-[^=\n]+/gm,
  )!;
  assertEquals(opts, [...opts].sort());
  assert(opts.indexOf("  -reindex") < opts.indexOf("  -reindex-chainstate"));
  // every line fits in Core's 79 columns, except unbreakable words and the description paragraphs
  const body = text.slice(text.indexOf("Options:\n"));
  for (const line of body.split("\n")) {
    assert(line.length <= 79 || !line.trim().includes(" "), `line too long: ${line}`);
  }
});

Deno.test("help: -help-debug adds debug-only options and the wallet debugging group", () => {
  const text = helpText("node", { debug: true });
  assert(text.includes("\n  -regtest\n"));
  assert(text.includes("\n  -loglevel=<level>|<category>:<level>\n"));
  assert(text.includes("\n  -logtimemicros\n"));
  assert(text.includes("Wallet debugging/testing options:\n\n  -unsafesqlitesync\n"));
  assert(text.includes("\n  -ipcfd=<fd>\n"));
  assert(!text.includes("\n  -sandbox"));
  assert(text.length > helpText("node").length);
});

Deno.test("help: rpc -help is bitcoin-cli's", () => {
  const text = helpText("rpc");
  assert(text.startsWith(`tsbtc RPC client version v${VERSION}\n\n`));
  assert(
    text.includes(
      "Usage: tsbtc rpc [options] <command> [params]\n" +
        "or:    tsbtc rpc [options] -named <command> [name=value]...\n" +
        "or:    tsbtc rpc [options] help\n" +
        "or:    tsbtc rpc [options] help <command>\n\n\nOptions:\n\n",
    ),
  );
  for (
    const o of ["-rpcconnect=<ip>", "-rpcwait", "-named", "-stdin", "-rpcwallet=<walletname>", "-ipcconnect"]
  ) {
    assert(text.includes(`\n  ${o}`), o);
  }
  assert(text.includes("CLI Commands:\n\n  -addrinfo\n"));
  assert(!text.includes("-txindex"));
  assert(!text.includes("-help-debug"));
  assert(optionsHelp("rpc", { debug: false }).startsWith("Options:\n\n  -color=<when>\n"));
});

Deno.test("help: gui lists the UI options; every mode has help and a version text", () => {
  assert(helpText("gui").includes("UI Options:\n\n  -choosedatadir\n"));
  for (const mode of MODES) {
    const h = helpText(mode);
    assert(h.startsWith(versionLine(mode) + "\n"), mode);
    assert(h.includes("\nUsage: tsbtc "), mode);
    assert(h.endsWith("\n\n"), mode);
    const v = versionText(mode);
    assert(v.startsWith(`${versionLine(mode)}\nCopyright (C) `), mode);
    assert(v.endsWith("\n"));
  }
  assertEquals(versionLine("node"), `tsbtc node version v${VERSION}`);
  assertEquals(
    VERSION,
    JSON.parse(Deno.readTextFileSync(new URL("../../deno.json", import.meta.url))).version,
  );
  for (const line of versionText("node").split("\n")) assert(line.length <= 79, line);
});
