/**
 * RPC authentication as in Bitcoin Core (`src/httprpc.cpp`, `src/rpc/request.cpp`): the `.cookie` file
 * (`__cookie__:<64 hex>`, written at start, removed at shutdown), `-rpcuser`/`-rpcpassword` (stored salted),
 * and `-rpcauth=<user>:<salt>$<hmac>` where hmac = HMAC-SHA256(key = salt, message = password) in hex.
 *
 * @module
 */
import { hmac } from "@noble/hashes/hmac.js";
import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex, randomBytes, utf8ToBytes } from "@noble/hashes/utils.js";

/** User name used with cookie authentication. */
export const COOKIEAUTH_USER = "__cookie__";
/** Default cookie file name, in the network data directory. */
export const COOKIEAUTH_FILE = ".cookie";

/** One accepted credential: user, salt and hex HMAC-SHA256(salt, password). */
export interface RpcAuthEntry {
  /** User name. */
  user: string;
  /** Salt (used as the HMAC key, as text). */
  salt: string;
  /** Hex HMAC-SHA256 of the password keyed with the salt. */
  hash: string;
}

/** Hex HMAC-SHA256 keyed with `salt`, of `password` (both UTF-8), as Core's `CheckUserAuthorized`. */
export function rpcAuthHash(salt: string, password: string): string {
  return bytesToHex(hmac(sha256, utf8ToBytes(salt), utf8ToBytes(password)));
}

/**
 * Parses one `-rpcauth` value `<user>:<salt>$<hash>`. Throws "Invalid -rpcauth argument." (Core's warning)
 * when it does not have exactly those parts.
 */
export function parseRpcAuth(value: string): RpcAuthEntry {
  const fields = value.split(":");
  const saltHmac = fields[fields.length - 1].split("$");
  if (fields.length !== 2 || saltHmac.length !== 2) throw new Error("Invalid -rpcauth argument.");
  return { user: fields[0], salt: saltHmac[0], hash: saltHmac[1] };
}

/**
 * Makes an `-rpcauth` value for `user` and `password` like Core's `share/rpcauth/rpcauth.py` (random 16-byte
 * hex salt unless given).
 */
export function makeRpcAuth(
  user: string,
  password: string,
  salt: string = bytesToHex(randomBytes(16)),
): string {
  return `${user}:${salt}$${rpcAuthHash(salt, password)}`;
}

function timingResistantEqual(a: string, b: string): boolean {
  // Core's TimingResistantEqual: time depends only on the length of b.
  if (b.length === 0) return a.length === 0;
  let acc = a.length ^ b.length;
  for (let i = 0; i < a.length; i++) acc |= a.charCodeAt(i) ^ b.charCodeAt(i % b.length);
  return acc === 0;
}

function decodeBase64Strict(s: string): Uint8Array | null {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(s) || s.length % 4 === 1) return null;
  try {
    const bin = atob(s);
    const out = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
    return out;
  } catch {
    return null;
  }
}

/** Result of checking an `Authorization` header. */
export interface AuthResult {
  /** True when the credentials are accepted. */
  ok: boolean;
  /** User name from the header ("" when it could not be read). */
  user: string;
}

const CACHE_LIMIT = 64;

/**
 * Checks HTTP Basic credentials against the configured entries (Core's `RPCAuthorized`). Accepted header
 * values are remembered (at most 64) so a keep-alive client does not pay an HMAC per request.
 */
export class RpcAuthenticator {
  #entries: RpcAuthEntry[] = [];
  #cache = new Map<string, string>();

  /** Creates an authenticator with `entries` (more can be added). */
  constructor(entries: Iterable<RpcAuthEntry> = []) {
    for (const e of entries) this.#entries.push(e);
  }

  /** Accepts `user`/`password`, stored as a salted hash as Core does. */
  addPlain(user: string, password: string): void {
    const salt = bytesToHex(randomBytes(16));
    this.#entries.push({ user, salt, hash: rpcAuthHash(salt, password) });
  }

  /** Accepts an `-rpcauth` entry. */
  add(entry: RpcAuthEntry): void {
    this.#entries.push(entry);
  }

  /** Number of accepted credentials. */
  get size(): number {
    return this.#entries.length;
  }

  /** Checks user and password (Core's `CheckUserAuthorized`). */
  checkUserPassword(user: string, password: string): boolean {
    for (const e of this.#entries) {
      if (!timingResistantEqual(e.user, user)) continue;
      if (timingResistantEqual(rpcAuthHash(e.salt, password), e.hash)) return true;
    }
    return false;
  }

  /** Checks an `Authorization` header value (`Basic base64(user:pass)`). */
  check(header: string | null): AuthResult {
    if (header === null) return { ok: false, user: "" };
    const cached = this.#cache.get(header);
    if (cached !== undefined) return { ok: true, user: cached };
    if (!header.startsWith("Basic ")) return { ok: false, user: "" };
    const bytes = decodeBase64Strict(header.slice(6).trim());
    if (bytes === null) return { ok: false, user: "" };
    const userPass = new TextDecoder().decode(bytes);
    const colon = userPass.indexOf(":");
    if (colon < 0) return { ok: false, user: "" };
    const user = userPass.slice(0, colon);
    const ok = this.checkUserPassword(user, userPass.slice(colon + 1));
    if (ok) {
      if (this.#cache.size >= CACHE_LIMIT) this.#cache.delete(this.#cache.keys().next().value!);
      this.#cache.set(header, user);
    }
    return { ok, user };
  }
}

/** Cookie file permissions by `-rpccookieperms` name (Core's `InterpretPermString`). */
export const COOKIE_PERMS: Readonly<Record<string, number>> = { owner: 0o600, group: 0o640, all: 0o644 };

/** `rw-------`-style text of a mode (Core's `PermsToSymbolicString`). */
export function permsToSymbolicString(mode: number): string {
  const letters = "rwxrwxrwx";
  let s = "";
  for (let i = 0; i < 9; i++) s += mode & (1 << (8 - i)) ? letters[i] : "-";
  return s;
}

/**
 * The cookie path: `-rpccookiefile` (relative to the network data directory) or `.cookie` there; null when
 * disabled (`-norpccookiefile`, given as `false` or "0"/"").
 */
export function cookieFilePath(netDataDir: string, cookieFile?: string | false | null): string | null {
  if (cookieFile === false || cookieFile === "0" || cookieFile === "") return null;
  const name = cookieFile ?? COOKIEAUTH_FILE;
  if (name.startsWith("/")) return name;
  return `${netDataDir.replace(/\/+$/, "")}/${name}`;
}

/**
 * Writes a new cookie `__cookie__:<64 hex>` to `path` (via `path.tmp` and rename, like Core) with mode
 * `perms` (default 0600) and returns the password.
 */
export async function generateCookie(path: string, perms = 0o600): Promise<string> {
  const pass = bytesToHex(randomBytes(32));
  const tmp = `${path}.tmp`;
  await Deno.writeTextFile(tmp, `${COOKIEAUTH_USER}:${pass}`, { mode: 0o600 });
  await Deno.chmod(tmp, 0o600);
  await Deno.rename(tmp, path);
  await Deno.chmod(path, perms);
  return pass;
}

/** Reads the first line of the cookie file (`user:password`), or null when it cannot be read. */
export async function readCookie(path: string): Promise<string | null> {
  try {
    const text = await Deno.readTextFile(path);
    const nl = text.indexOf("\n");
    return nl < 0 ? text : text.slice(0, nl);
  } catch {
    return null;
  }
}

/** Removes the cookie file; a missing file is not an error. */
export async function deleteCookie(path: string): Promise<void> {
  try {
    await Deno.remove(path);
  } catch (err) {
    if (!(err instanceof Deno.errors.NotFound)) throw err;
  }
}
