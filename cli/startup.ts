/**
 * What every mode does first: parse the command line, answer `-help`/`-version`, read `bitcoin.conf` and
 * select the network, reporting errors with Core's texts.
 *
 * @module
 */
import { ArgsError, ArgsManager, formatArgsError } from "./args.ts";
import { helpText, versionText } from "./help.ts";
import type { Mode } from "./options.ts";

/** Options of {@linkcode startArgs}. */
export interface StartArgsOptions {
  /** Read bitcoin.conf (default true). Processes without file access (echo) skip it. */
  readConfig?: boolean;
  /** Create the data directories (server modes that own them). */
  createDataDirs?: boolean;
  /** How an argument error is printed (default {@linkcode formatArgsError} for the mode). */
  formatError?: (err: ArgsError) => string;
}

/**
 * Parses `argv` for `mode`. Returns the arguments, or an exit status when the process should stop here (help or
 * version printed: 0; an error printed on stderr: 1).
 */
export async function startArgs(
  mode: Mode,
  argv: readonly string[],
  opts: StartArgsOptions = {},
): Promise<ArgsManager | number> {
  let args: ArgsManager;
  try {
    args = ArgsManager.parse(mode, argv);
    if (args.helpRequested) {
      console.log(helpText(mode, { debug: args.helpDebug }));
      return 0;
    }
    if (args.versionRequested) {
      console.log(versionText(mode));
      return 0;
    }
    if (opts.readConfig ?? true) await args.readConfigFiles({ sectionOnly: "error" });
    if (opts.createDataDirs) await args.ensureDataDirs();
  } catch (err) {
    if (err instanceof ArgsError) {
      console.error(opts.formatError ? opts.formatError(err) : formatArgsError(mode, err));
      return 1;
    }
    throw err;
  }
  for (const w of args.warnings) console.error(w);
  return args;
}
