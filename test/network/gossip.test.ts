// The spread of a change by push gossip (networkdb over memberlist: 200 ms rounds, 3 peers) and
// memberlist's failure detection time, checked against a simulation of the epidemic itself and
// against memberlist's formula.
import { describe, expect, it } from "vitest";
import { RandomStream } from "../../src/kernel/index.js";
import { epidemicCdf, failureDetectionUs, hashUnit, roundOf, roundsToAll } from "../../src/network/gossip.js";

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
  });
});
