/**
 * Addresses as Bitcoin Core's `key_io` sees them: a `Destination` is what an output script pays to when it has an
 * address (`CTxDestination`); `decodeDestination` / `encodeDestination` convert between address strings and
 * output scripts per network, with Core's error messages for invalid addresses (as `validateaddress` shows them).
 *
 * @module
 */
import type { Network } from "../chain_params_base.ts";
import { decodeBase58, decodeBase58Check, encodeBase58Check } from "./base58.ts";
import { addressPrefixes } from "./prefixes.ts";
import { type AddressError, decodeSegwitAddress, encodeSegwitAddress } from "./segwit.ts";
import { lowerByte, utf8Bytes } from "./text.ts";

/**
 * An output with an address, named by Core's output type (`GetTxnOutputType`): P2PKH and P2SH carry a 20-byte
 * hash, witness outputs their version and program.
 */
export type Destination =
  | { readonly type: "pubkeyhash"; readonly hash: Uint8Array }
  | { readonly type: "scripthash"; readonly hash: Uint8Array }
  | { readonly type: "witness_v0_keyhash"; readonly program: Uint8Array }
  | { readonly type: "witness_v0_scripthash"; readonly program: Uint8Array }
  | { readonly type: "witness_v1_taproot"; readonly program: Uint8Array }
  | { readonly type: "anchor" }
  | { readonly type: "witness_unknown"; readonly version: number; readonly program: Uint8Array };

/** The witness program of the pay-to-anchor output (`OP_1 <0x4e73>`). */
const ANCHOR_PROGRAM = Uint8Array.of(0x4e, 0x73);

const OP_0 = 0x00, OP_1 = 0x51, OP_16 = 0x60;
const OP_DUP = 0x76, OP_HASH160 = 0xa9, OP_EQUAL = 0x87, OP_EQUALVERIFY = 0x88, OP_CHECKSIG = 0xac;

/** The witness version and program of a witness output script (Core's `CScript::IsWitnessProgram`). */
function witnessProgram(script: Uint8Array): { version: number; program: Uint8Array } | undefined {
  if (script.length < 4 || script.length > 42) return undefined;
  const op = script[0];
  if (op !== OP_0 && (op < OP_1 || op > OP_16)) return undefined;
  if (script[1] + 2 !== script.length) return undefined;
  return { version: op === OP_0 ? 0 : op - OP_1 + 1, program: script.slice(2) };
}

/**
 * The destination an output script pays to (Core's `ExtractDestination`), or undefined when the script has no
 * address: pay-to-pubkey, multisig, OP_RETURN data, a version 0 witness program of another length than 20 or 32
 * bytes, and anything non-standard.
 */
export function extractDestination(scriptPubKey: Uint8Array): Destination | undefined {
  const s = scriptPubKey;
  if (s.length === 23 && s[0] === OP_HASH160 && s[1] === 20 && s[22] === OP_EQUAL) {
    return { type: "scripthash", hash: s.slice(2, 22) };
  }
  const witness = witnessProgram(s);
  if (witness !== undefined) {
    const { version, program } = witness;
    if (version === 0 && program.length === 20) return { type: "witness_v0_keyhash", program };
    if (version === 0 && program.length === 32) return { type: "witness_v0_scripthash", program };
    if (version === 1 && program.length === 32) return { type: "witness_v1_taproot", program };
    if (version === 1 && equalBytes(program, ANCHOR_PROGRAM)) return { type: "anchor" };
    if (version !== 0) return { type: "witness_unknown", version, program };
    return undefined;
  }
  if (
    s.length === 25 && s[0] === OP_DUP && s[1] === OP_HASH160 && s[2] === 20 && s[23] === OP_EQUALVERIFY &&
    s[24] === OP_CHECKSIG
  ) {
    return { type: "pubkeyhash", hash: s.slice(3, 23) };
  }
  return undefined;
}

/** The output script paying to `dest` (Core's `GetScriptForDestination`). */
export function getScriptForDestination(dest: Destination): Uint8Array {
  switch (dest.type) {
    case "pubkeyhash":
      return Uint8Array.of(OP_DUP, OP_HASH160, 20, ...dest.hash, OP_EQUALVERIFY, OP_CHECKSIG);
    case "scripthash":
      return Uint8Array.of(OP_HASH160, 20, ...dest.hash, OP_EQUAL);
    case "anchor":
      return Uint8Array.of(OP_1, ANCHOR_PROGRAM.length, ...ANCHOR_PROGRAM);
    default: {
      const { version, program } = witnessOf(dest);
      return Uint8Array.of(version === 0 ? OP_0 : OP_1 + version - 1, program.length, ...program);
    }
  }
}

/** The witness version and program of a witness destination. */
function witnessOf(dest: Destination): { version: number; program: Uint8Array } {
  switch (dest.type) {
    case "witness_v0_keyhash":
    case "witness_v0_scripthash":
      return { version: 0, program: dest.program };
    case "witness_v1_taproot":
      return { version: 1, program: dest.program };
    case "anchor":
      return { version: 1, program: ANCHOR_PROGRAM.slice() };
    case "witness_unknown":
      return { version: dest.version, program: dest.program };
    default:
      throw new TypeError(`Cannot take the witness program of a ${dest.type} destination`);
  }
}

/**
 * The address of an output script or destination on `network` (Core's `EncodeDestination`, after
 * `ExtractDestination` for a script), or undefined when it has none.
 */
export function encodeDestination(target: Uint8Array | Destination, network: Network): string | undefined {
  const dest = target instanceof Uint8Array ? extractDestination(target) : target;
  if (dest === undefined) return undefined;
  const prefixes = addressPrefixes(network);
  switch (dest.type) {
    case "pubkeyhash":
      return encodeBase58Check(Uint8Array.of(prefixes.pubkeyAddress, ...dest.hash));
    case "scripthash":
      return encodeBase58Check(Uint8Array.of(prefixes.scriptAddress, ...dest.hash));
    default: {
      const witness = witnessOf(dest);
      try {
        return encodeSegwitAddress(prefixes.bech32Hrp, witness);
      } catch {
        return undefined; // Core encodes an out-of-range witness destination as "".
      }
    }
  }
}

/** A valid address: what it pays to and the output script. */
export interface DecodedDestination {
  /** What the address pays to. */
  readonly destination: Destination;
  /** The output script (`GetScriptForDestination`). */
  readonly scriptPubKey: Uint8Array;
}

/** What `decodeDestination` returns: the destination, or Core's error (with error positions for Bech32). */
export type DecodeDestinationResult = DecodedDestination | AddressError;

/** Narrows a {@linkcode DecodeDestinationResult} to the valid case. */
export function isDecodedDestination(res: DecodeDestinationResult): res is DecodedDestination {
  return "destination" in res;
}

/**
 * Decodes an address for `network` (Core's `DecodeDestination`): the destination and output script, or Core's
 * message — e.g. "Invalid or unsupported Base58-encoded address.", "Invalid checksum or length of Base58 address
 * (P2PKH or P2SH)", "Invalid or unsupported Segwit (Bech32) or Base58 encoding.", "Invalid Bech32 v0 address
 * program size (…), per BIP141", "Version 1+ witness address must use Bech32m checksum", "Invalid Bech32
 * checksum" — with the likely wrong positions for Bech32 checksum and character errors.
 */
export function decodeDestination(address: string, network: Network): DecodeDestinationResult {
  const prefixes = addressPrefixes(network);
  const hrp = prefixes.bech32Hrp;
  // A string is treated as Bech32 when it starts with this network's human-readable part (any case).
  const bytes = utf8Bytes(address);
  let isBech32 = bytes.length >= hrp.length;
  for (let i = 0; isBech32 && i < hrp.length; i++) isBech32 = lowerByte(bytes[i]) === hrp.charCodeAt(i);
  const ok = (destination: Destination): DecodedDestination => ({
    destination,
    scriptPubKey: getScriptForDestination(destination),
  });
  const fail = (error: string): AddressError => ({ error, errorLocations: [] });

  if (!isBech32) {
    const data = decodeBase58Check(address, 21);
    if (data === undefined) {
      return fail(
        decodeBase58(address, 100) === undefined
          ? "Invalid or unsupported Segwit (Bech32) or Base58 encoding."
          : "Invalid checksum or length of Base58 address (P2PKH or P2SH)",
      );
    }
    if (data.length === 21 && data[0] === prefixes.pubkeyAddress) {
      return ok({ type: "pubkeyhash", hash: data.slice(1) });
    }
    if (data.length === 21 && data[0] === prefixes.scriptAddress) {
      return ok({ type: "scripthash", hash: data.slice(1) });
    }
    if (data.length >= 1 && (data[0] === prefixes.scriptAddress || data[0] === prefixes.pubkeyAddress)) {
      return fail("Invalid length for Base58 address (P2PKH or P2SH)");
    }
    return fail("Invalid or unsupported Base58-encoded address.");
  }

  const witness = decodeSegwitAddress(hrp, address);
  if ("error" in witness) return witness;
  const { version, program } = witness;
  if (version === 0) {
    return ok(
      program.length === 20
        ? { type: "witness_v0_keyhash", program }
        : { type: "witness_v0_scripthash", program },
    );
  }
  if (version === 1 && program.length === 32) return ok({ type: "witness_v1_taproot", program });
  if (version === 1 && equalBytes(program, ANCHOR_PROGRAM)) return ok({ type: "anchor" });
  return ok({ type: "witness_unknown", version, program });
}

/** True when `address` is a valid address on `network` (Core's `IsValidDestinationString`). */
export function isValidDestinationString(address: string, network: Network): boolean {
  return isDecodedDestination(decodeDestination(address, network));
}

/** The address facts `validateaddress` adds for a destination (Core's `DescribeAddress`). */
export interface AddressDescription {
  /** True for script outputs (P2SH, P2WSH, P2TR, anchor). Absent for unknown witness versions. */
  readonly isscript?: boolean;
  /** True for witness outputs. */
  readonly iswitness: boolean;
  /** Witness version (absent for non-witness outputs and anchors). */
  readonly witness_version?: number;
  /** Witness program, hex (absent for non-witness outputs and anchors). */
  readonly witness_program?: string;
}

/** Core's `DescribeAddress`: the `isscript` / `iswitness` / `witness_version` / `witness_program` fields. */
export function describeAddress(dest: Destination): AddressDescription {
  const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
  switch (dest.type) {
    case "pubkeyhash":
      return { isscript: false, iswitness: false };
    case "scripthash":
      return { isscript: true, iswitness: false };
    case "witness_v0_keyhash":
      return { isscript: false, iswitness: true, witness_version: 0, witness_program: hex(dest.program) };
    case "witness_v0_scripthash":
      return { isscript: true, iswitness: true, witness_version: 0, witness_program: hex(dest.program) };
    case "witness_v1_taproot":
      return { isscript: true, iswitness: true, witness_version: 1, witness_program: hex(dest.program) };
    case "anchor":
      return { isscript: true, iswitness: true };
    case "witness_unknown":
      return { iswitness: true, witness_version: dest.version, witness_program: hex(dest.program) };
  }
}

/** Byte-wise equality. */
function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
