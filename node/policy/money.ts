/**
 * Amount text forms used by policy options and messages (Core's util/moneystr.cpp): `parseMoney` reads the
 * values of -minrelaytxfee, -incrementalrelayfee, -dustrelayfee (BTC amounts such as "0.00001"), `formatMoney`
 * writes fees in reject messages ("rejecting replacement …, less fees than conflicting txs; 0.0001 < 0.0002").
 *
 * @module
 */

import { COIN, MAX_MONEY } from "../../core/chain_params.ts";

/** Core's `TrimString` default set: space, \f, \n, \r, \t, \v. */
const TRIM_CHARS = " \f\n\r\t\v";

function trim(s: string): string {
  let a = 0;
  let b = s.length;
  while (a < b && TRIM_CHARS.includes(s[a])) a++;
  while (b > a && TRIM_CHARS.includes(s[b - 1])) b--;
  return s.slice(a, b);
}

function isDigit(c: string | undefined): boolean {
  return c !== undefined && c >= "0" && c <= "9";
}

/**
 * Core's `ParseMoney`: a non-negative BTC amount with at most 8 decimals and at most 10 whole digits, surrounding
 * whitespace ignored ("1", "1.", ".5", " 0.00001 "); null for anything else (signs, exponents, inner spaces, a
 * NUL, a 9th decimal, more than MAX_MONEY).
 */
export function parseMoney(text: string): bigint | null {
  if (text.includes("\0")) return null;
  const str = trim(text);
  if (str === "") return null;
  let whole = "";
  let units = 0n;
  let p = 0;
  for (; p < str.length; p++) {
    const c = str[p];
    if (c === ".") {
      p++;
      let mult = COIN / 10n;
      while (isDigit(str[p]) && mult > 0n) {
        units += mult * BigInt(str.charCodeAt(p++) - 48);
        mult /= 10n;
      }
      break;
    }
    if (!isDigit(c)) return null;
    whole += c;
  }
  if (p < str.length) return null;
  if (whole.length > 10) return null;
  const value = (whole === "" ? 0n : BigInt(whole)) * COIN + units;
  return value >= 0n && value <= MAX_MONEY ? value : null;
}

/** Core's `FormatMoney` (core/consensus/amount.ts, where consensus messages use it too). */
export { formatMoney } from "../../core/consensus/amount.ts";
