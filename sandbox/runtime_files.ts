/**
 * Files the runtime itself must read on behalf of a component: WebAssembly that a dependency loads from disk at
 * import time (tiny-secp256k1 reads its `secp256k1.wasm` with `fs.readFileSync`). Granting exactly these, read
 * only, keeps the fast libsecp256k1 backend available inside a sandbox without opening the module cache.
 *
 * @module
 */

/** Absolute paths of the files listed above, as resolved in this installation (empty where not resolvable). */
export function runtimeReadPaths(): string[] {
  try {
    const url = import.meta.resolve("tiny-secp256k1");
    if (url.startsWith("file:")) return [new URL("./secp256k1.wasm", url).pathname];
  } catch { /* not resolvable here: the component will fall back as its own code decides */ }
  return [];
}
