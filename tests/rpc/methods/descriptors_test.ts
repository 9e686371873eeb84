import { assert, assertEquals } from "../asserts.ts";
import { descriptorMethods, expandScanObject, parseScanObject } from "../../../rpc/methods/descriptors.ts";
import { RpcError } from "../../../rpc/errors.ts";
import { RpcTable } from "../../../rpc/table.ts";
import { addChecksum } from "../../../core/descriptors/mod.ts";

interface Recorded {
  call: [string, unknown[]];
  wallet: string | null;
  result?: unknown;
  error?: { code: number; message: string };
}

type Reply = { result: unknown } | { error: { code: number; message: string } };

async function loadSession(): Promise<Recorded[]> {
  const url = new URL("../../../../shared/reference/core_regtest_rpc_session.json", import.meta.url);
  return JSON.parse(await Deno.readTextFile(url)) as Recorded[];
}

function table(network: "regtest" | "main" = "regtest"): RpcTable {
  const t = new RpcTable();
  t.registerAll(descriptorMethods({ network: () => network }));
  return t;
}

async function raw(t: RpcTable, method: string, params: unknown): Promise<string> {
  return (await t.execute(JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }))).body;
}

async function call(t: RpcTable, method: string, params: unknown): Promise<Reply> {
  const body = JSON.parse(await raw(t, method, params));
  return body.error !== undefined && body.error !== null ? { error: body.error } : { result: body.result };
}

async function err(t: RpcTable, method: string, params: unknown): Promise<[number, string]> {
  const r = await call(t, method, params);
  assert("error" in r, `expected an error, got ${JSON.stringify(r)}`);
  return [r.error.code, r.error.message];
}

const K = "03a34b99f22c790c4e36b2b3c2c35a36db06226e41c692fc82b8b56ac1c540c5bd";
const XPUB =
  "xpub68NZiKmJWnxxS6aaHmn81bvJeTESw724CRDs6HbuccFQN9Ku14VQrADWgqbhhTHBaohPX4CjNLf9fq9MYo6oDaPPLPxSb7gwQN3ih19Zm4Y";

Deno.test("getdescriptorinfo: the recorded Core call gives the recorded result, field for field", async () => {
  const session = await loadSession();
  const t = table();
  const recorded = session.filter((c) => c.call[0] === "getdescriptorinfo");
  assert(recorded.length > 0);
  for (const c of recorded) {
    assertEquals(
      await raw(t, "getdescriptorinfo", c.call[1]),
      JSON.stringify({ jsonrpc: "2.0", result: c.result, id: 1 }) + "\n",
    );
  }
});

Deno.test("getdescriptorinfo: canonical public form, input checksum, private keys, multipath, errors", async () => {
  const t = table("main");
  // Core's example: mixed-case hex, apostrophes → canonical lowercase; the checksum is the input's.
  const input =
    "wpkh([d34db33f/84'/0'/0']0279BE667EF9DCBBAC55A06295CE870B07029BFCDB2DCE28D959F2815B16F81798)";
  const r = await call(t, "getdescriptorinfo", [input]);
  assertEquals(r, {
    result: {
      descriptor: addChecksum(
        "wpkh([d34db33f/84'/0'/0']0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798)",
      ),
      checksum: addChecksum(input).slice(-8),
      isrange: false,
      issolvable: true,
      hasprivatekeys: false,
    },
  });
  const priv = await call(t, "getdescriptorinfo", [
    "pkh(L4rK1yDtCWekvXuE6oXD9jCYfFNV2cWRpVuPLBcCU2z8TrisoyY1)",
  ]);
  assertEquals((priv as { result: Record<string, unknown> }).result.descriptor, addChecksum(`pkh(${K})`));
  assertEquals((priv as { result: Record<string, unknown> }).result.hasprivatekeys, true);
  const addr = await call(t, "getdescriptorinfo", ["addr(bc1qngw83fg8dz0k749cg7k3emc7v98wy0c74dlrkd)"]);
  assertEquals((addr as { result: Record<string, unknown> }).result.issolvable, false);
  // Multipath: the first expansion, then all of them, in Core's field order.
  const body = await raw(t, "getdescriptorinfo", [`wpkh(${XPUB}/<0;1>/*)`]);
  assertEquals(
    Object.keys(JSON.parse(body).result),
    ["descriptor", "multipath_expansion", "checksum", "isrange", "issolvable", "hasprivatekeys"],
  );
  const mp = JSON.parse(body).result;
  assertEquals(mp.descriptor, addChecksum(`wpkh(${XPUB}/0/*)`));
  assertEquals(mp.multipath_expansion, [addChecksum(`wpkh(${XPUB}/0/*)`), addChecksum(`wpkh(${XPUB}/1/*)`)]);
  assertEquals(mp.isrange, true);
  // Errors are RPC_INVALID_ADDRESS_OR_KEY with the parser's message.
  assertEquals(await err(t, "getdescriptorinfo", ["wpkh(xyz)"]), [-5, "wpkh(): key 'xyz' is not valid"]);
  assertEquals(await err(t, "getdescriptorinfo", [`pk(${K})#00000000`]), [
    -5,
    `Provided checksum '00000000' does not match computed checksum '${addChecksum(`pk(${K})`).slice(-8)}'`,
  ]);
  assertEquals(await err(t, "getdescriptorinfo", [`pk(${K}))`]), [-5, ""]);
  assertEquals((await err(t, "getdescriptorinfo", [5]))[0], -3);
  assert(
    t.help("getdescriptorinfo").startsWith('getdescriptorinfo "descriptor"\n\nAnalyses a descriptor.\n'),
  );
});

Deno.test("deriveaddresses: the session's wallet descriptors give the addresses Core handed out", async () => {
  const session = await loadSession();
  const t = table();
  const listed = session.find((c) => c.call[0] === "listdescriptors")!.result as {
    descriptors: Array<{ desc: string; internal: boolean }>;
  };
  const wpkh = listed.descriptors.find((d) => !d.internal && d.desc.startsWith("wpkh("))!.desc;
  const first = session.find((c) => c.call[0] === "getnewaddress" && c.call[1].length === 0)!
    .result as string;
  const r = await call(t, "deriveaddresses", [wpkh, [0, 2]]);
  assert("result" in r);
  const addrs = r.result as string[];
  assertEquals(addrs.length, 3);
  assertEquals(addrs[0], first);
  assertEquals(await call(t, "deriveaddresses", [wpkh, 2]), r);
  assertEquals(await call(t, "deriveaddresses", [wpkh, [1, 1]]), { result: [addrs[1]] });
  // Named parameters.
  assertEquals(await call(t, "deriveaddresses", { descriptor: wpkh, range: [2, 2] }), { result: [addrs[2]] });
});

Deno.test("deriveaddresses: Core's range and descriptor errors", async () => {
  const t = table("main");
  const ranged = addChecksum(`wpkh(${XPUB}/*)`);
  const fixed = addChecksum(`wpkh(${K})`);
  assertEquals(await err(t, "deriveaddresses", [`wpkh(${K})`]), [-5, "Missing checksum"]);
  assertEquals(await err(t, "deriveaddresses", [fixed, 1]), [
    -8,
    "Range should not be specified for an un-ranged descriptor",
  ]);
  assertEquals(await err(t, "deriveaddresses", [fixed, null]), [
    -8,
    "Range should not be specified for an un-ranged descriptor",
  ]);
  assertEquals(await err(t, "deriveaddresses", [ranged]), [
    -8,
    "Range must be specified for a ranged descriptor",
  ]);
  assertEquals(await err(t, "deriveaddresses", [ranged, [2, 1]]), [
    -8,
    "Range specified as [begin,end] must not have begin after end",
  ]);
  // A negative end alone is "too high" (Core shifts the int64 right by 31).
  assertEquals(await err(t, "deriveaddresses", [ranged, -1]), [-8, "End of range is too high"]);
  assertEquals(await err(t, "deriveaddresses", [ranged, [-1, 3]]), [
    -8,
    "Range should be greater or equal than 0",
  ]);
  assertEquals(await err(t, "deriveaddresses", [ranged, [0, 2147483648]]), [-8, "End of range is too high"]);
  assertEquals(await err(t, "deriveaddresses", [ranged, [5, 1000005]]), [-8, "Range is too large"]);
  assertEquals(await err(t, "deriveaddresses", [ranged, "2"]), [
    -8,
    "Range must be specified as end or as [begin,end]",
  ]);
  assertEquals(await err(t, "deriveaddresses", [ranged, [1, 2, 3]]), [
    -8,
    "Range must be specified as end or as [begin,end]",
  ]);
  assertEquals(await err(t, "deriveaddresses", [ranged, 1.5]), [-1, "JSON integer out of range"]);
  assertEquals(await err(t, "deriveaddresses", [ranged, 1e18]), [-8, "End of range is too high"]);
  // The range is checked before the descriptor, as in Core.
  assertEquals(await err(t, "deriveaddresses", ["nonsense", [-1, 0]]), [
    -8,
    "Range should be greater or equal than 0",
  ]);
  assertEquals(await err(t, "deriveaddresses", [addChecksum(`pk(${K})`)]), [
    -5,
    "Descriptor does not have a corresponding address",
  ]);
  assertEquals(await err(t, "deriveaddresses", [addChecksum(`wpkh(${XPUB}/0h/*)`), 0]), [
    -5,
    "Cannot derive script without private keys",
  ]);
  assertEquals(await err(t, "deriveaddresses", [addChecksum(`unused(${K})`)]), [
    -1,
    "Unexpected empty result",
  ]);
  // A ranged descriptor with a null range derives position 0 (Core counts the parameter as given).
  assertEquals(
    await call(t, "deriveaddresses", [ranged, null]),
    await call(t, "deriveaddresses", [ranged, 0]),
  );
});

Deno.test("deriveaddresses: combo gives its three addresses, multipath one list per path", async () => {
  const t = table("main");
  const combo = await call(t, "deriveaddresses", [addChecksum(`combo(${K})`)]);
  assertEquals(combo, {
    result: [
      "1F3sAm6ZtwLAUnj7d38pGFxtP3RVEvtsbV",
      "bc1qngw83fg8dz0k749cg7k3emc7v98wy0c74dlrkd",
      "3DnW8JGpPViEZdpqat8qky1zc26EKbXnmM",
    ],
  });
  const mp = await call(t, "deriveaddresses", [addChecksum(`wpkh(${XPUB}/<0;1>/*)`), [0, 1]]);
  const receive = await call(t, "deriveaddresses", [addChecksum(`wpkh(${XPUB}/0/*)`), [0, 1]]);
  const change = await call(t, "deriveaddresses", [addChecksum(`wpkh(${XPUB}/1/*)`), [0, 1]]);
  assert("result" in mp && "result" in receive && "result" in change);
  assertEquals(mp.result, [receive.result, change.result]);
  assert(t.help("deriveaddresses").includes("2. range         (numeric or array, optional)"));
});

Deno.test("parseScanObject: string or {desc, range}; the range only for ranged descriptors; Core's errors", () => {
  const ranged = `wpkh(${XPUB}/0/*)`;
  const plain = parseScanObject(ranged, "main");
  assertEquals([plain.text, plain.range, plain.descriptors.length], [ranged, [0, 1000], 1]);
  assertEquals(parseScanObject({ desc: ranged, range: [2, 5] }, "main").range, [2, 5]);
  assertEquals(parseScanObject({ desc: ranged, range: 7 }, "main").range, [0, 7]);
  assertEquals(parseScanObject({ desc: `pkh(${K})`, range: 7 }, "main").range, [0, 0]);
  assertEquals(parseScanObject(`wpkh(${XPUB}/<0;1>/*)`, "main").descriptors.length, 2);
  const error = (value: Parameters<typeof parseScanObject>[0]) => {
    try {
      parseScanObject(value, "main");
    } catch (e) {
      if (e instanceof RpcError) return [e.code, e.message];
      throw e;
    }
    throw new Error("expected an RpcError");
  };
  assertEquals(error(5), [-8, "Scan object needs to be either a string or an object"]);
  assertEquals(error({ range: 1 }), [-8, "Descriptor needs to be provided in scan object"]);
  assertEquals(error({ desc: ranged, range: [3, 1] }), [
    -8,
    "Range specified as [begin,end] must not have begin after end",
  ]);
  assertEquals(error("wpkh(nope)")[0], -5);
});

Deno.test("expandScanObject: a descriptor error while expanding is Core's 'Cannot derive script …' (-5)", () => {
  const hardened = `wpkh(${XPUB}/0h/*)`;
  const scan = parseScanObject(hardened, "main");
  assertEquals(expandScanObject(scan, () => 7), 7);
  try {
    expandScanObject(scan, () => scan.descriptors[0].expand(0));
    throw new Error("expected an RpcError");
  } catch (e) {
    assert(e instanceof RpcError);
    assertEquals([e.code, e.message], [-5, `Cannot derive script without private keys: '${hardened}'`]);
  }
  const other = new TypeError("not a descriptor error");
  let caught: unknown;
  try {
    expandScanObject(scan, () => {
      throw other;
    });
  } catch (e) {
    caught = e;
  }
  assert(caught === other, "other errors pass through unchanged");
});
