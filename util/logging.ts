/**
 * Logging like Bitcoin Core's `BCLog::Logger`: `debug.log` and/or the console, categories enabled with
 * `-debug=<cat>`, levels, and Core's line format (`2026-01-01T00:00:00Z [ipc] message`).
 *
 * FIRST CUT: interface fixed, implementation to be completed (categories list, -loglevel, file output...).
 *
 * @module
 */

/** Log levels, as Core's `BCLog::Level`. */
export type LogLevel = "trace" | "debug" | "info" | "warning" | "error";

/** Where and how a logger writes. */
export interface LoggerOptions {
  /** Path of `debug.log`, or null for no file. */
  file?: string | null;
  /** Also write to stdout (`-printtoconsole`). */
  console?: boolean;
  /** Prefix each line with an ISO timestamp (`-logtimestamps`, default on). */
  timestamps?: boolean;
  /** Microsecond precision in timestamps (`-logtimemicros`). */
  micros?: boolean;
  /** Prefix each line with the thread (process) name (`-logthreadnames`). */
  threadNames?: boolean;
  /** Name used with `threadNames`. */
  threadName?: string;
  /** Debug categories enabled (`-debug=`), minus `-debugexclude=`. */
  categories?: Iterable<string>;
}

/** A logger: info/warning/error always print; debug/trace print only for enabled categories. */
export class Logger {
  #opts: LoggerOptions;
  #categories: Set<string>;
  #file: Deno.FsFile | null = null;
  #enc = new TextEncoder();

  /** Creates a logger; opens `opts.file` for appending. */
  constructor(opts: LoggerOptions = {}) {
    this.#opts = { timestamps: true, ...opts };
    this.#categories = new Set(opts.categories ?? []);
    if (opts.file) {
      this.#file = Deno.openSync(opts.file, { append: true, create: true });
    }
  }

  /** True when debug messages of `category` are printed. */
  enabled(category: string): boolean {
    return this.#categories.has(category) || this.#categories.has("all");
  }

  /** Enables a debug category. */
  enable(category: string): void {
    this.#categories.add(category);
  }

  /** Disables a debug category. */
  disable(category: string): void {
    this.#categories.delete(category);
  }

  /** Currently enabled categories. */
  get categories(): ReadonlySet<string> {
    return this.#categories;
  }

  /** An unconditional informational line. */
  info(msg: string): void {
    this.#write(null, "info", msg);
  }

  /** A warning line (`[warning] …`). */
  warn(msg: string): void {
    this.#write(null, "warning", msg);
  }

  /** An error line (`[error] …`). */
  error(msg: string): void {
    this.#write(null, "error", msg);
  }

  /** A debug line in `category`, printed only when the category is enabled. */
  debug(category: string, msg: string): void {
    if (this.enabled(category)) this.#write(category, "debug", msg);
  }

  /** Flushes and closes the log file. */
  close(): void {
    this.#file?.close();
    this.#file = null;
  }

  #write(category: string | null, level: LogLevel, msg: string): void {
    let line = "";
    if (this.#opts.timestamps) {
      const iso = new Date().toISOString();
      line += (this.#opts.micros ? iso.replace("Z", "000Z") : iso.replace(/\.\d+Z$/, "Z")) + " ";
    }
    if (this.#opts.threadNames) line += `[${this.#opts.threadName ?? "main"}] `;
    if (category !== null) line += level === "debug" ? `[${category}] ` : `[${category}:${level}] `;
    else if (level !== "info") line += `[${level}] `;
    line += msg.endsWith("\n") ? msg : msg + "\n";
    const bytes = this.#enc.encode(line);
    if (this.#file) this.#file.writeSync(bytes);
    if (this.#opts.console) Deno.stdout.writeSync(bytes);
  }
}
