/**
 * Makes sure what the test suite needs beyond Deno is installed: the Cap'n Proto compiler (`capnp`) and the C++
 * library with g++ and pkg-config for the interop tests. On Debian as root, missing packages are installed with
 * apt-get; elsewhere the missing pieces are named and the run stops.
 *
 * @module
 */

async function ok(cmd: string, args: string[]): Promise<boolean> {
  try {
    return (await new Deno.Command(cmd, { args, stdout: "null", stderr: "null" }).output()).success;
  } catch {
    return false;
  }
}

async function missing(): Promise<string[]> {
  const out: string[] = [];
  if (!(await ok("capnp", ["--version"]))) out.push("capnproto");
  if (!(await ok("pkg-config", ["--exists", "capnp-rpc"]))) out.push("libcapnp-dev", "pkg-config");
  if (!(await ok("g++", ["--version"]))) out.push("g++");
  return [...new Set(out)];
}

/** Installed when missing but not required: the python-bitcoinlib cross-check (tests/net) skips without it. */
async function missingOptional(): Promise<string[]> {
  return (await ok("/usr/bin/python3", ["-c", "import bitcoin.messages"])) ? [] : ["python3-bitcoinlib"];
}

if (import.meta.main) {
  let need = await missing();
  const optional = await missingOptional();
  if (need.length + optional.length > 0 && Deno.uid() === 0 && (await ok("apt-get", ["--version"]))) {
    console.error(`Installing test dependencies: ${[...need, ...optional].join(" ")}`);
    const env = { DEBIAN_FRONTEND: "noninteractive" };
    await new Deno.Command("apt-get", { args: ["update", "-qq"], env, stdout: "null" }).output();
    for (const pkgs of [need, optional]) {
      if (pkgs.length === 0) continue;
      await new Deno.Command("apt-get", { args: ["install", "-y", "-qq", ...pkgs], env, stdout: "null" })
        .output();
    }
    need = await missing();
  }
  if (need.length > 0) {
    console.error(
      `Cannot run the tests: missing ${need.join(", ")} (Debian: apt-get install -y ${need.join(" ")})`,
    );
    Deno.exit(1);
  }
}
