/**
 * The `tsbtc` command line: Bitcoin Core's argument and `bitcoin.conf` rules, the option registry, help texts,
 * and each mode's entry point.
 *
 * @module
 */
export {
  ArgsError,
  type ArgsErrorKind,
  type ArgsLogLine,
  ArgsManager,
  formatArgsError,
  type ParseOptions,
  type ReadConfigOptions,
  type SettingsValue,
} from "./args.ts";
export { ConfigError, parseConfig, type SectionInfo } from "./config.ts";
export {
  findOption,
  inertOptions,
  isMode,
  type Mode,
  MODES,
  optionsFor,
  type OptionSpec,
} from "./options.ts";
export { helpText, VERSION, versionText } from "./help.ts";
export { type RunContext, runMode, USAGE } from "./run_mode.ts";
export { prepareComponent, resolvedArgv } from "./child_profile.ts";
export { splitMode } from "./main.ts";
