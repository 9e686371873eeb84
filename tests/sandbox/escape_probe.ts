/**
 * Tries to escape the sandbox and prints what happened as one JSON line on stdout: for each attempt, "ok" or the
 * error's name. Runs as a child's main module (flags path) or as a Worker module (worker path).
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

async function probe(allowedDir?: string): Promise<Record<string, string>> {
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
  };
}

const line = (r: Record<string, string>) => new TextEncoder().encode(JSON.stringify(r) + "\n");

// In a Worker (whose module is also "main" to Deno), wait to be started; as a process, run at once.
const inWorker = typeof WorkerGlobalScope !== "undefined" && self instanceof WorkerGlobalScope;
if (inWorker) {
  self.onmessage = async (e: MessageEvent<{ argv: string[] }>) => {
    await Deno.stdout.write(line(await probe(e.data.argv[0])));
    self.postMessage({ exit: 0 });
  };
} else if (import.meta.main) {
  await Deno.stdout.write(line(await probe()));
}
