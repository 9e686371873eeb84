/**
 * IPC addresses: the values of `-ipcbind` and `-ipcconnect`, parsed like Bitcoin Core's `ParseAddress`
 * (`src/ipc/process.cpp`), plus tsbtc's authenticated TCP addresses.
 *
 * - `unix` or `unix:` — the default socket `<netDataDir>/node.sock`.
 * - `unix:<path>` — a socket at `<path>`, relative to the network data directory unless absolute.
 *   Like Core, the path (in bytes) must be shorter than `sun_path` (108 bytes including the NUL).
 * - `tcp:<host>:<port>` — tsbtc only (Core refuses TCP because it has no authentication); an IPv6 host is
 *   written in brackets (`tcp:[::1]:8336`). Every TCP connection is authenticated (see `ipc/auth.ts`), and a
 *   listener on a non-loopback host must be asked for explicitly (`-ipcallowremote`, see `ipc/listener.ts`).
 *
 * Errors use Core's wording: `Unrecognized address 'x'`,
 * `Unix address path "/…/node.sock" exceeded maximum socket path length`.
 *
 * @module
 */

/** Size of `sockaddr_un.sun_path` on Linux, including the terminating NUL. */
export const UNIX_PATH_MAX = 108;

/** Default socket file name (Core: `<datadir>/node.sock` for `bitcoin-node`). */
export const DEFAULT_SOCKET_NAME = "node";

/** A unix socket address. `text` is the canonical form, `unix:<absolute or datadir-joined path>`. */
export interface UnixIpcAddress {
  /** Address family. */
  kind: "unix";
  /** Socket file path (the network data directory joined with a relative path). */
  path: string;
  /** Canonical text, as Core rewrites the address: `unix:<path>`. */
  text: string;
}

/** A TCP address (tsbtc only; always authenticated). */
export interface TcpIpcAddress {
  /** Address family. */
  kind: "tcp";
  /** Host name or IP literal, without IPv6 brackets. */
  hostname: string;
  /** Port, 0..65535 (0 asks the system for a free port when binding). */
  port: number;
  /** True when `hostname` is a loopback address (`127.0.0.0/8`, `::1`, `localhost`). */
  loopback: boolean;
  /** Canonical text: `tcp:<host>:<port>` (IPv6 hosts in brackets). */
  text: string;
}

/** A parsed `-ipcbind` / `-ipcconnect` address. */
export type IpcAddress = UnixIpcAddress | TcpIpcAddress;

/** An address that cannot be parsed or used; `message` is Core's wording where Core has one. */
export class IpcAddressError extends Error {
  /** Creates the error. */
  constructor(message: string) {
    super(message);
    this.name = "IpcAddressError";
  }
}

/** Options of {@link parseIpcAddress}. */
export interface ParseIpcAddressOptions {
  /** The network data directory (`<datadir>/regtest`, …) that relative unix paths are joined to. */
  netDataDir: string;
  /** Name of the default socket, without `.sock` (default `node`, as Core's `bitcoin-node`). */
  defaultName?: string;
}

/**
 * Parses an `-ipcbind` / `-ipcconnect` value.
 *
 * @throws IpcAddressError `Unrecognized address '<value>'` for an unknown scheme or malformed TCP address,
 *   `Unix address path "<path>" exceeded maximum socket path length` for a too long socket path.
 */
export function parseIpcAddress(value: string, opts: ParseIpcAddressOptions): IpcAddress {
  if (value === "unix" || value.startsWith("unix:")) {
    const rest = value.slice(5);
    const path = rest === ""
      ? joinPath(opts.netDataDir, `${opts.defaultName ?? DEFAULT_SOCKET_NAME}.sock`)
      : joinPath(opts.netDataDir, rest);
    if (new TextEncoder().encode(path).length >= UNIX_PATH_MAX) {
      throw new IpcAddressError(
        `Unix address path ${JSON.stringify(path)} exceeded maximum socket path length`,
      );
    }
    return { kind: "unix", path, text: `unix:${path}` };
  }
  if (value.startsWith("tcp:")) return parseTcp(value);
  throw new IpcAddressError(`Unrecognized address '${value}'`);
}

/** True when `hostname` (no brackets) is a loopback host: `localhost`, `127.0.0.0/8`, `::1`, `::ffff:127.x`. */
export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.toLowerCase();
  if (h === "localhost" || h.endsWith(".localhost")) return true;
  const v4 = parseIpv4(h);
  if (v4) return v4[0] === 127;
  const v6 = parseIpv6(h);
  if (!v6) return false;
  if (v6.slice(0, 7).every((w) => w === 0) && v6[7] === 1) return true; // ::1
  // IPv4-mapped ::ffff:a.b.c.d
  if (v6.slice(0, 5).every((w) => w === 0) && v6[5] === 0xffff) return v6[6] >> 8 === 127;
  return false;
}

function parseTcp(value: string): TcpIpcAddress {
  const bad = () => new IpcAddressError(`Unrecognized address '${value}'`);
  const rest = value.slice(4);
  let hostname: string;
  let portText: string;
  if (rest.startsWith("[")) {
    const end = rest.indexOf("]");
    if (end < 0 || rest[end + 1] !== ":") throw bad();
    hostname = rest.slice(1, end);
    if (!parseIpv6(hostname.toLowerCase())) throw bad();
    portText = rest.slice(end + 2);
  } else {
    const colon = rest.lastIndexOf(":");
    if (colon < 0) throw bad();
    hostname = rest.slice(0, colon);
    portText = rest.slice(colon + 1);
    // An unbracketed IPv6 literal is ambiguous: require brackets, as URLs do.
    if (hostname.includes(":")) throw bad();
    if (!/^[A-Za-z0-9.-]+$/.test(hostname)) throw bad();
  }
  if (hostname === "" || !/^[0-9]{1,5}$/.test(portText)) throw bad();
  const port = Number(portText);
  if (port > 65535) throw bad();
  const text = hostname.includes(":") ? `tcp:[${hostname}]:${port}` : `tcp:${hostname}:${port}`;
  return { kind: "tcp", hostname, port, loopback: isLoopbackHost(hostname), text };
}

/** Joins like C++'s `fs::path operator/`: an absolute right side replaces the left; no normalisation. */
function joinPath(dir: string, rel: string): string {
  if (rel.startsWith("/")) return rel;
  if (dir === "") return rel;
  return dir.endsWith("/") ? dir + rel : `${dir}/${rel}`;
}

function parseIpv4(h: string): number[] | null {
  const parts = h.split(".");
  if (parts.length !== 4) return null;
  const out: number[] = [];
  for (const p of parts) {
    if (!/^[0-9]{1,3}$/.test(p)) return null;
    const n = Number(p);
    if (n > 255) return null;
    out.push(n);
  }
  return out;
}

/** Parses an IPv6 literal (optionally with a trailing dotted IPv4) into 8 words, or null. */
function parseIpv6(h: string): number[] | null {
  if (!h.includes(":")) return null;
  let tail: number[] = [];
  let s = h;
  const lastColon = s.lastIndexOf(":");
  const last = s.slice(lastColon + 1);
  if (last.includes(".")) {
    const v4 = parseIpv4(last);
    if (!v4) return null;
    tail = [(v4[0] << 8) | v4[1], (v4[2] << 8) | v4[3]];
    s = s.slice(0, lastColon + 1) + "0"; // placeholder word, removed below
  }
  const halves = s.split("::");
  if (halves.length > 2) return null;
  const parse = (part: string): number[] | null => {
    if (part === "") return [];
    const words: number[] = [];
    for (const w of part.split(":")) {
      if (!/^[0-9a-f]{1,4}$/.test(w)) return null;
      words.push(parseInt(w, 16));
    }
    return words;
  };
  const head = parse(halves[0]);
  const rest = halves.length === 2 ? parse(halves[1]) : [];
  if (!head || !rest) return null;
  // With a dotted IPv4 tail, the placeholder word stands for two words.
  const extra = tail.length ? 1 : 0;
  let words: number[];
  if (halves.length === 2) {
    const need = 8 - (head.length + rest.length + extra);
    if (need < 1) return null;
    words = [...head, ...new Array<number>(need).fill(0), ...rest];
  } else {
    words = head;
  }
  if (tail.length) words = [...words.slice(0, -1), ...tail];
  return words.length === 8 ? words : null;
}
