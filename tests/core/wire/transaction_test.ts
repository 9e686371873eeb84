import { Buffer } from "node:buffer";
import { assert, assertEquals } from "../../assert.ts";
import { fromHex, reverseHex, toHex } from "../../../core/hash/hashes.ts";
import {
  decodeTransaction,
  encodeTransaction,
  hasWitness,
  isCoinBase,
  originalBytes,
  transactionStrippedSize,
  transactionTotalSize,
  transactionVsize,
  transactionWeight,
  txid,
  wtxid,
} from "../../../core/wire/transaction.ts";
import type { Transaction } from "../../../core/wire/types.ts";
import { readVectorJson } from "../vectors.ts";
import { readCoreSession } from "./core_session.ts";
import { decodeErrorOf, plainTx } from "./helpers.ts";

type Row = unknown[];

async function vectorTxs(file: string): Promise<{ hex: string; row: number }[]> {
  const rows = await readVectorJson<Row[]>(file);
  const out: { hex: string; row: number }[] = [];
  rows.forEach((r, i) => {
    if (r.length >= 2 && typeof r[1] === "string") out.push({ hex: r[1], row: i });
  });
  return out;
}

function checkRoundTrip(hex: string): Transaction {
  const bytes = fromHex(hex);
  const tx = decodeTransaction(bytes);
  const copy = plainTx(tx);
  assertEquals(toHex(encodeTransaction(copy)), hex, "re-encoding is byte-identical");
  assertEquals(toHex(encodeTransaction(tx)), hex);
  assertEquals(txid(tx), txid(copy), "fast-path txid = re-encoded txid");
  assertEquals(wtxid(tx), wtxid(copy), "fast-path wtxid = re-encoded wtxid");
  assertEquals(transactionTotalSize(tx), bytes.length);
  assertEquals(transactionTotalSize(copy), bytes.length);
  assertEquals(transactionStrippedSize(tx), transactionStrippedSize(copy));
  assertEquals(transactionStrippedSize(copy), encodeTransaction(copy, { witness: false }).length);
  assertEquals(transactionWeight(tx), transactionWeight(copy));
  if (!hasWitness(tx)) assertEquals(txid(tx), wtxid(tx));
  return tx;
}

for (const file of ["tx_valid.json", "tx_invalid.json"]) {
  Deno.test(`${file}: every transaction decodes and re-encodes byte-identically`, async () => {
    const txs = await vectorTxs(file);
    assert(txs.length > 90);
    const failures: string[] = [];
    let witnessCount = 0;
    for (const { hex, row } of txs) {
      try {
        if (hasWitness(checkRoundTrip(hex))) witnessCount++;
      } catch (e) {
        failures.push(`row ${row}: ${e}`);
      }
    }
    assertEquals(failures, []);
    assert(witnessCount > 0, "the vectors include segwit transactions");
  });
}

interface RawTxResult {
  txid: string;
  hash: string;
  size: number;
  vsize: number;
  weight: number;
  version: number;
  locktime: number;
  vin: unknown[];
  vout: { value: number; scriptPubKey: { hex: string } }[];
  hex?: string;
}

Deno.test("Core's session: txid, wtxid, size, vsize, weight of every transaction Core decoded", async () => {
  const session = await readCoreSession();
  const cases: { hex: string; r: RawTxResult }[] = [];
  for (const c of session) {
    const [method, params] = c.call;
    const r = c.result as Record<string, unknown> | undefined;
    if (method === "getrawtransaction" && r) {
      cases.push({ hex: r.hex as string, r: r as unknown as RawTxResult });
    }
    if (method === "decoderawtransaction" && r) {
      cases.push({ hex: params[0] as string, r: r as unknown as RawTxResult });
    }
    if (method === "getblock" && r && Array.isArray(r.tx) && typeof r.tx[0] === "object") {
      for (const t of r.tx as RawTxResult[]) cases.push({ hex: t.hex!, r: t });
    }
  }
  assert(cases.length >= 4, `found ${cases.length} transactions`);
  for (const { hex, r } of cases) {
    const tx = checkRoundTrip(hex);
    assertEquals(reverseHex(txid(tx)), r.txid);
    assertEquals(reverseHex(wtxid(tx)), r.hash);
    assertEquals(reverseHex(txid(plainTx(tx))), r.txid);
    assertEquals(reverseHex(wtxid(plainTx(tx))), r.hash);
    assertEquals(transactionTotalSize(tx), r.size);
    assertEquals(transactionVsize(tx), r.vsize);
    assertEquals(transactionWeight(tx), r.weight);
    assertEquals(transactionVsize(plainTx(tx)), r.vsize);
    assertEquals(transactionWeight(plainTx(tx)), r.weight);
    assertEquals(tx.version, r.version);
    assertEquals(tx.locktime, r.locktime);
    assertEquals(tx.inputs.length, r.vin.length);
    assertEquals(tx.outputs.map((o) => toHex(o.scriptPubKey)), r.vout.map((o) => o.scriptPubKey.hex));
    assertEquals(tx.outputs.map((o) => o.value), r.vout.map((o) => BigInt(Math.round(o.value * 1e8))));
  }
  // gettransaction's wtxid, and createrawtransaction's unsigned (legacy) transaction.
  const gt = session.find((c) => c.call[0] === "gettransaction")!.result as {
    txid: string;
    wtxid: string;
    hex: string;
  };
  const tx = decodeTransaction(fromHex(gt.hex));
  assertEquals([reverseHex(txid(tx)), reverseHex(wtxid(tx))], [gt.txid, gt.wtxid]);
  const created = session.find((c) => c.call[0] === "createrawtransaction")!.result as string;
  const unsigned = checkRoundTrip(created);
  assert(!hasWitness(unsigned));
  assertEquals(reverseHex(unsigned.inputs[0].prevout.txid), gt.txid);
});

const SEGWIT =
  "0200000000010134197ba6de3963fea76ac4eb1169ed8de7825081c2855155c53f7297160b9a4b0000000000fdffffff0280d1f00800000000160014b19d2b9cad83645cbb9912d06787e30bb5ba8f8f7c15152101000000160014fa3e659a0b21b8b246040298aaf8d61491bad7b502473044022039753ac4a7f1110513c61baa0905ee5dbc15544abd4e86041a78735652c3a54102201fa3543390e0c173b666306fcae4b73c25fe6b0294739a8a42b52a5404831bd0012103479e651cdaa67ded539387422ae7be2d6ccfc010bce640582a68bb520dbb243965000000";
const LEGACY =
  "0200000001b45185a1cdb18697e6077d13da2f3d8314129bca0e80284c8605e2558b55aec00000000000fdffffff018096980000000000160014b19d2b9cad83645cbb9912d06787e30bb5ba8f8f00000000";

Deno.test("decodeTransaction: every truncation of a segwit and a legacy transaction is a DecodeError", () => {
  for (const hex of [SEGWIT, LEGACY]) {
    const bytes = fromHex(hex);
    for (let len = 0; len < bytes.length; len++) {
      const e = decodeErrorOf(() => decodeTransaction(bytes.subarray(0, len)));
      assertEquals(e.subject, "transaction");
      assert(e.message.startsWith("Cannot decode transaction: "), e.message);
    }
  }
});

Deno.test("decodeTransaction: trailing bytes are rejected", () => {
  const e = decodeErrorOf(() => decodeTransaction(fromHex(LEGACY + "abcdef")));
  assertEquals(e.message, "Cannot decode transaction: 3 bytes left after the locktime");
  assertEquals(e.offset, fromHex(LEGACY).length);
  decodeErrorOf(() => decodeTransaction(fromHex(SEGWIT + "00")));
});

Deno.test("decodeTransaction: Core's witness-flag rules", () => {
  const tx = decodeTransaction(fromHex(SEGWIT));
  // Witness flag with every stack empty: "Superfluous witness record".
  const noWitness = toHex(encodeTransaction(tx, { witness: false }));
  const superfluous = "02000000" + "0001" + noWitness.slice(8, -8) + "00" + noWitness.slice(-8);
  assertEquals(
    decodeErrorOf(() => decodeTransaction(fromHex(superfluous))).message,
    "Cannot decode transaction: Superfluous witness record",
  );
  // Unknown flag bits, with or without the witness bit.
  for (const flag of ["02", "03", "80", "ff"]) {
    const hex = SEGWIT.slice(0, 10) + flag + SEGWIT.slice(12);
    assertEquals(
      decodeErrorOf(() => decodeTransaction(fromHex(hex))).reason,
      "Unknown transaction optional data",
      `flag ${flag}`,
    );
  }
  // Without witness support, the segwit serialization does not decode.
  decodeErrorOf(() => decodeTransaction(fromHex(SEGWIT), { allowWitness: false }));
  // The legacy serialization decodes either way.
  assertEquals(
    txid(decodeTransaction(fromHex(LEGACY), { allowWitness: false })),
    txid(decodeTransaction(fromHex(LEGACY))),
  );
});

Deno.test("decodeTransaction: oversized and non-canonical counts", () => {
  const cases: [string, string][] = [
    ["02000000fdffff", "input count 65535 needs at least 2686935 bytes, 0 left"],
    ["02000000fd0500", "non-canonical ReadCompactSize()"],
    ["02000000fe00000100", "input count 65536 needs at least 2686976 bytes, 0 left"],
    ["02000000fe000001", "end of data (needs 4 bytes at byte 5, 3 left)"],
    ["02000000feffff0000", "non-canonical ReadCompactSize()"],
    ["02000000ff0000000001000000", "ReadCompactSize(): size too large"],
    ["02000000ffffffffff00000000", "non-canonical ReadCompactSize()"],
    ["02000000fe01000002", "ReadCompactSize(): size too large"],
    ["02000000fe00000002", "input count 33554432 needs at least 1375731712 bytes, 0 left"],
    // One input whose script claims 0xfc bytes.
    [
      "0200000001" + "00".repeat(36) + "fc" + "00".repeat(10),
      "end of data (needs 252 bytes at byte 42, 10 left)",
    ],
    // Witness stack count larger than the bytes left.
    [
      "020000000001" + LEGACY.slice(8, -8) + "fd0001",
      "witness item count 256 needs at least 256 bytes, 0 left",
    ],
  ];
  for (const [hex, reason] of cases) {
    const e = decodeErrorOf(() => decodeTransaction(fromHex(hex)));
    assertEquals(e.reason, reason, hex);
  }
});

Deno.test("decodeTransaction: zero-copy by default, private copy on request", () => {
  const bytes = fromHex(LEGACY);
  const viewed = decodeTransaction(bytes);
  const copied = decodeTransaction(bytes, { copy: true });
  assert(viewed.outputs[0].scriptPubKey.buffer === bytes.buffer);
  assert(copied.outputs[0].scriptPubKey.buffer !== bytes.buffer);
  assertEquals(toHex(originalBytes(viewed)!), LEGACY);
  // A Buffer input still gives plain Uint8Array views.
  const fromBuffer = decodeTransaction(Buffer.from(bytes));
  assert(fromBuffer.outputs[0].scriptPubKey.constructor === Uint8Array);
  assertEquals(fromBuffer, viewed);
  assertEquals(originalBytes(plainTx(viewed)), undefined);
});

Deno.test("txid/wtxid return fresh arrays (mutating one cannot corrupt the memo)", () => {
  const tx = decodeTransaction(fromHex(SEGWIT));
  const a = txid(tx);
  a.reverse();
  assertEquals(reverseHex(txid(tx)), "c0ae558b55e205864c28800eca9b1214833d2fda137d07e69786b1cda18551b4");
  wtxid(tx).fill(0);
  assertEquals(reverseHex(wtxid(tx)), "b7c65a542510ebdb95913972886b32befedfee41732d98f3967e96d51d4b37a5");
});

Deno.test("isCoinBase, hasWitness, and a transaction without inputs", () => {
  const coinbase = decodeTransaction(
    fromHex(
      "020000000001010000000000000000000000000000000000000000000000000000000000000000ffffffff025100feffffff0200f2052a01000000160014d336b0690a1875a1ee7860fdbcb0d501e1e412950000000000000000266a24aa21a9ede2f61c3f71d1defd3fa999dfa36953755c690689799962b48bebd836974e8cf90120000000000000000000000000000000000000000000000000000000000000000000000000",
    ),
  );
  assert(isCoinBase(coinbase));
  assert(hasWitness(coinbase));
  assert(!isCoinBase(decodeTransaction(fromHex(LEGACY))));
  // No inputs: the legacy encoding is ambiguous with the BIP144 marker; Core's rule decides.
  const empty: Transaction = { version: 1, inputs: [], outputs: [], locktime: 0 };
  assertEquals(toHex(encodeTransaction(empty)), "01000000000000000000");
  assertEquals(decodeTransaction(encodeTransaction(empty)), empty);
  const noInputs: Transaction = {
    version: 1,
    inputs: [],
    outputs: [{ value: 5n, scriptPubKey: Uint8Array.of(0x51) }],
    locktime: 0,
  };
  const bytes = encodeTransaction(noInputs);
  assertEquals(decodeTransaction(bytes, { allowWitness: false }), noInputs);
  // Read as BIP144, the output count 1 is taken for the flag.
  decodeErrorOf(() => decodeTransaction(bytes));
});

Deno.test("encodeTransaction: values out of their field's range are RangeErrors", () => {
  const base = plainTx(decodeTransaction(fromHex(LEGACY)));
  const bad: Transaction[] = [
    { ...base, locktime: -1 },
    { ...base, locktime: 2 ** 32 },
    { ...base, version: 2 ** 32 },
    { ...base, outputs: [{ value: 2n ** 63n, scriptPubKey: new Uint8Array(0) }] },
    { ...base, inputs: [{ ...base.inputs[0], prevout: { txid: new Uint8Array(31), vout: 0 } }] },
  ];
  for (const tx of bad) {
    let threw = false;
    try {
      encodeTransaction(tx);
    } catch (e) {
      threw = e instanceof RangeError;
    }
    assert(threw);
  }
  // Version: the int32 and uint32 readings of the same 4 bytes encode the same.
  assertEquals(
    encodeTransaction({ ...base, version: -1 }),
    encodeTransaction({ ...base, version: 0xffffffff }),
  );
  assertEquals(decodeTransaction(encodeTransaction({ ...base, version: -1 })).version, 0xffffffff);
  // Negative amounts (invalid, but serializable) round-trip.
  const negative = { ...base, outputs: [{ value: -1n, scriptPubKey: new Uint8Array(0) }] };
  assertEquals(decodeTransaction(encodeTransaction(negative)).outputs[0].value, -1n);
});
