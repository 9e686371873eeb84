/**
 * CheckInputScripts: signed P2WPKH and P2TR key-path transactions pass, corrupted inputs fail with Core's reason
 * and debug text, and the caches save work (counted verifier calls): a cached transaction is not re-verified,
 * other flags miss the script execution cache but hit the signature cache, erase-on-hit without store.
 */

import { NULL_OUTPOINT } from "../../../core/wire/outpoint.ts";
import { reverseHex } from "../../../core/hash/hashes.ts";
import {
  MANDATORY_SCRIPT_VERIFY_FLAGS,
  SCRIPT_VERIFY_P2SH,
  SCRIPT_VERIFY_WITNESS,
  STANDARD_SCRIPT_VERIFY_FLAGS,
} from "../../../core/script/flags.ts";
import { txid, wtxid } from "../../../core/wire/transaction.ts";
import { checkInputScripts, scriptCheckFailure } from "../../../core/verify/input_check.ts";
import { ScriptExecutionCache } from "../../../core/verify/script_execution_cache.ts";
import { SignatureCache } from "../../../core/verify/signature_cache.ts";
import { assertEquals, assertThrows } from "../../assert.ts";
import { countingSecp256k1 } from "./counting_secp.ts";
import { buildSignedTxs, corruptInput } from "./signed_txs.ts";

const wpkh = buildSignedTxs({ kind: "p2wpkh", inputs: 6, inputsPerTx: 3 });
const tr = buildSignedTxs({ kind: "p2tr", inputs: 6, inputsPerTx: 3 });

Deno.test("checkInputScripts: signed P2WPKH and P2TR key-path spends pass under standard and block flags", () => {
  for (const { tx, spentOutputs } of [...wpkh, ...tr]) {
    for (const flags of [STANDARD_SCRIPT_VERIFY_FLAGS, MANDATORY_SCRIPT_VERIFY_FLAGS]) {
      assertEquals(checkInputScripts(tx, { flags, spentOutputs }), { valid: true, cached: false });
    }
  }
});

Deno.test("checkInputScripts: the first failing input, with Core's reason and debug text", () => {
  const bad = corruptInput(corruptInput(wpkh[0], 2), 1);
  const block = checkInputScripts(bad.tx, {
    flags: MANDATORY_SCRIPT_VERIFY_FLAGS,
    spentOutputs: bad.spentOutputs,
  });
  const prevout = bad.tx.inputs[1].prevout;
  assertEquals(block, {
    valid: false,
    result: "TX_CONSENSUS",
    reason:
      "block-script-verify-flag-failed (Script evaluated without error but finished with a false/empty top stack element)",
    debug: `input 1 of ${reverseHex(txid(bad.tx))} (wtxid ${reverseHex(wtxid(bad.tx))}), spending ` +
      `${reverseHex(prevout.txid)}:${prevout.vout}`,
    inputIndex: 1,
    error: "EVAL_FALSE",
  });
  const policy = checkInputScripts(bad.tx, {
    flags: STANDARD_SCRIPT_VERIFY_FLAGS,
    spentOutputs: bad.spentOutputs,
  });
  assertEquals(
    policy.valid ? "" : `${policy.result} ${policy.error} ${policy.reason}`,
    "TX_NOT_STANDARD NULLFAIL mempool-script-verify-flag-failed (Signature must be zero for failed CHECK(MULTI)SIG operation)",
  );
  const badTr = corruptInput(tr[1], 0);
  const s = checkInputScripts(badTr.tx, {
    flags: MANDATORY_SCRIPT_VERIFY_FLAGS,
    spentOutputs: badTr.spentOutputs,
  });
  assertEquals(
    s.valid ? "" : `${s.inputIndex} ${s.error} ${s.reason}`,
    "0 SCHNORR_SIG block-script-verify-flag-failed (Invalid Schnorr signature)",
  );
  // A wrong amount breaks the signatures too (BIP143 and BIP341 sign the amounts).
  const spent = wpkh[1].spentOutputs.map((o, i) => (i === 2 ? { ...o, value: o.value + 1n } : o));
  const a = checkInputScripts(wpkh[1].tx, { flags: MANDATORY_SCRIPT_VERIFY_FLAGS, spentOutputs: spent });
  assertEquals(a.valid ? -1 : a.inputIndex, 2);
  const spentTr = tr[0].spentOutputs.map((o, i) => (i === 2 ? { ...o, value: o.value + 1n } : o));
  const b = checkInputScripts(tr[0].tx, { flags: MANDATORY_SCRIPT_VERIFY_FLAGS, spentOutputs: spentTr });
  assertEquals(b.valid ? -1 : b.inputIndex, 0); // every taproot sighash commits to all amounts
});

Deno.test("checkInputScripts: a coinbase passes; spent outputs must match the inputs", () => {
  const cb = { ...wpkh[0].tx, inputs: [{ ...wpkh[0].tx.inputs[0], prevout: NULL_OUTPOINT }] };
  assertEquals(checkInputScripts(cb, { flags: STANDARD_SCRIPT_VERIFY_FLAGS, spentOutputs: [] }), {
    valid: true,
    cached: false,
  });
  assertThrows(
    () => checkInputScripts(wpkh[0].tx, { flags: 0, spentOutputs: [] }),
    "Cannot check input scripts: 0 spent outputs for 3 inputs",
  );
});

Deno.test("checkInputScripts: a transaction in the script execution cache is not verified again", () => {
  const secp = countingSecp256k1();
  const scriptExecutionCache = new ScriptExecutionCache({ maxBytes: 1 << 16 });
  const { tx, spentOutputs } = wpkh[1];
  const flags = MANDATORY_SCRIPT_VERIFY_FLAGS;
  assertEquals(checkInputScripts(tx, { flags, spentOutputs, scriptExecutionCache, secp }).valid, true);
  assertEquals(secp.ecdsa, 3);
  assertEquals(checkInputScripts(tx, { flags, spentOutputs, scriptExecutionCache, secp }), {
    valid: true,
    cached: true,
  });
  assertEquals(secp.ecdsa, 3);
  // Other flags: a miss (and the scripts run again).
  assertEquals(
    checkInputScripts(tx, {
      flags: flags & ~SCRIPT_VERIFY_WITNESS & ~(1 << 17),
      spentOutputs,
      scriptExecutionCache,
      secp,
    }).valid,
    true,
  );
  assertEquals(secp.ecdsa, 3); // without WITNESS the witness program is not run at all
  assertEquals(
    checkInputScripts(tx, { flags: STANDARD_SCRIPT_VERIFY_FLAGS, spentOutputs, scriptExecutionCache, secp }),
    {
      valid: true,
      cached: false,
    },
  );
  assertEquals(secp.ecdsa, 6);
  // Another cache (another salt) knows nothing.
  const other = new ScriptExecutionCache({ maxBytes: 1 << 16 });
  assertEquals(
    checkInputScripts(tx, { flags, spentOutputs, scriptExecutionCache: other, secp }),
    { valid: true, cached: false },
  );
  assertEquals(secp.ecdsa, 9);
  // A failing transaction is never cached.
  const bad = corruptInput(wpkh[0], 0);
  for (let i = 0; i < 2; i++) {
    const r = checkInputScripts(bad.tx, {
      flags,
      spentOutputs: bad.spentOutputs,
      scriptExecutionCache,
      secp,
    });
    assertEquals(r.valid, false);
  }
  assertEquals(secp.ecdsa, 11);
});

Deno.test("checkInputScripts: without cacheFullScriptStore a hit is erased and nothing is stored", () => {
  const secp = countingSecp256k1();
  const scriptExecutionCache = new ScriptExecutionCache({ maxBytes: 1 << 16 });
  const { tx, spentOutputs } = tr[1];
  const flags = MANDATORY_SCRIPT_VERIFY_FLAGS;
  checkInputScripts(tx, { flags, spentOutputs, scriptExecutionCache, secp, cacheFullScriptStore: false });
  assertEquals(scriptExecutionCache.count(), 0);
  checkInputScripts(tx, { flags, spentOutputs, scriptExecutionCache, secp });
  assertEquals(scriptExecutionCache.count(), 1);
  const hit = checkInputScripts(tx, {
    flags,
    spentOutputs,
    scriptExecutionCache,
    secp,
    cacheFullScriptStore: false,
  });
  assertEquals(hit, { valid: true, cached: true });
  assertEquals(scriptExecutionCache.count(), 0);
  assertEquals(secp.schnorr, 6);
});

Deno.test("checkInputScripts: the signature cache answers when the script cache misses (other flags)", () => {
  const secp = countingSecp256k1();
  const signatureCache = new SignatureCache({ maxBytes: 1 << 16 });
  const scriptExecutionCache = new ScriptExecutionCache({ maxBytes: 1 << 16 });
  const all = [...wpkh, ...tr];
  // Mempool acceptance: standard flags, stores signatures.
  for (const { tx, spentOutputs } of all) {
    checkInputScripts(tx, {
      flags: STANDARD_SCRIPT_VERIFY_FLAGS,
      spentOutputs,
      signatureCache,
      scriptExecutionCache,
      secp,
    });
  }
  assertEquals([secp.ecdsa, secp.schnorr], [6, 6]);
  assertEquals(signatureCache.count(), 12);
  // The block, with other flags: no script cache hit, but no signature is verified again; hits are erased.
  for (const { tx, spentOutputs } of all) {
    const r = checkInputScripts(tx, {
      flags: MANDATORY_SCRIPT_VERIFY_FLAGS,
      spentOutputs,
      signatureCache,
      scriptExecutionCache,
      secp,
      cacheSigStore: false,
      cacheFullScriptStore: false,
    });
    assertEquals(r, { valid: true, cached: false });
  }
  assertEquals([secp.ecdsa, secp.schnorr], [6, 6]);
  assertEquals(signatureCache.count(), 0);
  // With a different signature cache (salt), everything is verified.
  for (const { tx, spentOutputs } of all) {
    checkInputScripts(tx, {
      flags: SCRIPT_VERIFY_P2SH | SCRIPT_VERIFY_WITNESS | (1 << 17),
      spentOutputs,
      signatureCache: new SignatureCache({ maxBytes: 4096 }),
      secp,
    });
  }
  assertEquals([secp.ecdsa, secp.schnorr], [12, 12]);
});

Deno.test("scriptCheckFailure: reason prefix follows the flags", () => {
  const f = scriptCheckFailure(wpkh[0].tx, 0, "SIG_DER", SCRIPT_VERIFY_P2SH);
  assertEquals([f.result, f.reason], [
    "TX_CONSENSUS",
    "block-script-verify-flag-failed (Non-canonical DER signature)",
  ]);
});
