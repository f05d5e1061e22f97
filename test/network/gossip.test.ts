// The spread of a change by push gossip (networkdb over memberlist: 200 ms rounds, 3 peers) and
// memberlist's failure detection time, checked against a simulation of the epidemic itself and
// against memberlist's formula.
import { describe, expect, it } from "vitest";
import { RandomStream } from "../../src/kernel/index.js";
import { epidemicCdf, failureDetectionUs, firstProbeUs, hashUnit, roundOf, roundsToAll } from "../../src/network/gossip.js";

/** The epidemic itself: each informed node pushes to 3 distinct random others every round. */
function simulatedShares(peers: number, rounds: number, runs: number, rng: RandomStream): number[] {
  const sums = new Array<number>(rounds + 1).fill(0);
  for (let run = 0; run < runs; run++) {
    const informed = new Uint8Array(peers);
    informed[0] = 1;
    let count = 1;
    for (let r = 1; r <= rounds; r++) {
      const pushers: number[] = [];
      for (let i = 0; i < peers; i++) if (informed[i]) pushers.push(i);
      for (const p of pushers) {
        const picked = new Set<number>();
        while (picked.size < Math.min(3, peers - 1)) {
          const q = rng.int(peers);
          if (q !== p) picked.add(q);
        }
        for (const q of picked) if (!informed[q]) { informed[q] = 1; count++; }
      }
      sums[r]! += (count - 1) / (peers - 1);
    }
  }
  return sums.map((s) => s / runs);
}

describe("epidemic spread", () => {
  it("the mean-field table matches a simulated push gossip within 0.02 at every round", () => {
    for (const peers of [10, 100, 1000]) {
      const cdf = epidemicCdf(peers);
      const sim = simulatedShares(peers, roundsToAll(cdf), peers >= 1000 ? 20 : 200, new RandomStream("gossip", peers));
      for (let r = 1; r < cdf.length - 1; r++) expect(Math.abs(cdf[r]! - sim[r]!)).toBeLessThan(0.02);
      // By the table's last round, 99% or more know in the simulated runs too.
      expect(sim[roundsToAll(cdf)]!).toBeGreaterThan(0.99);
    }
  });

  it("takes about log rounds: 1-2 s at 100 nodes (SWARM.md), a few more at 10,000", () => {
    expect(roundsToAll(epidemicCdf(2))).toBe(1);
    const r100 = roundsToAll(epidemicCdf(100));
    const r10k = roundsToAll(epidemicCdf(10_000));
    expect(r100 * 0.2).toBeGreaterThanOrEqual(1);
    expect(r100 * 0.2).toBeLessThanOrEqual(2);
    expect(r10k).toBeGreaterThan(r100);
    expect(r10k).toBeLessThan(2 * r100);
  });

  it("a node's round comes from its draw: increasing in the draw, every node within the table", () => {
    const cdf = epidemicCdf(500);
    let last = 0;
    for (let u = 0; u < 1; u += 0.01) {
      const r = roundOf(cdf, u);
      expect(r).toBeGreaterThanOrEqual(last);
      expect(r).toBeLessThanOrEqual(roundsToAll(cdf));
      last = r;
    }
  });

  it("hash draws are uniform and differ per node and per change", () => {
    const n = 20_000;
    let sum = 0;
    const buckets = new Array<number>(10).fill(0);
    for (let i = 0; i < n; i++) {
      const u = hashUnit(12345, i % 200, Math.floor(i / 200));
      sum += u;
      buckets[Math.floor(u * 10)]!++;
    }
    expect(sum / n).toBeCloseTo(0.5, 1);
    for (const b of buckets) expect(Math.abs(b - n / 10)).toBeLessThan(n / 10 * 0.1);
    expect(hashUnit(1, 2, 3)).not.toBe(hashUnit(1, 3, 2));
  });
});

describe("memberlist failure detection", () => {
  it("probe interval + probe timeout + 4 x max(1, log10 n) s of suspicion", () => {
    expect(failureDetectionUs(5)).toBe(1_000_000 + 500_000 + 4_000_000);
    expect(failureDetectionUs(100)).toBe(1_500_000 + 8_000_000);
    expect(failureDetectionUs(1000)).toBe(1_500_000 + 12_000_000);
    expect(failureDetectionUs(1000, 300_000)).toBe(800_000 + 12_000_000);
  });
});

/**
 * memberlist's probing itself: each live member goes round a shuffled list of the other members,
 * one probe per second, from where its own round happens to stand when the node crashes, and
 * reshuffles at each wrap. The first probe of the crashed node, in microseconds.
 */
function simulatedFirstProbeUs(probers: number, members: number, rng: RandomStream): number {
  let first = Infinity;
  for (let p = 0; p < probers; p++) {
    const others = members - 1;
    const phaseUs = rng.next() * 1_000_000; // when this member's next probe is due
    let slot = Math.floor(rng.next() * others); // where it stands in its current round
    let target = Math.floor(rng.next() * others); // where the crashed node is in that round's list
    for (let k = 0; k < 3 * others; k++) {
      if (slot === target) {
        first = Math.min(first, phaseUs + k * 1_000_000);
        break;
      }
      if (++slot === others) {
        slot = 0;
        target = Math.floor(rng.next() * others); // resetNodes: a new shuffle, a new place
      }
    }
  }
  return first;
}

describe("memberlist's first probe of a crashed node", () => {
  it.each([
    [1, 2],
    [1, 10],
    [9, 10],
    [99, 100],
  ])("with %i live probers of %i members: the draw's distribution is the probing's", (probers, members) => {
    const rng = new RandomStream("probe", 3);
    const n = 20_000;
    const drawn = Array.from({ length: n }, () => firstProbeUs(probers, members, rng.next())).sort((a, b) => a - b);
    const simulated = Array.from({ length: n }, () => simulatedFirstProbeUs(probers, members, rng)).sort((a, b) => a - b);
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(mean(drawn) / mean(simulated)).toBeCloseTo(1, 1);
    expect(Math.abs(mean(drawn) / mean(simulated) - 1)).toBeLessThan(0.03);
    // Quantiles agree within 7% of the mean (two samples of 20,000 differ by up to about 2% in
    // probability by chance; a wrong model, a continuous round or a half-round mean, is 10-15% off).
    for (const q of [0.1, 0.25, 0.5, 0.75, 0.9]) {
      const i = Math.floor(q * (n - 1));
      expect(Math.abs(drawn[i]! - simulated[i]!)).toBeLessThan(0.07 * mean(simulated));
    }
    expect(drawn[0]!).toBeGreaterThanOrEqual(0);
    expect(drawn[n - 1]!).toBeLessThanOrEqual(2 * (members - 1) * 1_000_000);
  });

  it("is about one interval when every other member probes, and 7/12 of a round with one prober of many", () => {
    const rng = new RandomStream("probe", 4);
    const mean = (probers: number, members: number) => Array.from({ length: 20_000 }, () => firstProbeUs(probers, members, rng.next())).reduce((a, b) => a + b, 0) / 20_000;
    // Two members: the one left probes the crashed one at its next tick, uniform in an interval.
    expect(mean(1, 2) / 500_000).toBeCloseTo(1, 1);
    expect(mean(999, 1000) / 1_000_000).toBeCloseTo(1, 1);
    // One prober of 1,000: a crash lands in a long gap more often (the inspection paradox).
    expect(mean(1, 1000) / ((7 / 12) * 999 * 1_000_000)).toBeCloseTo(1, 1);
  });

  it("is one probe interval with nobody left to probe", () => {
    expect(firstProbeUs(0, 5, 0.3)).toBe(1_000_000);
    expect(firstProbeUs(3, 1, 0.3)).toBe(1_000_000);
  });
});
