/**
 * The coin, history and label RPCs over a fake WalletCore (no node): result shapes and Core's errors.
 */
import { assert, assertEquals } from "../../assert.ts";
import { reverseHex } from "../../../core/hash/mod.ts";
import { helpText } from "../../../rpc/help.ts";
import { rpcTableClient } from "../wallet_rpc_helpers.ts";
import { coinsMethods } from "../../../wallet/rpc/coins.ts";
import { labelsMethods } from "../../../wallet/rpc/labels.ts";
import { transactionsMethods } from "../../../wallet/rpc/transactions.ts";
import { fakeBlockHash, FakeWallet } from "../fake_wallet.ts";

const COIN = 100_000_000n;

function setup() {
  const w = new FakeWallet();
  w.height = 110;
  const s = w.newScript("");
  const cb = w.addTx([{ value: 50n * COIN, scriptPubKey: s }], { state: w.confirmedAt(1, 0) });
  w.addTx([{ value: 50n * COIN, scriptPubKey: s }], { state: w.confirmedAt(105, 0) });
  const ctx = { walletFor: () => w };
  const { table, call, ok } = rpcTableClient([
    ...coinsMethods(ctx),
    ...transactionsMethods(ctx),
    ...labelsMethods(ctx),
  ]);
  return { w, s, cb, call, ok, table };
}

Deno.test("getbalances / getbalance / listunspent shapes", async () => {
  const { w, ok, call } = setup();
  assertEquals(await ok("getbalances"), {
    mine: { trusted: 50, untrusted_pending: 0, immature: 50, nonmempool: 0 },
    lastprocessedblock: { hash: fakeBlockHash(110), height: 110 },
  });
  assertEquals(await ok("getbalance"), 50);
  assertEquals(await ok("getbalance", "*", 200), 0);
  assertEquals((await call("getbalance", "x")).error, {
    code: -32,
    message: 'dummy first argument must be excluded or set to "*".',
  });
  assertEquals((await call("getbalance", "*", 0, false, true)).error, {
    code: -4,
    message: 'wallet does not have the "avoid reuse" feature enabled',
  });
  const list = await ok("listunspent") as Record<string, unknown>[];
  assertEquals(list.length, 1);
  assertEquals(Object.keys(list[0]), [
    "txid",
    "vout",
    "address",
    "label",
    "scriptPubKey",
    "amount",
    "confirmations",
    "spendable",
    "solvable",
    "desc",
    "parent_descs",
    "safe",
  ]);
  assertEquals(list[0].confirmations, 110);
  const withImmature = await ok("listunspent", 0, 9999999, [], true, { include_immature_coinbase: true });
  assertEquals((withImmature as unknown[]).length, 2);
  assertEquals((await call("listunspent", 0, 9999999, [], true, { foo: 1 })).error, {
    code: -3,
    message: "Unexpected key foo",
  });
  assertEquals((await call("listunspent", 0, 9999999, ["nope"])).error, {
    code: -5,
    message: "Invalid Bitcoin address: nope",
  });
  const a = w.address(w.foreignScript());
  assertEquals((await call("listunspent", 0, 9999999, [a, a])).error, {
    code: -8,
    message: `Invalid parameter, duplicated address: ${a}`,
  });
  assertEquals(await ok("listunspent", 0, 9999999, [a]), []);
  assertEquals((await ok("listunspent", 0, 9999999, [], true, { minimumAmount: 51 })) as unknown[], []);
});

Deno.test("lockunspent / listlockunspent and their errors", async () => {
  const { w, cb, ok, call } = setup();
  const txid = cb.txid;
  assertEquals(await ok("lockunspent", false, [{ txid, vout: 0 }]), true);
  assertEquals(await ok("listlockunspent"), [{ txid, vout: 0 }]);
  assertEquals(
    (await call("lockunspent", false, [{ txid, vout: 0 }])).error?.message,
    "Invalid parameter, output already locked",
  );
  assertEquals(await ok("lockunspent", false, [{ txid, vout: 0 }], true), true);
  assertEquals(await ok("listunspent"), []);
  assertEquals(await ok("getbalance"), 50); // locked coins still count
  assertEquals(await ok("lockunspent", true, [{ txid, vout: 0 }]), true);
  assertEquals((await call("lockunspent", true, [{ txid, vout: 0 }])).error, {
    code: -8,
    message: "Invalid parameter, expected locked output",
  });
  assertEquals(
    (await call("lockunspent", false, [{ txid, vout: 1 }])).error?.message,
    "Invalid parameter, vout index out of bounds",
  );
  assertEquals(
    (await call("lockunspent", false, [{ txid, vout: -1 }])).error?.message,
    "Invalid parameter, vout cannot be negative",
  );
  assertEquals(
    (await call("lockunspent", false, [{ txid: "00".repeat(32), vout: 0 }])).error?.message,
    "Invalid parameter, unknown transaction",
  );
  assertEquals((await call("lockunspent", false, [{ txid: "zz", vout: 0 }])).error, {
    code: -8,
    message: "txid must be of length 64 (not 2, for 'zz')",
  });
  assertEquals((await call("lockunspent", false, [{ txid }])).error, { code: -3, message: "Missing vout" });
  w.addTx([{ value: COIN, scriptPubKey: w.foreignScript() }], { inputs: [w.outpoint(cb, 0)] });
  assertEquals(
    (await call("lockunspent", false, [{ txid, vout: 0 }])).error?.message,
    "Invalid parameter, expected unspent output",
  );
  const young = [...w.transactions()][1];
  assertEquals(await ok("lockunspent", false, [{ txid: young.txid, vout: 0 }], true), true);
  assertEquals((await ok("listlockunspent") as unknown[]).length, 1);
  assertEquals(await ok("lockunspent", true), true);
  assertEquals(await ok("listlockunspent"), []);
});

Deno.test("gettransaction / listtransactions / listsinceblock / abandontransaction", async () => {
  const { w, cb, ok, call } = setup();
  const change = w.newScript();
  const pay = w.addTx(
    [{ value: 10n * COIN, scriptPubKey: w.foreignScript() }, {
      value: 40n * COIN - 2820n,
      scriptPubKey: change,
    }],
    { inputs: [w.outpoint(cb, 0)], mapValue: { comment: "hi" } },
  );
  const gt = await ok("gettransaction", pay.txid) as Record<string, unknown>;
  assertEquals(gt.amount, -10);
  assertEquals(gt.fee, -0.0000282);
  assertEquals(Object.keys(gt), [
    "amount",
    "fee",
    "confirmations",
    "trusted",
    "txid",
    "wtxid",
    "walletconflicts",
    "mempoolconflicts",
    "time",
    "timereceived",
    "comment",
    "details",
    "hex",
    "lastprocessedblock",
  ]);
  assertEquals(gt.details, [{
    address: w.address(w.foreignScript()),
    category: "send",
    amount: -10,
    vout: 0,
    fee: -0.0000282,
    abandoned: false,
  }]);
  const verbose = await ok("gettransaction", pay.txid, false, true) as Record<
    string,
    Record<string, unknown>
  >;
  const vout = verbose.decoded.vout as Record<string, unknown>[];
  assertEquals([vout[0].ischange, vout[1].ischange], [undefined, true]);
  assertEquals((await call("gettransaction", "11".repeat(32))).error, {
    code: -5,
    message: "Invalid or non-wallet transaction id",
  });
  // bip125-replaceable only with -deprecatedrpc=bip125.
  w.chainState.deprecated.push("bip125");
  w.chainState.rbf.set(pay.txid, "replaceable_bip125");
  assertEquals(
    (await ok("gettransaction", pay.txid) as Record<string, unknown>)["bip125-replaceable"],
    "yes",
  );

  const lt = await ok("listtransactions") as Record<string, unknown>[];
  assertEquals(lt.map((e) => e.category), ["generate", "immature", "send"]);
  assertEquals(lt[2].txid, pay.txid);
  assertEquals(
    (await ok("listtransactions", "*", 1, 1) as Record<string, unknown>[]).map((e) => e.category),
    [
      "immature",
    ],
  );
  assertEquals((await call("listtransactions", "*", -1)).error, { code: -8, message: "Negative count" });
  assertEquals((await call("listtransactions", "")).error, {
    code: -8,
    message: 'Label argument must be a valid label name or "*".',
  });

  const since = await ok("listsinceblock", fakeBlockHash(104)) as Record<string, unknown>;
  assertEquals((since.transactions as Record<string, unknown>[]).map((e) => e.category), [
    "immature",
    "send",
  ]);
  assertEquals(since.removed, []);
  assertEquals(since.lastblock, fakeBlockHash(110));
  assertEquals((await ok("listsinceblock", "", 3) as Record<string, unknown>).lastblock, fakeBlockHash(108));
  const withChange = await ok("listsinceblock", fakeBlockHash(104), 1, false, true, true) as Record<
    string,
    unknown
  >;
  // The change output appears as a send and, being the wallet's, as a receive.
  assertEquals((withChange.transactions as Record<string, unknown>[]).map((e) => e.category), [
    "immature",
    "send",
    "send",
    "receive",
  ]);
  assertEquals((await call("listsinceblock", "ff".repeat(32))).error, {
    code: -5,
    message: "Block not found",
  });
  assertEquals((await call("listsinceblock", "", 0)).error, { code: -8, message: "Invalid parameter" });

  assertEquals((await call("abandontransaction", pay.txid)).error, {
    code: -5,
    message: "Transaction not eligible for abandonment",
  });
  pay.state = { kind: "inactive", abandoned: false };
  assertEquals(await ok("abandontransaction", pay.txid), null);
  assertEquals((await ok("gettransaction", pay.txid) as Record<string, unknown[]>).details[0], {
    address: w.address(w.foreignScript()),
    category: "send",
    amount: -10,
    vout: 0,
    fee: -0.0000282,
    abandoned: true,
  });
  assertEquals(await ok("getbalance"), 50);
  assertEquals(reverseHex(w.outpoint(pay, 0).txid), pay.txid);
});

Deno.test("received-by tallies, labels and getaddressinfo", async () => {
  const { w, s, ok, call } = setup();
  const tabby = w.newScript("tabby");
  w.addTx([{ value: 3n * COIN, scriptPubKey: tabby }], {
    inputs: [{ txid: new Uint8Array(32).fill(4), vout: 0 }],
    state: w.confirmedAt(109),
  });
  assertEquals(await ok("getreceivedbyaddress", w.address(tabby)), 3);
  assertEquals(await ok("getreceivedbyaddress", w.address(tabby), 3), 0);
  assertEquals(await ok("getreceivedbyaddress", w.address(s)), 50);
  assertEquals(await ok("getreceivedbyaddress", w.address(s), 1, true), 100);
  assertEquals(await ok("getreceivedbylabel", "tabby"), 3);
  assertEquals((await call("getreceivedbylabel", "nope")).error, {
    code: -4,
    message: "Label not found in wallet",
  });
  assertEquals((await call("getreceivedbyaddress", w.address(w.foreignScript()))).error, {
    code: -4,
    message: "Address not found in wallet",
  });
  assertEquals((await call("getreceivedbyaddress", "x")).error, {
    code: -5,
    message: "Invalid Bitcoin address",
  });
  const byAddr = await ok("listreceivedbyaddress") as Record<string, unknown>[];
  assertEquals(byAddr.map((e) => [e.label, e.amount, e.confirmations]).sort(), [["", 50, 110], [
    "tabby",
    3,
    2,
  ]]);
  assertEquals(await ok("listreceivedbylabel"), [
    { amount: 50, confirmations: 110, label: "" },
    { amount: 3, confirmations: 2, label: "tabby" },
  ]);
  assertEquals((await call("listreceivedbyaddress", 1, false, false, "bad")).error, {
    code: -4,
    message: "address_filter parameter was invalid",
  });
  assertEquals((await ok("listreceivedbyaddress", 1, false, false, w.address(tabby)) as unknown[]).length, 1);

  assertEquals(await ok("listlabels"), ["", "tabby"]);
  assertEquals(await ok("setlabel", w.address(w.foreignScript()), "shop"), null);
  assertEquals(await ok("listlabels", "send"), ["shop"]);
  assertEquals(await ok("getaddressesbylabel", "tabby"), { [w.address(tabby)]: { purpose: "receive" } });
  assertEquals((await call("getaddressesbylabel", "zzz")).error, {
    code: -11,
    message: "No addresses with label zzz",
  });
  assertEquals((await call("setlabel", w.address(tabby), "*")).error, {
    code: -11,
    message: "Invalid label name",
  });
  assertEquals((await call("listlabels", "x")).error?.code, -8);

  const info = await ok("getaddressinfo", w.address(tabby)) as Record<string, unknown>;
  assertEquals(Object.keys(info), [
    "address",
    "scriptPubKey",
    "ismine",
    "solvable",
    "desc",
    "parent_desc",
    "iswatchonly",
    "isscript",
    "iswitness",
    "witness_version",
    "witness_program",
    "pubkey",
    "ischange",
    "timestamp",
    "hdkeypath",
    "hdseedid",
    "hdmasterfingerprint",
    "labels",
  ]);
  assertEquals(info.labels, ["tabby"]);
  const foreign = await ok("getaddressinfo", w.address(w.foreignScript(3))) as Record<string, unknown>;
  assertEquals([foreign.ismine, foreign.solvable, foreign.ischange, foreign.labels], [
    false,
    false,
    false,
    [],
  ]);
  const changeInfo = await ok("getaddressinfo", w.address(w.newScript())) as Record<string, unknown>;
  assert(changeInfo.ischange === true);
  assertEquals((await call("getaddressinfo", "bc1qxyz")).error?.code, -5);
});

Deno.test("help renders for every method, with Core's argument names", () => {
  const { w } = setup();
  const ctx = { walletFor: () => w };
  const methods = [...coinsMethods(ctx), ...transactionsMethods(ctx), ...labelsMethods(ctx)];
  for (const m of methods) {
    const text = helpText(m);
    assert(text.startsWith(m.name), `${m.name} help starts with its name`);
  }
  const lu = helpText(methods.find((m) => m.name === "listunspent")!);
  assert(lu.includes('listunspent ( minconf maxconf ["address",...] include_unsafe query_options )'), lu);
});
