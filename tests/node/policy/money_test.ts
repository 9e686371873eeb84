/** Core's ParseMoney / FormatMoney cases (util_tests: util_FormatMoney, util_ParseMoney). */

import { formatMoney, parseMoney } from "../../../node/policy/money.ts";
import { assertEquals } from "../../assert.ts";

const COIN = 100_000_000n;

Deno.test("formatMoney as Core's FormatMoney", () => {
  const cases: [bigint, string][] = [
    [0n, "0.00"],
    [(COIN / 10000n) * 123456789n, "12345.6789"],
    [-COIN, "-1.00"],
    [COIN * 100000000n, "100000000.00"],
    [COIN * 10000000n, "10000000.00"],
    [COIN * 1000000n, "1000000.00"],
    [COIN * 100000n, "100000.00"],
    [COIN * 10000n, "10000.00"],
    [COIN * 1000n, "1000.00"],
    [COIN * 100n, "100.00"],
    [COIN * 10n, "10.00"],
    [COIN, "1.00"],
    [COIN / 10n, "0.10"],
    [COIN / 100n, "0.01"],
    [COIN / 1000n, "0.001"],
    [COIN / 10000n, "0.0001"],
    [COIN / 100000n, "0.00001"],
    [COIN / 1000000n, "0.000001"],
    [COIN / 10000000n, "0.0000001"],
    [COIN / 100000000n, "0.00000001"],
    [-1n, "-0.00000001"],
    [9223372036854775807n, "92233720368.54775807"],
    [9223372036854775806n, "92233720368.54775806"],
    [-9223372036854775805n, "-92233720368.54775805"],
    [-9223372036854775808n, "-92233720368.54775808"],
  ];
  for (const [n, s] of cases) assertEquals(formatMoney(n), s, `${n}`);
});

Deno.test("parseMoney accepts Core's forms", () => {
  const cases: [string, bigint][] = [
    ["0.0", 0n],
    [".", 0n],
    ["0.", 0n],
    [".0", 0n],
    [".6789", 6789n * (COIN / 10000n)],
    ["12345.", COIN * 12345n],
    ["12345.6789", (COIN / 10000n) * 123456789n],
    ["10000000.00", COIN * 10000000n],
    ["1.00", COIN],
    ["1", COIN],
    ["   1", COIN],
    ["1   ", COIN],
    ["  1 ", COIN],
    ["0.1", COIN / 10n],
    ["0.00000001", 1n],
    ["0.00001", 1000n],
    ["0.000001", 100n],
    ["21000000", 2_100_000_000_000_000n],
    [" 0.00000001 ", 1n],
  ];
  for (const [s, n] of cases) assertEquals(parseMoney(s), n, JSON.stringify(s));
});

Deno.test("parseMoney rejects what Core rejects", () => {
  for (
    const s of [
      "",
      " ",
      "0.000000001",
      "-1",
      "1 00",
      "1e3",
      "+1",
      "0x1",
      "1.2.3",
      "12345678901", // 11 whole digits
      "21000000.00000001", // above MAX_MONEY
      "92233720368.54775808",
      "1\0",
      "1a",
      "100000000.00",
      "  ",
      "..",
      "0..0",
      "1 2",
      " 1 2 ",
      " 1.2 3 ",
      " 1 2.3 ",
      " -1 .2  ",
    ]
  ) {
    assertEquals(parseMoney(s), null, JSON.stringify(s));
  }
});
