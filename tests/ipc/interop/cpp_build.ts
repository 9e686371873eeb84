/**
 * Builds the C++ Cap'n Proto programs used by the interop test and the C++ benchmark client, against tsbtc's
 * own schemas (`ipc/capnp/`) and the system's capnp C++ library (Debian `libcapnp-dev`, `capnproto`, `g++`).
 *
 * The build goes to `<tmp>/tsbtc-cpp-<hash>/`, keyed by the hash of every input (schemas, C++ sources, compiler
 * and capnp versions, flags), so a second run reuses it. Nothing generated lands in the source tree.
 *
 * @module
 */

import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex } from "@noble/hashes/utils.js";

const ROOT = new URL("../../../", import.meta.url).pathname.replace(/\/$/, "");
const SCHEMAS = [
  "mp/proxy.capnp",
  "init.capnp",
  "echo.capnp",
  "rpc.capnp",
  "chain.capnp",
  "wallet.capnp",
  "tsbtc.capnp",
];

/** The C++ programs this module can build: name → source path relative to the repository root. */
export const CPP_PROGRAMS: Record<string, string> = {
  interop_client: "tests/ipc/interop/client.c++",
  interop_server: "tests/ipc/interop/server.c++",
  echo_bench: "bench/cpp/echo_bench.c++",
};

/** Paths of the built executables, by program name. */
export type CppPrograms = Record<string, string>;

async function run(cmd: string, args: string[], cwd = ROOT): Promise<string> {
  let out: Deno.CommandOutput;
  try {
    out = await new Deno.Command(cmd, { args, cwd, stdout: "piped", stderr: "piped" }).output();
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) throw new Error(missingTools(`${cmd} not found`));
    throw e;
  }
  const text = new TextDecoder().decode(out.stdout);
  if (!out.success) {
    const err = new TextDecoder().decode(out.stderr);
    throw new Error(`${cmd} ${args.join(" ")} failed (status ${out.code}):\n${err}${text}`);
  }
  return text;
}

function missingTools(what: string): string {
  return `C++ interop build needs g++, capnp and the capnp C++ library (Debian: apt-get install g++ capnproto ` +
    `libcapnp-dev pkg-config): ${what}`;
}

/**
 * Builds (or finds in the cache) the named programs; resolves with their paths.
 *
 * @throws Error naming the missing tool or package when g++, capnp, pkg-config or libcapnp-dev is missing, or
 *   with the compiler's output when a build fails.
 */
export async function buildCppPrograms(names: string[] = Object.keys(CPP_PROGRAMS)): Promise<CppPrograms> {
  for (const n of names) if (!(n in CPP_PROGRAMS)) throw new Error(`Unknown C++ program ${n}`);
  const gxx = (await run("g++", ["--version"])).split("\n")[0];
  const capnpVersion = (await run("capnp", ["--version"])).trim();
  let flags: string[];
  try {
    flags = (await run("pkg-config", ["--cflags", "--libs", "capnp-rpc", "kj-async"])).trim().split(/\s+/);
  } catch (e) {
    throw new Error(
      missingTools(`pkg-config cannot find capnp-rpc/kj-async (${(e as Error).message.trim()})`),
    );
  }
  const cxxflags = ["-std=c++17", "-O2", "-DNDEBUG", "-pthread"];
  const hash = sha256.create();
  const enc = new TextEncoder();
  for (const part of [gxx, capnpVersion, flags.join(" "), cxxflags.join(" ")]) {
    hash.update(enc.encode(part + "\n"));
  }
  for (const s of SCHEMAS) hash.update(await Deno.readFile(`${ROOT}/ipc/capnp/${s}`));
  for (const n of Object.keys(CPP_PROGRAMS).sort()) {
    try {
      hash.update(await Deno.readFile(`${ROOT}/${CPP_PROGRAMS[n]}`));
    } catch {
      hash.update(enc.encode(`missing ${n}`));
    }
  }
  const tmp = Deno.env.get("TMPDIR") ?? "/tmp";
  const dir = `${tmp}/tsbtc-cpp-${bytesToHex(hash.digest()).slice(0, 16)}`;
  await Deno.mkdir(dir, { recursive: true });
  const result: CppPrograms = {};

  // Generated schema code, once per cache directory.
  const gen = `${dir}/gen`;
  if (!(await exists(`${gen}/.done`))) {
    const work = await Deno.makeTempDir({ dir, prefix: "gen." });
    await run("capnp", [
      "compile",
      `-oc++:${work}`,
      "--src-prefix=ipc/capnp",
      "-I",
      "ipc/capnp",
      ...SCHEMAS.map((s) => `ipc/capnp/${s}`),
    ]);
    const units = SCHEMAS.map((s) => `${s}.c++`);
    await parallel(
      units.map((u) => () =>
        run("g++", [...cxxflags, "-I", work, "-c", u, "-o", u.replace(/\//g, "_") + ".o"], work)
      ),
      2,
    );
    await Deno.writeTextFile(`${work}/.done`, "");
    await Deno.rename(work, gen).catch(async () => await Deno.remove(work, { recursive: true }));
  }
  const objects = SCHEMAS.map((s) => `${gen}/${s.replace(/\//g, "_")}.c++.o`);

  await parallel(
    names.map((n) => async () => {
      const exe = `${dir}/${n}`;
      if (!(await exists(exe))) {
        const tmpExe = `${exe}.tmp${crypto.randomUUID().slice(0, 8)}`;
        await run("g++", [
          ...cxxflags,
          "-I",
          gen,
          `${ROOT}/${CPP_PROGRAMS[n]}`,
          ...objects,
          ...flags,
          "-o",
          tmpExe,
        ]);
        await Deno.rename(tmpExe, exe);
      }
      result[n] = exe;
    }),
    2,
  );
  return result;
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.lstat(path);
    return true;
  } catch {
    return false;
  }
}

async function parallel(jobs: Array<() => Promise<unknown>>, n: number): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < jobs.length) await jobs[next++]();
  };
  await Promise.all(Array.from({ length: Math.min(n, jobs.length) }, worker));
}
