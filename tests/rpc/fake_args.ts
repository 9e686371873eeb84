/**
 * A small `ArgsLike` for tests: options as `{ "-rpcport": "123", "-rpcauth": ["a", "b"] }`.
 *
 * @module
 */
import type { Network } from "../../core/chain_params_base.ts";
import type { ArgsLike } from "../../rpc/server.ts";

/** Options by name (with dash); arrays for repeated options; `false` for negated ones. */
export type FakeOptions = Record<string, string | string[] | false>;

/** Builds an ArgsLike over fixed values. */
export function fakeArgs(
  options: FakeOptions,
  extra: { network?: Network; dataDir?: string; netDataDir?: string; positional?: string[] } = {},
): ArgsLike {
  const get = (name: string): string | undefined => {
    const v = options[name];
    if (v === undefined) return undefined;
    if (v === false) return "0";
    return Array.isArray(v) ? v[v.length - 1] : v;
  };
  return {
    getArg: (name: string, fallback?: string) => get(name) ?? fallback,
    getArgs: (name: string) => {
      const v = options[name];
      return v === undefined || v === false ? [] : Array.isArray(v) ? v : [v];
    },
    getBool: (name: string, fallback: boolean) => {
      const v = get(name);
      if (v === undefined) return fallback;
      return v === "" || v === "1" || v === "true";
    },
    getInt: (name: string, fallback: number) => {
      const v = get(name);
      return v === undefined ? fallback : parseInt(v, 10) || 0;
    },
    isSet: (name: string) => options[name] !== undefined,
    isNegated: (name: string) => options[name] === false,
    network: extra.network ?? "regtest",
    dataDir: extra.dataDir ?? "/nonexistent",
    netDataDir: extra.netDataDir ?? `${extra.dataDir ?? "/nonexistent"}/regtest`,
    positional: extra.positional ?? [],
  };
}
