/**
 * Utility methods that need no chain state, as Bitcoin Core has them (`src/rpc/output_script.cpp`,
 * `src/rpc/signmessage.cpp`, `src/rpc/node.cpp`): `validateaddress`, `createmultisig`, `verifymessage`,
 * `signmessagewithprivkey` and `getmemoryinfo`, with Core's help, arguments, results and errors.
 *
 * @module
 */
import type { Network } from "../../core/chain_params_base.ts";
import {
  decodeDestination,
  describeAddress,
  encodeDestination,
  getScriptForDestination,
  isDecodedDestination,
} from "../../core/address/destination.ts";
import { decodeSecret } from "../../core/address/wif.ts";
import { defaultSecp256k1 } from "../../core/crypto/default_backend.ts";
import { hash160, sha256, toHex } from "../../core/hash/hashes.ts";
import { signMessage, verifyMessage } from "../../core/message.ts";
import { MAX_PUBKEYS_PER_MULTISIG, MAX_SCRIPT_ELEMENT_SIZE } from "../../core/script/script.ts";
import { scriptForMultisig } from "../../core/script/standard.ts";
import { RpcError, RpcErrorCode } from "../errors.ts";
import { helpExampleCli, helpExampleRpc } from "../help.ts";
import type { RpcMethod } from "../table.ts";
import { inferDescriptor, isHex, type OutputType, parseHex, scriptProvider } from "../tx_json.ts";
import { getArray, getInt, getStr } from "../values.ts";

/** Core's `EXAMPLE_ADDRESS[0]`. */
const EXAMPLE_ADDRESS = "bc1q09vm5lfy0j5reeulh4x5752q25uqqvz34hufdl";

/**
 * Core's `HexToPubKey`: a 33- or 65-byte public key in hex that parses on the curve (hybrid keys included).
 * Errors (RPC_INVALID_ADDRESS_OR_KEY): must be a hex string / length of either 33 or 65 bytes /
 * cryptographically valid.
 */
export function hexToPubKey(hex: string): Uint8Array {
  if (!isHex(hex)) {
    throw new RpcError(RpcErrorCode.RPC_INVALID_ADDRESS_OR_KEY, `Pubkey "${hex}" must be a hex string`);
  }
  if (hex.length !== 66 && hex.length !== 130) {
    throw new RpcError(
      RpcErrorCode.RPC_INVALID_ADDRESS_OR_KEY,
      `Pubkey "${hex}" must have a length of either 33 or 65 bytes`,
    );
  }
  const pubkey = parseHex(hex);
  if (!defaultSecp256k1().isValidPubkey(pubkey)) {
    throw new RpcError(
      RpcErrorCode.RPC_INVALID_ADDRESS_OR_KEY,
      `Pubkey "${hex}" must be cryptographically valid.`,
    );
  }
  return pubkey;
}

/** Core's `ParseOutputType`. */
export function parseOutputType(text: string): OutputType | undefined {
  return text === "legacy" || text === "p2sh-segwit" || text === "bech32" || text === "bech32m"
    ? text
    : undefined;
}

/** The result of {@link createMultisig}. */
export interface MultisigResult {
  /** The address. */
  address: string;
  /** The multisig script, hex. */
  redeemScript: string;
  /** The inferred descriptor with checksum. */
  descriptor: string;
  /** Present when the requested type could not be made (uncompressed keys force legacy). */
  warnings?: string[];
}

/**
 * Core's `AddAndGetMultisigDestination` + `createmultisig`'s result: the `required`-of-n multisig script, its
 * address of type `type` (legacy when any key is uncompressed) and its descriptor, with Core's errors.
 */
export function createMultisig(
  required: number,
  pubkeys: readonly Uint8Array[],
  type: "legacy" | "p2sh-segwit" | "bech32",
  network: Network,
): MultisigResult {
  if (required < 1) {
    throw new RpcError(
      RpcErrorCode.RPC_INVALID_PARAMETER,
      "a multisignature address must require at least one key to redeem",
    );
  }
  if (pubkeys.length < required) {
    throw new RpcError(
      RpcErrorCode.RPC_INVALID_PARAMETER,
      `not enough keys supplied (got ${pubkeys.length} keys, but need at least ${required} to redeem)`,
    );
  }
  if (pubkeys.length > MAX_PUBKEYS_PER_MULTISIG) {
    throw new RpcError(
      RpcErrorCode.RPC_INVALID_PARAMETER,
      `Number of keys involved in the multisignature address creation > ${MAX_PUBKEYS_PER_MULTISIG}\nReduce the number`,
    );
  }
  const script = scriptForMultisig(required, pubkeys);
  let outType: "legacy" | "p2sh-segwit" | "bech32" = type;
  if (pubkeys.some((pk) => pk.length !== 33)) outType = "legacy";
  if (outType === "legacy" && script.length > MAX_SCRIPT_ELEMENT_SIZE) {
    throw new RpcError(
      RpcErrorCode.RPC_INVALID_PARAMETER,
      `redeemScript exceeds size limit: ${script.length} > ${MAX_SCRIPT_ELEMENT_SIZE}`,
    );
  }
  const witnessProgram = getScriptForDestination({ type: "witness_v0_scripthash", program: sha256(script) });
  const provider = outType === "legacy" ? scriptProvider(script) : scriptProvider(script, witnessProgram);
  const outputScript = outType === "legacy"
    ? getScriptForDestination({ type: "scripthash", hash: hash160(script) })
    : outType === "bech32"
    ? witnessProgram
    : getScriptForDestination({ type: "scripthash", hash: hash160(witnessProgram) });
  const inferred = inferDescriptor(outputScript, network, provider);
  const result: MultisigResult = {
    address: encodeDestination(outputScript, network)!,
    redeemScript: toHex(script),
    descriptor: inferred.descriptor,
  };
  if (inferred.outputType !== type) {
    result.warnings = [
      "Unable to make chosen address type, please ensure no uncompressed public keys are present.",
    ];
  }
  return result;
}

/** What the utility methods need from the node. */
export interface UtilMethodsOptions {
  /** The network (addresses, keys). */
  network: () => Network;
  /** Memory figures for `getmemoryinfo` (default `Deno.memoryUsage`). */
  memoryUsage?: () => { heapTotal: number; heapUsed: number };
}

/** `validateaddress`, `createmultisig`, `verifymessage`, `signmessagewithprivkey`, `getmemoryinfo`. */
export function utilMethods(options: UtilMethodsOptions): RpcMethod[] {
  const network = options.network;
  const memoryUsage = options.memoryUsage ?? (() => Deno.memoryUsage());

  const validateaddress: RpcMethod = {
    name: "validateaddress",
    category: "util",
    description: "Return information about the given bitcoin address.\n",
    args: [{ names: "address", type: "str", description: "The bitcoin address to validate" }],
    results: [{
      type: "obj",
      inner: [
        { type: "bool", key: "isvalid", description: "If the address is valid or not" },
        { type: "str", key: "address", optional: true, description: "The bitcoin address validated" },
        {
          type: "str_hex",
          key: "scriptPubKey",
          optional: true,
          description: "The hex-encoded output script generated by the address",
        },
        { type: "bool", key: "isscript", optional: true, description: "If the key is a script" },
        {
          type: "bool",
          key: "iswitness",
          optional: true,
          description: "If the address is a witness address",
        },
        {
          type: "num",
          key: "witness_version",
          optional: true,
          description: "The version number of the witness program",
        },
        {
          type: "str_hex",
          key: "witness_program",
          optional: true,
          description: "The hex value of the witness program",
        },
        { type: "str", key: "error", optional: true, description: "Error message, if any" },
        {
          type: "arr",
          key: "error_locations",
          optional: true,
          description: "Indices of likely error locations in address, if known (e.g. Bech32 errors)",
          inner: [{ type: "num", key: "index", description: "index of a potential error" }],
        },
      ],
    }],
    examples: helpExampleCli("validateaddress", `"${EXAMPLE_ADDRESS}"`) +
      helpExampleRpc("validateaddress", `"${EXAMPLE_ADDRESS}"`),
    handler: (params) => {
      const net = network();
      const decoded = decodeDestination(getStr(params[0]), net);
      if (!isDecodedDestination(decoded)) {
        return { isvalid: false, error_locations: [...decoded.errorLocations], error: decoded.error };
      }
      return {
        isvalid: true,
        address: encodeDestination(decoded.destination, net) ?? "",
        scriptPubKey: toHex(decoded.scriptPubKey),
        ...describeAddress(decoded.destination),
      };
    },
  };

  const createmultisig: RpcMethod = {
    name: "createmultisig",
    category: "util",
    description: "Creates a multi-signature address with n signatures of m keys required.\n" +
      "It returns a json object with the address and redeemScript.\n",
    args: [
      {
        names: "nrequired",
        type: "num",
        description: "The number of required signatures out of the m keys.",
      },
      {
        names: "keys",
        type: "arr",
        description: "The hex-encoded public keys.",
        inner: [{
          names: "key",
          type: "str_hex",
          fallback: "omitted",
          description: "The hex-encoded public key",
        }],
      },
      {
        names: "address_type",
        type: "str",
        fallback: { default: "legacy" },
        description: 'The address type to use. Options are "legacy", "p2sh-segwit", and "bech32".',
      },
    ],
    results: [{
      type: "obj",
      inner: [
        { type: "str", key: "address", description: "The value of the new multisig address." },
        {
          type: "str_hex",
          key: "redeemScript",
          description: "The string value of the hex-encoded redemption script.",
        },
        { type: "str", key: "descriptor", description: "The descriptor for this multisig" },
        {
          type: "arr",
          key: "warnings",
          optional: true,
          description: "Any warnings resulting from the creation of this multisig",
          inner: [{ type: "str", description: "" }],
        },
      ],
    }],
    examples: "\nCreate a multisig address from 2 public keys\n" +
      helpExampleCli(
        "createmultisig",
        '2 "[\\"03789ed0bb717d88f7d321a368d905e7430207ebbd82bd342cf11ae157a7ace5fd\\",' +
          '\\"03dbc6764b8884a92e871274b87583e6d5c2a58819473e17e107ef3f6aa5a61626\\"]"',
      ) +
      "\nAs a JSON-RPC call\n" +
      helpExampleRpc(
        "createmultisig",
        '2, ["03789ed0bb717d88f7d321a368d905e7430207ebbd82bd342cf11ae157a7ace5fd",' +
          '"03dbc6764b8884a92e871274b87583e6d5c2a58819473e17e107ef3f6aa5a61626"]',
      ),
    handler: (params) => {
      const required = getInt(params[0]);
      const pubkeys = getArray(params[1]).map((k) => hexToPubKey(getStr(k)));
      const typeText = params[2] === null || params[2] === undefined ? "legacy" : getStr(params[2]);
      const outputType = parseOutputType(typeText);
      if (outputType === undefined) {
        throw new RpcError(RpcErrorCode.RPC_INVALID_ADDRESS_OR_KEY, `Unknown address type '${typeText}'`);
      }
      if (outputType === "bech32m") {
        throw new RpcError(
          RpcErrorCode.RPC_INVALID_ADDRESS_OR_KEY,
          "createmultisig cannot create bech32m multisig addresses",
        );
      }
      return createMultisig(required, pubkeys, outputType, network());
    },
  };

  const verifymessage: RpcMethod = {
    name: "verifymessage",
    category: "util",
    description: "Verify a signed message.",
    args: [
      { names: "address", type: "str", description: "The bitcoin address to use for the signature." },
      {
        names: "signature",
        type: "str",
        description: "The signature provided by the signer in base 64 encoding (see signmessage).",
      },
      { names: "message", type: "str", description: "The message that was signed." },
    ],
    results: [{ type: "bool", description: "If the signature is verified or not." }],
    examples: "\nUnlock the wallet for 30 seconds\n" +
      helpExampleCli("walletpassphrase", '"mypassphrase" 30') +
      "\nCreate the signature\n" +
      helpExampleCli("signmessage", '"1D1ZrZNe3JUo7ZycKEYQQiQAWd9y54F4XX" "my message"') +
      "\nVerify the signature\n" +
      helpExampleCli("verifymessage", '"1D1ZrZNe3JUo7ZycKEYQQiQAWd9y54F4XX" "signature" "my message"') +
      "\nAs a JSON-RPC call\n" +
      helpExampleRpc("verifymessage", '"1D1ZrZNe3JUo7ZycKEYQQiQAWd9y54F4XX", "signature", "my message"'),
    handler: (params) => {
      switch (verifyMessage(getStr(params[0]), getStr(params[1]), getStr(params[2]), network())) {
        case "ERR_INVALID_ADDRESS":
          throw new RpcError(RpcErrorCode.RPC_INVALID_ADDRESS_OR_KEY, "Invalid address");
        case "ERR_ADDRESS_NO_KEY":
          throw new RpcError(RpcErrorCode.RPC_TYPE_ERROR, "Address does not refer to key");
        case "ERR_MALFORMED_SIGNATURE":
          throw new RpcError(RpcErrorCode.RPC_TYPE_ERROR, "Malformed base64 encoding");
        case "ERR_PUBKEY_NOT_RECOVERED":
        case "ERR_NOT_SIGNED":
          return false;
        case "OK":
          return true;
      }
    },
  };

  const signmessagewithprivkey: RpcMethod = {
    name: "signmessagewithprivkey",
    category: "util",
    description: "Sign a message with the private key of an address\n",
    args: [
      { names: "privkey", type: "str", description: "The private key to sign the message with." },
      { names: "message", type: "str", description: "The message to create a signature of." },
    ],
    results: [{
      type: "str",
      key: "signature",
      description: "The signature of the message encoded in base 64",
    }],
    examples: "\nCreate the signature\n" +
      helpExampleCli("signmessagewithprivkey", '"privkey" "my message"') +
      "\nVerify the signature\n" +
      helpExampleCli("verifymessage", '"1D1ZrZNe3JUo7ZycKEYQQiQAWd9y54F4XX" "signature" "my message"') +
      "\nAs a JSON-RPC call\n" +
      helpExampleRpc("signmessagewithprivkey", '"privkey", "my message"'),
    handler: (params) => {
      const secret = decodeSecret(getStr(params[0]), network());
      const message = getStr(params[1]);
      if (secret === undefined) {
        throw new RpcError(RpcErrorCode.RPC_INVALID_ADDRESS_OR_KEY, "Invalid private key");
      }
      return signMessage(secret, message);
    },
  };

  const getmemoryinfo: RpcMethod = {
    name: "getmemoryinfo",
    category: "control",
    description: "Returns an object containing information about memory usage.\n" +
      "\nBitcoin Core reports its locked (mlock'ed) memory manager for keys here. tsbtc keeps no locked memory:\n" +
      '"locked" describes the JavaScript heap instead (used, free and total heap bytes from the runtime),\n' +
      '"locked" (bytes that succeeded locking) is 0, and chunk counts are 0 (the heap has no such chunks).\n',
    args: [{
      names: "mode",
      type: "str",
      fallback: { default: "stats" },
      description: "determines what kind of information is returned.\n" +
        '  - "stats" returns general statistics about memory usage in the daemon.\n' +
        '  - "mallocinfo" returns an XML string describing low-level heap state (only available if compiled with glibc).',
    }],
    results: [
      {
        cond: 'mode "stats"',
        type: "obj",
        inner: [{
          type: "obj",
          key: "locked",
          description: "Information about locked memory manager",
          inner: [
            { type: "num", key: "used", description: "Number of bytes used" },
            { type: "num", key: "free", description: "Number of bytes available in current arenas" },
            { type: "num", key: "total", description: "Total number of bytes managed" },
            {
              type: "num",
              key: "locked",
              description:
                "Amount of bytes that succeeded locking. If this number is smaller than total, locking pages failed at some point and key data could be swapped to disk.",
            },
            { type: "num", key: "chunks_used", description: "Number allocated chunks" },
            { type: "num", key: "chunks_free", description: "Number unused chunks" },
          ],
        }],
      },
      { cond: 'mode "mallocinfo"', type: "str", description: '"<malloc version="1">..."' },
    ],
    examples: helpExampleCli("getmemoryinfo", "") + helpExampleRpc("getmemoryinfo", ""),
    handler: (params) => {
      const mode = params[0] === null || params[0] === undefined ? "stats" : getStr(params[0]);
      if (mode === "stats") {
        const m = memoryUsage();
        return {
          locked: {
            used: m.heapUsed,
            free: Math.max(0, m.heapTotal - m.heapUsed),
            total: m.heapTotal,
            locked: 0,
            chunks_used: 0,
            chunks_free: 0,
          },
        };
      }
      if (mode === "mallocinfo") {
        throw new RpcError(RpcErrorCode.RPC_INVALID_PARAMETER, "mallocinfo mode not available");
      }
      throw new RpcError(RpcErrorCode.RPC_INVALID_PARAMETER, `unknown mode ${mode}`);
    },
  };

  return [validateaddress, createmultisig, verifymessage, signmessagewithprivkey, getmemoryinfo];
}
