/**
 * Where the shared test vectors are: `<repo>/../shared/vectors/` (Bitcoin Core's and the BIPs' files, read in
 * place and unmodified).
 *
 * @module
 */

const ROOT = new URL("../../", import.meta.url);

/** Absolute path of the vector file `name` (e.g. "script_tests.json"). */
export function vectorPath(name: string): string {
  return new URL(`../shared/vectors/${name}`, ROOT).pathname;
}

/** Parses the JSON vector file `name`. */
export async function readVectorJson<T = unknown>(name: string): Promise<T> {
  return JSON.parse(await Deno.readTextFile(vectorPath(name))) as T;
}

/** Hex to bytes (tests only). */
export function hex(s: string): Uint8Array {
  if (s.length % 2 !== 0 || /[^0-9a-fA-F]/.test(s)) throw new Error(`Cannot parse hex: "${s.slice(0, 20)}"`);
  const out = new Uint8Array(s.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(s.slice(2 * i, 2 * i + 2), 16);
  return out;
}
