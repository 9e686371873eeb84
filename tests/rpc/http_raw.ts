/**
 * Raw HTTP/1.1 over TCP for the server tests: exact requests (pipelining, bad headers, huge lengths) and
 * responses parsed by hand.
 *
 * @module
 */

/** One parsed response. */
export interface RawResponse {
  /** Status code. */
  status: number;
  /** Header names lowercased. */
  headers: Record<string, string>;
  /** Body text. */
  body: string;
}

const enc = new TextEncoder();
const dec = new TextDecoder();

/** A keep-alive connection that sends raw text and reads whole responses. */
export class RawConn {
  #conn: Deno.TcpConn;
  #buf = new Uint8Array(0);
  #eof = false;

  private constructor(conn: Deno.TcpConn) {
    this.#conn = conn;
  }

  /** Connects to `hostname:port`. */
  static async open(port: number, hostname = "127.0.0.1"): Promise<RawConn> {
    return new RawConn(await Deno.connect({ hostname, port }));
  }

  /** Writes raw bytes/text. */
  async send(text: string | Uint8Array): Promise<void> {
    const b = typeof text === "string" ? enc.encode(text) : text;
    let off = 0;
    while (off < b.length) off += await this.#conn.write(b.subarray(off));
  }

  async #fill(): Promise<boolean> {
    const chunk = new Uint8Array(65536);
    const n = await this.#conn.read(chunk).catch(() => null);
    if (n === null) {
      this.#eof = true;
      return false;
    }
    const nb = new Uint8Array(this.#buf.length + n);
    nb.set(this.#buf);
    nb.set(chunk.subarray(0, n), this.#buf.length);
    this.#buf = nb;
    return true;
  }

  /** Reads one response (Content-Length framed, or to EOF); null when the server closed first. */
  async read(): Promise<RawResponse | null> {
    let end = -1;
    while ((end = dec.decode(this.#buf).indexOf("\r\n\r\n")) < 0) {
      if (!(await this.#fill())) return null;
    }
    const head = dec.decode(this.#buf).slice(0, end);
    const headBytes = enc.encode(head).length + 4;
    const [statusLine, ...lines] = head.split("\r\n");
    const headers: Record<string, string> = {};
    for (const l of lines) {
      const i = l.indexOf(":");
      headers[l.slice(0, i).trim().toLowerCase()] = l.slice(i + 1).trim();
    }
    const status = Number(statusLine.split(" ")[1]);
    let len: number;
    if (status === 204 || status === 304) {
      len = 0;
    } else if (headers["content-length"] !== undefined) {
      len = Number(headers["content-length"]);
      while (this.#buf.length < headBytes + len) {
        if (!(await this.#fill())) break;
      }
    } else {
      while (await this.#fill()) { /* read to EOF */ }
      len = this.#buf.length - headBytes;
    }
    const body = dec.decode(this.#buf.subarray(headBytes, headBytes + len));
    this.#buf = this.#buf.slice(headBytes + len);
    return { status, headers, body };
  }

  /** True once the server closed the connection (after a read returned null or hit EOF). */
  async closedByPeer(): Promise<boolean> {
    if (this.#eof) return true;
    return !(await this.#fill());
  }

  /** Closes the connection. */
  close(): void {
    try {
      this.#conn.close();
    } catch { /* already closed */ }
  }
}

/** A POST request text. */
export function post(body: string, opts: { auth?: string; path?: string; extra?: string } = {}): string {
  const len = enc.encode(body).length;
  return `POST ${opts.path ?? "/"} HTTP/1.1\r\nHost: x\r\n` +
    (opts.auth !== undefined ? `Authorization: Basic ${btoa(opts.auth)}\r\n` : "") +
    (opts.extra ?? "") + `Content-Type: application/json\r\nContent-Length: ${len}\r\n\r\n${body}`;
}

/** Sends one request on a new connection and returns the response. */
export async function request(port: number, text: string, hostname = "127.0.0.1"): Promise<RawResponse> {
  const c = await RawConn.open(port, hostname);
  try {
    await c.send(text);
    const r = await c.read();
    if (r === null) throw new Error("Cannot read response: connection closed");
    return r;
  } finally {
    c.close();
  }
}
