/**
 * The spending RPCs over the spending fake wallet (no node): help renders, argument and option parsing with
 * Core's errors, sendtoaddress/sendmany/fundrawtransaction/bumpfee results.
 */
import { assert, assertEquals } from "../../assert.ts";
import { helpText } from "../../../rpc/help.ts";
import { rpcTableClient } from "../wallet_rpc_helpers.ts";
import { decodeTransaction, encodeTransaction } from "../../../core/wire/mod.ts";
import { toHex } from "../../../core/hash/hashes.ts";
import { encodeDestination } from "../../../core/address/mod.ts";
import { spendMethods } from "../../../wallet/rpc/spend.ts";
import { walletPsbtMethods } from "../../../wallet/rpc/psbt.ts";
import { FakeWallet } from "../spend_fake_wallet.ts";

const COIN = 100_000_000n;

function setup() {
  const w = new FakeWallet();
  w.addCoins([COIN, 2n * COIN]);
  const methods = [...spendMethods({ walletFor: () => w }), ...walletPsbtMethods({ walletFor: () => w })];
  const { call, ok } = rpcTableClient(methods);
  const foreign = encodeDestination(w.foreignScript(), "regtest")!;
  return { w, call, ok, methods, foreign };
}

Deno.test("spending RPCs: help texts render with Core's argument names", () => {
  const { methods } = setup();
  const names = methods.map((m) => m.name);
  assertEquals(names, [
    "sendtoaddress",
    "sendmany",
    "send",
    "sendall",
    "fundrawtransaction",
    "bumpfee",
    "psbtbumpfee",
    "walletcreatefundedpsbt",
    "walletprocesspsbt",
    "signrawtransactionwithwallet",
  ]);
  for (const m of methods) {
    const text = helpText(m);
    assert(text.startsWith(m.name), m.name);
  }
  const send = helpText(methods.find((m) => m.name === "sendtoaddress")!);
  assert(
    send.startsWith(
      'sendtoaddress "address" amount ( "comment" "comment_to" subtractfeefromamount replaceable conf_target ' +
        '"estimate_mode" avoid_reuse fee_rate verbose )',
    ),
    send.split("\n")[0],
  );
});

Deno.test("sendtoaddress / sendmany: results, comments and Core's errors", async () => {
  const { w, call, ok, foreign } = setup();
  w.walletSettings.fallbackFee = 20000n;
  const txid = await ok("sendtoaddress", foreign, 0.5, "for", "bob") as string;
  assert(/^[0-9a-f]{64}$/.test(txid));
  assertEquals(w.getTx(txid)!.mapValue, { comment: "for", to: "bob" });
  assertEquals(w.node.broadcast.length, 1);
  const verbose = await ok(
    "sendtoaddress",
    foreign,
    0.1,
    null,
    null,
    false,
    null,
    null,
    "unset",
    null,
    null,
    true,
  );
  assertEquals((verbose as { fee_reason: string }).fee_reason, "Fallback fee");
  assertEquals((await call("sendtoaddress", foreign, 1000)).error, {
    code: -6,
    message: "Insufficient funds",
  });
  assertEquals((await call("sendtoaddress", foreign, 0.1, null, null, false, null, 6, null, null, 5)).error, {
    code: -8,
    message:
      "Cannot specify both conf_target and fee_rate. Please provide either a confirmation target in blocks " +
      "for automatic fee estimation, or an explicit fee rate.",
  });
  assertEquals((await call("sendtoaddress", foreign, 0.1, null, null, false, null, null, "fast")).error, {
    code: -8,
    message: 'Invalid estimate_mode parameter, must be one of: "unset", "economical", "conservative"',
  });
  assertEquals((await call("sendtoaddress", foreign, 0.1, null, null, false, null, 0)).error, {
    code: -8,
    message: "Invalid conf_target, must be between 1 and 1008",
  });
  assertEquals((await call("sendtoaddress", foreign, 0.1, null, null, false, null, null, null, true)).error, {
    code: -4,
    message: 'wallet does not have the "avoid reuse" feature enabled',
  });
  w.walletSettings.fallbackFee = 0n;
  assertEquals((await call("sendtoaddress", foreign, 0.1)).error, {
    code: -6,
    message: "Fee estimation failed. Fallbackfee is disabled. Wait a few blocks or enable -fallbackfee.",
  });
  assertEquals((await call("sendmany", "x", { [foreign]: 0.1 })).error, {
    code: -8,
    message: 'Dummy value must be set to ""',
  });
  assertEquals(
    (await call("sendmany", "", { [foreign]: 0.1 }, 1, "", ["nope"], null, null, "unset", 2)).error,
    {
      code: -8,
      message: "Invalid parameter 'subtract fee from output', destination nope not found in tx outputs",
    },
  );
  const many = await ok(
    "sendmany",
    "",
    { [foreign]: 0.1 },
    1,
    "c",
    [foreign],
    null,
    null,
    "unset",
    2,
  ) as string;
  const tx = w.getTx(many)!.tx;
  assert(tx.outputs.some((o) => o.value < COIN / 10n && o.value > COIN / 10n - 1000n));
});

Deno.test("fundrawtransaction: result shape and option errors", async () => {
  const { w, call, ok } = setup();
  const raw = toHex(encodeTransaction({
    version: 2,
    inputs: [],
    outputs: [{ value: COIN / 4n, scriptPubKey: w.foreignScript() }],
    locktime: 0,
  }));
  const res = await ok("fundrawtransaction", raw, { fee_rate: 3, changePosition: 1 }) as {
    hex: string;
    fee: number;
    changepos: number;
  };
  assertEquals(res.changepos, 1);
  const tx = decodeTransaction(Uint8Array.from(res.hex.match(/../g)!.map((h) => parseInt(h, 16))));
  assertEquals(tx.outputs.length, 2);
  assertEquals(tx.inputs.every((i) => i.witness.length === 0), true);
  assertEquals(Math.round(res.fee * 1e8), 3 * 141);
  assertEquals((await call("fundrawtransaction", raw, { foo: 1 })).error, {
    code: -3,
    message: "Unexpected key foo",
  });
  assertEquals((await call("fundrawtransaction", raw, { changePosition: 5 })).error, {
    code: -8,
    message: "changePosition out of bounds",
  });
  assertEquals((await call("fundrawtransaction", raw, { change_type: "p2pk" })).error, {
    code: -5,
    message: "Unknown change type 'p2pk'",
  });
  assertEquals((await call("fundrawtransaction", raw, { feeRate: 0.0001, fee_rate: 1 })).error, {
    code: -8,
    message: "Cannot specify both fee_rate (sat/vB) and feeRate (BTC/kvB)",
  });
  assertEquals((await call("fundrawtransaction", raw, { fee_rate: 1, lockUnspents: "yes" })).error, {
    code: -3,
    message: "JSON value of type string for field lockUnspents is not of expected type bool",
  });
  assertEquals((await call("fundrawtransaction", "zz")).error, { code: -22, message: "TX decode failed" });
  assertEquals((await call("fundrawtransaction", raw, { fee_rate: 1, add_inputs: false })).error?.code, -4);
  // lockUnspents locks the chosen inputs.
  const locked = await ok("fundrawtransaction", raw, { fee_rate: 1, lockUnspents: true }) as { hex: string };
  const lockedTx = decodeTransaction(Uint8Array.from(locked.hex.match(/../g)!.map((h) => parseInt(h, 16))));
  assert(lockedTx.inputs.every((i) => w.isLockedCoin(i.prevout)));
});

Deno.test("bumpfee / psbtbumpfee: errors and a replacement", async () => {
  const { w, call, ok, foreign } = setup();
  assertEquals((await call("bumpfee", "ab".repeat(32))).error, {
    code: -5,
    message: "Invalid or non-wallet transaction id",
  });
  assertEquals((await call("bumpfee", "ab".repeat(32), { foo: 1 })).error, {
    code: -3,
    message: "Unexpected key foo",
  });
  assertEquals((await call("psbtbumpfee", "ab".repeat(32), { psbt_version: 1 })).error, {
    code: -8,
    message: "The PSBT version can only be 2 or 0",
  });
  const txid = await ok(
    "sendtoaddress",
    foreign,
    0.5,
    null,
    null,
    false,
    null,
    null,
    "unset",
    null,
    2,
  ) as string;
  const bumped = await ok("bumpfee", txid) as {
    txid: string;
    origfee: number;
    fee: number;
    errors: string[];
  };
  assertEquals(bumped.errors, []);
  assert(bumped.fee > bumped.origfee);
  assertEquals(w.getTx(txid)!.mapValue.replaced_by_txid, bumped.txid);
  assertEquals((await call("bumpfee", bumped.txid, { fee_rate: 1 })).error?.code, -8);
});

Deno.test("walletcreatefundedpsbt: PSBT version 2 by default, 0 on request, others refused", async () => {
  const { call, ok, foreign } = setup();
  const v2 = await ok("walletcreatefundedpsbt", [], [{ [foreign]: 0.1 }], 0, { fee_rate: 1 }) as {
    psbt: string;
    fee: number;
    changepos: number;
  };
  assert(v2.psbt.startsWith("cHNidP8BAgQCAAAA"), v2.psbt.slice(0, 20));
  assertEquals(Math.round(v2.fee * 1e8), 141);
  const v0 = await ok("walletcreatefundedpsbt", [], [{ [foreign]: 0.1 }], 0, { fee_rate: 1 }, true, 2, 0) as {
    psbt: string;
  };
  // Version 0 starts with the unsigned transaction (global key 0x00).
  assert(v0.psbt.startsWith("cHNidP8BAH"), v0.psbt.slice(0, 20));
  assertEquals(
    (await call("walletcreatefundedpsbt", [], [{ [foreign]: 0.1 }], 0, { fee_rate: 1 }, true, 2, 1)).error,
    {
      code: -8,
      message: "The PSBT version can only be 2 or 0",
    },
  );
  assertEquals(
    (await call("walletcreatefundedpsbt", [], [{ [foreign]: 0.1 }], 0, { fee_rate: 1, conf_target: 2 }))
      .error,
    {
      code: -8,
      message:
        "Cannot specify both conf_target and fee_rate. Please provide either a confirmation target in blocks " +
        "for automatic fee estimation, or an explicit fee rate.",
    },
  );
});
