/**
 * Bitcoin Core's PSBT test vectors (test/functional/data/rpc_psbt.json: the BIP 174 and BIP 370 vectors plus
 * Core's own), read in place and unmodified: from the shared vector directory when a copy is there, else
 * straight out of the Bitcoin Core repository mirror (`git show`). The content is checked against the SHA-256 of
 * the upstream file, so a test never runs on altered data.
 *
 * @module
 */
import { sha256, toHex } from "../../../core/hash/hashes.ts";
import { vectorPath } from "../vectors.ts";

/** SHA-256 of Core's rpc_psbt.json (blob 06c6f9e849445f724cf91d6ebb5b1e81540c7533). */
export const RPC_PSBT_JSON_SHA256 = "ec2ad6233093ac84389af075157a60c6f341f9a760f3f8a63039034a19937075";
/** The Bitcoin Core mirror (a bare git directory) and the file's path in it. */
const MIRROR = "/work/.mirror/sedited+rust-bitcoinkernel/repo";
const MIRROR_PATH = "HEAD:libbitcoinkernel-sys/bitcoin/test/functional/data/rpc_psbt.json";

/** The parsed file. */
export interface RpcPsbtVectors {
  invalid: string[];
  invalid_with_msg: Array<[string, string]>;
  valid: string[];
  creator: Array<{
    inputs: Array<{ txid: string; vout: number }>;
    outputs: Array<Record<string, number>>;
    version: number;
    result: string;
  }>;
  signer: Array<{ privkeys: string[]; psbt: string; result: string }>;
  combiner: Array<{ combine: string[]; result: string }>;
  finalizer: Array<{ finalize: string; result: string }>;
  extractor: Array<{ extract: string; result: string }>;
}

async function readBytes(): Promise<Uint8Array> {
  try {
    return await Deno.readFile(vectorPath("rpc_psbt.json"));
  } catch {
    const out = await new Deno.Command("git", { args: ["-C", MIRROR, "show", MIRROR_PATH], stdout: "piped" })
      .output();
    if (!out.success) {
      throw new Error(`Cannot read rpc_psbt.json: not in shared/vectors and not in ${MIRROR}`);
    }
    return out.stdout;
  }
}

/**
 * Loads the vectors, checking that they are the upstream bytes; null (with a warning) when neither the shared
 * vector directory nor the Core mirror has them, so the tests that need them are reported as ignored.
 */
export async function loadRpcPsbtVectors(): Promise<RpcPsbtVectors | null> {
  let bytes: Uint8Array;
  try {
    bytes = await readBytes();
  } catch (e) {
    console.warn(`PSBT vector tests ignored: ${e instanceof Error ? e.message : e}`);
    return null;
  }
  const digest = toHex(sha256(bytes));
  if (digest !== RPC_PSBT_JSON_SHA256) {
    throw new Error(`rpc_psbt.json has SHA-256 ${digest}, not the upstream file`);
  }
  return JSON.parse(new TextDecoder().decode(bytes)) as RpcPsbtVectors;
}
