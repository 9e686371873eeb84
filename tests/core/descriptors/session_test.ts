// Cross-checks against the recorded Bitcoin Core regtest session (/work/shared/reference, read in place): every
// descriptor Core printed parses with its checksum and prints back identically, and the wallet's descriptors
// derive the addresses Core handed out.
import { assert, assertEquals } from "../../assert.ts";
import { toHex } from "../../../core/hash/hashes.ts";
import { formatHDKeypath, parseDescriptor } from "../../../core/descriptors/mod.ts";

interface Recorded {
  call: [string, unknown[]];
  wallet: string | null;
  result?: unknown;
}

async function loadSession(): Promise<Recorded[]> {
  const url = new URL("../../../../shared/reference/core_regtest_rpc_session.json", import.meta.url);
  return JSON.parse(await Deno.readTextFile(url)) as Recorded[];
}

/** Every string under a `desc`, `parent_desc`, `parent_descs` or `descriptor` key. */
function descriptorsIn(value: unknown, out: Set<string>): Set<string> {
  if (Array.isArray(value)) value.forEach((v) => descriptorsIn(v, out));
  else if (value !== null && typeof value === "object") {
    for (const [k, v] of Object.entries(value)) {
      if (["desc", "parent_desc", "descriptor"].includes(k) && typeof v === "string") out.add(v);
      else if (k === "parent_descs" && Array.isArray(v)) v.forEach((d) => out.add(d as string));
      else descriptorsIn(v, out);
    }
  }
  return out;
}

const regtest = { network: "regtest", requireChecksum: true } as const;

Deno.test("session: every descriptor Core printed parses with its checksum and prints back identically", async () => {
  const session = await loadSession();
  const all = descriptorsIn(session.map((c) => c.result), new Set());
  assert(all.size >= 15, `found ${all.size}`);
  for (const text of all) assertEquals(parseDescriptor(text, regtest).toString(), text);
  // decodescript's inferred descriptors expand to the decoded script.
  for (const c of session.filter((c) => c.call[0] === "decodescript")) {
    const r = c.result as { desc: string };
    assertEquals(toHex(parseDescriptor(r.desc, regtest).expand(0).scriptPubKeys[0]), c.call[1][0]);
  }
});

Deno.test("session: the wallet's descriptors derive the addresses getnewaddress returned", async () => {
  const session = await loadSession();
  const listed = session.find((c) => c.call[0] === "listdescriptors")!.result as {
    descriptors: Array<{ desc: string; internal: boolean; range: [number, number] }>;
  };
  const newAddress = (type?: string) =>
    session.find((c) => c.call[0] === "getnewaddress" && c.wallet === "w" && c.call[1][1] === type)!
      .result as string;
  const external = (prefix: string) =>
    parseDescriptor(listed.descriptors.find((d) => !d.internal && d.desc.startsWith(prefix))!.desc, regtest);
  assertEquals(external("wpkh(").addressAt(0), newAddress(undefined));
  assertEquals(external("pkh(").addressAt(0), newAddress("legacy"));
  assertEquals(external("sh(wpkh(").addressAt(0), newAddress("p2sh-segwit"));
  assertEquals(external("tr(").addressAt(0), newAddress("bech32m"));
  for (const d of listed.descriptors) {
    const desc = parseDescriptor(d.desc, regtest);
    assert(desc.isRange() && desc.isSolvable() && !desc.hasPrivateKeys());
  }

  // The change output of the wallet's payment is the first internal bech32 address.
  const change = parseDescriptor(
    listed.descriptors.find((d) => d.internal && d.desc.startsWith("wpkh("))!.desc,
    regtest,
  )
    .addressAt(0);
  const decoded = session.find((c) =>
    c.call[0] === "decoderawtransaction" && c.result !== undefined &&
    JSON.stringify(c.result).includes(change)
  );
  assert(decoded !== undefined, `change address ${change} not in the session`);
});

Deno.test("session: getaddressinfo's desc is the parent descriptor's key at its position", async () => {
  const session = await loadSession();
  const info = session.find((c) => c.call[0] === "getaddressinfo")!.result as {
    address: string;
    scriptPubKey: string;
    desc: string;
    parent_desc: string;
    pubkey: string;
    hdkeypath: string;
    hdmasterfingerprint: string;
  };
  const parent = parseDescriptor(info.parent_desc, regtest);
  const expanded = parent.expand(0);
  assertEquals(parent.addressAt(0), info.address);
  assertEquals(toHex(expanded.scriptPubKeys[0]), info.scriptPubKey);
  const [key] = expanded.pubkeys;
  assertEquals(toHex(key.pubkey), info.pubkey);
  assertEquals(toHex(key.origin.fingerprint), info.hdmasterfingerprint);
  assertEquals("m" + formatHDKeypath(key.origin.path), info.hdkeypath);
  // The single-key descriptor Core infers for the address, built from the key and its origin.
  const inferred = `wpkh([${toHex(key.origin.fingerprint)}${
    formatHDKeypath(key.origin.path)
  }]${info.pubkey})`;
  assertEquals(parseDescriptor(inferred, { network: "regtest" }).toString(), info.desc);
});
