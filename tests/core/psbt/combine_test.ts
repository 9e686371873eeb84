import { toHex } from "../../../core/hash/hashes.ts";
import {
  combinePsbts,
  mergeInput,
  mergeOutput,
  newPsbtInput,
  newPsbtOutput,
  psbtFromTransaction,
} from "../../../core/psbt/mod.ts";
import type { Transaction } from "../../../core/wire/types.ts";
import { assert, assertEquals } from "../../assert.ts";

const TX: Transaction = {
  version: 2,
  locktime: 0,
  inputs: [{
    prevout: { txid: new Uint8Array(32).fill(1), vout: 0 },
    scriptSig: new Uint8Array(0),
    sequence: 0,
    witness: [],
  }],
  outputs: [{ value: 5n, scriptPubKey: Uint8Array.of(0x51) }],
};

Deno.test("mergeInput/mergeOutput: maps are united, single values come from the first", () => {
  const a = newPsbtInput(new Uint8Array(32), 0);
  const b = newPsbtInput(new Uint8Array(32), 0);
  a.redeemScript = Uint8Array.of(1);
  b.redeemScript = Uint8Array.of(2);
  b.witnessScript = Uint8Array.of(3);
  a.unknown.set("40", { key: Uint8Array.of(0x40), value: Uint8Array.of(1) });
  b.unknown.set("40", { key: Uint8Array.of(0x40), value: Uint8Array.of(2) });
  b.unknown.set("41", { key: Uint8Array.of(0x41), value: Uint8Array.of(3) });
  b.sequence = 7;
  mergeInput(a, b);
  assertEquals([a.redeemScript, a.witnessScript, a.sequence], [Uint8Array.of(1), Uint8Array.of(3), 7]);
  assertEquals([...a.unknown.keys()].sort(), ["40", "41"]);
  assertEquals(a.unknown.get("40")!.value, Uint8Array.of(1));
  const o = newPsbtOutput(1n, Uint8Array.of(0x51));
  const p = newPsbtOutput(1n, Uint8Array.of(0x51));
  p.tapTree = [{ depth: 0, leafVersion: 0xc0, script: Uint8Array.of(0x51) }];
  mergeOutput(o, p);
  assertEquals(o.tapTree?.length, 1);
});

Deno.test("combinePsbts: copies the first; refuses other transactions and other versions", () => {
  const a = psbtFromTransaction(TX, 0);
  const b = psbtFromTransaction(TX, 0);
  b.inputs[0].redeemScript = Uint8Array.of(0x51);
  b.inputs[0].sighashType = 1; // not merged (Core's PSBTInput::Merge leaves the sighash type alone)
  const c = combinePsbts([a, b])!;
  assertEquals(c.inputs[0].redeemScript, Uint8Array.of(0x51));
  assertEquals(c.inputs[0].sighashType, undefined);
  assertEquals(a.inputs[0].redeemScript, undefined); // the inputs are not modified
  assert(c !== a);
  assertEquals(combinePsbts([a, psbtFromTransaction(TX, 2)]), null);
  assertEquals(combinePsbts([a, psbtFromTransaction({ ...TX, locktime: 1 }, 0)]), null);
  let threw = false;
  try {
    combinePsbts([]);
  } catch {
    threw = true;
  }
  assert(threw);
});

Deno.test("combinePsbts: global xpubs are unique by origin, key and chain code", () => {
  const xpub = new Uint8Array(78);
  xpub[45] = 2;
  xpub[77] = 1;
  const origin = { fingerprint: Uint8Array.of(1, 2, 3, 4), path: [1] };
  const a = psbtFromTransaction(TX, 2);
  const b = psbtFromTransaction(TX, 2);
  a.xpubs.push({ xpub, origin });
  b.xpubs.push({ xpub: xpub.slice(), origin: { ...origin } });
  const other = xpub.slice();
  other[0] = 9; // another version: the same key for Core
  b.xpubs.push({ xpub: other, origin });
  b.xpubs.push({ xpub, origin: { fingerprint: origin.fingerprint, path: [2] } });
  const c = combinePsbts([a, b])!;
  assertEquals(c.xpubs.map((x) => `${toHex(x.xpub.subarray(0, 1))}:${x.origin.path}`), ["00:1", "00:2"]);
});
