/**
 * The block files' obfuscation key (Core's `blocks/xor.dat`, `-blocksxor`): every byte of `blk*.dat` and
 * `rev*.dat` is XORed with `key[fileOffset % 8]`. A fresh blocks directory gets a random key; an existing one
 * keeps what `xor.dat` says (all zeros when it was written by a node without obfuscation), so tsbtc reads Core's
 * block files and Core reads tsbtc's.
 *
 * @module
 */

import { toHex } from "../../core/hash/hashes.ts";

/** Size of the key (Core's `Obfuscation::KEY_SIZE`). */
export const OBFUSCATION_KEY_SIZE = 8;

/** The file name of the key in the blocks directory. */
export const XOR_KEY_FILE = "xor.dat";

/** Whether `key` changes anything (an all-zero key is no obfuscation). */
export function isObfuscating(key: Uint8Array): boolean {
  return key.some((b) => b !== 0);
}

/** XORs `data` in place as it sits at `fileOffset` in a file obfuscated with `key`. */
export function obfuscateAt(data: Uint8Array, key: Uint8Array, fileOffset: number): void {
  let k = fileOffset % OBFUSCATION_KEY_SIZE;
  for (let i = 0; i < data.length; i++) {
    data[i] ^= key[k];
    k = (k + 1) & 7;
  }
}

/**
 * Core's `InitBlocksdirXorKey`: the first run (the directory holds hidden files at most) draws a random key
 * when `useXor`; an existing `xor.dat` wins; a missing one is written (zeros outside a first run). With
 * `useXor` false a stored non-zero key is an error, in Core's words. Returns the key.
 */
export async function initBlocksXorKey(
  blocksDir: string,
  useXor: boolean,
  log?: (message: string) => void,
): Promise<Uint8Array> {
  await Deno.mkdir(blocksDir, { recursive: true });
  let firstRun = true;
  for await (const entry of Deno.readDir(blocksDir)) {
    if (!entry.isFile || !entry.name.startsWith(".")) {
      firstRun = false;
      break;
    }
  }
  let key = new Uint8Array(OBFUSCATION_KEY_SIZE);
  if (useXor && firstRun) crypto.getRandomValues(key);
  const path = `${blocksDir}/${XOR_KEY_FILE}`;
  let stored: Uint8Array | null = null;
  try {
    stored = await Deno.readFile(path);
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  }
  if (stored !== null) {
    if (stored.length < OBFUSCATION_KEY_SIZE) {
      throw new Error(
        `Cannot read XOR key file ${path}: ${stored.length} bytes, expected ${OBFUSCATION_KEY_SIZE}`,
      );
    }
    key = stored.slice(0, OBFUSCATION_KEY_SIZE);
  } else {
    const file = await Deno.open(path, { write: true, createNew: true });
    try {
      await file.write(key);
      await file.syncData();
    } finally {
      file.close();
    }
  }
  if (!useXor && isObfuscating(key)) {
    throw new Error(
      "The blocksdir XOR-key can not be disabled when a random key was already stored! " +
        `Stored key: '${toHex(key)}', stored path: '${path}'.`,
    );
  }
  log?.(`Using obfuscation key for blocksdir *.dat files (${blocksDir}): '${toHex(key)}'`);
  return key;
}
