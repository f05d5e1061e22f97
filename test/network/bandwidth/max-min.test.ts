// The max-min solver against textbook allocations and against a slow, obviously correct reference.
import { describe, expect, it } from "vitest";
import { MaxMinSolver, maxMinFairRates } from "../../../src/network/bandwidth/index.js";
import { referenceMaxMin, seededRandom } from "./reference.js";

describe("maxMinFairRates: textbook allocations", () => {
  const cases: { name: string; caps: number[]; routes: number[][]; bounds?: number[]; rates: number[] }[] = [
    { name: "one flow gets the whole link", caps: [10], routes: [[0]], rates: [10] },
    { name: "four flows split a link equally", caps: [12], routes: [[0], [0], [0], [0]], rates: [3, 3, 3, 3] },
    {
      name: "parking lot, equal capacities: every flow gets C/2",
      caps: [10, 10, 10],
      routes: [[0, 1, 2], [0], [1], [2]],
      rates: [5, 5, 5, 5],
    },
    {
      name: "parking lot, L1 = 10 and L2 = 4: long and L2 flows 2 each, L1 flow 8",
      caps: [10, 4],
      routes: [[0, 1], [0], [1]],
      rates: [2, 8, 2],
    },
    {
      name: "limited by its other end: A on X(10) and Y(2) gets 2, B on X alone gets 8, not 5",
      caps: [10, 2],
      routes: [[0, 1], [0]],
      rates: [2, 8],
    },
    {
      name: "a bound (TCP window / RTT) of 3 on a link of 10: 3 and 7",
      caps: [10],
      routes: [[0], [0]],
      bounds: [3, Infinity],
      rates: [3, 7],
    },
    {
      name: "a bound above the fair share does not bind",
      caps: [10],
      routes: [[0], [0]],
      bounds: [6, Infinity],
      rates: [5, 5],
    },
    {
      name: "an infinite link never constrains; a flow with nothing finite and no bound is Infinity",
      caps: [Infinity, 8],
      routes: [[0], [0, 1], [0]],
      bounds: [Infinity, Infinity, 2],
      rates: [Infinity, 8, 2],
    },
    { name: "a bound alone, no links", caps: [], routes: [[]], bounds: [4], rates: [4] },
    {
      name: "three levels: 1 on the crowded link, 3 next, the rest to the last flow",
      caps: [3, 7, 100],
      routes: [[0], [0], [0, 1], [1], [1, 2], [2]],
      rates: [1, 1, 1, 3, 3, 97],
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const rates = maxMinFairRates(c.caps, c.routes, c.bounds);
      rates.forEach((r, i) => (c.rates[i] === Infinity ? expect(r).toBe(Infinity) : expect(r).toBeCloseTo(c.rates[i]!, 12)));
    });
  }

  it("reuses its arrays across problems of different sizes without mixing them", () => {
    const solver = new MaxMinSolver();
    const solve = (caps: number[], routes: number[][]): number[] => {
      solver.reset();
      for (const c of caps) solver.addLink(c);
      for (const r of routes) {
        solver.addFlow(Infinity);
        for (const j of r) solver.addRouteLink(j);
      }
      solver.solve();
      return routes.map((_, i) => solver.rateOf(i));
    };
    const big = Array.from({ length: 50 }, (_, i) => [i % 7, 7 + (i % 3)]);
    expect(solve(Array(10).fill(100), big).length).toBe(50);
    expect(solve([10, 4], [[0, 1], [0], [1]])).toEqual([2, 8, 2]);
  });

  it("rejects a route naming a link that does not exist", () => {
    expect(() => maxMinFairRates([1], [[1]])).toThrow(/link 1/);
  });
});

describe("maxMinFairRates agrees with the reference on random problems", () => {
  it("300 random problems (seed 11): the same rates, and no link over its capacity", () => {
    const rand = seededRandom(11);
    for (let p = 0; p < 300; p++) {
      const links = 1 + Math.floor(rand() * 12);
      const caps = Array.from({ length: links }, () => (rand() < 0.1 ? Infinity : 1 + rand() * 100));
      const flows = 1 + Math.floor(rand() * 30);
      const routes = Array.from({ length: flows }, () => distinct(rand, links, 1 + Math.floor(rand() * 3)));
      const bounds = routes.map(() => (rand() < 0.3 ? 0.5 + rand() * 20 : Infinity));
      const rates = maxMinFairRates(caps, routes, bounds);
      const want = referenceMaxMin(caps, routes, bounds);
      rates.forEach((r, i) => expect(relDiff(r, want[i]!), `problem ${p}, flow ${i}`).toBeLessThan(1e-9));
      for (let j = 0; j < links; j++) {
        const used = routes.reduce((s, route, i) => (route.includes(j) && rates[i]! < Infinity ? s + rates[i]! : s), 0);
        expect(used).toBeLessThanOrEqual(caps[j]! * (1 + 1e-9));
      }
    }
  });
});

function distinct(rand: () => number, n: number, k: number): number[] {
  const out: number[] = [];
  while (out.length < Math.min(k, n)) {
    const j = Math.floor(rand() * n);
    if (!out.includes(j)) out.push(j);
  }
  return out;
}

function relDiff(a: number, b: number): number {
  if (a === b) return 0;
  return Math.abs(a - b) / Math.max(Math.abs(a), Math.abs(b));
}
