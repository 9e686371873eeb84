/**
 * Command-line and `bitcoin.conf` handling with Bitcoin Core's rules (src/common/args.cpp, common/config.cpp,
 * common/settings.cpp, common/init.cpp): `-opt`, `-opt=v`, `--opt`, `-noopt`, `-noopt=0`, repeated options,
 * config files with `[network]` sections and `section.option=` keys, `includeconf`, network-only options,
 * precedence (forced > command line > config network section > config default section; last value wins on the
 * command line, first value wins in a config file), and the data directory.
 *
 * Everything lives in an {@linkcode ArgsManager} instance; there is no global state.
 *
 * @module
 */
import { isAbsolute, join, normalize, resolve } from "node:path";
import { baseParams, isNetwork, type Network } from "../core/chain_params_base.ts";
import { ConfigError, parseConfig, type SectionInfo, trim } from "./config.ts";
import { findOption, type Mode, networkOnlyOptions, type OptionSpec } from "./options.ts";

export type { SectionInfo };

/** Core's `BITCOIN_CONF_FILENAME`. */
export const CONF_FILENAME = "bitcoin.conf";

/** tsbtc's data directory name in the home directory (Core: `.bitcoin`). */
export const DEFAULT_DATADIR_NAME = ".tsbtc";

/** A setting value: a string, `false` for a negation (`-nofoo`), `true` for a double negation (`-nofoo=0`). */
export type SettingsValue = string | boolean;

/**
 * Where an {@linkcode ArgsError} happened, which decides how Core prints it:
 * - "cmdline": `Error parsing command line arguments: …`
 * - "config": `Error reading configuration file: …`
 * - "other": everything else (data directory, chain selection, unexpected tokens, …)
 */
export type ArgsErrorKind = "cmdline" | "config" | "other";

/** A command-line or configuration error, with Core's wording. */
export class ArgsError extends Error {
  /** Where it happened. */
  readonly kind: ArgsErrorKind;
  /** Core's message without the context prefix, e.g. `Invalid parameter -foo`. */
  readonly detail: string;

  /** `message` is `detail` with Core's context prefix for `kind` ("Error parsing command line arguments: " …). */
  constructor(kind: ArgsErrorKind, detail: string) {
    const prefix = kind === "cmdline"
      ? "Error parsing command line arguments: "
      : kind === "config"
      ? "Error reading configuration file: "
      : "";
    super(prefix + detail);
    this.name = "ArgsError";
    this.kind = kind;
    this.detail = detail;
  }
}

/**
 * The line Core prints on stderr for `err` in `mode`: bitcoind (and the other server modes) print
 * `Error: <message>`; bitcoin-cli prints command-line and configuration errors without the `Error: ` prefix.
 */
export function formatArgsError(mode: Mode, err: ArgsError): string {
  return mode === "rpc" && err.kind !== "other" ? err.message : `Error: ${err.message}`;
}

/** A message for the log (Core's LogInfo / LogWarning during argument and config parsing). */
export interface ArgsLogLine {
  /** Log level. */
  readonly level: "info" | "warning";
  /** Message text. */
  readonly message: string;
}

/** Options of {@linkcode ArgsManager.parse}. */
export interface ParseOptions {
  /** Home directory for the default data directory; default `$HOME` (or "/" when unset or not readable). */
  home?: string;
  /** Directory that relative `-datadir` values are resolved against; default `Deno.cwd()`. */
  cwd?: string;
}

/** Options of {@linkcode ArgsManager.readConfigFiles}. */
export interface ReadConfigOptions {
  /**
   * What to do with network-only options set only in the default section of a config file while running on a
   * non-main network (they are ignored either way): "warn" adds a warning (default), "error" throws Core's
   * bitcoind error. Only in the server modes; bitcoin-cli (`rpc`) silently ignores them, as Core does.
   */
  sectionOnly?: "warn" | "error";
}

const TRIM_ATOI = " \f\n\r\t\v";

const INT64_MAX = 9223372036854775807n;
const INT64_MIN = -9223372036854775808n;

/**
 * Core's `LocaleIndependentAtoi<int64_t>`: leading whitespace and one `+` are skipped, digits are read up to the
 * first non-digit, anything unparsable is 0, and out-of-range values saturate to the int64 limits (returned as a
 * JavaScript number, so exact only up to 2^53).
 */
export function atoi64(str: string): number {
  let s = trim(str, TRIM_ATOI);
  if (s.startsWith("+")) {
    if (s[1] === "-") return 0;
    s = s.slice(1);
  }
  const m = /^-?[0-9]+/.exec(s);
  if (m === null) return 0;
  let v = BigInt(m[0]);
  if (v > INT64_MAX) v = INT64_MAX;
  if (v < INT64_MIN) v = INT64_MIN;
  return Number(v);
}

/** Core's `InterpretBool`: "" is true, otherwise the integer value is non-zero ("true" is false!). */
export function interpretBool(value: string): boolean {
  return value === "" || atoi64(value) !== 0;
}

/** Core's UniValue `write()` of a setting (JSON), used in messages and `logArgs()`. */
function writeValue(v: SettingsValue): string {
  return typeof v === "boolean" ? String(v) : JSON.stringify(v);
}

/** A setting as a string (Core's `SettingToString`): false → "0", true → "1". */
function settingToString(v: SettingsValue): string {
  return v === false ? "0" : v === true ? "1" : v;
}

interface KeyInfo {
  section: string;
  name: string;
  negated: boolean;
}

/** Core's `InterpretKey`: "section.name", "noname". */
function interpretKey(key: string): KeyInfo {
  let section = "";
  const dot = key.indexOf(".");
  if (dot !== -1) {
    section = key.slice(0, dot);
    key = key.slice(dot + 1);
  }
  let negated = false;
  if (key.startsWith("no")) {
    key = key.slice(2);
    negated = true;
  }
  return { section, name: key, negated };
}

type Source = "forced" | "cmdline" | "network" | "default";

// Span helpers (Core's SettingsSpan over a vector of values).
function negatedCount(span: readonly SettingsValue[]): number {
  for (let i = span.length; i > 0; i--) if (span[i - 1] === false) return i;
  return 0;
}
function lastNegated(span: readonly SettingsValue[]): boolean {
  return span.length > 0 && span[span.length - 1] === false;
}
function spanEmpty(span: readonly SettingsValue[]): boolean {
  return span.length === 0 || lastNegated(span);
}

/** The quoting of C++ `std::quoted` (used by Core's `fs::quoted`). */
function quoted(s: string): string {
  return '"' + s.replace(/[\\"]/g, (c) => "\\" + c) + '"';
}

/**
 * Parsed options of one mode, from the command line and the configuration files, with Core's semantics.
 *
 * Names passed to the getters may be written with or without the leading dash ("-datadir" or "datadir").
 */
export class ArgsManager {
  /** The mode whose options are accepted. */
  readonly mode: Mode;
  /**
   * Non-option arguments: in `rpc` mode the method and its parameters (everything after the first argument not
   * starting with "-"); empty in the other modes, where such a token is an error.
   */
  readonly positional: readonly string[];
  /**
   * Warnings for the user, each a complete text as Core prints it on stderr (`Warning: …`, or Core's lowercase
   * `warning: -includeconf cannot be used from included files; …`). Core also logs the `Warning: …` ones.
   */
  readonly warnings: string[] = [];
  /** Messages for the log (Core's LogInfo/LogWarning while parsing), to write once logging has started. */
  readonly logLines: ArgsLogLine[] = [];

  #cmdline = new Map<string, SettingsValue[]>();
  #forced = new Map<string, SettingsValue>();
  #config = new Map<string, Map<string, SettingsValue[]>>();
  #sections: SectionInfo[] = [];
  /** Core's m_network: "" until readConfigFiles() selected the network. */
  #network = "";
  #selected: Network | null = null;
  #configPath: string | null | undefined = undefined;
  #home: string | undefined;
  #cwd: string | undefined;

  private constructor(mode: Mode, positional: string[], opts: ParseOptions) {
    this.mode = mode;
    this.positional = positional;
    this.#home = opts.home;
    this.#cwd = opts.cwd;
  }

  /**
   * Parses a command line (without the program name and mode), Core's `ParseParameters`.
   *
   * Throws {@linkcode ArgsError} ("cmdline") with Core's text: `Invalid parameter -foo` (an unknown option, or
   * one with a `section.` prefix), `Negating of -datadir is meaningless and therefore forbidden`, `Can not set
   * -loglevel with no value. Please specify value with -loglevel=value.`, `-includeconf cannot be used from
   * commandline; -includeconf="x"`; and ("other") in the server modes, for a non-option token, `Command line
   * contains unexpected token 'foo', see tsbtc node -h for a list of options.`
   */
  static parse(mode: Mode, argv: readonly string[], opts: ParseOptions = {}): ArgsManager {
    const cmdline = new Map<string, SettingsValue[]>();
    const logLines: ArgsLogLine[] = [];
    let positional: string[] = [];
    for (let i = 0; i < argv.length; i++) {
      const arg = argv[i];
      if (arg === "-") {
        // Core stops parsing here (bitcoin-tx reads stdin); bitcoin-cli then skips the remaining switches.
        let j = i + 1;
        while (j < argv.length && argv[j].startsWith("-")) j++;
        positional = argv.slice(j);
        break;
      }
      let key = arg;
      let val: string | undefined;
      const eq = key.indexOf("=");
      if (eq !== -1) {
        val = key.slice(eq + 1);
        key = key.slice(0, eq);
      }
      if (key[0] !== "-") {
        positional = argv.slice(i);
        break;
      }
      if (key.length > 1 && key[1] === "-") key = key.slice(1);
      key = key.slice(1);
      const info = interpretKey(key);
      const spec = findOption(mode, info.name);
      if (spec === undefined || info.section !== "") {
        throw new ArgsError("cmdline", `Invalid parameter ${arg}`);
      }
      const value = interpretValue(info, val, spec, logLines, "cmdline");
      let list = cmdline.get(info.name);
      if (list === undefined) cmdline.set(info.name, list = []);
      list.push(value);
    }
    const includes = cmdline.get("includeconf");
    if (includes !== undefined && !spanEmpty(includes)) {
      throw new ArgsError(
        "cmdline",
        `-includeconf cannot be used from commandline; -includeconf=${
          writeValue(includes[negatedCount(includes)])
        }`,
      );
    }
    if (mode !== "rpc") {
      const token = argv.find((a) => !a.startsWith("-"));
      if (token !== undefined) {
        throw new ArgsError(
          "other",
          `Command line contains unexpected token '${token}', see tsbtc ${mode} -h for a list of options.`,
        );
      }
      positional = [];
    }
    const args = new ArgsManager(mode, positional, opts);
    args.#cmdline = cmdline;
    args.logLines.push(...logLines);
    return args;
  }

  // ---------------------------------------------------------------- settings lookup (common/settings.cpp)

  #merge(section: string, name: string, fn: (span: readonly SettingsValue[], source: Source) => void): void {
    const forced = this.#forced.get(name);
    if (forced !== undefined) fn([forced], "forced");
    const cmd = this.#cmdline.get(name);
    if (cmd !== undefined) fn(cmd, "cmdline");
    if (section !== "") {
      const net = this.#config.get(section)?.get(name);
      if (net !== undefined) fn(net, "network");
    }
    const def = this.#config.get("")?.get(name);
    if (def !== undefined) fn(def, "default");
  }

  /** Core's common::GetSetting. */
  #getSetting(
    section: string,
    name: string,
    ignoreDefault: boolean,
    getChainType: boolean,
  ): SettingsValue | null {
    let result: SettingsValue | null = null;
    let done = false;
    this.#merge(section, name, (span, source) => {
      const neverIgnoreNegated = lastNegated(span);
      const reverse = (source === "network" || source === "default") && !getChainType;
      if (done) return;
      if (ignoreDefault && source === "default" && !neverIgnoreNegated) return;
      if (getChainType && lastNegated(span)) return;
      if (!spanEmpty(span)) {
        result = reverse ? span[negatedCount(span)] : span[span.length - 1];
        done = true;
      } else if (lastNegated(span)) {
        result = false;
        done = true;
      }
    });
    return result;
  }

  /** Core's common::GetSettingsList. */
  #getSettingsList(section: string, name: string, ignoreDefault: boolean): SettingsValue[] {
    const result: SettingsValue[] = [];
    let done = false;
    let prevNegatedEmpty = false;
    this.#merge(section, name, (span, source) => {
      const zombies = (source === "network" || source === "default") && !prevNegatedEmpty;
      if (ignoreDefault && source === "default") return;
      if (!done || zombies) result.push(...span.slice(negatedCount(span)));
      done ||= negatedCount(span) > 0 || source === "forced";
      prevNegatedEmpty ||= lastNegated(span) && result.length === 0;
    });
    return result;
  }

  #spec(name: string): OptionSpec | undefined {
    return findOption(this.mode, name);
  }

  /** Core's UseDefaultSection. */
  #useDefaultSection(name: string): boolean {
    return this.#network === "main" || !(this.#spec(name)?.networkOnly ?? false);
  }

  #setting(arg: string): SettingsValue | null {
    const name = settingName(arg);
    return this.#getSetting(this.#network, name, !this.#useDefaultSection(name), false);
  }

  /** The effective value of an option as a string (false → "0", true → "1"), or undefined. Core's GetArg. */
  getArg(name: string): string | undefined;
  /** The effective value of an option as a string, or `fallback` when it is not set. */
  getArg(name: string, fallback: string): string;
  getArg(name: string, fallback?: string): string | undefined {
    const v = this.#setting(name);
    return v === null ? fallback : settingToString(v);
  }

  /** Every value of a repeatable option, in Core's order and with its negation rules (Core's GetArgs). */
  getArgs(name: string): string[] {
    const n = settingName(name);
    return this.#getSettingsList(this.#network, n, !this.#useDefaultSection(n)).map(settingToString);
  }

  /** The option as a boolean (Core's GetBoolArg: "" and non-zero integers are true, "true" is false). */
  getBool(name: string, fallback: boolean): boolean {
    const v = this.#setting(name);
    if (v === null) return fallback;
    return typeof v === "boolean" ? v : interpretBool(v);
  }

  /** The option as an integer (Core's GetIntArg with LocaleIndependentAtoi: "12abc" is 12, "abc" is 0). */
  getInt(name: string, fallback: number): number {
    const v = this.#setting(name);
    if (v === null) return fallback;
    return v === false ? 0 : v === true ? 1 : atoi64(v);
  }

  /** True when the option has a value, including a negation (Core's IsArgSet). */
  isSet(name: string): boolean {
    return this.#setting(name) !== null;
  }

  /** True when the option's effective value is a negation, e.g. `-nodebuglogfile` (Core's IsArgNegated). */
  isNegated(name: string): boolean {
    return this.#setting(name) === false;
  }

  /**
   * Core's GetPathArg: "" when negated, `fallback` when unset or empty, else the value lexically normalized
   * without a trailing slash.
   */
  getPathArg(name: string, fallback = ""): string {
    const v = this.#setting(name);
    if (v === false) return "";
    const s = v === null ? "" : settingToString(v);
    if (s === "") return fallback;
    let p = normalize(s);
    if (p.length > 1 && p.endsWith("/")) p = p.slice(0, -1);
    return p;
  }

  /** Sets a value that overrides everything else (Core's ForceSetArg; for tests and parameter interaction). */
  forceSetArg(name: string, value: string): void {
    this.#forced.set(settingName(name), value);
  }

  /** Sets a value only when the option is not set at all; returns whether it did (Core's SoftSetArg). */
  softSetArg(name: string, value: string): boolean {
    if (this.isSet(name)) return false;
    this.forceSetArg(name, value);
    return true;
  }

  /** {@linkcode softSetArg} with "1"/"0" (Core's SoftSetBoolArg). */
  softSetBool(name: string, value: boolean): boolean {
    return this.softSetArg(name, value ? "1" : "0");
  }

  /** True for -h, -?, -help or -help-debug (Core's HelpRequested). */
  get helpRequested(): boolean {
    return this.isSet("-?") || this.isSet("-h") || this.isSet("-help") || this.isSet("-help-debug");
  }

  /** True when -help-debug is set (list debug options too). */
  get helpDebug(): boolean {
    return this.getBool("-help-debug", false);
  }

  /** True for -version. */
  get versionRequested(): boolean {
    return this.getBool("-version", false);
  }

  // ---------------------------------------------------------------- network

  /**
   * Core's GetChainArg: the chain named by -chain, -regtest, -signet, -testnet or -testnet4 (from the command
   * line and the config file's default section; negations on the command line are ignored, as in Core), as a
   * string (an unknown -chain value is returned as is).
   */
  #chainString(): string {
    const getNet = (name: string): boolean => {
      const v = this.#getSetting("", name, false, true);
      return v === null ? false : typeof v === "boolean" ? v : interpretBool(v);
    };
    const regtest = getNet("regtest");
    const signet = getNet("signet");
    const testnet = getNet("testnet");
    const testnet4 = getNet("testnet4");
    const chain = this.getArg("-chain");
    if (
      Number(chain !== undefined) + Number(regtest) + Number(signet) + Number(testnet) + Number(testnet4) > 1
    ) {
      throw new ArgsError(
        "other",
        "Invalid combination of -regtest, -signet, -testnet, -testnet4 and -chain. Can use at most one.",
      );
    }
    if (chain !== undefined) return chain;
    if (regtest) return "regtest";
    if (signet) return "signet";
    if (testnet) return "test";
    if (testnet4) return "testnet4";
    return "main";
  }

  /** Core's GetChainType: throws `Unknown chain foo.` for an unknown -chain value. */
  #chainType(): Network {
    const s = this.#chainString();
    if (!isNetwork(s)) throw new ArgsError("other", `Unknown chain ${s}.`);
    return s;
  }

  /**
   * The network: the one selected by {@linkcode readConfigFiles}, or before that the command line's choice.
   * Throws {@linkcode ArgsError} for a conflicting choice ("Invalid combination of -regtest, -signet, -testnet,
   * -testnet4 and -chain. Can use at most one.") or an unknown `-chain` ("Unknown chain foo.").
   */
  get network(): Network {
    return this.#selected ?? this.#chainType();
  }

  // ---------------------------------------------------------------- data directory

  #homeDir(): string {
    let home = this.#home;
    if (home === undefined) {
      try {
        home = Deno.env.get("HOME");
      } catch {
        home = undefined; // no env permission (sandboxed child)
      }
    }
    return home === undefined || home === "" ? "/" : home;
  }

  /** The default data directory: `$HOME/.tsbtc` (Core's GetDefaultDataDir, Unix branch). */
  get defaultDataDir(): string {
    return join(this.#homeDir(), DEFAULT_DATADIR_NAME);
  }

  /**
   * The data directory: `-datadir` made absolute, or the default. Whether it exists is checked by
   * {@linkcode readConfigFiles} (or {@linkcode checkDataDir}).
   */
  get dataDir(): string {
    const d = this.getPathArg("-datadir");
    if (d === "") return this.defaultDataDir;
    return isAbsolute(d) ? d : resolve(this.#cwd ?? Deno.cwd(), d);
  }

  /** The network's data directory: {@linkcode dataDir} plus the network's folder ("regtest", "testnet4" …). */
  get netDataDir(): string {
    const sub = baseParams(this.network).dataDir;
    return sub === "" ? this.dataDir : join(this.dataDir, sub);
  }

  /**
   * Core's AbsPathForConfigVal: `path` unchanged when absolute or empty, else joined to the network data
   * directory (`netSpecific`, the default) or the data directory.
   */
  absPathForConfigVal(path: string, netSpecific = true): string {
    if (path === "" || isAbsolute(path)) return path;
    return join(netSpecific ? this.netDataDir : this.dataDir, path);
  }

  /** Core's CheckDataDirOption: true when -datadir is unset or names an existing directory. */
  async checkDataDir(): Promise<boolean> {
    if (this.getPathArg("-datadir") === "") return true;
    return await isDirectory(this.dataDir);
  }

  /**
   * Creates the data directory and the network data directory when missing, each with a `wallets`
   * subdirectory, as Core's InitConfig does.
   */
  async ensureDataDirs(): Promise<void> {
    for (const dir of new Set([this.dataDir, this.netDataDir])) {
      if (!(await exists(dir))) await Deno.mkdir(join(dir, "wallets"), { recursive: true });
    }
  }

  /** Path of the config file used: set by {@linkcode readConfigFiles}; null with `-noconf`. */
  get configPath(): string | null {
    if (this.#configPath === undefined) {
      throw new Error("Cannot get the config file path: config not read yet");
    }
    return this.#configPath;
  }

  // ---------------------------------------------------------------- configuration files

  /**
   * Reads `bitcoin.conf` (or `-conf`, relative to the data directory; `-noconf`: none) and its `includeconf`
   * files, then selects the network. This is Core's InitConfig for the server modes and the
   * CheckDataDirOption + ReadConfigFiles + SelectBaseParams sequence of bitcoin-cli for `rpc`.
   *
   * Throws {@linkcode ArgsError} with Core's text: `Specified data directory "x" does not exist.`; ("config")
   * `Config file "x" is a directory.`, `specified config file "x" could not be opened.`, `parse error on line N:
   * …`, `conf cannot be set in the configuration file; …`, `Included config file "x" is a directory.`, `Failed
   * to include configuration file x`, `specified data directory "x" does not exist.` (a datadir= in the file);
   * the chain errors of {@linkcode network}; and in the server modes Core's error about a `bitcoin.conf` in the
   * data directory that is ignored because another config file is used (unless -allowignoredconf).
   *
   * Adds to {@linkcode warnings}: recursive includeconf, unrecognized sections and (server modes, see
   * `sectionOnly`) network-only options ignored in the default section. Unknown keys are ignored with a log
   * warning (Core reads configs with ignore_invalid_keys).
   */
  async readConfigFiles(opts: ReadConfigOptions = {}): Promise<void> {
    if (!(await this.checkDataDir())) {
      throw new ArgsError(
        "other",
        `Specified data directory "${this.getArg("-datadir", "")}" does not exist.`,
      );
    }
    const server = this.mode !== "rpc";
    const origDataDir = this.dataDir;
    this.#config = new Map();
    this.#sections = [];
    this.#selected = null;
    this.#network = "";
    const confVal = this.getPathArg("-conf", CONF_FILENAME);
    const confPath = confVal === "" ? null : isAbsolute(confVal) ? confVal : join(origDataDir, confVal);
    this.#configPath = confPath;

    if (confPath !== null) {
      if (await isDirectory(confPath)) {
        throw new ArgsError("config", `Config file "${confPath}" is a directory.`);
      }
      const text = await readText(confPath);
      if (text === null && this.isSet("-conf")) {
        throw new ArgsError("config", `specified config file "${confPath}" could not be opened.`);
      }
      if (text !== null) {
        this.#readConfigStream(text, confPath);
        const cmdIncludes = this.#cmdline.get("includeconf");
        // ParseParameters() refused a non-negated -includeconf, so this is -noincludeconf: no included files.
        if (cmdIncludes === undefined) await this.#readIncludes(origDataDir);
      }
    }
    if (!(await this.checkDataDir())) {
      throw new ArgsError(
        "config",
        `specified data directory "${this.getArg("-datadir", "")}" does not exist.`,
      );
    }

    const chain = this.#chainType();
    this.#selected = chain;
    this.#network = chain;

    if (!server) return;
    await this.#checkIgnoredConf(confPath, origDataDir);
    const unsuitable = this.unsuitableSectionOnlyArgs();
    if (unsuitable.length > 0) {
      const msg = unsuitable.map((a) =>
        `Config setting for -${a} only applied on ${chain} network when in [${chain}] section.`
      ).join("\n");
      if (opts.sectionOnly === "error") throw new ArgsError("other", msg);
      this.warnings.push(`Warning: ${msg}`);
    }
    const unrecognized = this.unrecognizedSections();
    if (unrecognized.length > 0) {
      this.warnings.push(
        "Warning: " +
          unrecognized.map((s) => `${s.file}:${s.line} Section [${s.name}] is not recognized.`).join("\n"),
      );
    }
  }

  /** Core's ReadConfigStream (with ignore_invalid_keys). */
  #readConfigStream(text: string, file: string): void {
    let options: Array<[string, string]>;
    try {
      options = parseConfig(text, file, this.#sections);
    } catch (e) {
      if (e instanceof ConfigError) throw new ArgsError("config", e.message);
      throw e;
    }
    for (const [key, value] of options) {
      const info = interpretKey(key);
      if (info.name === "conf") {
        throw new ArgsError(
          "config",
          "conf cannot be set in the configuration file; use includeconf= if you want to include additional config files",
        );
      }
      if (info.name === "reindex") {
        this.logLines.push({
          level: "warning",
          message:
            "reindex=1 is set in the configuration file, which will significantly slow down startup. " +
            "Consider removing or commenting out this option for better performance, unless there is currently " +
            "a condition which makes rebuilding the indexes necessary",
        });
      }
      const spec = this.#spec(info.name);
      if (spec === undefined) {
        this.logLines.push({ level: "warning", message: `Ignoring unknown configuration value ${key}` });
        continue;
      }
      const v = interpretValue(info, value, spec, this.logLines, "config");
      let section = this.#config.get(info.section);
      if (section === undefined) this.#config.set(info.section, section = new Map());
      let list = section.get(info.name);
      if (list === undefined) section.set(info.name, list = []);
      list.push(v);
    }
  }

  /** The `includeconf` values of `section` from index `skip` on (after the last negation). */
  #includes(section: string, skip: number): { names: string[]; count: number } {
    const values = this.#config.get(section)?.get("includeconf");
    if (values === undefined) return { names: [], count: 0 };
    const names: string[] = [];
    for (let i = Math.max(skip, negatedCount(values)); i < values.length; i++) {
      const v = values[i];
      if (typeof v !== "string") {
        throw new ArgsError("config", "JSON value of type bool is not of expected type string");
      }
      names.push(v);
    }
    return { names, count: values.length };
  }

  async #readIncludes(baseDir: string): Promise<void> {
    const chainId = this.#chainString();
    const chainInc = this.#includes(chainId, 0);
    const defInc = this.#includes("", 0);
    for (const name of [...chainInc.names, ...defInc.names]) {
      const path = name === "" || isAbsolute(name) ? name : join(baseDir, name);
      if (path !== "" && await isDirectory(path)) {
        throw new ArgsError("config", `Included config file "${path}" is a directory.`);
      }
      const text = path === "" ? null : await readText(path);
      if (text === null) throw new ArgsError("config", `Failed to include configuration file ${name}`);
      this.#readConfigStream(text, name);
      this.logLines.push({ level: "info", message: `Included configuration file ${name}` });
    }
    // includeconf lines inside included files are not followed: warn about them.
    const ignored = [
      ...this.#includes(chainId, chainInc.count).names,
      ...this.#includes("", defInc.count).names,
    ];
    const chainFinal = this.#chainString();
    if (chainFinal !== chainId) ignored.push(...this.#includes(chainFinal, 0).names);
    for (const name of ignored) {
      this.warnings.push(
        `warning: -includeconf cannot be used from included files; ignoring -includeconf=${name}`,
      );
    }
  }

  /** Core's check (InitConfig) for a `bitcoin.conf` in the data directory that another config file overrides. */
  async #checkIgnoredConf(origConfigPath: string | null, origDataDir: string): Promise<void> {
    const base = this.dataDir;
    const baseConfig = join(base, CONF_FILENAME);
    if (!(await exists(baseConfig))) return;
    if (origConfigPath === null) {
      this.logLines.push({
        level: "info",
        message: `Data directory ${quoted(base)} contains a ${
          quoted(CONF_FILENAME)
        } file which is explicitly ignored using -noconf.`,
      });
      return;
    }
    if (await sameFile(origConfigPath, baseConfig)) return;
    const cliConf = this.#cmdline.has("conf") ? this.getArg("-conf", "") : "";
    const source = cliConf === ""
      ? `data directory ${quoted(origDataDir)}`
      : `command line argument ${quoted("-conf=" + cliConf)}`;
    let error = `Data directory ${quoted(base)} contains a ${quoted(CONF_FILENAME)} file which is ignored, ` +
      `because a different configuration file ${
        quoted(origConfigPath)
      } from ${source} is being used instead. ` +
      `Possible ways to address this would be to:\n` +
      `- Delete or rename the ${quoted(CONF_FILENAME)} file in data directory ${quoted(base)}.\n` +
      `- Change datadir= or conf= options to specify one configuration file, not two, and use includeconf= to ` +
      `include any other configuration files.`;
    if (this.getBool("-allowignoredconf", false)) {
      this.logLines.push({ level: "warning", message: error });
    } else {
      error += "\n- Set allowignoredconf=1 option to treat this condition as a warning, not an error.";
      throw new ArgsError("other", error);
    }
  }

  /**
   * Network-only options (Core's NETWORK_ONLY) set only in the config file's default section while the network
   * is not main: Core ignores them there (GetUnsuitableSectionOnlyArgs). Names without dash, sorted.
   */
  unsuitableSectionOnlyArgs(): string[] {
    if (this.#network === "" || this.#network === "main") return [];
    return networkOnlyOptions(this.mode).filter((name) => this.#onlyHasDefaultSectionSetting(name));
  }

  #onlyHasDefaultSectionSetting(name: string): boolean {
    let def = false;
    let other = false;
    this.#merge(this.#network, name, (span, source) => {
      if (spanEmpty(span)) return;
      if (source === "default") def = true;
      else other = true;
    });
    return def && !other;
  }

  /** Config sections other than main, test, testnet4, signet and regtest (Core's GetUnrecognizedSections). */
  unrecognizedSections(): SectionInfo[] {
    return this.#sections.filter((s) => !isNetwork(s.name));
  }

  /**
   * bitcoin-cli's CheckMultipleCLIArgs: throws `Only one of -addrinfo, -getinfo may be specified.` when more
   * than one of -addrinfo, -generate, -getinfo, -netinfo is set.
   */
  checkMultipleCliCommands(): void {
    const found = ["-addrinfo", "-generate", "-getinfo", "-netinfo"].filter((n) => this.isSet(n));
    if (found.length > 1) throw new ArgsError("other", `Only one of ${found.join(", ")} may be specified.`);
  }

  /**
   * Core's LogArgs: one line per config file value (`Config file arg: [regtest] port="18444"`) and per
   * command-line value (`Command-line arg: debug=""`), sensitive values as `****`.
   */
  logArgs(): string[] {
    const out: string[] = [];
    const put = (prefix: string, section: string, map: Map<string, SettingsValue[]>) => {
      const sec = section === "" ? "" : `[${section}] `;
      for (const name of [...map.keys()].sort()) {
        const spec = this.#spec(name);
        if (spec === undefined) continue;
        for (const v of map.get(name)!) {
          out.push(`${prefix} ${sec}${name}=${spec.sensitive ? "****" : writeValue(v)}`);
        }
      }
    };
    for (const section of [...this.#config.keys()].sort()) {
      put("Config file arg:", section, this.#config.get(section)!);
    }
    put("Command-line arg:", "", this.#cmdline);
    return out;
  }
}

/** Strips one leading dash (Core's SettingName). */
function settingName(arg: string): string {
  return arg.startsWith("-") ? arg.slice(1) : arg;
}

/** Core's InterpretValue. */
function interpretValue(
  key: KeyInfo,
  value: string | undefined,
  spec: OptionSpec,
  log: ArgsLogLine[],
  kind: ArgsErrorKind,
): SettingsValue {
  if (key.negated) {
    if (spec.disallowNegation) {
      throw new ArgsError(kind, `Negating of -${key.name} is meaningless and therefore forbidden`);
    }
    if (value !== undefined && !interpretBool(value)) {
      log.push({
        level: "warning",
        message: `Parsed potentially confusing double-negative -${key.name}=${value}`,
      });
      return true;
    }
    return false;
  }
  if (value === undefined && spec.disallowElision) {
    throw new ArgsError(
      kind,
      `Can not set -${key.name} with no value. Please specify value with -${key.name}=value.`,
    );
  }
  return value ?? "";
}

/**
 * File-system errors read as "absent" (Core's fs::exists/is_directory/ifstream do the same), except a missing
 * Deno permission (NotCapable): that is a sandbox misconfiguration and must not pass for a missing file.
 */
function absent(e: unknown): boolean {
  if (e instanceof Deno.errors.NotCapable) throw e;
  return true;
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch (e) {
    return !absent(e);
  }
}

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await Deno.stat(path)).isDirectory;
  } catch (e) {
    return !absent(e);
  }
}

async function readText(path: string): Promise<string | null> {
  try {
    return await Deno.readTextFile(path);
  } catch (e) {
    absent(e);
    return null;
  }
}

async function sameFile(a: string, b: string): Promise<boolean> {
  try {
    const [x, y] = await Promise.all([Deno.stat(a), Deno.stat(b)]);
    return x.dev === y.dev && x.ino === y.ino;
  } catch (e) {
    return !absent(e);
  }
}
