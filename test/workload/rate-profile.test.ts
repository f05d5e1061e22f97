import { describe, expect, it } from "vitest";
import { RateProfile } from "../../src/workload/rate-profile.js";

const S = 1_000_000;

/** Arrivals of a deterministic process (area 1 per arrival) in [from, to). */
function count(p: RateProfile, fromUs: number, toUs: number): number {
  let n = 0;
  for (let t = p.advance(fromUs, 1); t < toUs; t = p.advance(t, 1)) n++;
  return n;
}

describe("rate profiles", () => {
  it("a spike without ramp jumps up and back down", () => {
    const p = new RateProfile(100, [{ atUs: 120 * S, ratePerS: 600, holdUs: 90 * S, rampUs: 0 }]);
    expect(p.rateAt(119.999 * S)).toBe(100);
    expect(p.rateAt(120 * S)).toBe(600);
    expect(p.rateAt(209.999 * S)).toBe(600);
    expect(p.rateAt(210 * S)).toBe(100);
    // (Within one arrival: whether the one at exactly a boundary falls in is floating-point luck.)
    expect(Math.abs(count(p, 0, 120 * S) - 12_000)).toBeLessThanOrEqual(1);
    expect(Math.abs(count(p, 120 * S, 210 * S) - 54_000)).toBeLessThanOrEqual(1);
    expect(Math.abs(count(p, 210 * S, 300 * S) - 9_000)).toBeLessThanOrEqual(1);
  });

  it("a ramped spike is a trapezoid", () => {
    const p = new RateProfile(100, [{ atUs: 100 * S, ratePerS: 300, holdUs: 50 * S, rampUs: 10 * S }]);
    expect(p.rateAt(105 * S)).toBeCloseTo(200, 9);
    expect(p.rateAt(110 * S)).toBe(300);
    expect(p.rateAt(165 * S)).toBeCloseTo(200, 9);
    expect(p.rateAt(170 * S)).toBe(100);
    // Area: 100 base + ramps (2 x 10 s x 100 avg extra) + 50 s x 200 extra.
    expect(Math.abs(count(p, 100 * S, 170 * S) - (7_000 + 2_000 + 10_000))).toBeLessThanOrEqual(1);
  });

  it("a spike held to the end never comes down; overlapping spikes add their increments", () => {
    const p = new RateProfile(100, [
      { atUs: 10 * S, ratePerS: 300, holdUs: Infinity, rampUs: 0 },
      { atUs: 20 * S, ratePerS: 200, holdUs: 10 * S, rampUs: 0 },
    ]);
    expect(p.rateAt(15 * S)).toBe(300);
    expect(p.rateAt(25 * S)).toBe(400);
    expect(p.rateAt(1000 * S)).toBe(300);
  });

  it("a rate that falls to zero stops arrivals", () => {
    const p = new RateProfile(0);
    expect(p.advance(0, 1)).toBe(Infinity);
  });
});
