import { describe, expect, it } from "vitest";
import { runYaml, scenarioYaml } from "../helpers.js";
import { md1Mean, mmc } from "./queueing.js";

/** One task with `c` workers alone on a node with enough cores; the network adds nothing. */
function singleTaskScenario(o: { rate: number; cpuMs: number; c: number; dist: string; duration: string; seed: number }): string {
  return scenarioYaml({ name: "queue-check", seed: o.seed, duration: o.duration, interval: "1m" }, `
cluster:
  managers: {count: 1, runTasks: false}
  nodeGroups: [{name: w, count: 1, cpu: ${Math.max(o.c, 1)}, memory: 8GiB}]
  network: {latency: {sameNode: 0us, sameZone: 0us, crossZone: 0us}}
services:
  - name: s
    ports: [{published: 80, target: 80}]
    runtime: {concurrency: ${o.c}, queue: 1000000}
    request: {cpu: ${o.cpuMs}ms, distribution: ${o.dist}, size: {request: 0B, response: 0B}}
workload:
  - {name: load, service: s, rate: ${o.rate}/s, entry: "node:w-1", timeout: 0s}
`);
}

function relErr(actual: number, expected: number): number {
  return Math.abs(actual - expected) / expected;
}

describe("a task with c workers on an idle node is an M/M/c queue (Erlang C)", () => {
  const cases = [
    { c: 1, rate: 70, cpuMs: 10 }, // rho 0.7
    { c: 4, rate: 320, cpuMs: 10 }, // rho 0.8
  ];
  for (const k of cases) {
    it(`c=${k.c}, rho=${((k.rate * k.cpuMs) / 1000 / k.c).toFixed(2)}: mean, p95 and p99 within a few percent`, () => {
      const result = runYaml(singleTaskScenario({ ...k, dist: "exponential", duration: "2h", seed: 11 }));
      const s = result.summary.services["s"]!;
      const theory = mmc(k.rate, 1000 / k.cpuMs, k.c);
      expect(s.errors).toBe(0);
      expect(s.completed).toBeGreaterThan(400_000);
      expect(relErr(s.latency_ms!.mean / 1000, theory.mean)).toBeLessThan(0.03);
      expect(relErr(s.latency_ms!.p95 / 1000, theory.quantile(0.95))).toBeLessThan(0.04);
      expect(relErr(s.latency_ms!.p99 / 1000, theory.quantile(0.99))).toBeLessThan(0.05);
    });
  }
});

describe("constant service gives an M/D/1 queue (Pollaczek-Khinchine)", () => {
  it("mean response time within 3% at rho = 0.75", () => {
    const result = runYaml(singleTaskScenario({ c: 1, rate: 75, cpuMs: 10, dist: "constant", duration: "2h", seed: 5 }));
    const s = result.summary.services["s"]!;
    expect(relErr(s.latency_ms!.mean / 1000, md1Mean(75, 0.01))).toBeLessThan(0.03);
    // Nothing is faster than the constant service time.
    expect(s.latency_ms!.p50).toBeGreaterThanOrEqual(10);
  });
});
