import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { formatNumber, groupDigits, msFromUs, nameRanges, pctText, round, roundUtil, secondsFromUs, shortTarget } from "../../src/metrics/fmt.js";

describe("round", () => {
  it.each([
    [1.23456789, 3, 1.235],
    [2.5, 0, 3],
    [-2.5, 0, -3],
    [1.005, 2, 1], // 1.005 is stored as 1.00499999999999989...
    [123456789.123456789, 6, 123456789.123457],
    [1e21, 3, 1e21],
    [0.1 + 0.2, 6, 0.3],
  ])("round(%s, %s) = %s", (x, digits, expected) => {
    expect(round(x, digits)).toBe(expected);
  });

  it.each([-0, -0.0001, -1e-9, -4e-7])("never returns -0 (round(%s, 3))", (x) => {
    expect(Object.is(round(x, 3), 0)).toBe(true);
  });

  it("rejects non-finite values and bad digit counts", () => {
    expect(() => round(Number.NaN, 3)).toThrow(RangeError);
    expect(() => round(Number.POSITIVE_INFINITY, 3)).toThrow(RangeError);
    expect(() => round(1, -1)).toThrow(RangeError);
    expect(() => round(1, 1.5)).toThrow(RangeError);
  });

  it("has helpers with the output precisions", () => {
    expect(secondsFromUs(1_234_567)).toBe(1.234567);
    expect(secondsFromUs(1)).toBe(0.000001);
    expect(msFromUs(1_234.5678)).toBe(1.235);
    expect(roundUtil(0.123456)).toBe(0.1235);
  });
});

describe("formatNumber", () => {
  it.each([
    [0, "0"],
    [-0, "0"],
    [42, "42"],
    [-3.25, "-3.25"],
    [0.000001, "0.000001"],
    [1e-7, "0.0000001"],
    [-1.5e-7, "-0.00000015"],
    [1e21, "1000000000000000000000"],
    [-2e22, "-20000000000000000000000"],
    [1e-25, "0"],
    [-1e-25, "0"],
  ])("formatNumber(%s) = %s", (x, expected) => {
    expect(formatNumber(x)).toBe(expected);
  });

  it("never prints -0 or an exponent for rounded values across magnitudes", () => {
    for (let exponent = -12; exponent <= 24; exponent++) {
      for (const mantissa of [1, -1, 1.234567, -9.87654321, 5e-1]) {
        const x = mantissa * 10 ** exponent;
        for (const digits of [0, 3, 4, 6]) {
          const text = formatNumber(round(x, digits));
          expect(text, `${x} to ${digits}`).not.toMatch(/e|^-0$|^-0\.0*$/i);
          expect(Number(text)).toBe(round(x, digits));
        }
      }
    }
  });

  it("rejects non-finite values", () => {
    expect(() => formatNumber(Number.NaN)).toThrow(RangeError);
    expect(() => formatNumber(Number.NEGATIVE_INFINITY)).toThrow(RangeError);
  });
});

describe("pctText", () => {
  it("reads 100 only for 100 and 0 only for 0 (walkthrough: a failing plan value read 100.0% within its SLO)", () => {
    expect([pctText(99.954, 1), pctText(99.999, 2), pctText(100, 1), pctText(100, 2), pctText(97.66, 1)]).toEqual([">99.9", ">99.99", "100.0", "100.00", "97.7"]);
    expect([pctText(0.004, 2), pctText(0, 2), pctText(0.05, 1)]).toEqual(["<0.01", "0.00", "0.1"]);
    // A share that missed a p99 SLO never reads 99.00 (review).
    expect([pctText(98.996, 2, 99), pctText(98.994, 2, 99), pctText(99, 2, 99), pctText(99.5, 2, 99)]).toEqual(["<99.00", "98.99", "99.00", "99.50"]);
  });

  it("is the share rounded to its digits whenever that is neither 100 nor 0 of one not so", () => {
    fc.assert(
      fc.property(fc.double({ min: 0, max: 100, noNaN: true }), fc.integer({ min: 0, max: 3 }), (pct, digits) => {
        const text = pctText(pct, digits);
        const rounded = pct.toFixed(digits);
        if ((Number(rounded) === 100 && pct < 100) || (Number(rounded) === 0 && pct > 0)) expect(text).toMatch(/^[<>]/);
        else expect(text).toBe(rounded);
        // What it says is true of the share: ">99.9" is above 99.9, "<0.01" below 0.01.
        const bound = Number(text.replace(/^[<>]/, ""));
        if (text.startsWith(">")) expect(pct).toBeGreaterThan(bound);
        else if (text.startsWith("<")) expect(pct).toBeLessThan(bound);
        else expect(Math.abs(bound - pct)).toBeLessThanOrEqual(10 ** -digits);
      }),
    );
  });
});

describe("shortTarget", () => {
  it("keeps up to six names and shortens a longer list to its first three, its last and the count", () => {
    expect(shortTarget("a-1,a-2,a-3,manager-1")).toBe("a-1,a-2,a-3,manager-1");
    expect(shortTarget(Array.from({ length: 300 }, (_, i) => `a-${i + 1}`).join(","))).toBe("a-1,a-2,a-3,...,a-300 (300)");
  });
});

describe("nameRanges", () => {
  it.each([
    [["a-1", "a-2", "a-3", "b-7"], "a-1..a-3,b-7"],
    [["a-1", "a-2", "a-4", "a-5"], "a-1,a-2,a-4,a-5"],
    [["w-3", "w-1", "w-2"], "w-3,w-1,w-2"],
    [["a-9", "a-10", "a-11", "manager-1"], "a-9..a-11,manager-1"],
    [["x"], "x"],
  ])("%j is %s", (names, text) => {
    expect(nameRanges(names)).toBe(text);
  });

  it("unfolds to the names it was given, in order", () => {
    const unfold = (text: string): string[] =>
      text.split(",").flatMap((part) => {
        const m = /^(.*?)(\d+)\.\.\1(\d+)$/.exec(part);
        if (!m) return [part];
        return Array.from({ length: Number(m[3]) - Number(m[2]) + 1 }, (_, k) => `${m[1]}${Number(m[2]) + k}`);
      });
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.constantFrom("a-", "b-", "w"), fc.nat(30)), { maxLength: 40 }), (parts) => {
        const names = [...new Set(parts.map(([p, n]) => `${p}${n}`))];
        expect(unfold(nameRanges(names))).toEqual(names.length === 0 ? [""] : names);
      }),
    );
  });
});

describe("groupDigits", () => {
  it("prints integers as toLocaleString(\"en-US\") does", () => {
    expect(groupDigits(0)).toBe("0");
    expect(groupDigits(999)).toBe("999");
    expect(groupDigits(1000)).toBe("1,000");
    expect(groupDigits(-1234567)).toBe("-1,234,567");
    fc.assert(
      fc.property(fc.integer({ min: -(2 ** 53) + 1, max: 2 ** 53 - 1 }), (n) => {
        expect(groupDigits(n)).toBe(n.toLocaleString("en-US"));
      }),
      { numRuns: 5_000, seed: 3 },
    );
  });

  it("rounds a fraction to at most the digits asked for and drops its trailing zeros, as toLocaleString does", () => {
    expect(groupDigits(1234.5, 2)).toBe("1,234.5");
    expect(groupDigits(-0.001, 2)).toBe("0");
    expect(groupDigits(2.999, 2)).toBe("3");
    // n/7 never lies on a half of the last digit, where toFixed (the exact binary value) and ICU (the shortest decimal) may differ.
    fc.assert(
      fc.property(fc.integer({ min: -1e12, max: 1e12 }), (n) => {
        expect(groupDigits(n / 7, 2)).toBe((n / 7).toLocaleString("en-US", { maximumFractionDigits: 2 }));
      }),
      { numRuns: 5_000, seed: 4 },
    );
  });
});

describe("round's fast path", () => {
  // The reference: toFixed rounds the double's exact decimal expansion, half away from zero.
  const reference = (x: number, digits: number): number => Number(x.toFixed(digits)) + 0;

  it("agrees with toFixed on generated values of every magnitude and precision", () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e18, max: 1e18 }), fc.integer({ min: 0, max: 15 }), (x, digits) => {
        expect(Object.is(round(x, digits), reference(x, digits))).toBe(true);
      }),
      { numRuns: 50_000, seed: 11 },
    );
  });

  it("agrees with toFixed next to every half: decimal ties, their neighbouring doubles, and halves of microseconds", () => {
    let checked = 0;
    for (let digits = 0; digits <= 6; digits++) {
      for (let k = -2000; k <= 2000; k++) {
        const tie = (k + 0.5) / 10 ** digits;
        for (const x of [tie, nextUp(tie), nextDown(tie), tie * (1 + 2 ** -52), tie * (1 - 2 ** -52)]) {
          expect(round(x, digits)).toBe(reference(x, digits));
          checked++;
        }
      }
    }
    // Time conversions: microseconds to seconds and milliseconds, as the outputs use them.
    for (let us = 0; us < 200_000; us += 13) {
      expect(secondsFromUs(us * 1_000 + 500)).toBe(reference((us * 1_000 + 500) / 1e6, 6));
      expect(msFromUs(us + 0.5)).toBe(reference((us + 0.5) / 1e3, 3));
    }
    expect(checked).toBe(7 * 4001 * 5);
  });
});

/** The next double above / below `x`. */
function nextUp(x: number): number {
  const b = new Float64Array([x]);
  const i = new BigInt64Array(b.buffer);
  i[0] = x >= 0 ? i[0]! + 1n : i[0]! - 1n;
  return b[0]!;
}
function nextDown(x: number): number {
  return -nextUp(-x);
}
