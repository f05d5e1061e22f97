// CPU contention through the whole model (DESIGN.md "Data plane"; issue 5 parts 1 and 2): a node's
// cores are shared by start-up work and requests, each job using at most one core and each
// container capped at its CPU limit.
import { describe, expect, it } from "vitest";
import { mm1Mean } from "./queueing.js";
import { mean, nodeSeries, relErr, runModel, seriesOf, startupSeconds } from "./model-run.js";
import { scenarioYaml } from "../helpers.js";

/** `replicas` tasks of one service, each with `startupCpu` of start-up work, all on w-1. */
function startupScenario(o: { replicas: number; cores: number; startupCpu: string; limitCpu?: number }): string {
  return scenarioYaml({ name: "startup-contention", duration: "5s" }, `
cluster:
  managers: {count: 1, runTasks: false}
  nodeGroups: [{name: w, count: 2, cpu: ${o.cores}, memory: 8GiB}]
services:
  - name: s
    replicas: ${o.replicas}
    placement: {constraints: ["node.hostname == w-1"]}
    resources: {limits: {cpu: ${o.limitCpu ?? 0}}}
    startup: {cpu: ${o.startupCpu}}
`);
}

describe("start-up work shares the node's cores", () => {
  it("alone on a 2-core node, 10 CPU-seconds of start-up take 10 s (one core per job)", () => {
    const took = startupSeconds(runModel(startupScenario({ replicas: 1, cores: 2, startupCpu: "10s" })).events);
    expect([...took.keys()]).toEqual(["s.1.1"]);
    expect(took.get("s.1.1")).toBeCloseTo(10, 3);
  });

  it("four at once on a 2-core node each take 4 x 10 s / 2 = 20 s", () => {
    const out = runModel(startupScenario({ replicas: 4, cores: 2, startupCpu: "10s" }));
    const took = startupSeconds(out.events);
    expect(took.size).toBe(4);
    for (const s of took.values()) {
      expect(s).toBeGreaterThan(19.5);
      expect(s).toBeLessThan(20.5);
    }
    // All on w-1, none on the idle w-2.
    const nodes = out.events.filter((e) => e["kind"] === "task" && e["state"] === "running").map((e) => e["node"]);
    expect(new Set(nodes)).toEqual(new Set(["w-1"]));
  });

  it("two at once on a 2-core node do not slow each other (each job gets its own core)", () => {
    const took = startupSeconds(runModel(startupScenario({ replicas: 2, cores: 2, startupCpu: "10s" })).events);
    expect(took.size).toBe(2);
    for (const s of took.values()) expect(s).toBeCloseTo(10, 3);
  });
});

describe("the CPU limit caps a container", () => {
  it("limits.cpu 0.5: 5 CPU-seconds of start-up take 10 s on an idle 4-core node", () => {
    const took = startupSeconds(runModel(startupScenario({ replicas: 1, cores: 4, startupCpu: "5s", limitCpu: 0.5 })).events);
    expect(took.get("s.1.1")).toBeCloseTo(10, 3);
  });

  it("without the limit the same start-up takes 5 s", () => {
    const took = startupSeconds(runModel(startupScenario({ replicas: 1, cores: 4, startupCpu: "5s" })).events);
    expect(took.get("s.1.1")).toBeCloseTo(5, 3);
  });

  it("four capped at 0.25 on a 2-core node use one core between them: 5 CPU-seconds take 20 s", () => {
    const took = startupSeconds(runModel(startupScenario({ replicas: 4, cores: 2, startupCpu: "5s", limitCpu: 0.25 })).events);
    expect(took.size).toBe(4);
    for (const s of took.values()) expect(s).toBeCloseTo(20, 2);
  });
});

/**
 * `api` serves from w-1; at 10 s `heavy` (4 containers of 600 CPU-seconds of start-up each) is
 * scaled up on `heavyNode`, so that its start-up runs for the rest of the run.
 */
function busyNodeScenario(heavyNode: string, seed: number): string {
  return scenarioYaml({ name: "busy-node", seed, duration: "2m", interval: "10s" }, `
cluster:
  managers: {count: 1, runTasks: false}
  nodeGroups: [{name: w, count: 2, cpu: 2, memory: 8GiB}]
  network: {latency: {sameNode: 0us, sameZone: 0us, crossZone: 0us}}
services:
  - name: api
    placement: {constraints: ["node.hostname == w-1"]}
    ports: [{published: 80, target: 80}]
    runtime: {concurrency: 8, queue: 1000}
    request: {cpu: 10ms, distribution: exponential, size: {request: 0B, response: 0B}}
  - name: heavy
    replicas: 0
    placement: {constraints: ["node.hostname == ${heavyNode}"]}
    startup: {cpu: 600s}
workload:
  - {name: users, service: api, rate: 20/s, entry: "node:w-1", timeout: 0s}
events:
  - {at: 10s, scale: {service: heavy, replicas: 4}}
`);
}

describe("requests slow down on a busy node", () => {
  for (const seed of [1, 2, 3]) {
    it(`seed ${seed}: api's p50 beside four starting containers is several times its p50 on an idle node`, () => {
      const busy = runModel(busyNodeScenario("w-1", seed));
      const idle = runModel(busyNodeScenario("w-2", seed));
      // Same arrivals in both runs (common random numbers), all served.
      const b = busy.summary.services["api"]!;
      const i = idle.summary.services["api"]!;
      expect(b.arrivals).toBe(i.arrivals);
      expect(b.errors).toBe(0);
      expect(i.errors).toBe(0);
      // Idle: exponential 10 ms of work at full speed, median 10 ms x ln 2.
      expect(i.latency_ms!.p50).toBeGreaterThan(5);
      expect(i.latency_ms!.p50).toBeLessThan(9);
      // Busy: api's container gets at most 2 cores / 5 busy containers = 0.4 of a core.
      const window = (rows: typeof busy.timeseries) => rows.filter((r) => r.t_s >= 30);
      const busyP50 = mean(window(seriesOf(busy, "api")).map((r) => r.p50_ms!));
      const idleP50 = mean(window(seriesOf(idle, "api")).map((r) => r.p50_ms!));
      expect(busyP50).toBeGreaterThan(3 * idleP50);
      expect(b.latency_ms!.p50).toBeGreaterThan(2 * i.latency_ms!.p50);
      // The starters take every core of w-1; the idle run's w-1 is mostly idle.
      for (const r of nodeSeries(busy, "w-1").filter((r) => r.t_s >= 30)) expect(r.cpu_util).toBe(1);
      for (const r of nodeSeries(idle, "w-1").filter((r) => r.t_s >= 30)) expect(r.cpu_util).toBeLessThan(0.2);
    });
  }
});

/** One task with a worker per request on a 1-core node: M/M/1 under processor sharing. */
function psScenario(concurrency: number, seed: number): string {
  return scenarioYaml({ name: "mm1-ps", seed, duration: "2h", interval: "10m" }, `
cluster:
  managers: {count: 1, runTasks: false}
  nodeGroups: [{name: w, count: 1, cpu: 1, memory: 8GiB}]
  network: {latency: {sameNode: 0us, sameZone: 0us, crossZone: 0us}}
services:
  - name: s
    ports: [{published: 80, target: 80}]
    runtime: {concurrency: ${concurrency}, queue: 1000000}
    request: {cpu: 10ms, distribution: exponential, size: {request: 0B, response: 0B}}
workload:
  - {name: load, service: s, rate: 70/s, entry: "node:w-1", timeout: 0s}
`);
}

describe("M/M/1 under processor sharing, through the whole model", () => {
  const lambda = 70;
  const mu = 100;
  // FIFO M/M/1 response time is exponential with rate mu - lambda: median ln 2 / (mu - lambda).
  const fifoP50Ms = (Math.LN2 / (mu - lambda)) * 1000;
  const fifoP99Ms = (Math.log(100) / (mu - lambda)) * 1000;
  for (const seed of [1, 2]) {
    it(`seed ${seed}: mean 1/(mu - lambda) = 33.3 ms within 3%, but a lower median and a longer tail than FIFO`, () => {
      const ps = runModel(psScenario(100, seed)).summary.services["s"]!;
      expect(ps.errors).toBe(0);
      expect(ps.completed).toBeGreaterThan(490_000);
      expect(relErr(ps.latency_ms!.mean / 1000, mm1Mean(lambda, mu))).toBeLessThan(0.03);
      // Short requests overtake long ones: the median drops well below FIFO's 23.1 ms...
      expect(ps.latency_ms!.p50).toBeLessThan(0.85 * fifoP50Ms);
      // ...and long ones are slowed by every arrival during them: the tail grows past FIFO's 153.5 ms.
      expect(ps.latency_ms!.p99).toBeGreaterThan(1.3 * fifoP99Ms);
    });
  }

  it("the same load with one worker (FIFO) has the exponential response time of M/M/1", () => {
    const fifo = runModel(psScenario(1, 1)).summary.services["s"]!;
    expect(relErr(fifo.latency_ms!.mean / 1000, mm1Mean(lambda, mu))).toBeLessThan(0.03);
    expect(relErr(fifo.latency_ms!.p50, fifoP50Ms)).toBeLessThan(0.03);
    expect(relErr(fifo.latency_ms!.p99, fifoP99Ms)).toBeLessThan(0.05);
  });
});
