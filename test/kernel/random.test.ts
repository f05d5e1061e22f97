import { describe, expect, it } from "vitest";
import { RandomStream, RandomStreams } from "../../src/kernel/index.js";
import { draw, maxOf, meanOf, minOf, pearson } from "./statistics.js";

const SEED = 20240601;

function firstValues(stream: RandomStream, n: number): number[] {
  return Array.from({ length: n }, () => stream.next());
}

describe("RandomStreams", () => {
  it("gives the same sequence for the same seed and name", () => {
    const a = firstValues(new RandomStreams(SEED).stream("arrivals"), 1_000);
    const b = firstValues(new RandomStreams(SEED).stream("arrivals"), 1_000);
    expect(b).toEqual(a);
    // Bare streams built the same way agree with the forked ones.
    expect(firstValues(new RandomStream("arrivals", SEED), 1_000)).toEqual(a);
  });

  it("gives different sequences for different names, and for different seeds", () => {
    const arrivals = firstValues(new RandomStreams(SEED).stream("arrivals"), 1_000);
    const failures = firstValues(new RandomStreams(SEED).stream("failures"), 1_000);
    const otherSeed = firstValues(new RandomStreams(SEED + 1).stream("arrivals"), 1_000);
    // Not merely different arrays: no position agrees (a shifted copy would fail this too).
    expect(arrivals.filter((x, i) => x === failures[i])).toEqual([]);
    expect(arrivals.filter((x, i) => x === otherSeed[i])).toEqual([]);
    expect(new Set([...arrivals, ...failures]).size).toBe(2_000);
  });

  it("gives streams with different names that are uncorrelated (|r| < 0.02 over 100k pairs)", () => {
    // Under independence r is about N(0, 1/n): sd 0.0032 at n = 100k, so 0.02 is over 6 sd.
    const n = 100_000;
    const streams = new RandomStreams(SEED);
    const names = ["node-1", "node-2", "node-10", "network", "placement"];
    const samples = names.map((name) => {
      const s = streams.stream(name);
      return draw(n, () => s.next());
    });
    for (let i = 0; i < names.length; i++) {
      for (let j = i + 1; j < names.length; j++) {
        const r = pearson(samples[i]!, samples[j]!);
        expect(Math.abs(r), `${names[i]} vs ${names[j]}: r=${r}`).toBeLessThan(0.02);
      }
    }
    // Also successive values of one stream (lag-1 autocorrelation).
    const x = samples[0]!;
    expect(Math.abs(pearson(x.subarray(0, n - 1), x.subarray(1)))).toBeLessThan(0.02);
  });

  it("the correlation check detects correlated streams (control)", () => {
    // A stream mixed half-and-half with another has r about 0.5: proves the statistic above can fail.
    const n = 100_000;
    const a = new RandomStreams(SEED).stream("a");
    const b = new RandomStreams(SEED).stream("b");
    const xs = draw(n, () => a.next());
    const ys = xs.map((x) => (x + b.next()) / 2);
    expect(pearson(xs, ys)).toBeGreaterThan(0.5);
  });

  it("leaves a stream's sequence unchanged by draws from another stream", () => {
    const alone = firstValues(new RandomStreams(SEED).stream("arrivals"), 500);

    const streams = new RandomStreams(SEED);
    // Create and use another stream first, then interleave irregularly.
    const noise = streams.stream("failures");
    for (let i = 0; i < 37; i++) noise.next();
    const arrivals = streams.stream("arrivals");
    const interleaved: number[] = [];
    for (let i = 0; i < 500; i++) {
      interleaved.push(arrivals.next());
      for (let k = 0; k < i % 4; k++) noise.exponential(3);
      if (i % 7 === 0) streams.stream(`late-${i}`).next();
    }
    expect(interleaved).toEqual(alone);
  });

  it("returns the same instance for the same name, which continues rather than restarts", () => {
    const streams = new RandomStreams(SEED);
    const s = streams.stream("scheduler");
    expect(streams.stream("scheduler")).toBe(s);
    expect(streams.stream("dispatcher")).not.toBe(s);
    const fresh = firstValues(new RandomStreams(SEED).stream("scheduler"), 2);
    s.next();
    expect(streams.stream("scheduler").next()).toBe(fresh[1]);
  });
});

describe("RandomStream", () => {
  const n = 100_000;

  it("next() is in [0, 1), has mean 1/2, and uses more than 32 bits", () => {
    const s = new RandomStream("bits", SEED);
    const xs = draw(n, () => s.next());
    let outside = 0;
    let fine = 0;
    for (const x of xs) {
      if (x < 0 || x >= 1) outside++;
      if ((x * 2 ** 32) % 1 !== 0) fine++;
    }
    expect(outside).toBe(0);
    // Mean of U(0,1): sd 0.29 / sqrt(n) = 0.0009, so 0.005 is over 5 sd.
    expect(Math.abs(meanOf(xs) - 0.5)).toBeLessThan(0.005);
    // A 32-bit generator would give no bits below 2^-32.
    expect(fine).toBeGreaterThan(n * 0.99);
  });

  it("uniform(min, max) stays in [min, max) with the right mean", () => {
    const s = new RandomStream("uniform", SEED);
    const xs = draw(n, () => s.uniform(-3, 5));
    expect(minOf(xs)).toBeGreaterThanOrEqual(-3);
    expect(maxOf(xs)).toBeLessThan(5);
    // sd of the mean: 8 / sqrt(12 n) = 0.0073.
    expect(meanOf(xs)).toBeCloseTo(1, 1);
  });

  it("int(n) covers 0..n-1 evenly", () => {
    const s = new RandomStream("int", SEED);
    const counts = new Array<number>(10).fill(0);
    for (let i = 0; i < n; i++) {
      const k = s.int(10);
      counts[k] = (counts[k] ?? 0) + 1;
    }
    expect(counts).toHaveLength(10);
    // Each count is Binomial(n, 0.1): sd 95 around 10,000; allow 6 sd.
    for (const c of counts) expect(Math.abs(c - n / 10)).toBeLessThan(570);
  });

  it("exponential(mean) has the given mean", () => {
    const s = new RandomStream("exp", SEED);
    const xs = draw(n, () => s.exponential(250));
    // sd of the mean: 250 / sqrt(n) = 0.79.
    expect(Math.abs(meanOf(xs) - 250)).toBeLessThan(5);
    expect(minOf(xs)).toBeGreaterThanOrEqual(0);
  });

  it("pick() returns undefined for an empty list and reaches every element", () => {
    const s = new RandomStream("pick", SEED);
    expect(s.pick([])).toBeUndefined();
    const seen = new Set<string>();
    for (let i = 0; i < 200; i++) seen.add(s.pick(["a", "b", "c"]) ?? "none");
    expect([...seen].sort()).toEqual(["a", "b", "c"]);
  });
});
