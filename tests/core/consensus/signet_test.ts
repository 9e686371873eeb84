/**
 * Signet block solutions: the scenarios of Core's signet_parse_tests (OP_TRUE challenge: empty block, no
 * commitment, no header, empty solution, premature end, a solution, extraneous data), a P2PK challenge with a
 * real signature (valid, wrong key, signature for another block), FetchAndClearCommitmentSection's rebuild, and
 * CheckBlock's "bad-signet-blksig".
 */

import { chainParams } from "../../../core/chain_params.ts";
import { checkBlock } from "../../../core/consensus/block_check.ts";
import {
  checkSignetBlockSolution,
  fetchAndClearCommitmentSection,
  SIGNET_HEADER,
  signetTxs,
} from "../../../core/consensus/signet.ts";
import { defaultSecp256k1 } from "../../../core/crypto/default_backend.ts";
import { encodeDer } from "../../../core/crypto/der.ts";
import { merkleRoot } from "../../../core/hash/merkle.ts";
import { checkProofOfWork } from "../../../core/pow.ts";
import { OP_CHECKSIG, OP_RETURN } from "../../../core/script/opcodes.ts";
import { pushData, ScriptBuilder } from "../../../core/script/script.ts";
import { signatureHash } from "../../../core/script/sighash.ts";
import { blockHash } from "../../../core/wire/block.ts";
import { NULL_OUTPOINT } from "../../../core/wire/outpoint.ts";
import { txid } from "../../../core/wire/transaction.ts";
import type { Block, BlockHeader, Transaction } from "../../../core/wire/types.ts";
import { assert, assertEquals } from "../../assert.ts";

const OP_TRUE = Uint8Array.of(0x51);
const opTrueParams = chainParams("signet", { signetChallenge: OP_TRUE }).consensus;
const SECTION_141 = new Uint8Array([0xaa, 0x21, 0xa9, 0xed, ...new Uint8Array(32).fill(0xff)]);

function header(merkle: Uint8Array = new Uint8Array(32)): BlockHeader {
  return {
    version: 0x20000000,
    prevBlock: new Uint8Array(32).fill(3),
    merkleRoot: merkle,
    time: 1_700_000_000,
    bits: 0x207fffff,
    nonce: 0,
  };
}

/** Core's test coinbase: no inputs (a CMutableTransaction), one output with `script`. */
function cbWith(script: Uint8Array): Transaction {
  return { version: 2, inputs: [], outputs: [{ value: 0n, scriptPubKey: script }], locktime: 0 };
}

function commitment(...sections: Uint8Array[]): Uint8Array {
  const b = new ScriptBuilder().op(OP_RETURN).push(SECTION_141);
  for (const s of sections) b.push(s);
  return b.build();
}

function blockOf(cb: Transaction): Block {
  // A second transaction exercises the merkle root code, as in Core's test.
  return { header: header(), txs: [cb, cbWith(new Uint8Array(0))] };
}

Deno.test("signet (Core's signet_parse_tests, OP_TRUE challenge)", () => {
  assertEquals(opTrueParams.signetChallenge, OP_TRUE);
  const check = (
    block: Block,
  ) => [signetTxs(block, OP_TRUE) !== null, checkSignetBlockSolution(block, opTrueParams)];
  // Empty block.
  assertEquals(check({ header: header(), txs: [] }), [false, false]);
  // No witness commitment.
  assertEquals(check({ header: header(), txs: [cbWith(new Uint8Array(0)), cbWith(new Uint8Array(0))] }), [
    false,
    false,
  ]);
  // No signet header: treated as valid (trivial challenge).
  assertEquals(check(blockOf(cbWith(commitment()))), [true, true]);
  // Header without data: valid.
  assertEquals(check(blockOf(cbWith(commitment(SIGNET_HEADER)))), [true, true]);
  // Premature end of data.
  assertEquals(check(blockOf(cbWith(commitment(new Uint8Array([...SIGNET_HEADER, 0x01, 0x51]))))), [
    false,
    false,
  ]);
  // Has data (scriptSig OP_TRUE, empty witness): valid.
  assertEquals(check(blockOf(cbWith(commitment(new Uint8Array([...SIGNET_HEADER, 0x01, 0x51, 0x00]))))), [
    true,
    true,
  ]);
  // Extraneous data.
  assertEquals(
    check(blockOf(cbWith(commitment(new Uint8Array([...SIGNET_HEADER, 0x01, 0x51, 0x00, 0x00]))))),
    [
      false,
      false,
    ],
  );
});

Deno.test("fetchAndClearCommitmentSection: cuts the first push that starts with the header, rebuilds the rest", () => {
  const data = new Uint8Array([...SIGNET_HEADER, 1, 2, 3]);
  const script = new Uint8Array([
    OP_RETURN,
    ...pushData(SECTION_141),
    ...pushData(data),
    ...pushData(data),
    0x00,
  ]);
  const r = fetchAndClearCommitmentSection(SIGNET_HEADER, script)!;
  assertEquals(r.section, Uint8Array.of(1, 2, 3));
  assertEquals(
    r.script,
    new Uint8Array([
      OP_RETURN,
      ...pushData(SECTION_141),
      ...pushData(SIGNET_HEADER),
      ...pushData(data),
      0x00,
    ]),
  );
  // The header alone does not count; nor does a push that only contains it later.
  assertEquals(fetchAndClearCommitmentSection(SIGNET_HEADER, commitment(SIGNET_HEADER)), null);
  assertEquals(
    fetchAndClearCommitmentSection(SIGNET_HEADER, commitment(Uint8Array.of(0, ...SIGNET_HEADER))),
    null,
  );
  // A non-minimal push is re-encoded minimally (as Core's CScript << data), and a truncated push ends the script.
  const pd1 = new Uint8Array([0x4c, 5, ...SIGNET_HEADER, 9, 0x4c]);
  const r2 = fetchAndClearCommitmentSection(SIGNET_HEADER, pd1)!;
  assertEquals([r2.section, r2.script], [Uint8Array.of(9), pushData(SIGNET_HEADER)]);
});

// --- a challenge with a real signature ---

const secp = defaultSecp256k1();
const sk = new Uint8Array(32).fill(7);
const pub = secp.publicKeyCreate(sk);
const p2pk = new ScriptBuilder().push(pub).op(OP_CHECKSIG).build();
/** Signet parameters with the P2PK challenge and an easy PoW limit (regtest's), so tests can mine. */
const params = {
  ...chainParams("signet", { signetChallenge: p2pk }).consensus,
  powLimit: chainParams("regtest").consensus.powLimit,
};

function signedBlock(time = 1_700_000_000, key = sk): Block {
  const coinbase: Transaction = {
    version: 2,
    inputs: [{ prevout: NULL_OUTPOINT, scriptSig: Uint8Array.of(1, 1), sequence: 0xffffffff, witness: [] }],
    outputs: [{ value: 50n, scriptPubKey: OP_TRUE }, { value: 0n, scriptPubKey: commitment(SIGNET_HEADER) }],
    locktime: 0,
  };
  const other: Transaction = {
    version: 2,
    inputs: [{
      prevout: { txid: new Uint8Array(32).fill(1), vout: 0 },
      scriptSig: new Uint8Array(0),
      sequence: 0,
      witness: [],
    }],
    outputs: [{ value: 1n, scriptPubKey: OP_TRUE }],
    locktime: 0,
  };
  // The solution signs the block with the solution cut out, which is the coinbase above (header only).
  const draft: Block = { header: { ...header(), time }, txs: [coinbase, other] };
  const { toSign } = signetTxs(draft, p2pk)!;
  const sighash = signatureHash(p2pk, toSign, 0, 1);
  const sig = new Uint8Array([...encodeDer(secp.signEcdsa(sighash, key)), 1]);
  const scriptSig = pushData(sig);
  const solution = new Uint8Array([...SIGNET_HEADER, scriptSig.length, ...scriptSig, 0x00]);
  const finalCb = {
    ...coinbase,
    outputs: [coinbase.outputs[0], { value: 0n, scriptPubKey: commitment(solution) }],
  };
  const txs = [finalCb, other];
  let h: BlockHeader = { ...header(merkleRoot(txs.map(txid)).root), time: 1_700_000_000 };
  while (!checkProofOfWork(blockHash(h), h.bits, params)) h = { ...h, nonce: h.nonce + 1 };
  return { header: h, txs };
}

Deno.test("signet: a P2PK challenge with a real signature", () => {
  const good = signedBlock();
  assertEquals(checkSignetBlockSolution(good, params), true);
  assertEquals(checkBlock(good, params), { valid: true });
  // The same block checked against another key's challenge fails (OP_TRUE would accept any solution).
  const otherKey = new ScriptBuilder().push(secp.publicKeyCreate(new Uint8Array(32).fill(9))).op(OP_CHECKSIG)
    .build();
  assertEquals(checkSignetBlockSolution(good, { ...params, signetChallenge: otherKey }), false);
  assertEquals(checkSignetBlockSolution(good, opTrueParams), true);
  // Signed by another key.
  const wrongKey = signedBlock(1_700_000_000, new Uint8Array(32).fill(8));
  assertEquals(checkSignetBlockSolution(wrongKey, params), false);
  assertEquals(checkBlock(wrongKey, params), {
    valid: false,
    result: "BLOCK_CONSENSUS",
    reason: "bad-signet-blksig",
    debug: "signet block signature validation failure",
  });
  // A signature made for another block (another time) does not carry over.
  const other = signedBlock(1_700_000_001);
  assertEquals(checkSignetBlockSolution(other, params), false);
  // Without PoW checks, Core does not check the solution either.
  assertEquals(checkBlock(wrongKey, params, { checkPow: false }), { valid: true });
  // Other networks ignore it.
  assert(!chainParams("regtest").consensus.signetBlocks);
});

Deno.test("signet: the default signet's genesis block passes (exempt), with PoW", () => {
  const p = chainParams("signet");
  assertEquals(checkSignetBlockSolution(p.genesis, p.consensus), true);
  assertEquals(checkBlock(p.genesis, p.consensus), { valid: true });
});
