/**
 * Logging like Bitcoin Core's `BCLog::Logger` (src/logging.cpp): `debug.log` and/or the console, debug categories
 * enabled with `-debug=<cat>`, severity levels with `-loglevel`, and Core's line format
 * (`2026-01-01T00:00:00Z [ipc] message`, `… [net:trace] …`, `… [warning] …`).
 *
 * Writes are synchronous and unbuffered (like Core's `setbuf(m_fileout, nullptr)`): a line is in the file when
 * the call returns, so nothing is lost at exit. An I/O error while writing never throws into the caller.
 *
 * @module
 */

/** Log levels, as Core's `BCLog::Level` (in increasing severity). */
export type LogLevel = "trace" | "debug" | "info" | "warning" | "error";

const LEVEL_RANK: Readonly<Record<LogLevel, number>> = { trace: 0, debug: 1, info: 2, warning: 3, error: 4 };

/** The levels a user may select with `-loglevel` (Core's `LogLevelsList()`), in Core's order. */
export const USER_LOG_LEVELS: readonly LogLevel[] = ["info", "debug", "trace"];

/** Core's default global level for enabled debug categories (`BCLog::DEFAULT_LOG_LEVEL`). */
export const DEFAULT_LOG_LEVEL: LogLevel = "debug";

/** Core's default log file name (`DEFAULT_DEBUGLOGFILE`). */
export const DEFAULT_DEBUGLOGFILE = "debug.log";

/**
 * Core's debug categories (`LOG_CATEGORIES_BY_STR` in src/logging.cpp, release build: without `lock`, which
 * exists only with DEBUG_LOCKCONTENTION), in alphabetical order as `LogCategoriesList()` returns them.
 */
export const LOG_CATEGORIES: readonly string[] = [
  "addrman",
  "bench",
  "blockstorage",
  "cmpctblock",
  "coindb",
  "estimatefee",
  "http",
  "i2p",
  "ipc",
  "kernel",
  "leveldb",
  "mempool",
  "mempoolrej",
  "net",
  "privatebroadcast",
  "proxy",
  "prune",
  "qt",
  "rand",
  "reindex",
  "rpc",
  "scan",
  "selectcoins",
  "tor",
  "txpackages",
  "txreconciliation",
  "validation",
  "walletdb",
  "zmq",
];

const CATEGORY_SET: ReadonlySet<string> = new Set(LOG_CATEGORIES);

/** A category name as `-debug`, `-debugexclude`, `-loglevel` and the `logging` RPC accept it. */
type ParsedCategory = { kind: "all" } | { kind: "none" } | { kind: "one"; name: string };

/** Core's deprecation warning for `libevent` (accepted, does nothing). */
function deprecatedCategoryWarning(name: string): string {
  return `The logging category \`${name}\` is deprecated, does nothing, and will be removed in a future version`;
}

/**
 * Core's `GetLogCategory`: "", "1" and "all" mean every category, "libevent" is deprecated (accepted, no effect),
 * anything else must be in {@linkcode LOG_CATEGORIES}. Returns null for an unknown name.
 */
function parseCategory(str: string): ParsedCategory | null {
  if (str === "" || str === "1" || str === "all") return { kind: "all" };
  if (CATEGORY_SET.has(str)) return { kind: "one", name: str };
  if (str === "libevent") return { kind: "none" };
  return null;
}

/** Core's `LogCategoriesString()`: the categories joined with ", ". */
export function logCategoriesString(): string {
  return LOG_CATEGORIES.join(", ");
}

/** Core's `LogLevelsString()`: "info, debug, trace". */
export function logLevelsString(): string {
  return USER_LOG_LEVELS.join(", ");
}

/** Parses a level a user may set (trace, debug, info); null otherwise (Core: level above Info is refused). */
function parseUserLevel(str: string): LogLevel | null {
  return (USER_LOG_LEVELS as readonly string[]).includes(str) ? str as LogLevel : null;
}

/** Where console output goes. */
export type ConsoleStream = "stdout" | "stderr";

/** Where and how a logger writes. */
export interface LoggerOptions {
  /** Path of `debug.log` (opened for appending), or null/undefined for no file. */
  file?: string | null;
  /** Shrink the file to its last 10 MB first when it is over 11 MB (`-shrinkdebugfile`). */
  shrinkFile?: boolean;
  /** Also write to the console (`-printtoconsole`). */
  console?: boolean;
  /** Console stream: "stdout" (Core's choice, the default) or "stderr" (IPC children, whose stdout is IPC). */
  consoleStream?: ConsoleStream;
  /** Prefix each line with an ISO 8601 timestamp (`-logtimestamps`, default true). */
  timestamps?: boolean;
  /** Microsecond precision in timestamps (`-logtimemicros`). */
  micros?: boolean;
  /** Prefix each line with the thread (process) name (`-logthreadnames`). */
  threadNames?: boolean;
  /** Name printed with `threadNames` ("unknown" when empty, as Core). Default "main". */
  threadName?: string;
  /** `-logsourcelocations`: print `[sourceLocation] ` after the thread name (nothing when it is unset). */
  sourceLocations?: boolean;
  /** The source location printed with `sourceLocations` (tsbtc has no cheap file:line; e.g. a module name). */
  sourceLocation?: string;
  /** Always print the category and level (`-loglevelalways`), e.g. `[all:info]`. */
  alwaysPrintCategoryLevel?: boolean;
  /** Include IP addresses in log output (`-logips`); read by callers through {@linkcode Logger.logIps}. */
  logIps?: boolean;
  /** Debug categories enabled initially; each must be a {@linkcode LOG_CATEGORIES} name or "all"/"1"/"". */
  categories?: Iterable<string>;
  /** Global level for enabled categories (trace, debug or info; default debug). */
  level?: LogLevel;
  /** Per-category levels (`-loglevel=<cat>:<level>`), overriding `level`. */
  categoryLevels?: Readonly<Record<string, LogLevel>>;
  /** Clock (tests inject a fixed one); default the system clock with microsecond resolution. */
  now?: () => Date;
  /** Mock time in seconds since the epoch, 0 when unset; when set Core appends ` (mocktime: …)`. */
  mocktime?: () => number;
  /** Write the 5 blank lines Core writes when it opens the file, to separate runs (default true). */
  separateRuns?: boolean;
}

/** Core's `RECENT_DEBUG_HISTORY_SIZE`: bytes kept when shrinking debug.log. */
const RECENT_DEBUG_HISTORY_SIZE = 10 * 1000000;

/**
 * Core's `ShrinkDebugFile`: when `path` is more than 10% bigger than 10 MB, keep only its last 10 MB.
 * A missing file is fine. Returns true when the file was shrunk.
 */
export function shrinkDebugFile(path: string): boolean {
  let size: number;
  try {
    const st = Deno.statSync(path);
    if (!st.isFile) return false;
    size = st.size;
  } catch {
    return false;
  }
  if (size <= 11 * (RECENT_DEBUG_HISTORY_SIZE / 10)) return false;
  const buf = new Uint8Array(RECENT_DEBUG_HISTORY_SIZE);
  let n = 0;
  const f = Deno.openSync(path, { read: true });
  try {
    f.seekSync(-RECENT_DEBUG_HISTORY_SIZE, Deno.SeekMode.End);
    while (n < buf.length) {
      const r = f.readSync(buf.subarray(n));
      if (r === null || r === 0) break;
      n += r;
    }
  } finally {
    f.close();
  }
  Deno.writeFileSync(path, buf.subarray(0, n));
  return true;
}

// Control characters other than "\n", and DEL: the whole point of LogEscapeMessage.
// deno-lint-ignore no-control-regex
const ESCAPE_RE = /[\x00-\x09\x0b-\x1f\x7f]/;
// deno-lint-ignore no-control-regex
const ESCAPE_RE_G = /[\x00-\x09\x0b-\x1f\x7f]/g;

/**
 * Core's `LogEscapeMessage`: control characters other than newline (and DEL) are written as `\xNN`, so log
 * lines cannot carry terminal control codes.
 */
export function logEscapeMessage(msg: string): string {
  if (!ESCAPE_RE.test(msg)) return msg;
  return msg.replace(ESCAPE_RE_G, (c) => "\\x" + c.charCodeAt(0).toString(16).padStart(2, "0"));
}

/** Writes all of `bytes` to a synchronous sink (loops over partial writes). */
function writeAllSync(w: { writeSync(p: Uint8Array): number }, bytes: Uint8Array): void {
  let off = 0;
  while (off < bytes.length) off += w.writeSync(bytes.subarray(off));
}

/**
 * A logger. info/warning/error lines are always written; debug/trace lines only for enabled categories at or
 * above the category's level (Core's `WillLogCategoryLevel`).
 */
export class Logger {
  #timestamps: boolean;
  #micros: boolean;
  #threadNames: boolean;
  #threadName: string;
  #sourcePrefix: string;
  #always: boolean;
  #logIps: boolean;
  #now: (() => Date) | null;
  #mocktime: (() => number) | null;
  #console: boolean;
  #consoleStream: ConsoleStream;
  #categories = new Set<string>();
  #level: LogLevel = DEFAULT_LOG_LEVEL;
  #categoryLevels = new Map<string, LogLevel>();
  #file: Deno.FsFile | null = null;
  #filePath: string | null;
  #enc = new TextEncoder();
  #callbacks = new Set<(line: string) => void>();
  #lastSecond = -1;
  #lastStamp = "";
  #fileFailed = false;
  #consoleFailed = false;
  #pendingWarning = "";

  /**
   * Creates a logger; shrinks (`opts.shrinkFile`) and opens `opts.file` for appending.
   * Throws `Could not open debug log file <path>` (Core's wording) when the file cannot be opened, and a
   * `Cannot enable logging category: …` / `Cannot set log level: …` error for bad initial settings.
   */
  constructor(opts: LoggerOptions = {}) {
    this.#timestamps = opts.timestamps ?? true;
    this.#micros = opts.micros ?? false;
    this.#threadNames = opts.threadNames ?? false;
    this.#threadName = opts.threadName ?? "main";
    this.#sourcePrefix = opts.sourceLocations && opts.sourceLocation ? `[${opts.sourceLocation}] ` : "";
    this.#always = opts.alwaysPrintCategoryLevel ?? false;
    this.#logIps = opts.logIps ?? false;
    this.#now = opts.now ?? null;
    this.#mocktime = opts.mocktime ?? null;
    this.#console = opts.console ?? false;
    this.#consoleStream = opts.consoleStream ?? "stdout";
    for (const c of opts.categories ?? []) {
      if (!this.enable(c)) throw new Error(`Cannot enable logging category: unknown category "${c}"`);
    }
    if (opts.level !== undefined && !this.setLevel(opts.level)) {
      throw new Error(`Cannot set log level: "${opts.level}" is not one of ${logLevelsString()}`);
    }
    for (const [cat, level] of Object.entries(opts.categoryLevels ?? {})) {
      if (!this.setCategoryLevel(cat, level)) {
        throw new Error(`Cannot set log level: "${cat}:${level}" is not a valid category and level`);
      }
    }
    this.#filePath = opts.file ?? null;
    if (this.#filePath !== null) {
      if (opts.shrinkFile) {
        try {
          shrinkDebugFile(this.#filePath);
        } catch (e) {
          this.#pendingWarning = `Failed to shrink debug log file: ${e instanceof Error ? e.message : e}`;
        }
      }
      try {
        this.#file = Deno.openSync(this.#filePath, { append: true, create: true });
      } catch (e) {
        if (e instanceof Deno.errors.NotCapable) throw e; // a sandbox without write access: say so
        throw new Error(`Could not open debug log file ${this.#filePath}`);
      }
      if (opts.separateRuns ?? true) this.#writeFile(this.#enc.encode("\n\n\n\n\n"));
      if (this.#pendingWarning) this.warn(this.#pendingWarning);
    }
  }

  /** Path of the log file, or null when not logging to a file. */
  get filePath(): string | null {
    return this.#filePath;
  }

  /** True when lines go to the console. */
  get printToConsole(): boolean {
    return this.#console;
  }

  /** True when IP addresses may be logged (`-logips`). */
  get logIps(): boolean {
    return this.#logIps;
  }

  /** True when debug messages of `category` are enabled (Core's `WillLogCategory`). */
  enabled(category: string): boolean {
    return this.#categories.has(category);
  }

  /** True when a message of `category` at `level` would be written (Core's `WillLogCategoryLevel`). */
  willLog(category: string, level: LogLevel): boolean {
    if (LEVEL_RANK[level] >= LEVEL_RANK.info) return true;
    if (!this.#categories.has(category)) return false;
    return LEVEL_RANK[level] >= LEVEL_RANK[this.#categoryLevels.get(category) ?? this.#level];
  }

  /**
   * Enables a debug category ("all", "1" or "" enable all). Returns false for an unknown name (the `logging`
   * RPC turns that into `unknown logging category <name>`). The deprecated `libevent` is accepted with Core's
   * warning and does nothing.
   */
  enable(category: string): boolean {
    const c = parseCategory(category);
    if (c === null) return false;
    if (c.kind === "all") { for (const n of LOG_CATEGORIES) this.#categories.add(n); }
    else if (c.kind === "one") this.#categories.add(c.name);
    else this.warn(deprecatedCategoryWarning(category));
    return true;
  }

  /** Disables a debug category ("all", "1" or "" disable all). Returns false for an unknown name. */
  disable(category: string): boolean {
    const c = parseCategory(category);
    if (c === null) return false;
    if (c.kind === "all") this.#categories.clear();
    else if (c.kind === "one") this.#categories.delete(c.name);
    else this.warn(deprecatedCategoryWarning(category));
    return true;
  }

  /** Currently enabled categories. */
  get categories(): ReadonlySet<string> {
    return this.#categories;
  }

  /** Every category with whether it is enabled, in alphabetical order (the `logging` RPC's result). */
  categoryStates(): Record<string, boolean> {
    const out: Record<string, boolean> = {};
    for (const n of LOG_CATEGORIES) out[n] = this.#categories.has(n);
    return out;
  }

  /** True when no category is enabled: Core's default for `-shrinkdebugfile`. */
  defaultShrinkDebugFile(): boolean {
    return this.#categories.size === 0;
  }

  /** The global level for enabled categories. */
  get level(): LogLevel {
    return this.#level;
  }

  /** Sets the global level (Core's `SetLogLevel`): only trace, debug and info; returns false otherwise. */
  setLevel(level: string): boolean {
    const l = parseUserLevel(level);
    if (l === null) return false;
    this.#level = l;
    return true;
  }

  /**
   * Sets a category's level (Core's `SetCategoryLogLevel`). Returns false for an unknown category or a level
   * other than trace/debug/info. As in Core, "all" is accepted but is not applied to single categories, and
   * "libevent" is accepted and ignored.
   */
  setCategoryLevel(category: string, level: string): boolean {
    const c = parseCategory(category);
    if (c === null) return false;
    const l = parseUserLevel(level);
    if (l === null) return false;
    if (c.kind === "none") return true;
    this.#categoryLevels.set(c.kind === "all" ? "all" : c.name, l);
    return true;
  }

  /** The per-category levels set so far. */
  categoryLevels(): Record<string, LogLevel> {
    return Object.fromEntries(this.#categoryLevels);
  }

  /**
   * Adds a callback that receives every formatted line (with its newline), like Core's `PushBackCallback`.
   * Returns a function that removes it.
   */
  addCallback(fn: (line: string) => void): () => void {
    this.#callbacks.add(fn);
    return () => this.#callbacks.delete(fn);
  }

  /** An unconditional informational line (Core's `LogInfo`). */
  info(msg: string): void {
    this.#write(null, "info", msg);
  }

  /** A warning line, `[warning] …` (Core's `LogWarning`). */
  warn(msg: string): void {
    this.#write(null, "warning", msg);
  }

  /** An error line, `[error] …` (Core's `LogError`). */
  error(msg: string): void {
    this.#write(null, "error", msg);
  }

  /** A debug line in `category` (Core's `LogDebug`), written only when enabled at level debug. */
  debug(category: string, msg: string): void {
    if (this.willLog(category, "debug")) this.#write(category, "debug", msg);
  }

  /** A trace line in `category` (Core's `LogTrace`), written only when enabled at level trace. */
  trace(category: string, msg: string): void {
    if (this.willLog(category, "trace")) this.#write(category, "trace", msg);
  }

  /**
   * A line in `category` (null: no category) at `level`; debug/trace only when enabled. Prefixes as Core:
   * `[cat]` for debug, `[cat:level]` otherwise, `[level]` without a category, nothing for uncategorized info.
   */
  log(category: string | null, level: LogLevel, msg: string): void {
    if (category !== null && !this.willLog(category, level)) return;
    if (category === null && LEVEL_RANK[level] < LEVEL_RANK.info) return;
    this.#write(category, level, msg);
  }

  /** Formats a line exactly as it would be written (exported for tests and for the GUI). */
  format(category: string | null, level: LogLevel, msg: string): string {
    let line = this.#timestamps ? this.#stamp() : "";
    if (this.#threadNames) line += `[${this.#threadName === "" ? "unknown" : this.#threadName}] `;
    line += this.#sourcePrefix;
    line += this.#prefix(category, level);
    line += logEscapeMessage(msg);
    if (!line.endsWith("\n")) line += "\n";
    return line;
  }

  /** Closes the log file. Every line was already written synchronously, so nothing is lost. Idempotent. */
  close(): void {
    const f = this.#file;
    this.#file = null;
    if (f) {
      try {
        f.close();
      } catch {
        // already closed
      }
    }
  }

  // Core's GetLogPrefix.
  #prefix(category: string | null, level: LogLevel): string {
    const hasCategory = this.#always || category !== null;
    if (!hasCategory && level === "info") return "";
    let s = "[";
    if (hasCategory) s += category ?? "all";
    if (this.#always || !hasCategory || level !== "debug") {
      if (hasCategory) s += ":";
      s += level;
    }
    return s + "] ";
  }

  // Core's LogTimestampStr, with one toISOString per second at most.
  #stamp(): string {
    let us: number;
    if (this.#now) us = this.#now().getTime() * 1000;
    else us = Math.floor((performance.timeOrigin + performance.now()) * 1000);
    const sec = Math.floor(us / 1e6);
    if (sec !== this.#lastSecond) {
      this.#lastSecond = sec;
      this.#lastStamp = new Date(sec * 1000).toISOString().slice(0, 19);
    }
    let s = this.#lastStamp;
    s += this.#micros ? "." + String(us - sec * 1e6).padStart(6, "0") + "Z" : "Z";
    const mock = this.#mocktime ? this.#mocktime() : 0;
    if (mock > 0) s += ` (mocktime: ${new Date(mock * 1000).toISOString().slice(0, 19)}Z)`;
    return s + " ";
  }

  #write(category: string | null, level: LogLevel, msg: string): void {
    const line = this.format(category, level, msg);
    if (this.#file === null && !this.#console && this.#callbacks.size === 0) return;
    const bytes = this.#enc.encode(line);
    if (this.#console && !this.#consoleFailed) {
      try {
        writeAllSync(this.#consoleStream === "stderr" ? Deno.stderr : Deno.stdout, bytes);
      } catch {
        this.#consoleFailed = true; // closed console (EPIPE): stop writing there, keep the file
      }
    }
    for (const cb of this.#callbacks) cb(line);
    this.#writeFile(bytes);
  }

  #writeFile(bytes: Uint8Array): void {
    if (this.#file === null || this.#fileFailed) return;
    try {
      writeAllSync(this.#file, bytes);
    } catch {
      this.#fileFailed = true; // e.g. disk full: Core ignores fwrite errors too
    }
  }
}

/** The parsed arguments {@linkcode loggerFromArgs} reads (an `ArgsManager` fits). */
export interface LogArgs {
  /** Core's GetArg. */
  getArg(name: string): string | undefined;
  /** Core's GetArgs. */
  getArgs(name: string): string[];
  /** Core's GetBoolArg. */
  getBool(name: string, fallback: boolean): boolean;
  /** Core's IsArgNegated. */
  isNegated(name: string): boolean;
  /** The network data directory. */
  readonly netDataDir: string;
}

/** Options of {@linkcode loggerFromArgs}. */
export interface LoggerFromArgsOptions {
  /** Process name, printed with `-logthreadnames` (e.g. "tsbtc-node"). */
  processName: string;
  /** Console stream; IPC children must use "stderr". Default "stdout". */
  consoleStream?: ConsoleStream;
  /** `-printtoconsole` default when unset (Core: true unless -daemon). */
  defaultPrintToConsole?: boolean;
  /** Printed with `-logsourcelocations` (e.g. the module name); nothing when unset. */
  sourceLocation?: string;
  /** Injectable clock (tests). */
  now?: () => Date;
  /** Mock time in seconds (0 when unset). */
  mocktime?: () => number;
}

/** Options for a {@linkcode Logger} computed from parsed arguments, plus warnings to log once it runs. */
export interface LogSettings {
  /** The logger options. */
  options: LoggerOptions;
  /** Warnings (e.g. deprecated categories) to log as `[warning]` lines once the logger exists. */
  warnings: string[];
}

/**
 * Core's `SetLoggingOptions` + `SetLoggingCategories` + `SetLoggingLevel` (src/init/common.cpp) as a pure
 * function: reads -debuglogfile, -printtoconsole, -logtimestamps, -logtimemicros, -logthreadnames,
 * -logsourcelocations, -loglevelalways, -logips, -shrinkdebugfile, -debug, -debugexclude and -loglevel.
 *
 * Throws an Error with Core's text on a bad value: `Unsupported logging category -debug=foo.`,
 * `Unsupported logging category -debugexclude=foo.`, `Unsupported global logging level -loglevel=foo. Valid
 * values: info, debug, trace.`, `Unsupported category-specific logging level -loglevel=net:foo. Expected
 * -loglevel=<category>:<loglevel>. Valid categories: …. Valid loglevels: info, debug, trace.`
 */
export function logSettingsFromArgs(args: LogArgs, opts: LoggerFromArgsOptions): LogSettings {
  const warnings: string[] = [];
  // -debug / -debugexclude (SetLoggingCategories): everything before the last -debug=0/none is disregarded.
  const debug = args.getArgs("-debug");
  let start = 0;
  for (let i = debug.length - 1; i >= 0; i--) {
    if (debug[i] === "0" || debug[i] === "none") {
      start = i + 1;
      break;
    }
  }
  const enabled = new Set<string>();
  for (const cat of debug.slice(start)) {
    const c = parseCategory(cat);
    if (c === null) throw new Error(`Unsupported logging category -debug=${cat}.`);
    if (c.kind === "all") { for (const n of LOG_CATEGORIES) enabled.add(n); }
    else if (c.kind === "one") enabled.add(c.name);
    else warnings.push(deprecatedCategoryWarning(cat));
  }
  for (const cat of args.getArgs("-debugexclude")) {
    const c = parseCategory(cat);
    if (c === null) throw new Error(`Unsupported logging category -debugexclude=${cat}.`);
    if (c.kind === "all") enabled.clear();
    else if (c.kind === "one") enabled.delete(c.name);
    else warnings.push(deprecatedCategoryWarning(cat));
  }
  // -loglevel (SetLoggingLevel): a ':' at index 3 or later means <category>:<level>.
  let level: LogLevel = DEFAULT_LOG_LEVEL;
  const categoryLevels: Record<string, LogLevel> = {};
  for (const str of args.getArgs("-loglevel")) {
    if (str.indexOf(":", 3) === -1) {
      const l = parseUserLevel(str);
      if (l === null) {
        throw new Error(
          `Unsupported global logging level -loglevel=${str}. Valid values: ${logLevelsString()}.`,
        );
      }
      level = l;
    } else {
      const toks = str.split(":");
      const c = toks.length === 2 ? parseCategory(toks[0]) : null;
      const l = toks.length === 2 ? parseUserLevel(toks[1]) : null;
      if (c === null || l === null) {
        throw new Error(
          `Unsupported category-specific logging level -loglevel=${str}. Expected -loglevel=<category>:<loglevel>. ` +
            `Valid categories: ${logCategoriesString()}. Valid loglevels: ${logLevelsString()}.`,
        );
      }
      if (c.kind === "none") warnings.push(deprecatedCategoryWarning(toks[0]));
      else categoryLevels[c.kind === "all" ? "all" : c.name] = l;
    }
  }
  // SetLoggingOptions
  let file: string | null = null;
  if (!args.isNegated("-debuglogfile")) {
    const v = args.getArg("-debuglogfile") ?? "";
    const name = v === "" ? DEFAULT_DEBUGLOGFILE : v;
    file = name.startsWith("/") ? name : joinPath(args.netDataDir, name);
  }
  const options: LoggerOptions = {
    file,
    console: args.getBool("-printtoconsole", opts.defaultPrintToConsole ?? !args.getBool("-daemon", false)),
    consoleStream: opts.consoleStream ?? "stdout",
    timestamps: args.getBool("-logtimestamps", true),
    micros: args.getBool("-logtimemicros", false),
    threadNames: args.getBool("-logthreadnames", false),
    threadName: opts.processName,
    sourceLocations: args.getBool("-logsourcelocations", false),
    sourceLocation: opts.sourceLocation,
    alwaysPrintCategoryLevel: args.getBool("-loglevelalways", false),
    logIps: args.getBool("-logips", false),
    categories: enabled,
    level,
    categoryLevels,
    shrinkFile: file !== null && args.getBool("-shrinkdebugfile", enabled.size === 0),
    now: opts.now,
    mocktime: opts.mocktime,
  };
  return { options, warnings };
}

/**
 * Builds a {@linkcode Logger} from parsed arguments (see {@linkcode logSettingsFromArgs}): debug.log at
 * `<netDataDir>/debug.log` or `-debuglogfile` (relative to the network data directory; `-nodebuglogfile`: no
 * file), console per `-printtoconsole`. Throws Core's messages for bad -debug/-debugexclude/-loglevel values and
 * `Could not open debug log file <path>`.
 */
export function loggerFromArgs(args: LogArgs, opts: LoggerFromArgsOptions): Logger {
  const { options, warnings } = logSettingsFromArgs(args, opts);
  const logger = new Logger(options);
  for (const w of warnings) logger.warn(w);
  return logger;
}

function joinPath(dir: string, name: string): string {
  return dir.endsWith("/") ? dir + name : `${dir}/${name}`;
}
