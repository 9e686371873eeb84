/**
 * Test helper: calls from Bitcoin Core's recorded regtest RPC session
 * (`<repo>/../shared/reference/core_regtest_rpc_session.json`).
 *
 * @module
 */

/** One recorded call. */
export interface SessionCall {
  readonly call: [string, unknown[]];
  readonly wallet: string | null;
  readonly result?: unknown;
  readonly error?: { code: number; message: string };
}

/** Every recorded call, in order. */
export async function readCoreSession(): Promise<SessionCall[]> {
  const url = new URL("../../../../shared/reference/core_regtest_rpc_session.json", import.meta.url);
  return JSON.parse(await Deno.readTextFile(url)) as SessionCall[];
}

/** The results of the calls to `method`. */
export function resultsOf<T>(session: SessionCall[], method: string): T[] {
  return session.filter((c) => c.call[0] === method && c.result !== undefined).map((c) => c.result as T);
}
