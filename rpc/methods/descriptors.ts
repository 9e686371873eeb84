/**
 * The descriptor utility methods (Core's `src/rpc/output_script.cpp`): `getdescriptorinfo` and
 * `deriveaddresses`, over `core/descriptors`.
 *
 * @module
 */
import type { Network } from "../../core/chain_params_base.ts";
import {
  type Descriptor,
  DescriptorError,
  getDescriptorChecksum,
  parseDescriptors,
} from "../../core/descriptors/mod.ts";
import { RpcError, RpcErrorCode } from "../errors.ts";
import { helpExampleCli, helpExampleRpc } from "../help.ts";
import { type JsonValue, numberText, type RawJson, typeName } from "../json.ts";
import type { RpcMethod } from "../table.ts";
import { getObject, getStr } from "../values.ts";

/** What the descriptor methods need from the node. */
export interface DescriptorMethodsOptions {
  /** The chain the node runs (keys and addresses are encoded for it). */
  network: () => Network;
}

/** How many positions `deriveaddresses` derives before letting other work run. */
const YIELD_EVERY = 64;

/** Parses the descriptor text for `network`; a parse error is `RPC_INVALID_ADDRESS_OR_KEY` with Core's text. */
function parseOrThrow(text: string, network: Network, requireChecksum: boolean): Descriptor[] {
  try {
    return parseDescriptors(text, { network, requireChecksum });
  } catch (e) {
    if (e instanceof DescriptorError) throw new RpcError(RpcErrorCode.RPC_INVALID_ADDRESS_OR_KEY, e.message);
    throw e;
  }
}

/** A JSON number as an int64 (UniValue's `getInt<int64_t>`): "JSON integer out of range" otherwise. */
function getInt64(value: JsonValue): bigint {
  const text = numberText(value as number | RawJson);
  if (!/^-?[0-9]+$/.test(text)) throw new RpcError(RpcErrorCode.RPC_MISC_ERROR, "JSON integer out of range");
  const n = BigInt(text);
  if (n < -(2n ** 63n) || n >= 2n ** 63n) {
    throw new RpcError(RpcErrorCode.RPC_MISC_ERROR, "JSON integer out of range");
  }
  return n;
}

/** Core's `ParseRange`: `end` or `[begin, end]`. */
function parseRange(value: JsonValue): [bigint, bigint] {
  if (typeName(value) === "number") return [0n, getInt64(value)];
  if (
    Array.isArray(value) && value.length === 2 && typeName(value[0]) === "number" &&
    typeName(value[1]) === "number"
  ) {
    const low = getInt64(value[0]);
    const high = getInt64(value[1]);
    if (low > high) {
      throw new RpcError(
        RpcErrorCode.RPC_INVALID_PARAMETER,
        "Range specified as [begin,end] must not have begin after end",
      );
    }
    return [low, high];
  }
  throw new RpcError(RpcErrorCode.RPC_INVALID_PARAMETER, "Range must be specified as end or as [begin,end]");
}

/**
 * Core's `ParseDescriptorRange`: `parseRange` plus begin ≥ 0, end < 2^31 and at most 1,000,000 positions, with
 * Core's messages.
 */
export function parseDescriptorRange(value: JsonValue): [number, number] {
  const [low, high] = parseRange(value);
  if (low < 0n) {
    throw new RpcError(RpcErrorCode.RPC_INVALID_PARAMETER, "Range should be greater or equal than 0");
  }
  if ((high >> 31n) !== 0n) {
    throw new RpcError(RpcErrorCode.RPC_INVALID_PARAMETER, "End of range is too high");
  }
  if (high >= low + 1000000n) throw new RpcError(RpcErrorCode.RPC_INVALID_PARAMETER, "Range is too large");
  return [Number(low), Number(high)];
}

/** A scan object parsed: its descriptor text, the descriptors, and the positions to expand. */
export interface ScanObject {
  /** The descriptor text as given (for {@link expandScanObject}'s error). */
  text: string;
  /** The parsed descriptors (more than one for a multipath descriptor). */
  descriptors: Descriptor[];
  /** The positions to expand, inclusive: `range` (default 0–1000) when ranged, else [0, 0]. */
  range: [number, number];
}

/**
 * The parsing half of Core's `EvalDescriptorStringOrObject` (`scantxoutset`, `utxoupdatepsbt`,
 * `descriptorprocesspsbt`): a descriptor string, or `{desc, range}`, with Core's errors for a missing `desc`,
 * another JSON type, a bad range or a bad descriptor (checksum optional).
 */
export function parseScanObject(value: JsonValue, network: Network): ScanObject {
  let text: string;
  let range: [number, number] = [0, 1000];
  if (typeof value === "string") {
    text = value;
  } else if (typeName(value) === "object") {
    const obj = getObject(value);
    if (obj.desc === undefined || obj.desc === null) {
      throw new RpcError(
        RpcErrorCode.RPC_INVALID_PARAMETER,
        "Descriptor needs to be provided in scan object",
      );
    }
    text = getStr(obj.desc);
    if (obj.range !== undefined && obj.range !== null) range = parseDescriptorRange(obj.range);
  } else {
    throw new RpcError(
      RpcErrorCode.RPC_INVALID_PARAMETER,
      "Scan object needs to be either a string or an object",
    );
  }
  const descriptors = parseOrThrow(text, network, false);
  return { text, descriptors, range: descriptors[0].isRange() ? range : [0, 0] };
}

/**
 * Runs `expand` (an expansion of the scan object's descriptors); a {@link DescriptorError} from it becomes Core's
 * "Cannot derive script without private keys: '<text>'" (RPC_INVALID_ADDRESS_OR_KEY).
 */
export function expandScanObject<T>(scan: ScanObject, expand: () => T): T {
  try {
    return expand();
  } catch (e) {
    if (e instanceof DescriptorError) {
      throw new RpcError(
        RpcErrorCode.RPC_INVALID_ADDRESS_OR_KEY,
        `Cannot derive script without private keys: '${scan.text}'`,
      );
    }
    throw e;
  }
}

/** The addresses of positions `begin..end` (Core's `DeriveAddresses`). */
async function deriveAddresses(desc: Descriptor, begin: number, end: number): Promise<string[]> {
  const addresses: string[] = [];
  for (let i = begin; i <= end; i++) {
    try {
      addresses.push(...desc.addressesAt(i));
    } catch (e) {
      if (e instanceof DescriptorError) {
        throw new RpcError(RpcErrorCode.RPC_INVALID_ADDRESS_OR_KEY, e.message);
      }
      throw e;
    }
    if ((i - begin) % YIELD_EVERY === YIELD_EVERY - 1) await new Promise((r) => setTimeout(r, 0));
  }
  if (addresses.length === 0) throw new RpcError(RpcErrorCode.RPC_MISC_ERROR, "Unexpected empty result");
  return addresses;
}

const GETDESCRIPTORINFO_EXAMPLE =
  "wpkh([d34db33f/84h/0h/0h]0279be667ef9dcbbac55a06295Ce870b07029Bfcdb2dce28d959f2815b16f81798)";

const DERIVEADDRESSES_EXAMPLE =
  "wpkh([d34db33f/84h/0h/0h]xpub6DJ2dNUysrn5Vt36jH2KLBT2i1auw1tTSSomg8PhqNiUtx8QX2SvC9nrHu81fT41fvDUnhMjEzQgXnQjKEu3oaqMSzhSrHMxyyoEAmUHQbY/0/*)#cjjspncu";

/** `getdescriptorinfo` and `deriveaddresses`, ready for `RpcTable.registerAll`. */
export function descriptorMethods(options: DescriptorMethodsOptions): RpcMethod[] {
  const getdescriptorinfo: RpcMethod = {
    name: "getdescriptorinfo",
    category: "util",
    description: "Analyses a descriptor.\n",
    args: [{ names: "descriptor", type: "str", description: "The descriptor." }],
    results: [{
      type: "obj",
      inner: [
        {
          type: "str",
          key: "descriptor",
          description:
            "The descriptor in canonical form, without private keys. For a multipath descriptor, only the first will be returned.",
        },
        {
          type: "arr",
          key: "multipath_expansion",
          optional: true,
          description:
            "All descriptors produced by expanding multipath derivation elements. Only if the provided descriptor specifies multipath derivation elements.",
          inner: [{ type: "str", key: "", description: "" }],
        },
        { type: "str", key: "checksum", description: "The checksum for the input descriptor" },
        { type: "bool", key: "isrange", description: "Whether the descriptor is ranged" },
        { type: "bool", key: "issolvable", description: "Whether the descriptor is solvable" },
        {
          type: "bool",
          key: "hasprivatekeys",
          description: "Whether the input descriptor contained at least one private key",
        },
      ],
    }],
    examples: "Analyse a descriptor\n" +
      helpExampleCli("getdescriptorinfo", `"${GETDESCRIPTORINFO_EXAMPLE}"`) +
      helpExampleRpc("getdescriptorinfo", `"${GETDESCRIPTORINFO_EXAMPLE}"`),
    handler: (params) => {
      const text = getStr(params[0]);
      const descs = parseOrThrow(text, options.network(), false);
      const first = descs[0];
      const result: Record<string, JsonValue> = { descriptor: first.toString() };
      if (descs.length > 1) result.multipath_expansion = descs.map((d) => d.toString());
      result.checksum = getDescriptorChecksum(text);
      result.isrange = first.isRange();
      result.issolvable = first.isSolvable();
      result.hasprivatekeys = first.hasPrivateKeys();
      return result;
    },
  };

  const deriveaddresses: RpcMethod = {
    name: "deriveaddresses",
    category: "util",
    description: "Derives one or more addresses corresponding to an output descriptor.\n" +
      "Examples of output descriptors are:\n" +
      "    pkh(<pubkey>)                                     P2PKH outputs for the given pubkey\n" +
      "    wpkh(<pubkey>)                                    Native segwit P2PKH outputs for the given pubkey\n" +
      "    sh(multi(<n>,<pubkey>,<pubkey>,...))              P2SH-multisig outputs for the given threshold and pubkeys\n" +
      "    raw(<hex script>)                                 Outputs whose output script equals the specified hex-encoded bytes\n" +
      "    tr(<pubkey>,multi_a(<n>,<pubkey>,<pubkey>,...))   P2TR-multisig outputs for the given threshold and pubkeys\n" +
      "\nIn the above, <pubkey> either refers to a fixed public key in hexadecimal notation, or to an xpub/xprv optionally followed by one\n" +
      'or more path elements separated by "/", where "h" represents a hardened child key.\n' +
      "For more information on output descriptors, see the documentation in the doc/descriptors.md file.\n",
    args: [
      { names: "descriptor", type: "str", description: "The descriptor." },
      {
        names: "range",
        type: "range",
        fallback: "omitted",
        description:
          "If a ranged descriptor is used, this specifies the end or the range (in [begin,end] notation) to derive.",
      },
    ],
    results: [
      {
        cond: "for single derivation descriptors",
        type: "arr",
        inner: [{ type: "str", key: "address", description: "the derived addresses" }],
      },
      {
        cond: "for multipath descriptors",
        type: "arr",
        description:
          "The derived addresses for each of the multipath expansions of the descriptor, in multipath specifier order",
        inner: [{
          type: "arr",
          description: "The derived addresses for a multipath descriptor expansion",
          inner: [{ type: "str", key: "address", description: "the derived address" }],
        }],
      },
    ],
    examples: "First three native segwit receive addresses\n" +
      helpExampleCli("deriveaddresses", `"${DERIVEADDRESSES_EXAMPLE}" "[0,2]"`) +
      helpExampleRpc("deriveaddresses", `"${DERIVEADDRESSES_EXAMPLE}", "[0,2]"`),
    losslessNumbers: true,
    handler: async (params) => {
      const text = getStr(params[0]);
      let begin = 0;
      let end = 0;
      if (params.length >= 2 && params[1] !== null && params[1] !== undefined) {
        [begin, end] = parseDescriptorRange(params[1]);
      }
      const descs = parseOrThrow(text, options.network(), true);
      const desc = descs[0];
      if (!desc.isRange() && params.length > 1) {
        throw new RpcError(
          RpcErrorCode.RPC_INVALID_PARAMETER,
          "Range should not be specified for an un-ranged descriptor",
        );
      }
      if (desc.isRange() && params.length === 1) {
        throw new RpcError(
          RpcErrorCode.RPC_INVALID_PARAMETER,
          "Range must be specified for a ranged descriptor",
        );
      }
      const addresses = await deriveAddresses(desc, begin, end);
      if (descs.length === 1) return addresses;
      const all: string[][] = [addresses];
      for (let i = 1; i < descs.length; i++) all.push(await deriveAddresses(descs[i], begin, end));
      return all;
    },
  };

  return [getdescriptorinfo, deriveaddresses];
}
