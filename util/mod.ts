/**
 * Utilities shared by every process: logging like Bitcoin Core's.
 *
 * @module
 */
export {
  type ConsoleStream,
  LOG_CATEGORIES,
  type LogArgs,
  Logger,
  loggerFromArgs,
  type LoggerOptions,
  type LogLevel,
  logSettingsFromArgs,
} from "./logging.ts";
