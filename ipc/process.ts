/**
 * Spawning tsbtc component processes: a parent starts the same program in another mode, talks Cap'n Proto over
 * the child's stdin/stdout, and applies the component's permission profile — as `--allow-*` flags when running
 * from source (`deno run`), or inside the child with a Worker's `deno.permissions` when running as a compiled
 * binary (whose permissions are baked in).
 *
 * Like Core's `-ipcfd`, a spawned child is marked with `-ipcfd=0` (its IPC channel is fd 0/1); without it the
 * internal modes refuse to start, so they cannot be started by hand by mistake.
 *
 * @module
 */
import type { Logger } from "../util/logging.ts";
import type { ByteStream } from "./transport.ts";

export type { ByteStream };
import { type PermissionProfile, toDenoFlags } from "../sandbox/profile.ts";

/** How a child's permissions are applied. */
export type SandboxStrategy = "flags" | "worker";

/** Options of {@linkcode spawnProcess}. */
export interface SpawnOptions {
  /** Mode to start the child in ("echo", "wallet", "node"). */
  mode: string;
  /** Extra arguments for the child (after the mode and `-ipcfd=0`). */
  args?: readonly string[];
  /** The child's permission profile. */
  profile: PermissionProfile;
  /** How to apply it; defaults to "worker" in a compiled binary and "flags" otherwise. */
  strategy?: SandboxStrategy;
  /** Logger for Core's `Process … launched/exited` lines (category ipc) and for the child's stderr lines. */
  logger?: Logger;
  /** Entry module to run instead of `cli/main.ts` (tests: a probe run under exactly the same spawn path). */
  entry?: URL;
}

/** A running child process. */
export interface ChildProcess {
  /** Process name used in logs, e.g. "tsbtc-echo". */
  readonly name: string;
  /** Operating-system pid. */
  readonly pid: number;
  /** Mode the child runs in. */
  readonly mode: string;
  /** How its permissions were applied. */
  readonly strategy: SandboxStrategy;
  /** The profile it runs with. */
  readonly profile: PermissionProfile;
  /** The IPC channel (child's stdout as readable, stdin as writable). */
  readonly stream: ByteStream;
  /** Resolves with the exit status once the child has exited. */
  readonly status: Promise<number>;
  /** Sends a signal (default SIGTERM); no-op once exited. */
  kill(signal?: Deno.Signal): void;
}

const MAIN = new URL("../cli/main.ts", import.meta.url);
const CONFIG = new URL("../deno.json", import.meta.url);

/** True when running as a `deno compile` binary. */
export function isCompiled(): boolean {
  return Deno.build.standalone;
}

/** The command line that starts a child in `opts.mode` (exported for tests). */
export function childCommand(opts: SpawnOptions): { cmd: string; args: string[]; strategy: SandboxStrategy } {
  const strategy = opts.strategy ?? (isCompiled() ? "worker" : "flags");
  const tail = [opts.mode, "-ipcfd=0", ...(opts.args ?? [])];
  if (isCompiled()) {
    if (opts.entry) throw new Error("Cannot spawn a custom entry module from a compiled binary");
    if (strategy !== "worker") {
      throw new Error("Cannot apply flags to a compiled binary: use the worker strategy");
    }
    return { cmd: Deno.execPath(), args: tail, strategy };
  }
  const entry = (opts.entry ?? MAIN).href;
  const base = [
    "run",
    "--quiet",
    "--unstable-kv",
    "--unstable-worker-options",
    `--config=${CONFIG.pathname}`,
  ];
  if (strategy === "flags") {
    return { cmd: Deno.execPath(), args: [...base, ...toDenoFlags(opts.profile), entry, ...tail], strategy };
  }
  // Worker strategy from source: the child starts with all permissions and narrows itself before running
  // the component, exactly as a compiled binary does.
  return { cmd: Deno.execPath(), args: [...base, "-A", entry, ...tail, "-sandbox=worker"], strategy };
}

/**
 * Starts this program in another mode as a child process connected over its stdin/stdout.
 *
 * The child's stderr is read line by line into `logger` (children log to stderr, since stdout carries IPC).
 * Logs Core's lines `Process tsbtc-<mode> pid N launched` and `… exited with status N` (category ipc).
 */
export function spawnProcess(opts: SpawnOptions): ChildProcess {
  const { cmd, args, strategy } = childCommand(opts);
  const child = new Deno.Command(cmd, { args, stdin: "piped", stdout: "piped", stderr: "piped" }).spawn();
  const name = `tsbtc-${opts.mode}`;
  const logger = opts.logger;
  logger?.debug("ipc", `Process ${name} pid ${child.pid} launched`);
  const stderrDone = relayLines(child.stderr, (line) => {
    if (logger) logger.info(line);
    else console.error(line);
  });
  let exited = false;
  const status = child.status.then(async (s) => {
    exited = true;
    await stderrDone;
    const code = s.signal ? 128 + signalNumber(s.signal) : s.code;
    logger?.debug("ipc", `Process ${name} pid ${child.pid} exited with status ${code}`);
    return code;
  });
  const stream: ByteStream = {
    readable: child.stdout,
    writable: child.stdin,
    close() {
      // Closing our end of the child's stdin tells the child that its parent went away.
      child.stdin.close().catch(() => {});
      child.stdout.cancel().catch(() => {});
    },
  };
  return {
    name,
    pid: child.pid,
    mode: opts.mode,
    strategy,
    profile: opts.profile,
    stream,
    status,
    kill(signal: Deno.Signal = "SIGTERM") {
      if (exited) return;
      try {
        child.kill(signal);
      } catch { /* already gone */ }
    },
  };
}

/** The IPC stream of a spawned child: its own stdin (readable) and stdout (writable). */
export function stdioStream(): ByteStream {
  return {
    readable: Deno.stdin.readable,
    writable: Deno.stdout.writable,
    // Direct reads and writes skip the streams machinery (the transport prefers them).
    read: (p) => Deno.stdin.read(p),
    write: (p) => Deno.stdout.write(p),
    close() {
      try {
        Deno.stdin.close();
      } catch { /* already closed */ }
    },
  };
}

async function relayLines(stream: ReadableStream<Uint8Array>, onLine: (line: string) => void): Promise<void> {
  const reader = stream.pipeThrough(new TextDecoderStream()).getReader();
  let buf = "";
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buf += value;
      let nl;
      while ((nl = buf.indexOf("\n")) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        if (line.length > 0) onLine(line);
      }
    }
  } catch { /* stream broke: the child is gone */ }
  if (buf.length > 0) onLine(buf);
}

const SIGNALS: Partial<Record<Deno.Signal, number>> = {
  SIGHUP: 1,
  SIGINT: 2,
  SIGQUIT: 3,
  SIGABRT: 6,
  SIGKILL: 9,
  SIGSEGV: 11,
  SIGPIPE: 13,
  SIGALRM: 14,
  SIGTERM: 15,
};

function signalNumber(sig: Deno.Signal): number {
  return SIGNALS[sig] ?? 0;
}
