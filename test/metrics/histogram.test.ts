import { describe, expect, it } from "vitest";
import { DDSketch } from "@datadog/sketches-js";
import { HISTOGRAM_RELATIVE_ACCURACY, LatencyHistogram } from "../../src/metrics/histogram.js";
import { mulberry32 } from "../seeded.js";

// The samples are the same on every run; shifted by half a step so that they lie in (0, 1), never 0.
function seeded(seed: number): () => number {
  const u = mulberry32(seed);
  return () => u() + 0.5 / 4294967296;
}

function normal(u: () => number): number {
  return Math.sqrt(-2 * Math.log(u())) * Math.cos(2 * Math.PI * u());
}

const N = 100_000;
// Lognormal with coefficient of variation 2: sigma^2 = ln(1 + cv^2).
const LOGNORMAL_SIGMA = Math.sqrt(Math.log(1 + 2 * 2));

const distributions: Record<string, (u: () => number) => number> = {
  "exponential, mean 50 ms": (u) => -Math.log(u()) * 50_000,
  "lognormal, cv 2, median 20 ms": (u) => 20_000 * Math.exp(LOGNORMAL_SIGMA * normal(u)),
  "constant 20 ms": () => 20_000,
  "log-uniform 1 us .. 60 s": (u) => Math.exp(u() * Math.log(60e6)),
  "integer microseconds with 10% zeros": (u) => (u() < 0.1 ? 0 : Math.round(-Math.log(u()) * 3_000)),
};

const QUANTILES = [0, 0.001, 0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99, 0.999, 0.9999, 1];

/** The order statistic the histogram estimates: 0-based rank floor(q (n-1)). */
function exactQuantile(sorted: Float64Array, q: number): number {
  return sorted[Math.floor(q * (sorted.length - 1))] ?? Number.NaN;
}

function sample(name: string, seed: number, n = N): number[] {
  const draw = distributions[name];
  if (draw === undefined) throw new Error(name);
  const u = seeded(seed);
  return Array.from({ length: n }, () => draw(u));
}

describe("LatencyHistogram accuracy (100k samples)", () => {
  Object.keys(distributions).forEach((name, index) => {
    it(`${name}: quantiles within 1% of the exact order statistic; mean and max exact`, () => {
      const values = sample(name, 1000 + index);
      const h = new LatencyHistogram();
      let sum = 0;
      let max = 0;
      for (const v of values) {
        h.record(v);
        sum += v;
        max = Math.max(max, v);
      }
      const sorted = Float64Array.from(values).sort();
      for (const q of QUANTILES) {
        const exact = exactQuantile(sorted, q);
        const estimate = h.quantileUs(q);
        if (exact === 0) expect(estimate, `q=${q}`).toBe(0);
        else expect(Math.abs(estimate - exact) / exact, `q=${q} exact=${exact} got=${estimate}`).toBeLessThanOrEqual(0.01);
      }
      expect(h.count).toBe(N);
      expect(h.meanUs).toBe(sum / N);
      expect(h.maxUs).toBe(max);
      expect(h.minUs).toBe(sorted[0]);
      expect(h.quantileUs(1)).toBe(max);
    });
  });
});

describe("LatencyHistogram", () => {
  it("is all zeros when empty", () => {
    const h = new LatencyHistogram();
    expect([h.count, h.meanUs, h.maxUs, h.minUs, h.quantileUs(0.5), h.quantileUs(1)]).toEqual([0, 0, 0, 0, 0, 0]);
  });

  it("records zero latencies", () => {
    const h = new LatencyHistogram();
    h.record(0);
    h.record(0);
    h.record(0);
    h.record(1000);
    expect(h.quantileUs(0)).toBe(0);
    expect(h.quantileUs(0.5)).toBe(0);
    expect(h.quantileUs(1)).toBe(1000);
    expect(h.meanUs).toBe(250);
  });

  it("never reports a quantile above the exact max or below the exact min", () => {
    const h = new LatencyHistogram();
    for (let i = 0; i < 10; i++) h.record(1001); // the bucket's representative value is above 1001
    expect(h.quantileUs(0.5)).toBe(1001);
    const g = new LatencyHistogram();
    for (let i = 0; i < 10; i++) g.record(100_000); // ... and this one's is below 100000
    expect(g.quantileUs(0.5)).toBe(100_000);
  });

  it("returns the exact min and max for ranks 0 and n-1", () => {
    const h = new LatencyHistogram();
    for (const v of [7, 1001, 5000, 123_457]) h.record(v);
    expect([h.quantileUs(0), h.quantileUs(0.3), h.quantileUs(1)]).toEqual([7, 7, 123_457]);
  });

  it("merging equals recording everything into one histogram", () => {
    const values = sample("integer microseconds with 10% zeros", 7).concat(sample("log-uniform 1 us .. 60 s", 8, 20_000).map(Math.round));
    const whole = new LatencyHistogram();
    const parts = [new LatencyHistogram(), new LatencyHistogram(), new LatencyHistogram()];
    values.forEach((v, i) => {
      whole.record(v);
      parts[i % 3]?.record(v);
    });
    const merged = new LatencyHistogram();
    for (const part of parts) merged.merge(part);
    merged.merge(new LatencyHistogram()); // merging an empty one changes nothing
    expect(merged.count).toBe(whole.count);
    expect(merged.meanUs).toBe(whole.meanUs); // integer values: the sums are exact
    expect(merged.maxUs).toBe(whole.maxUs);
    expect(merged.minUs).toBe(whole.minUs);
    for (let q = 0; q <= 1; q += 0.001) expect(merged.quantileUs(q), `q=${q}`).toBe(whole.quantileUs(q));
    expect(parts[0]?.count).toBe(Math.ceil(values.length / 3)); // the merged-in histograms are unchanged
  });

  it("windows cleared and merged one after another give the run what recording everything once gives", () => {
    // Each window's values lie in a range of their own (the merge walks only their bins), some
    // below 1 us, some far above the others; one window has a zero (its merge walks every bin).
    const whole = new LatencyHistogram();
    const run = new LatencyHistogram();
    const window = new LatencyHistogram();
    const names = Object.keys(distributions).filter((n) => !n.includes("zeros"));
    for (let w = 0; w < 40; w++) {
      const scale = [1, 1e-3, 1e3, 0.5][w % 4]!;
      const values = sample(names[w % names.length]!, 500 + w, 1 + ((w * 37) % 300)).map((v) => v * scale);
      if (w === 17) values.push(0);
      window.clear();
      for (const v of values) {
        window.record(v);
        whole.record(v);
      }
      run.merge(window);
    }
    expect([run.count, run.maxUs, run.minUs]).toEqual([whole.count, whole.maxUs, whole.minUs]);
    expect(run.meanUs).toBeCloseTo(whole.meanUs, 6);
    for (let q = 0; q <= 1; q += 0.0005) expect(run.quantileUs(q), `q=${q}`).toBe(whole.quantileUs(q));
  });

  it("merges sub-microsecond ranges correctly (works around a sketches-js 2.1.1 merge bug)", () => {
    // b spans sketch keys below 0 up to exactly 0 (values near 1 us); a lies wholly below key 0.
    const a = new LatencyHistogram();
    a.record(0.001);
    const b = new LatencyHistogram();
    for (const v of [0.002, 1, 1, 1]) b.record(v);
    a.merge(b);
    expect(a.count).toBe(5);
    // Sorted: 0.001, 0.002, 1, 1, 1. Rank floor(0.75 * 4) = 3 is one of the 1 us values.
    expect(Math.abs(a.quantileUs(0.75) - 1)).toBeLessThanOrEqual(0.005);
    expect(Math.abs(a.quantileUs(0.25) - 0.002) / 0.002).toBeLessThanOrEqual(0.005);
  });

  it("clear forgets everything", () => {
    const h = new LatencyHistogram();
    h.record(5);
    h.record(500);
    h.clear();
    expect([h.count, h.meanUs, h.maxUs, h.minUs, h.quantileUs(0.5)]).toEqual([0, 0, 0, 0, 0]);
    h.record(70);
    expect(h.minUs).toBe(70);
    expect(Math.abs(h.quantileUs(0.5) - 70) / 70).toBeLessThanOrEqual(0.005);
  });

  it("a cleared histogram answers and merges exactly as a new one (windows reuse theirs)", () => {
    const names = Object.keys(distributions);
    const reused = new LatencyHistogram();
    const runReused = new LatencyHistogram();
    const runFresh = new LatencyHistogram();
    for (let w = 0; w < 20; w++) {
      // Each window draws from another distribution, so ranges grow, shrink and move.
      // Every fifth window is empty (an idle service's): clearing it after one again must change nothing.
      const values = w % 5 === 4 ? [] : sample(names[w % names.length]!, 100 + w, 2_000).map((v) => (w % 3 === 0 ? v / 1000 : v));
      const fresh = new LatencyHistogram();
      reused.clear();
      for (const v of values) {
        reused.record(v);
        fresh.record(v);
      }
      for (const q of QUANTILES) expect(reused.quantileUs(q)).toBe(fresh.quantileUs(q));
      runReused.merge(reused);
      runFresh.merge(fresh);
    }
    for (const q of QUANTILES) expect(runReused.quantileUs(q)).toBe(runFresh.quantileUs(q));
  });

  it("answers several quantiles as quantileUs does, for every distribution, small counts, merged and cleared histograms", () => {
    const names = Object.keys(distributions);
    const fine = Array.from({ length: 1001 }, (_, i) => i / 1000);
    const check = (h: LatencyHistogram, label: string) => {
      for (const qs of [QUANTILES, fine, [0.5, 0.95, 0.99], [0.99, 0.99], [0.3]]) {
        expect(h.quantilesUs(qs), label).toEqual(qs.map((q) => h.quantileUs(q)));
      }
    };
    const run = new LatencyHistogram();
    const reused = new LatencyHistogram();
    check(reused, "empty");
    for (let w = 0; w < 30; w++) {
      // Windows of 1 to 2,000 values; a third of them sub-microsecond; zeros among them.
      const values = sample(names[w % names.length]!, 300 + w, w % 5 === 0 ? 1 + w : 2_000).map((v) => (w % 3 === 0 ? v / 1000 : v));
      reused.clear();
      for (const v of values) reused.record(v);
      check(reused, `window ${w}`);
      run.merge(reused);
      check(run, `run after window ${w}`);
    }
  });

  it("records into its sketch as DDSketch.accept does (record repeats the library's accept, @datadog/sketches-js 2.1.1)", () => {
    const h = new LatencyHistogram();
    const d = new DDSketch({ relativeAccuracy: HISTOGRAM_RELATIVE_ACCURACY });
    // Values that widen the bins' range both ways, re-centring them, and zeros.
    const values = [500, 2e6, 0.3, 7, 0, 123_456, 1e-9, 45, 9e7, 500].concat(sample("log-uniform 1 us .. 60 s", 11, 5_000));
    const state = (x: DDSketch) => {
      const { store } = x;
      return { count: x.count, sum: x.sum, min: x.min, max: x.max, zero: x.zeroCount, storeCount: store.count, offset: store.offset, minKey: store.minKey, maxKey: store.maxKey, bins: [...store.bins] };
    };
    values.forEach((v, i) => {
      h.record(v);
      d.accept(v);
      if (i < 10 || i % 500 === 0 || i === values.length - 1) expect(state((h as unknown as { sketch: DDSketch }).sketch), `after ${i + 1}`).toEqual(state(d));
    });
  });

  it("answers, merges and clears alike with its bins listed (up to 256) or walked (past them)", () => {
    const reused = new LatencyHistogram();
    const run = new LatencyHistogram();
    const whole = new LatencyHistogram();
    for (const bins of [1, 2, 255, 256, 257, 300, 3, 256]) {
      // Each value in a bin of its own (5% apart, a bin is 1% wide), every other one twice.
      const values = Array.from({ length: bins }, (_, i) => 1000 * 1.05 ** i).flatMap((v, i) => (i % 2 === 0 ? [v] : [v, v]));
      const fresh = new LatencyHistogram();
      reused.clear();
      for (const v of values) {
        reused.record(v);
        fresh.record(v);
        whole.record(v);
      }
      const label = `${bins} bins`;
      expect(reused.quantilesUs(QUANTILES), label).toEqual(QUANTILES.map((q) => fresh.quantileUs(q)));
      expect(QUANTILES.map((q) => reused.quantileUs(q)), label).toEqual(QUANTILES.map((q) => fresh.quantileUs(q)));
      run.merge(reused);
      expect(run.quantilesUs(QUANTILES), label).toEqual(QUANTILES.map((q) => whole.quantileUs(q)));
    }
    expect(run.count).toBe(whole.count);
  });

  it("refuses quantiles out of order or out of range", () => {
    const h = new LatencyHistogram();
    h.record(5);
    expect(() => h.quantilesUs([0.9, 0.5])).toThrow(RangeError);
    expect(() => h.quantilesUs([0.5, 1.5])).toThrow(RangeError);
  });

  it.each([-1, Number.NaN, Number.POSITIVE_INFINITY])("rejects the latency %s", (v) => {
    expect(() => new LatencyHistogram().record(v)).toThrow(RangeError);
  });

  it.each([-0.1, 1.1, Number.NaN])("rejects the quantile %s", (q) => {
    expect(() => new LatencyHistogram().quantileUs(q)).toThrow(RangeError);
  });
});
