/**
 * The `bitcoin.conf` format, as Bitcoin Core reads it (GetConfigOptions in src/common/config.cpp): `name=value`
 * lines, `#` comments, `[section]` headers (prefixing the names that follow with `section.`), surrounding
 * whitespace trimmed. What the names mean, `includeconf` and precedence are ArgsManager's business
 * (cli/args.ts).
 *
 * @module
 */

/** A `[section]` (or `section.option=`) seen in a configuration file. */
export interface SectionInfo {
  /** Section name. */
  readonly name: string;
  /** File as Core names it: the main config file's path, or an `includeconf` value as written. */
  readonly file: string;
  /** 1-based line number. */
  readonly line: number;
}

/** A malformed configuration file line; the message is Core's (`parse error on line 3: …`). */
export class ConfigError extends Error {
  /** `message`: Core's text. */
  constructor(message: string) {
    super(message);
    this.name = "ConfigError";
  }
}

const TRIM_CONFIG = " \t\r\n";

/** Strips the characters in `chars` from both ends of `s` (Core's TrimString with a custom pattern). */
export function trim(s: string, chars: string): string {
  let a = 0;
  let b = s.length;
  while (a < b && chars.includes(s[a])) a++;
  while (b > a && chars.includes(s[b - 1])) b--;
  return s.slice(a, b);
}

/**
 * Core's GetConfigOptions: the `name=value` pairs of a config file (names prefixed with `section.`), recording
 * sections in `sections`. Throws {@linkcode ConfigError} with Core's text for a malformed line.
 */
export function parseConfig(
  text: string,
  file: string,
  sections: SectionInfo[] = [],
): Array<[string, string]> {
  const options: Array<[string, string]> = [];
  let prefix = "";
  const lines = text.split("\n");
  if (lines.length > 0 && lines[lines.length - 1] === "") lines.pop();
  for (let i = 0; i < lines.length; i++) {
    const line = i + 1;
    let str = lines[i];
    let usedHash = false;
    const hash = str.indexOf("#");
    if (hash !== -1) {
      str = str.slice(0, hash);
      usedHash = true;
    }
    str = trim(str, TRIM_CONFIG);
    if (str === "") continue;
    if (str[0] === "[" && str[str.length - 1] === "]") {
      const section = str.slice(1, -1);
      sections.push({ name: section, file, line });
      prefix = section + ".";
    } else if (str[0] === "-") {
      throw new ConfigError(
        `parse error on line ${line}: ${str}, options in configuration file must be specified without leading -`,
      );
    } else if (str.includes("=")) {
      const eq = str.indexOf("=");
      const name = prefix + trim(str.slice(0, eq), TRIM_CONFIG);
      const value = trim(str.slice(eq + 1), TRIM_CONFIG);
      if (usedHash && name.includes("rpcpassword")) {
        throw new ConfigError(
          `parse error on line ${line}, using # in rpcpassword can be ambiguous and should be avoided`,
        );
      }
      options.push([name, value]);
      const dot = name.lastIndexOf(".");
      if (dot !== -1 && prefix.length <= dot) sections.push({ name: name.slice(0, dot), file, line });
    } else {
      let error = `parse error on line ${line}: ${str}`;
      if (str.length >= 2 && str.startsWith("no")) {
        error += `, if you intended to specify a negated option, use ${str}=1 instead`;
      }
      throw new ConfigError(error);
    }
  }
  return options;
}
