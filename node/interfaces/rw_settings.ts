/**
 * `<datadir>/settings.json` (Core's read-write settings, `common/settings.cpp`): a JSON object of settings the
 * node or its wallet changed at run time, e.g. the wallet's `wallet` load-on-startup list. Read once when
 * opened; every update rewrites the file atomically (temporary file, then rename).
 *
 * @module
 */
import { type JsonObject, type JsonValue, parseJsonLossless, writeJsonPretty } from "../../rpc/json.ts";

/** The settings file. */
export class RwSettings {
  /** The file's path, or null when writing is disabled (`-nosettings`). */
  readonly path: string | null;
  #values: JsonObject;
  #writing: Promise<unknown> = Promise.resolve();

  private constructor(path: string | null, values: JsonObject) {
    this.path = path;
    this.#values = values;
  }

  /**
   * Reads `path` (a missing file is empty; null: kept in memory only). Throws Core's
   * `Unable to parse settings file <path>` / `Found non-object value … in settings file` errors.
   */
  static async open(path: string | null): Promise<RwSettings> {
    if (path === null) return new RwSettings(null, {});
    let text: string;
    try {
      text = await Deno.readTextFile(path);
    } catch (e) {
      if (e instanceof Deno.errors.NotFound) return new RwSettings(path, {});
      throw new Error(`Failed reading settings file ${path}: ${e instanceof Error ? e.message : e}`);
    }
    const value = parseJsonLossless(text);
    if (value === undefined) throw new Error(`Unable to parse settings file ${path}`);
    if (value === null || typeof value !== "object" || Array.isArray(value) || "rawJSON" in value) {
      throw new Error(`Found non-object value ${text.trim()} in settings file ${path}`);
    }
    return new RwSettings(path, value as JsonObject);
  }

  /** The value of `name`, or null. */
  get(name: string): JsonValue {
    return Object.hasOwn(this.#values, name) ? this.#values[name] : null;
  }

  /** Sets `name` to `value` (null deletes it) and writes the file; resolves false when it cannot be written. */
  async update(name: string, value: JsonValue): Promise<boolean> {
    const next: JsonObject = { ...this.#values };
    if (value === null) delete next[name];
    else next[name] = value;
    this.#values = next;
    if (this.path === null) return true;
    const path = this.path;
    const text = writeJsonPretty(next, 4) + "\n";
    const write = this.#writing.then(async () => {
      const tmp = `${path}.tmp`;
      await Deno.writeTextFile(tmp, text);
      await Deno.rename(tmp, path);
    });
    this.#writing = write.catch(() => {});
    try {
      await write;
      return true;
    } catch {
      return false;
    }
  }
}
