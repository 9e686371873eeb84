/**
 * Utilities shared by every process: logging like Bitcoin Core's, and small promise helpers.
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
export { delay, withTimeout } from "./async.ts";
