/**
 * The mining RPCs over an RpcTable with the fake chain: generatetoaddress/generatetodescriptor/generateblock,
 * submitblock and submitheader results, getmininginfo and getnetworkhashps against the recorded Core session,
 * and Core's error codes and messages.
 */
import { chainParams } from "../../../core/chain_params.ts";
import { reverseHex, toHex } from "../../../core/hash/hashes.ts";
import { blockMerkleRoot } from "../../../core/hash/merkle.ts";
import { blockHash, decodeBlock, encodeBlock, encodeBlockHeader } from "../../../core/wire/block.ts";
import { encodeTransaction, txid } from "../../../core/wire/transaction.ts";
import type { Transaction } from "../../../core/wire/types.ts";
import { createNewBlock } from "../../../node/mining/block_assembler.ts";
import { grindBlock } from "../../../node/mining/mine.ts";
import { controlMethods } from "../../../rpc/methods/control.ts";
import { miningMethods, univalueDouble } from "../../../rpc/methods/mining.ts";
import { RpcTable } from "../../../rpc/table.ts";
import { assert, assertEquals } from "../../assert.ts";
import { FakeChain } from "../../node/mining/fake_chain.ts";

interface Recorded {
  call: [string, unknown[]];
  result?: unknown;
}
const session: Recorded[] = JSON.parse(
  await Deno.readTextFile(
    new URL("../../../../shared/reference/core_regtest_rpc_session.json", import.meta.url),
  )
    .catch(() => Deno.readTextFile("/work/shared/reference/core_regtest_rpc_session.json")),
);
const ADDRESS = "bcrt1q6vmtq6g2rp66rmncvr7mevx4q8s7gy54r0q023";
const OP_TRUE = Uint8Array.of(0x51);

function setup(opts: { now?: () => number; mempool?: Map<string, Transaction> } = {}) {
  const chain = new FakeChain();
  const t = new RpcTable();
  t.registerAll(miningMethods({
    chain: () => chain,
    network: "regtest",
    now: opts.now ?? (() => 1700000000),
    mempoolTransaction: (id) => opts.mempool?.get(id),
  }));
  return { chain, t };
}

type Reply = { result: unknown } | { error: { code: number; message: string } };
async function call(t: RpcTable, method: string, params: unknown): Promise<Reply> {
  const body = JSON.parse((await t.execute(JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }))).body);
  return body.error !== undefined && body.error !== null ? { error: body.error } : { result: body.result };
}
async function ok(t: RpcTable, method: string, params: unknown): Promise<unknown> {
  const r = await call(t, method, params);
  assert("result" in r, `${method}: ${JSON.stringify(r)}`);
  return r.result;
}
async function err(t: RpcTable, method: string, params: unknown): Promise<[number, string]> {
  const r = await call(t, method, params);
  assert("error" in r, `expected an error, got ${JSON.stringify(r)}`);
  return [r.error.code, r.error.message];
}

Deno.test("generatetoaddress: block 1 hash equals Core's at the same time and address; returns hashes", async () => {
  const { chain, t } = setup();
  const recorded = session.find((c) => c.call[0] === "generatetoaddress")!.result as string[];
  assertEquals(await ok(t, "generatetoaddress", [1, ADDRESS]), [recorded[0]]);
  const more = await ok(t, "generatetoaddress", [3, ADDRESS]) as string[];
  assertEquals(more.length, 3);
  assertEquals(more[2], chain.tip().hashHex);
  assertEquals(chain.height(), 4);
  assertEquals(await ok(t, "generatetoaddress", [0, ADDRESS]), []);
  assertEquals(await ok(t, "generatetoaddress", [-1, ADDRESS]), []);
  assertEquals(await ok(t, "generatetoaddress", [2, ADDRESS, 0]), []);
});

Deno.test("generatetoaddress errors", async () => {
  const { t } = setup();
  assertEquals(await err(t, "generatetoaddress", [1, "notanaddress"]), [-5, "Error: Invalid address"]);
  assertEquals(await err(t, "generatetoaddress", [1, "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4"]), [
    -5,
    "Error: Invalid address",
  ]);
  assertEquals((await err(t, "generatetoaddress", ["x", ADDRESS]))[0], -3);
  assertEquals((await err(t, "generatetoaddress", [1]))[0], -1);
});

Deno.test("generatetodescriptor: addr/raw/pkh/wpkh/tr/combo and Core's errors", async () => {
  const { chain, t } = setup();
  const pub = "02c6047f9441ed7d6d3045406e95c07cd85c778e4b8cef3ca7abac09b95c709ee5";
  const cases: [string, string][] = [
    [`addr(${ADDRESS})`, "0014d336b0690a1875a1ee7860fdbcb0d501e1e41295"],
    ["raw(51)", "51"],
    [`pkh(${pub})`, ""],
    [`wpkh(${pub})`, ""],
    [`tr(${pub.slice(2)})`, ""],
    [`combo(${pub})`, ""],
  ];
  for (const [desc, spk] of cases) {
    const [hash] = await ok(t, "generatetodescriptor", [1, desc]) as string[];
    const block = await chain.readBlock(chain.lookup(hash)!);
    const out = toHex(block.txs[0].outputs[0].scriptPubKey);
    if (spk !== "") assertEquals(out, spk);
    if (desc.startsWith("pkh")) assert(out.startsWith("76a914"));
    if (desc.startsWith("wpkh") || desc.startsWith("combo")) assert(out.startsWith("0014"), desc); // combo: P2WPKH
    if (desc.startsWith("tr")) assert(out.startsWith("5120"));
  }
  const xpub =
    "tpubD6NzVbkrYhZ4WaWSyoBvQwbpLkojyoTZPRsgXELWz3Popb3qkjcJyJUGLnL4qHHoQvao8ESaAstxYSnhyswJ76uZPStJRJCTKvosUCJZL5B";
  assertEquals(await err(t, "generatetodescriptor", [1, `wpkh(${xpub}/*)`]), [
    -8,
    "Ranged descriptor not accepted. Maybe pass through deriveaddresses first?",
  ]);
  assertEquals(await err(t, "generatetodescriptor", [1, `wpkh(${xpub}/<0;1>)`]), [
    -8,
    "Multipath descriptor not accepted",
  ]);
  assertEquals(await err(t, "generatetodescriptor", [1, `wpkh(${xpub}/0h)`]), [
    -5,
    "Cannot derive script without private keys",
  ]);
  assertEquals(await err(t, "generatetodescriptor", [1, "raw(51)", -1]), [-1, "JSON integer out of range"]);
  assertEquals(await ok(t, "generatetodescriptor", [1, "raw(51)", 0]), []);
  const [code, msg] = await err(t, "generatetodescriptor", [1, "nonsense"]);
  assertEquals(code, -5);
  assert(msg.length > 0);
});

Deno.test("generateblock: raw transactions, submit=false returns hex, Core's errors", async () => {
  const mempool = new Map<string, Transaction>();
  const { chain, t } = setup({ mempool });
  await ok(t, "generatetodescriptor", [2, "raw(51)"]);
  const cb1 = (await chain.readBlock(chain.atHeight(1)!)).txs[0];
  const spend: Transaction = {
    version: 2,
    inputs: [{
      prevout: { txid: txid(cb1), vout: 0 },
      scriptSig: new Uint8Array(),
      sequence: 0xffffffff,
      witness: [],
    }],
    outputs: [{ value: 4000000000n, scriptPubKey: OP_TRUE }],
    locktime: 0,
  };
  const rawtx = toHex(encodeTransaction(spend));
  const r = await ok(t, "generateblock", [ADDRESS, [rawtx], false]) as { hash: string; hex: string };
  assertEquals(chain.height(), 2);
  const block = decodeBlock(Uint8Array.from(r.hex.match(/../g)!.map((h) => parseInt(h, 16))));
  assertEquals(reverseHex(blockHash(block.header)), r.hash);
  assertEquals(block.txs.length, 2);
  // Fees are not collected.
  assertEquals(block.txs[0].outputs[0].value, 5000000000n);
  assertEquals(await ok(t, "submitblock", [r.hex]), null);
  assertEquals(chain.tip().hashHex, r.hash);
  assertEquals(await ok(t, "submitblock", [r.hex]), "duplicate");

  // A txid from the mempool.
  const cb2 = (await chain.readBlock(chain.atHeight(2)!)).txs[0];
  const spend2 = { ...spend, inputs: [{ ...spend.inputs[0], prevout: { txid: txid(cb2), vout: 0 } }] };
  mempool.set(reverseHex(txid(spend2)), spend2);
  const r2 = await ok(t, "generateblock", [ADDRESS, [reverseHex(txid(spend2))]]) as Record<string, unknown>;
  assertEquals(Object.keys(r2), ["hash"]);
  assertEquals(chain.tip().hashHex, r2.hash);

  const missing = "00".repeat(32);
  assertEquals(await err(t, "generateblock", [ADDRESS, [missing]]), [
    -5,
    `Transaction ${missing} not in mempool.`,
  ]);
  assertEquals(await err(t, "generateblock", [ADDRESS, ["00"]]), [
    -22,
    "Transaction decode failed for 00. Make sure the tx has at least one input.",
  ]);
  assertEquals(await err(t, "generateblock", ["nonsense", []]), [-5, "Error: Invalid address or descriptor"]);
  // Spending the same coin again: TestBlockValidity fails in the fake chain? Duplicate input within the block.
  const dup = await err(t, "generateblock", [ADDRESS, [rawtx, rawtx]]);
  assertEquals(dup[0], -25);
  assert(dup[1].startsWith("TestBlockValidity failed: "), dup[1]);
});

Deno.test("submitblock: decode failures, reject reasons, inconclusive-free path; witness nonce filled in", async () => {
  const { chain, t } = setup();
  assertEquals(await err(t, "submitblock", ["zz"]), [-22, "Block decode failed"]);
  assertEquals(await err(t, "submitblock", ["00"]), [-22, "Block decode failed"]);
  const template = await createNewBlock(chain, { coinbaseOutputScript: OP_TRUE, now: () => 1700000000 });
  const mined = grindBlock(template.block, 1000);
  assert(mined.found);
  // Strip the coinbase witness: submitblock restores the zero reserved value (UpdateUncommittedBlockStructures).
  const stripped = {
    header: mined.block.header,
    txs: [{ ...mined.block.txs[0], inputs: mined.block.txs[0].inputs.map((i) => ({ ...i, witness: [] })) }],
  };
  assertEquals(await ok(t, "submitblock", [toHex(encodeBlock(stripped))]), null);
  assertEquals(chain.height(), 1);
  // Bad merkle root.
  const next = await createNewBlock(chain, { coinbaseOutputScript: OP_TRUE, now: () => 1700000000 });
  const bad = grindBlock(
    { ...next.block, header: { ...next.block.header, merkleRoot: new Uint8Array(32) } },
    1000,
  );
  assert(bad.found);
  assertEquals(await ok(t, "submitblock", [toHex(encodeBlock(bad.block))]), "bad-txnmrklroot");
  // Bad PoW: a nonce whose hash is above the target.
  let nonce = 0;
  for (;; nonce++) {
    const h = { ...next.block.header, nonce };
    if (blockHash(h)[31] >= 0x80) break;
  }
  const high = { ...next.block, header: { ...next.block.header, nonce } };
  assertEquals(await ok(t, "submitblock", [toHex(encodeBlock(high))]), "high-hash");
  // Current Core has no "Block does not start with a coinbase" error: validation's reason comes back.
  const cb = next.block.txs[0];
  const spendTx = {
    ...cb,
    inputs: [{ ...cb.inputs[0], prevout: { txid: new Uint8Array(32).fill(3), vout: 0 } }],
  };
  const txsNoCb = [spendTx];
  const noCb = {
    txs: txsNoCb,
    header: {
      ...next.block.header,
      merkleRoot: blockMerkleRoot({ header: next.block.header, txs: txsNoCb }).root,
    },
  };
  const notCoinbase = grindBlock(noCb, 1000);
  assert(notCoinbase.found);
  assertEquals(await ok(t, "submitblock", [toHex(encodeBlock(notCoinbase.block))]), "bad-cb-missing");
});

Deno.test("submitheader: decode error, unknown previous header, success", async () => {
  const { chain, t } = setup();
  assertEquals(await err(t, "submitheader", ["00"]), [-22, "Block header decode failed"]);
  const template = await createNewBlock(chain, { coinbaseOutputScript: OP_TRUE, now: () => 1700000000 });
  const orphan = { ...template.block.header, prevBlock: new Uint8Array(32).fill(1) };
  assertEquals(await err(t, "submitheader", [toHex(encodeBlockHeader(orphan))]), [
    -25,
    `Must submit previous header (${"01".repeat(32)}) first`,
  ]);
  const mined = grindBlock(template.block, 1000);
  assert(mined.found);
  assertEquals(await ok(t, "submitheader", [toHex(encodeBlockHeader(mined.block.header))]), null);
});

Deno.test("getmininginfo: fields as Core's recorded session (fresh chain), then after mining", async () => {
  const { t } = setup();
  const recorded = session.find((c) => c.call[0] === "getmininginfo")!.result as Record<string, unknown>;
  const info = await ok(t, "getmininginfo", []) as Record<string, unknown>;
  assertEquals({ ...info, warnings: [] }, { ...recorded, warnings: [] });
  assertEquals(Object.keys(info), Object.keys(recorded));
  await ok(t, "generatetoaddress", [2, ADDRESS]);
  const after = await ok(t, "getmininginfo", []) as Record<string, unknown>;
  assertEquals(after.blocks, 2);
  assertEquals(after.currentblockweight, 8000);
  assertEquals(after.currentblocktx, 0);
  assertEquals(Object.keys(after).slice(0, 4), ["blocks", "currentblockweight", "currentblocktx", "bits"]);
  assertEquals((after.next as Record<string, unknown>).height, 3);
});

const asCore = (x: number) => JSON.parse(JSON.stringify(univalueDouble(x)));

Deno.test("getnetworkhashps: Core's values and errors", async () => {
  let now = 1700000000;
  const { chain, t } = setup({ now: () => now });
  assertEquals(await ok(t, "getnetworkhashps", []), 0);
  for (let i = 0; i < 5; i++) {
    await ok(t, "generatetoaddress", [1, ADDRESS]);
    now += 600;
  }
  // Blocks 1..5 are 600 s apart: the last 4 intervals span 2400 s.
  const work = chain.tip().chainWork - chain.atHeight(1)!.chainWork;
  assertEquals(await ok(t, "getnetworkhashps", [4]), asCore(Number(work) / 2400));
  assertEquals(
    await ok(t, "getnetworkhashps", [1, 1]),
    asCore(
      Number(chain.atHeight(1)!.chainWork - chain.atHeight(0)!.chainWork) /
        (1700000000 - chain.atHeight(0)!.header.time),
    ),
  );
  assertEquals(await err(t, "getnetworkhashps", [0]), [
    -8,
    "Invalid nblocks. Must be a positive number or -1.",
  ]);
  assertEquals(await err(t, "getnetworkhashps", [-2]), [
    -8,
    "Invalid nblocks. Must be a positive number or -1.",
  ]);
  assertEquals(await err(t, "getnetworkhashps", [120, 6]), [-8, "Block does not exist at specified height"]);
  assertEquals(await err(t, "getnetworkhashps", [120, -2]), [-8, "Block does not exist at specified height"]);
  assertEquals(await ok(t, "getnetworkhashps", [-1, 0]), 0);
});

Deno.test("help: Core's one-line summaries", async () => {
  const { chain } = setup();
  const t = new RpcTable();
  t.registerAll(controlMethods({ shutdown: () => {} }));
  t.registerAll(miningMethods({ chain: () => chain, network: "regtest" }));
  const lines: [string, string][] = [
    ["getnetworkhashps", "getnetworkhashps ( nblocks height )"],
    ["getmininginfo", "getmininginfo"],
    ["submitblock", 'submitblock "hexdata" ( "dummy" )'],
    ["submitheader", 'submitheader "hexdata"'],
    ["generatetoaddress", 'generatetoaddress nblocks "address" ( maxtries )'],
    ["generatetodescriptor", 'generatetodescriptor num_blocks "descriptor" ( maxtries )'],
    ["generateblock", 'generateblock "output" ["rawtx/txid",...] ( submit )'],
    [
      "getblocktemplate",
      'getblocktemplate {"mode":"str","capabilities":["str",...],"rules":["segwit","str",...],"longpollid":"str","data":"hex"}',
    ],
  ];
  for (const [m, line] of lines) {
    const text = await ok(t, "help", [m]) as string;
    assertEquals(text.split("\n")[0], line);
  }
});

Deno.test("univalueDouble prints like Core's %.16g", () => {
  const text = (x: number) => JSON.stringify(univalueDouble(x));
  assertEquals(text(4.6565423739069247e-10), "4.656542373906925e-10");
  assertEquals(text(0), "0");
  assertEquals(text(1), "1");
  assertEquals(text(0.5), "0.5");
  assertEquals(text(0.0001), "0.0001");
  assertEquals(text(0.00001), "1e-05");
  assertEquals(text(123456.789), "123456.789");
  assertEquals(text(1e16), "1e+16");
  assertEquals(text(1234567890123456), "1234567890123456");
  assertEquals(text(0.1 + 0.2), "0.3");
});

Deno.test("getblocktemplate: Core's template fields (recorded session at height 103) and rule errors", async () => {
  let clock = 1700000000;
  const { chain, t } = setup({ now: () => clock });
  const recorded = session.find((c) => c.call[0] === "getblocktemplate")!.result as Record<string, unknown>;
  assertEquals(await err(t, "getblocktemplate", [{}]), [
    -8,
    'getblocktemplate must be called with the segwit rule set (call with {"rules": ["segwit"]})',
  ]);
  assertEquals(await err(t, "getblocktemplate", [{ mode: "bogus", rules: ["segwit"] }]), [
    -8,
    "Invalid mode",
  ]);
  assertEquals(await err(t, "getblocktemplate", [{ mode: 5, rules: ["segwit"] }]), [-8, "Invalid mode"]);
  assertEquals((await err(t, "getblocktemplate", [{ rules: [1] }]))[0], -3);
  for (let i = 0; i < 102; i++) {
    await ok(t, "generatetoaddress", [1, ADDRESS]);
    clock++;
  }
  const gbt = await ok(t, "getblocktemplate", [{ rules: ["segwit"] }]) as Record<string, unknown>;
  assertEquals(Object.keys(gbt), Object.keys(recorded));
  const same = [
    "capabilities",
    "version",
    "rules",
    "vbavailable",
    "vbrequired",
    "transactions",
    "coinbaseaux",
    "coinbasevalue",
    "target",
    "mutable",
    "noncerange",
    "sigoplimit",
    "sizelimit",
    "weightlimit",
    "bits",
    "height",
    "default_witness_commitment",
  ];
  for (const k of same) assertEquals(gbt[k], recorded[k], k);
  assertEquals(gbt.previousblockhash, chain.tip().hashHex);
  assertEquals(gbt.longpollid, chain.tip().hashHex + "0");
  assertEquals(gbt.mintime, chain.tip().medianTimePast + 1);
  assertEquals(gbt.curtime, clock);
  const info = await ok(t, "getmininginfo", []) as Record<string, unknown>;
  assertEquals(info.currentblocktx, 0);
});

Deno.test("getblocktemplate: transactions with depends, fee, sigops and weight; proposals", async () => {
  const chain = new FakeChain();
  let candidates: { tx: Transaction; fee: bigint }[] = [];
  let updated = 0;
  const t = new RpcTable();
  t.registerAll(miningMethods({
    chain: () => chain,
    network: "regtest",
    now: () => 1700000000,
    assembleTransactions: () => candidates,
    transactionsUpdated: () => updated,
  }));
  await ok(t, "generatetodescriptor", [2, "raw(51)"]);
  const cb1 = (await chain.readBlock(chain.atHeight(1)!)).txs[0];
  const parent: Transaction = {
    version: 2,
    inputs: [{
      prevout: { txid: txid(cb1), vout: 0 },
      scriptSig: new Uint8Array(),
      sequence: 0xffffffff,
      witness: [],
    }],
    outputs: [{ value: 4999990000n, scriptPubKey: OP_TRUE }, {
      value: 0n,
      scriptPubKey: Uint8Array.of(0x6a),
    }],
    locktime: 0,
  };
  const child: Transaction = {
    ...parent,
    inputs: [{ ...parent.inputs[0], prevout: { txid: txid(parent), vout: 0 } }],
    outputs: [{ value: 4999980000n, scriptPubKey: Uint8Array.of(0xac) }], // OP_CHECKSIG: 1 legacy sigop
  };
  candidates = [{ tx: parent, fee: 10000n }, { tx: child, fee: 10000n }];
  updated = 1;
  const gbt = await ok(t, "getblocktemplate", [{ rules: ["segwit"] }]) as Record<string, unknown>;
  const txs = gbt.transactions as Record<string, unknown>[];
  assertEquals(txs.length, 2);
  assertEquals(txs[0], {
    data: toHex(encodeTransaction(parent)),
    txid: reverseHex(txid(parent)),
    hash: reverseHex(txid(parent)),
    depends: [],
    fee: 10000,
    sigops: 0,
    weight: encodeTransaction(parent).length * 4,
  });
  assertEquals(txs[1].depends, [1]);
  assertEquals(txs[1].sigops, 4);
  assertEquals(gbt.coinbasevalue, 5000020000);
  assertEquals(gbt.longpollid, chain.tip().hashHex + "1");

  // Proposals.
  assertEquals(await err(t, "getblocktemplate", [{ mode: "proposal" }]), [
    -3,
    "Missing data String key for proposal",
  ]);
  assertEquals(await err(t, "getblocktemplate", [{ mode: "proposal", data: "00" }]), [
    -22,
    "Block decode failed",
  ]);
  const tpl = await createNewBlock(chain, {
    coinbaseOutputScript: OP_TRUE,
    now: () => 1700000000,
    transactions: candidates,
  });
  const data = toHex(encodeBlock(tpl.block));
  assertEquals(await ok(t, "getblocktemplate", [{ mode: "proposal", data }]), null);
  const badRoot = { ...tpl.block, header: { ...tpl.block.header, merkleRoot: new Uint8Array(32) } };
  assertEquals(
    await ok(t, "getblocktemplate", [{ mode: "proposal", data: toHex(encodeBlock(badRoot)) }]),
    "bad-txnmrklroot",
  );
  const known = toHex(encodeBlock(await chain.readBlock(chain.tip())));
  assertEquals(await ok(t, "getblocktemplate", [{ mode: "proposal", data: known }]), "duplicate");
});

Deno.test("getblocktemplate: longpoll returns when the tip changes; longpollid errors", async () => {
  const chain = new FakeChain();
  const t = new RpcTable();
  t.registerAll(miningMethods({
    chain: () => chain,
    network: "regtest",
    now: () => 1700000000,
    longpollIntervalsMs: [5000, 5000],
  }));
  assertEquals(await err(t, "getblocktemplate", [{ rules: ["segwit"], longpollid: "abc" }]), [
    -8,
    "longpollid must be of length 64 (not 3, for 'abc')",
  ]);
  const first = await ok(t, "getblocktemplate", [{ rules: ["segwit"] }]) as Record<string, unknown>;
  const waiting = ok(t, "getblocktemplate", [{ rules: ["segwit"], longpollid: first.longpollid }]);
  await new Promise((r) => setTimeout(r, 20));
  await ok(t, "generatetodescriptor", [1, "raw(51)"]);
  const next = await waiting as Record<string, unknown>;
  assertEquals(next.previousblockhash, chain.tip().hashHex);
  assertEquals(next.height, 2);
});

Deno.test("getblocktemplate: version bits (testdummy on regtest) and not connected off test chains", async () => {
  let clock = 1700000000;
  const { t } = setup({ now: () => clock++ });
  await ok(t, "generatetodescriptor", [143, "raw(51)"]);
  const gbt = await ok(t, "getblocktemplate", [{ rules: ["segwit"] }]) as Record<string, unknown>;
  assertEquals(gbt.version, 0x30000000);
  assertEquals(gbt.vbavailable, { testdummy: 28 });

  const main = new RpcTable();
  main.registerAll(miningMethods({ chain: () => new FakeChain(chainParams("main")), network: "main" }));
  assertEquals(await err(main, "getblocktemplate", [{ rules: ["segwit"] }]), [-9, "tsbtc is not connected!"]);
});
