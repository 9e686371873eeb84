import { assert, assertEquals, assertThrows } from "../assert.ts";
import { parseDescriptor } from "../../core/descriptors/mod.ts";
import { encodeDestination } from "../../core/address/destination.ts";
import {
  defaultDescriptorText,
  DescriptorScriptPubKeyMan,
  KeypoolRanOutError,
  randomMasterKeyText,
  WALLET_OUTPUT_TYPES,
} from "../../wallet/scriptpubkeyman.ts";
import { Keys } from "../../wallet/db/records.ts";

// BIP32 test vector 1's master key, as a tprv.
const TPRV =
  "tprv8ZgxMBicQKsPeDgjzdC36fs6bMjGApWDNLR9erAXMs5skhMv36j9MV5ecvfavji5khqjWaWSFhN3YcCUUdiKH6isR4Pwy3U5y5egddBr16m";

Deno.test("scriptpubkeyman: default descriptors are Core's BIP44/49/84/86 paths, normalized to the account xpub", () => {
  assertEquals(defaultDescriptorText("X", "legacy", false, "regtest"), "pkh(X/44h/1h/0h/0/*)");
  assertEquals(defaultDescriptorText("X", "p2sh-segwit", true, "regtest"), "sh(wpkh(X/49h/1h/0h/1/*))");
  assertEquals(defaultDescriptorText("X", "bech32", false, "main"), "wpkh(X/84h/0h/0h/0/*)");
  assertEquals(defaultDescriptorText("X", "bech32m", true, "test"), "tr(X/86h/1h/0h/1/*)");
  for (const type of WALLET_OUTPUT_TYPES) {
    const text = defaultDescriptorText(TPRV, type, false, "regtest");
    const spkm = DescriptorScriptPubKeyMan.fromText(text, { network: "regtest", timestamp: 1 });
    const priv = parseDescriptor(text, { network: "regtest" });
    // Public form: [fingerprint/purpose'/1'/0']tpub…/0/* with checksum, as listdescriptors shows it.
    assert(
      /\[[0-9a-f]{8}\/(44|49|84|86)h\/1h\/0h\]tpub[1-9A-Za-z]+\/0\/\*\)+#[a-z0-9]{8}$/.test(spkm.record.desc),
    );
    assertEquals(spkm.descriptor.outputType(), type);
    assertEquals(spkm.toDescriptorString(true), priv.toString({ private: true }));
    assertEquals(spkm.id.length, 64);
    // The public descriptor derives the same scripts as the private one.
    assertEquals(spkm.record.rangeEnd, 1);
    spkm.topUp(5);
    assertEquals(spkm.record.rangeEnd, 5);
    for (let i = 0; i < 5; i++) assertEquals(spkm.scriptsAt(i), priv.expand(i).scriptPubKeys);
  }
});

Deno.test("scriptpubkeyman: handing out addresses, lookahead and the stored cache", () => {
  const spkm = DescriptorScriptPubKeyMan.fromText(defaultDescriptorText(TPRV, "bech32", false, "regtest"), {
    network: "regtest",
    timestamp: 7,
  });
  // Core tops up before handing out: range_end = next + keypool, then next moves.
  const first = spkm.getNewDestination(10);
  assertEquals(first.index, 0);
  assertEquals(first.address, encodeDestination(spkm.scriptsAt(0)[0], "regtest"));
  // The lookahead is asked for; the wallet derives it step by step.
  assertEquals(spkm.record.rangeEnd, 1);
  assert(spkm.pendingTopUp());
  assertEquals(spkm.deriveStep(4), 1);
  assertEquals(spkm.record.rangeEnd, 5);
  assertEquals(spkm.deriveStep(100), 5);
  assertEquals(spkm.deriveStep(100), null);
  assertEquals(spkm.record.rangeEnd, 10);
  assertEquals(spkm.record.nextIndex, 1);
  assertEquals(spkm.keypoolSize(), 9);
  // A script seen in a transaction marks everything up to it used.
  assertEquals(spkm.markUsed(6), true);
  assertEquals(spkm.markUsed(3), false);
  assertEquals(spkm.record.nextIndex, 7);
  assertEquals(spkm.topUp(10), 10);
  assertEquals(spkm.record.rangeEnd, 17);
  assertEquals([...spkm.allScripts()].length, 17);

  // Stored: the record last, cache chunks before it; loading reads them back (and derives what is missing).
  const writes = spkm.writes();
  assertEquals(writes[writes.length - 1][0], Keys.desc(spkm.id));
  const record = JSON.parse(new TextDecoder().decode(writes[writes.length - 1][1]));
  assertEquals(record.nextIndex, 7);
  assert(typeof record.priv === "string" && record.priv.includes("tprv"));
  const chunks = writes.slice(0, -1).map(([, v]) => v);
  const back = DescriptorScriptPubKeyMan.fromRecord(record, { network: "regtest", chunks });
  assertEquals(back.id, spkm.id);
  assertEquals(back.scriptsAt(16), spkm.scriptsAt(16));
  const noCache = DescriptorScriptPubKeyMan.fromRecord(record, { network: "regtest", chunks: [] });
  assertEquals(noCache.scriptsAt(16), spkm.scriptsAt(16));
  assert(noCache.privateDescriptor() !== undefined);
  // Without its private text (a locked wallet) it still derives from the account xpub.
  const { priv: _p, ...pub } = record;
  const locked = DescriptorScriptPubKeyMan.fromRecord(pub, { network: "regtest", chunks: [] });
  assertEquals(locked.privateDescriptor(), undefined);
  assertEquals(locked.scriptsAt(3), spkm.scriptsAt(3));
});

Deno.test("scriptpubkeyman: a descriptor that is not ranged has no addresses to hand out", () => {
  const spkm = DescriptorScriptPubKeyMan.fromText(
    "wpkh(02c6047f9441ed7d6d3045406e95c07cd85c778e4b8cef3ca7abac09b95c709ee5)",
    { network: "regtest", timestamp: 0 },
  );
  assertEquals(spkm.isRange(), false);
  assertEquals(spkm.record.rangeEnd, 1);
  assertEquals(spkm.keypoolSize(), 0);
  assertThrows(() => spkm.getNewDestination(10), "no available keys");
  try {
    spkm.getNewDestination(1);
  } catch (e) {
    assert(e instanceof KeypoolRanOutError);
  }
  assert(randomMasterKeyText("regtest").startsWith("tprv"));
  assert(randomMasterKeyText("main").startsWith("xprv"));
});

Deno.test("scriptpubkeyman: a cache chunk written short stops the cache there; later positions are derived", () => {
  const spkm = DescriptorScriptPubKeyMan.fromText(defaultDescriptorText(TPRV, "bech32", false, "regtest"), {
    network: "regtest",
    timestamp: 7,
  });
  spkm.topUp(1200);
  const full = spkm.writes();
  // Chunk 0 as written when only 300 positions were derived, chunks 1 and 2 complete.
  const short = DescriptorScriptPubKeyMan.fromText(defaultDescriptorText(TPRV, "bech32", false, "regtest"), {
    network: "regtest",
    timestamp: 7,
  });
  short.topUp(300);
  const chunks = [short.writes()[0][1], full[1][1], full[2][1]];
  const record = JSON.parse(new TextDecoder().decode(full[full.length - 1][1]));
  const back = DescriptorScriptPubKeyMan.fromRecord(record, { network: "regtest", chunks });
  for (const pos of [0, 299, 300, 499, 500, 1199]) {
    assertEquals(back.scriptsAt(pos), spkm.scriptsAt(pos), `${pos}`);
  }
});
