import { assert, assertEquals, assertThrows } from "../../assert.ts";
import { fromHex, toHex } from "../../../core/hash/hashes.ts";
import {
  type Coin,
  coinEquals,
  decodeCoin,
  encodeCoin,
  isUnspendableOutput,
  outPointFromMapKey,
  outPointMapKey,
} from "../../../node/storage/coins.ts";

Deno.test("coin serialization matches Core's ccoins_serialization examples", () => {
  const cc1 = decodeCoin(fromHex("97f23c835800816115944e077fe7c803cfa57f29b36bf87c1d35"));
  assertEquals(cc1.coinbase, false);
  assertEquals(cc1.height, 203998);
  assertEquals(cc1.out.value, 60000000000n);
  assertEquals(toHex(cc1.out.scriptPubKey), "76a914816115944e077fe7c803cfa57f29b36bf87c1d3588ac");
  assertEquals(toHex(encodeCoin(cc1)), "97f23c835800816115944e077fe7c803cfa57f29b36bf87c1d35");

  const cc2 = decodeCoin(fromHex("8ddf77bbd123008c988f1a4a4de2161e0f50aac7f17e7f9555caa4"));
  assertEquals(cc2.coinbase, true);
  assertEquals(cc2.height, 120891);
  assertEquals(cc2.out.value, 110397n);
  assertEquals(toHex(cc2.out.scriptPubKey), "76a9148c988f1a4a4de2161e0f50aac7f17e7f9555caa488ac");
  assertEquals(toHex(encodeCoin(cc2)), "8ddf77bbd123008c988f1a4a4de2161e0f50aac7f17e7f9555caa4");

  const cc3 = decodeCoin(fromHex("000006"));
  assertEquals(cc3, { out: { value: 0n, scriptPubKey: new Uint8Array(0) }, height: 0, coinbase: false });

  // scriptPubKey past the end of the data, and a 3*10^9-byte one.
  assertThrows(() => decodeCoin(fromHex("000007")), "end of data");
  assertThrows(() => decodeCoin(fromHex("00008a95c0bb00")), "needs 2999999994 bytes");
  assertThrows(() => decodeCoin(fromHex("00000600")), "1 byte left after the coin");
});

Deno.test("coins round trip with random contents; height limits", () => {
  for (let i = 0; i < 2000; i++) {
    const len = i % 7 === 0 ? 25 : Math.floor(Math.random() * 80);
    const script = crypto.getRandomValues(new Uint8Array(len));
    const coin: Coin = {
      out: { value: BigInt(Math.floor(Math.random() * 2 ** 50)), scriptPubKey: script },
      height: Math.floor(Math.random() * 2 ** 31),
      coinbase: Math.random() < 0.5,
    };
    assert(coinEquals(decodeCoin(encodeCoin(coin)), coin));
  }
  const coin = { out: { value: 1n, scriptPubKey: new Uint8Array(0) }, height: 2 ** 31, coinbase: false };
  assertThrows(() => encodeCoin(coin), "height is 2147483648");
});

Deno.test("outpoint map keys are exact and reversible; unspendable outputs", () => {
  const txid = crypto.getRandomValues(new Uint8Array(32));
  for (const vout of [0, 1, 255, 256, 65535, 0x12345678, 0xffffffff]) {
    const k = outPointMapKey({ txid, vout });
    assertEquals(k.length, 36);
    const o = outPointFromMapKey(k);
    assertEquals(toHex(o.txid), toHex(txid));
    assertEquals(o.vout, vout);
  }
  assert(outPointMapKey({ txid, vout: 1 }) !== outPointMapKey({ txid, vout: 256 }));
  assert(isUnspendableOutput({ value: 0n, scriptPubKey: fromHex("6a0102") }));
  assert(isUnspendableOutput({ value: 0n, scriptPubKey: new Uint8Array(10001) }));
  assert(!isUnspendableOutput({ value: 0n, scriptPubKey: new Uint8Array(10000) }));
});
