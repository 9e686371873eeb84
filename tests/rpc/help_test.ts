import { argNames, argTypeMismatch, helpText, isValidNumArgs, type RpcHelpSpec } from "../../rpc/help.ts";
import { assertEquals } from "./asserts.ts";

// Core's getblock documentation (args and the first two results), to compare the layout byte for byte with the
// help text recorded from bitcoind in /work/shared/reference/core_regtest_rpc_session.json.
const GETBLOCK: RpcHelpSpec = {
  name: "getblock",
  description:
    "If verbosity is 0, returns a string that is serialized, hex-encoded data for block 'hash'.\n" +
    "If verbosity is 1, returns an Object with information about block <hash>.\n" +
    "If verbosity is 2, returns an Object with information about block <hash> and information about each transaction.\n" +
    "If verbosity is 3, returns an Object with information about block <hash> and information about each transaction, " +
    "including prevout information for inputs (only for unpruned blocks in the current best chain).\n",
  args: [
    { names: "blockhash", type: "str_hex", description: "The block hash" },
    {
      names: "verbosity|verbose",
      type: "num",
      fallback: { default: 1 },
      description:
        "0 for hex-encoded data, 1 for a JSON object, 2 for JSON object with transaction data, and 3 for JSON object with transaction data including prevout information for inputs",
    },
  ],
  results: [
    {
      type: "str_hex",
      cond: "for verbosity = 0",
      description: "A string that is serialized, hex-encoded data for block 'hash'",
    },
    {
      type: "obj",
      cond: "for verbosity = 1",
      inner: [
        { type: "str_hex", key: "hash", description: "the block hash (same as provided)" },
        {
          type: "num",
          key: "confirmations",
          description: "The number of confirmations, or -1 if the block is not on the main chain",
        },
        { type: "num", key: "size", description: "The block size" },
        { type: "num", key: "strippedsize", description: "The block size excluding witness data" },
        { type: "num", key: "weight", description: "The block weight as defined in BIP 141" },
        {
          type: "obj",
          key: "coinbase_tx",
          description: "Coinbase transaction metadata",
          inner: [
            { type: "num", key: "version", description: "The coinbase transaction version" },
            { type: "num", key: "locktime", description: "The coinbase transaction's locktime (nLockTime)" },
            { type: "num", key: "sequence", description: "The coinbase input's sequence number (nSequence)" },
            { type: "str_hex", key: "coinbase", description: "The coinbase input's script" },
            {
              type: "str_hex",
              key: "witness",
              optional: true,
              description: "The coinbase input's first (and only) witness stack element, if present",
            },
          ],
        },
        { type: "num", key: "height", description: "The block height or index" },
        { type: "num", key: "version", description: "The block version" },
        { type: "str_hex", key: "versionHex", description: "The block version formatted in hexadecimal" },
        { type: "str_hex", key: "merkleroot", description: "The merkle root" },
        {
          type: "arr",
          key: "tx",
          description: "The transaction ids",
          inner: [{ type: "str_hex", description: "The transaction id" }],
        },
        { type: "num_time", key: "time", description: "The block time expressed in UNIX epoch time" },
        {
          type: "num_time",
          key: "mediantime",
          description: "The median block time expressed in UNIX epoch time",
        },
        { type: "num", key: "nonce", description: "The nonce" },
        {
          type: "str_hex",
          key: "bits",
          description: "nBits: compact representation of the block difficulty target",
        },
        { type: "str_hex", key: "target", description: "The difficulty target" },
        { type: "num", key: "difficulty", description: "The difficulty" },
        {
          type: "str_hex",
          key: "chainwork",
          description: "Expected number of hashes required to produce the chain up to this block (in hex)",
        },
        { type: "num", key: "nTx", description: "The number of transactions in the block" },
        {
          type: "str_hex",
          key: "previousblockhash",
          optional: true,
          description: "The hash of the previous block (if available)",
        },
        {
          type: "str_hex",
          key: "nextblockhash",
          optional: true,
          description: "The hash of the next block (if available)",
        },
      ],
    },
  ],
  examples: "",
};

Deno.test("help text is laid out exactly like bitcoind's (getblock, recorded from Core)", async () => {
  const session = JSON.parse(
    await Deno.readTextFile(
      new URL("../../../shared/reference/core_regtest_rpc_session.json", import.meta.url),
    )
      .catch(() => Deno.readTextFile("/work/shared/reference/core_regtest_rpc_session.json")),
  ) as Array<{ call: [string, unknown[]]; result?: string }>;
  const core = session.find((e) => e.call[0] === "help")!.result!;
  const expected = core.slice(0, core.indexOf("\nResult (for verbosity = 2):"));
  assertEquals(helpText(GETBLOCK), expected);
});

Deno.test("argument checks: count, types, names", () => {
  assertEquals(isValidNumArgs(GETBLOCK, 0), false);
  assertEquals(isValidNumArgs(GETBLOCK, 1), true);
  assertEquals(isValidNumArgs(GETBLOCK, 2), true);
  assertEquals(isValidNumArgs(GETBLOCK, 3), false);
  assertEquals(
    argTypeMismatch(GETBLOCK.args[1], "1"),
    "JSON value of type string is not of expected type number",
  );
  assertEquals(argTypeMismatch(GETBLOCK.args[1], null), null);
  assertEquals(
    argTypeMismatch(GETBLOCK.args[0], null),
    "JSON value of type null is not of expected type string",
  );
  assertEquals(argNames(GETBLOCK), [["blockhash", false], ["verbosity|verbose", false]]);
});

Deno.test("named-only options and hidden arguments in help", () => {
  const spec: RpcHelpSpec = {
    name: "demo",
    description: "Demo.",
    args: [
      { names: "a", type: "str", description: "A" },
      {
        names: "options",
        type: "obj_named_params",
        fallback: "omitted",
        description: "",
        inner: [{ names: "fee_rate", type: "amount", fallback: { hint: "not set" }, description: "Fee" }],
      },
      { names: "secret", type: "num", fallback: "omitted", description: "", hidden: true },
    ],
    results: [{ type: "none", description: "" }],
    examples: "",
  };
  assertEquals(
    helpText(spec),
    'demo "a" ( {"fee_rate":amount,...} )\n\nDemo.\n\nArguments:\n' +
      "1. a          (string, required) A\n" +
      "2. options    (json object, optional) Options object that can be used to pass named arguments, listed below.\n" +
      "\nNamed Arguments:\n" +
      "fee_rate    (numeric or string, optional, default=not set) Fee\n" +
      "\nResult:\nnull    (json null)\n",
  );
  assertEquals(argNames(spec), [["a", false], ["fee_rate", true], ["options", false], ["secret", false]]);
});
