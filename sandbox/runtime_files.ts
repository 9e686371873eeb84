/**
 * Files the runtime itself must read on behalf of a component: WebAssembly that a dependency loads from disk at
 * import time (tiny-secp256k1 reads its `secp256k1.wasm` with `fs.readFileSync`), and the entry modules of the
 * Workers a component starts (Deno checks read access to a nested Worker's module: the script verification
 * pool). Granting exactly these, read only, keeps them working inside a sandbox without opening the source tree
 * or the module cache.
 *
 * @module
 */

/** Absolute paths of the files listed above, as resolved in this installation (empty where not resolvable). */
export function runtimeReadPaths(): string[] {
  const out: string[] = [];
  try {
    const url = import.meta.resolve("tiny-secp256k1");
    if (url.startsWith("file:")) out.push(new URL("./secp256k1.wasm", url).pathname);
  } catch { /* not resolvable here: the component will fall back as its own code decides */ }
  return out;
}

/**
 * What a component that starts the script verification Workers must be able to read, read-only: Deno checks
 * read access for every module a nested Worker loads, so the pool needs the consensus code (`core/`) and the
 * npm packages it uses (the npm cache's registry folder). Both are public code: no data, keys or configuration.
 */
export function workerModuleReadPaths(): string[] {
  const out: string[] = [];
  const core = new URL("../core/", import.meta.url);
  if (core.protocol === "file:") out.push(core.pathname.replace(/\/$/, ""));
  try {
    const url = import.meta.resolve("tiny-secp256k1");
    const path = url.startsWith("file:") ? new URL(url).pathname : "";
    const at = path.indexOf("/registry.npmjs.org/");
    if (at >= 0) out.push(path.slice(0, at + "/registry.npmjs.org".length));
  } catch { /* not resolvable: nothing to add */ }
  return out;
}
