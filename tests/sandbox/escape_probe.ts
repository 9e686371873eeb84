/**
 * Tries to escape the sandbox and prints what happened as one JSON line on stdout: for each attempt, "ok" or the
 * error's name. Runs as a child's main module (flags path) or as a Worker module (worker path).
 *
 * Besides the fixed attempts, a {@linkcode ProbeSpec} (worker: the second argv element; process: a
 * `--probe=<json>` argument) names more: files or directories to read, `host:port` addresses to connect to or
 * listen on, each reported under its own key.
 */
/// <reference lib="deno.worker" />

async function attempt(fn: () => unknown | Promise<unknown>): Promise<string> {
  try {
    await fn();
    return "ok";
  } catch (e) {
    return e instanceof Error ? e.name : String(e);
  }
}

/** Extra attempts, keyed by the name reported. */
export interface ProbeSpec {
  /** Paths to read (a directory is listed). */
  read?: Record<string, string>;
  /** `host:port` to connect to. */
  connect?: Record<string, string>;
  /** `host:port` to listen on. */
  listen?: Record<string, string>;
}

function hostPort(a: string): { hostname: string; port: number } {
  const i = a.lastIndexOf(":");
  return { hostname: a.slice(0, i).replace(/^\[|\]$/g, ""), port: Number(a.slice(i + 1)) };
}

async function readPath(path: string): Promise<void> {
  const info = await Deno.stat(path);
  if (info.isDirectory) await Deno.readDir(path)[Symbol.asyncIterator]().next();
  else await Deno.readFile(path);
}

async function probeSpec(spec: ProbeSpec): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const [k, p] of Object.entries(spec.read ?? {})) out[k] = await attempt(() => readPath(p));
  for (const [k, a] of Object.entries(spec.connect ?? {})) {
    out[k] = await attempt(async () => (await Deno.connect(hostPort(a))).close());
  }
  for (const [k, a] of Object.entries(spec.listen ?? {})) {
    out[k] = await attempt(() => Deno.listen(hostPort(a)).close());
  }
  return out;
}

async function probe(allowedDir?: string, spec: ProbeSpec = {}): Promise<Record<string, string>> {
  const own: Record<string, string> = allowedDir
    ? {
      ownDir: await attempt(() =>
        Deno.writeTextFile(`${allowedDir}/probe`, "x").then(() => Deno.readTextFile(`${allowedDir}/probe`))
      ),
    }
    : {};
  return {
    ...own,
    readHostname: await attempt(() => Deno.readTextFile("/etc/hostname")),
    readTmp: await attempt(() => Deno.readDir("/tmp")[Symbol.asyncIterator]().next()),
    writeTmp: await attempt(() => Deno.writeTextFile(`/tmp/tsbtc-escape-${crypto.randomUUID()}`, "x")),
    connect: await attempt(async () => (await Deno.connect({ hostname: "127.0.0.1", port: 9 })).close()),
    listen: await attempt(() => Deno.listen({ hostname: "127.0.0.1", port: 0 }).close()),
    spawn: await attempt(() => new Deno.Command("true").output()),
    env: await attempt(() => Deno.env.get("HOME")),
    sys: await attempt(() => Deno.hostname()),
    ffi: await attempt(() => Deno.dlopen("libc.so.6", {})),
    ...await probeSpec(spec),
  };
}

const line = (r: Record<string, string>) => new TextEncoder().encode(JSON.stringify(r) + "\n");

// In a Worker (whose module is also "main" to Deno), wait to be started; as a process, run at once.
const inWorker = typeof WorkerGlobalScope !== "undefined" && self instanceof WorkerGlobalScope;
if (inWorker) {
  self.onmessage = async (e: MessageEvent<{ argv: string[] }>) => {
    const [dir, spec] = e.data.argv;
    await Deno.stdout.write(line(await probe(dir || undefined, spec ? JSON.parse(spec) : {})));
    self.postMessage({ exit: 0 });
  };
} else if (import.meta.main) {
  const arg = Deno.args.find((a) => a.startsWith("--probe="));
  const spec: ProbeSpec & { ownDir?: string } = arg ? JSON.parse(arg.slice("--probe=".length)) : {};
  await Deno.stdout.write(line(await probe(spec.ownDir, spec)));
}
