import { describe, expect, it } from "vitest";
import { estimate, pairedDifference, t975 } from "../../src/metrics/stats.js";

describe("sweep statistics", () => {
  it("Student's t quantiles from the table, the normal one beyond", () => {
    expect(t975(1)).toBe(12.706);
    expect(t975(9)).toBe(2.262);
    expect(t975(30)).toBe(2.042);
    expect(t975(31)).toBe(2.042);
    expect(t975(45)).toBe(2.021);
    expect(t975(200)).toBe(1.98);
    expect(t975(0)).toBe(Infinity);
  });

  it("mean and 95% CI half-width of a small sample, checked by hand", () => {
    // 2, 4, 4, 4, 5, 5, 7, 9: mean 5, sample sd = sqrt(32/7), t(7) = 2.365.
    const e = estimate([2, 4, 4, 4, 5, 5, 7, 9]);
    expect(e.mean).toBe(5);
    expect(e.ci95).toBeCloseTo((2.365 * Math.sqrt(32 / 7)) / Math.sqrt(8), 9);
    expect(estimate([3]).ci95).toBe(Infinity);
  });

  it("a paired difference removes what the pairs share", () => {
    const a = [10, 20, 30, 40];
    const b = [11, 21, 31, 41];
    const d = pairedDifference(a, b);
    expect(d.mean).toBe(1);
    expect(d.ci95).toBe(0);
    expect(() => pairedDifference([1], [1, 2])).toThrow();
  });
});
