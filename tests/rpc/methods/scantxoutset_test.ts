import { chainParams } from "../../../core/chain_params.ts";
import { toHex } from "../../../core/hash/hashes.ts";
import { decodeExtPubKey, encodeExtPubKey, parseDescriptors } from "../../../core/descriptors/mod.ts";
import { blockMerkleRoot } from "../../../core/hash/merkle.ts";
import { openChainstate } from "../../../node/chain/chainstate.ts";
import { evalScanObject, scanTxOutSetMethods } from "../../../rpc/methods/scantxoutset.ts";
import { RpcTable } from "../../../rpc/table.ts";
import { buildBlock, solve, testKey } from "../../node/chain/block_builder.ts";
import { assert, assertEquals, assertThrows } from "../asserts.ts";

const params = chainParams("regtest");
// BIP32 test vector 1's master public key, in regtest's encoding (tpub).
const XPUB = encodeExtPubKey(
  decodeExtPubKey(
    "xpub661MyMwAqRbcFtXgS5sYJABqqG9YLmC4Q1Rdap9gSE8NqtwybGhePY2gZ29ESFjqJoCu1Rupje8YtGqsefD265TMg7usUDFdp6W1EGMcet8",
    "main",
  )!,
  "regtest",
);

async function call(t: RpcTable, p: unknown[]): Promise<{ result?: unknown; error?: unknown }> {
  const r = await t.execute(JSON.stringify({ jsonrpc: "2.0", method: "scantxoutset", params: p, id: 1 }));
  return JSON.parse(r.body);
}

Deno.test("scantxoutset: addr() and ranged descriptors, Core's result shape, one scan at a time, errors", async () => {
  const dataDir = await Deno.makeTempDir({ prefix: "tsbtc-scan-" });
  const cs = await openChainstate({ dataDir, params, workers: 0 });
  try {
    const ranged = parseDescriptors(`wpkh(${XPUB}/0/*)`, { network: "regtest" })[0];
    const at3 = ranged.expand(3);
    const key1Address = parseDescriptors(`wpkh(${toHex(testKey(1).pubkey)})`, { network: "regtest" })[0]
      .addressAt(0);
    for (let i = 0; i < 5; i++) {
      assert((await cs.processNewBlock(buildBlock({ prev: cs.tip(), params }))).state.valid);
    }
    assert(
      (await cs.processNewBlock(buildBlock({ prev: cs.tip(), params, payTo: at3.scriptPubKeys[0] }))).state
        .valid,
    );
    const t = new RpcTable();
    t.registerAll(scanTxOutSetMethods({ chain: () => cs, network: () => "regtest" }));

    const byAddr = (await call(t, ["start", [`addr(${key1Address})`]])).result as Record<string, unknown>;
    assertEquals(Object.keys(byAddr), [
      "success",
      "txouts",
      "height",
      "bestblock",
      "unspents",
      "total_amount",
    ]);
    assertEquals([byAddr.success, byAddr.txouts, byAddr.height, byAddr.bestblock], [
      true,
      6,
      6,
      cs.tip().hashHex,
    ]);
    const unspents = byAddr.unspents as Record<string, unknown>[];
    assertEquals(unspents.length, 5);
    assertEquals(byAddr.total_amount, 250);
    assertEquals(Object.keys(unspents[0]), [
      "txid",
      "vout",
      "scriptPubKey",
      "desc",
      "amount",
      "coinbase",
      "height",
      "blockhash",
      "confirmations",
    ]);
    const u = unspents.find((x) => x.height === 2)!;
    assertEquals([u.vout, u.scriptPubKey, u.amount, u.coinbase, u.blockhash, u.confirmations], [
      0,
      toHex(testKey(1).script),
      50,
      true,
      cs.atHeight(2)!.hashHex,
      5,
    ]);
    assert(String(u.desc).startsWith(`addr(${key1Address})#`));

    // Ranged descriptor: position 3 found; the desc is the inferred wpkh() with the key origin (master 3442193e).
    const byRange = (await call(t, ["start", [{ desc: `wpkh(${XPUB}/0/*)`, range: [0, 5] }]]))
      .result as Record<
        string,
        unknown
      >;
    const hit = (byRange.unspents as Record<string, unknown>[])[0];
    assertEquals((byRange.unspents as unknown[]).length, 1);
    assert(
      String(hit.desc).startsWith(`wpkh([3442193e/0/3]${toHex(at3.pubkeys[0].pubkey)})#`),
      String(hit.desc),
    );
    assertEquals(hit.height, 6);
    const outOfRange = (await call(t, ["start", [{ desc: `wpkh(${XPUB}/0/*)`, range: [4, 9] }]]))
      .result as Record<
        string,
        unknown
      >;
    assertEquals(outOfRange.unspents, []);
    const defaultRange = (await call(t, ["start", [`wpkh(${XPUB}/0/*)`, `addr(${key1Address})`]]))
      .result as Record<
        string,
        unknown
      >;
    assertEquals((defaultRange.unspents as unknown[]).length, 6);
    assertEquals(defaultRange.total_amount, 300);

    // Status and abort with no scan; one scan at a time.
    assertEquals((await call(t, ["status"])).result, null);
    assertEquals((await call(t, ["abort"])).result, false);
    const first = call(t, ["start", [`addr(${key1Address})`]]);
    assertEquals((await call(t, ["start", [`addr(${key1Address})`]])).error, {
      code: -8,
      message: 'Scan already in progress, use action "abort" or "status"',
    });
    assertEquals(((await call(t, ["status"])).result as Record<string, unknown>).progress, 0);
    assertEquals(((await first).result as Record<string, unknown>).success, true);

    // Errors.
    assertEquals((await call(t, ["start"])).error, {
      code: -1,
      message: "scanobjects argument is required for the start action",
    });
    assertEquals((await call(t, ["begin", []])).error, { code: -8, message: "Invalid action 'begin'" });
    const usage = (await call(t, [])).error as { code: number; message: string };
    assertEquals(usage.code, -1);
    assert(usage.message.includes('scantxoutset "action" ( [scanobjects,...] )'), usage.message);
    assertEquals((await call(t, ["status"])).result, null);
    assertEquals((await call(t, ["start", [5]])).error, {
      code: -8,
      message: "Scan object needs to be either a string or an object",
    });
    assertEquals((await call(t, ["start", [{ range: 3 }]])).error, {
      code: -8,
      message: "Descriptor needs to be provided in scan object",
    });
    assertEquals(((await call(t, ["start", ["wpkh(nope)"]])).error as { code: number }).code, -5);
    assertEquals((await call(t, ["start", [`wpkh(${XPUB}/0h/*)`]])).error, {
      code: -5,
      message: `Cannot derive script without private keys: 'wpkh(${XPUB}/0h/*)'`,
    });
    assertEquals((await call(t, ["start", [{ desc: `wpkh(${XPUB}/0/*)`, range: [5, 1] }]])).error, {
      code: -8,
      message: "Range specified as [begin,end] must not have begin after end",
    });
    assertThrows(
      () => evalScanObject(null, "regtest"),
      "Scan object needs to be either a string or an object",
    );
  } finally {
    await cs.close();
    await Deno.remove(dataDir, { recursive: true });
  }
});

Deno.test("scantxoutset: abort stops a running scan (success false)", async () => {
  const dataDir = await Deno.makeTempDir({ prefix: "tsbtc-scan-" });
  const cs = await openChainstate({ dataDir, params, workers: 0 });
  try {
    // 9,000 coins: a coinbase with 9,000 outputs (and its witness commitment, which only the coinbase's
    // own outputs do not change).
    const base = buildBlock({ prev: cs.tip(), params });
    const cb = base.txs[0];
    const script = testKey(1).script;
    const outputs = [
      ...Array.from({ length: 9000 }, () => ({ value: 1000n, scriptPubKey: script })),
      ...cb.outputs.slice(1),
    ];
    const txs = [{ ...cb, outputs }];
    const header = solve(
      { ...base.header, merkleRoot: blockMerkleRoot({ header: base.header, txs }).root },
      params,
    );
    const r = await cs.processNewBlock({ header, txs });
    assert(r.state.valid, JSON.stringify(r.state));
    const t = new RpcTable();
    t.registerAll(scanTxOutSetMethods({ chain: () => cs, network: () => "regtest" }));
    assertEquals((await call(t, ["abort"])).result, false);
    const scan = call(t, ["start", [`raw(${toHex(testKey(1).script)})`]]);
    // The scan flushes, then reads; abort while it runs.
    let aborted = false;
    for (let i = 0; i < 2000 && !aborted; i++) {
      await new Promise((r) => setTimeout(r, 1));
      aborted = (await call(t, ["abort"])).result === true;
    }
    assert(aborted, "abort returned true while the scan ran");
    const res = (await scan).result as Record<string, unknown>;
    assertEquals(res.success, false);
    assertEquals(res.txouts, 8192);
    assertEquals((await call(t, ["status"])).result, null);
  } finally {
    await cs.close();
    await Deno.remove(dataDir, { recursive: true });
  }
});

Deno.test("scantxoutset: inferred descriptors carry key origins (Core's rpc_scantxoutset.py vectors)", () => {
  const tprv =
    "tprv8ZgxMBicQKsPd7Uf69XL1XwhmjHopUGep8GuEiJDZmbQz6o58LninorQAfcKZWARbtRtfnLcJ5MQ2AtHcQJCCRUcMRvmDUjyEmNUWwx8UbK";
  const tpub =
    "tpubD6NzVbkrYhZ4WaWSyoBvQwbpLkojyoTZPRsgXELWz3Popb3qkjcJyJUGLnL4qHHoQvao8ESaAstxYSnhyswJ76uZPStJRJCTKvosUCJZL5B";
  const descs = (obj: Parameters<typeof evalScanObject>[0]) =>
    evalScanObject(obj, "regtest").map((x) => x.desc);
  const hardened = descs({ desc: `combo(${tprv}/0h/0h/*)`, range: 1 });
  assert(hardened.includes(
    "pkh([0c5f9a1e/0h/0h/0]026dbd8b2315f296d36e6b6920b1579ca75569464875c7ebe869b536a7d9503c8c)#rthll0rg",
  ));
  assert(hardened.includes(
    "pkh([0c5f9a1e/0h/0h/1]033e6f25d76c00bedb3a8993c7d5739ee806397f0529b1b31dda31ef890f19a60c)#mcjajulr",
  ));
  assert(
    descs(`combo(${tprv}/1/1/0)`).includes(
      "pkh([0c5f9a1e/1/1/0]03e1c5b6e650966971d7e71ef2674f80222752740fc1dfd63bbbd220d2da9bd0fb)#cxmct4w8",
    ),
  );
  const pub = descs({ desc: `combo(${tpub}/1/1/*)`, range: [1500, 1500] });
  assert(pub.includes(
    "pkh([0c5f9a1e/1/1/1500]03832901c250025da2aebae2bfb38d5c703a57ab66ad477f9c578bfbcd78abca6f)#vchwd07g",
  ));
  // combo() gives P2PK, P2PKH, P2WPKH and P2SH-P2WPKH; each inferred with the key's origin.
  assertEquals(pub.length, 4);
  assert(pub.every((d) => d.includes("[0c5f9a1e/1/1/1500]")), pub.join(" "));
  // A key-only tr(): Core's inference gives tr(<internal key>) with its origin, not rawtr().
  const tr = descs(`tr(${tpub}/2/0)`);
  assertEquals(tr.length, 1);
  assert(/^tr\(\[0c5f9a1e\/2\/0\][0-9a-f]{64}\)#/.test(tr[0]), tr[0]);
  // addr() and raw() stay as they are.
  assert(descs("raw(51)")[0].startsWith("raw(51)#"));
});
