// The external load balancer with health checks (workload[].entryHealthcheck) in whole runs,
// against what its probes imply: after a node fails at t, a balancer probing every I that takes
// a node out after U failed probes keeps sending it new connections until the U-th probe, at
// some time in [t+(U-1)I, t+UI) depending on the node's phase; those connections hang until the
// client's timeout. Without the field the balancer knows at once (the first versions' model).
import { describe, expect, it } from "vitest";
import { eventsOf, nodeSeries, runModel, seriesOf, type ModelRun } from "./model-run.js";
import { scenarioYaml } from "../helpers.js";

const FAIL_S = 30;
const RECOVER_S = 70;
const TIMEOUT_S = 1;

/**
 * Four workers behind the balancer (round-robin, constant arrivals: exactly 50/s to each), web's
 * two tasks on a-1 and a-2 only; `failing` fails at 30 s and is back at 70 s.
 */
function yaml(o: { mode?: string; check?: string; failing?: string; seed?: number } = {}): string {
  return scenarioYaml({ name: "lb-health", seed: o.seed ?? 5, duration: "2m", interval: "1s" }, `
cluster:
  managers: {count: 1, runTasks: false}
  nodeGroups: [{name: a, count: 2, cpu: 4, memory: 8GiB}, {name: b, count: 2, cpu: 4, memory: 8GiB}]
services:
  - {name: web, replicas: 2, placement: {constraints: ["node.hostname != b-1", "node.hostname != b-2"], maxReplicasPerNode: 1}, ports: [{published: 80, target: 80, mode: ${o.mode ?? "ingress"}}], request: {cpu: 1ms}}
workload:
  - {name: users, service: web, rate: 200/s, arrival: constant, entry: round-robin, entryNodes: [a, b], timeout: ${TIMEOUT_S}s${o.check ? `, entryHealthcheck: ${o.check}` : ""}}
events:
  - {at: ${FAIL_S}s, nodeFailure: {nodes: [${o.failing ?? "b-1"}], recoverAfter: ${RECOVER_S - FAIL_S}s}}
`);
}

const web = (out: ModelRun) => out.summary.services["web"]!;

/** Ends of the windows (1 s) in which some request timed out. */
const timeoutWindows = (out: ModelRun): number[] => seriesOf(out, "web").filter((r) => r.timeouts > 0).map((r) => r.t_s);

/** The first window after `fromS` in which `node` forwards users' requests (the entry's share is ~56 kB a window; its heartbeats, a few hundred bytes). */
const carriesTrafficFrom = (out: ModelRun, node: string, fromS: number): number | undefined =>
  nodeSeries(out, node).find((r) => r.t_s > fromS && r.net_tx_bytes > 10_000)?.t_s;

describe("a node failure behind a health-checking balancer", () => {
  it("without entryHealthcheck the balancer skips the failed node at once: a node holding no task costs nothing", () => {
    const w = web(runModel(yaml()));
    expect(w.arrivals).toBe(24_000);
    expect(w.errors).toBe(0);
    expect(w.timeouts).toBe(0);
  });

  const CASES = [
    { intervalS: 5, unhealthy: 3, seed: 5 },
    { intervalS: 2, unhealthy: 2, seed: 6 },
    { intervalS: 10, unhealthy: 1, seed: 7 },
    { intervalS: 3, unhealthy: 4, seed: 8 },
  ];
  it.each(CASES)("interval $intervalS s, unhealthyThreshold $unhealthy: connections to it hang for between (U-1)I and UI", ({ intervalS, unhealthy, seed }) => {
    const out = runModel(yaml({ check: `{interval: ${intervalS}s, unhealthyThreshold: ${unhealthy}}`, seed }));
    const w = web(out);
    // Every failure is a timeout: nothing is refused.
    expect(w.errors).toBe(w.timeouts);
    // The balancer sent the node its quarter (50/s) from the failure until the probes took it out.
    const detectedS = w.timeouts / 50;
    expect(detectedS).toBeGreaterThanOrEqual((unhealthy - 1) * intervalS - 0.02);
    expect(detectedS).toBeLessThan(unhealthy * intervalS + 0.02);
    // The timeouts come a timeout after those connections: inside the same bounds, in time.
    const windows = timeoutWindows(out);
    if (unhealthy > 1) expect(windows[0]).toBe(FAIL_S + TIMEOUT_S + 1);
    expect(Math.max(...windows) - FAIL_S - TIMEOUT_S).toBeGreaterThanOrEqual((unhealthy - 1) * intervalS);
    expect(Math.max(...windows) - 1 - FAIL_S - TIMEOUT_S).toBeLessThan(unhealthy * intervalS);
    expect(windows.length).toBeGreaterThanOrEqual(Math.floor(detectedS));
    expect(windows.length).toBeLessThanOrEqual(Math.ceil(detectedS) + 1);
  });

  it("a recovered node is put back after healthyThreshold passing probes (without the checks, at once)", () => {
    const healthy = 3;
    const intervalS = 5;
    const checked = carriesTrafficFrom(runModel(yaml({ check: `{interval: ${intervalS}s, healthyThreshold: ${healthy}}` })), "b-1", RECOVER_S)!;
    expect(checked - RECOVER_S).toBeGreaterThanOrEqual((healthy - 1) * intervalS);
    expect(checked - 1 - RECOVER_S).toBeLessThan(healthy * intervalS);
    expect(carriesTrafficFrom(runModel(yaml()), "b-1", RECOVER_S)).toBe(RECOVER_S + 1);
  });
});

describe("a host-mode port behind a health-checking balancer", () => {
  it("probes fail where no task holds the port: those nodes are out from the start, and nothing is refused", () => {
    const without = web(runModel(yaml({ mode: "host", failing: "a-1" })));
    // b-1 and b-2 hold no task: half of the connections are refused (and 3/4 while a-1 is down).
    expect(without.errors).toBeGreaterThan(without.arrivals / 2);
    expect(without.timeouts).toBe(0);
    const out = runModel(yaml({ mode: "host", failing: "a-1", check: "{interval: 5s, unhealthyThreshold: 3}" }));
    const w = web(out);
    expect(w.errors).toBe(w.timeouts);
    // a-1 got half of the connections (100/s) until its probes took it out, 10 to 15 s after it failed.
    expect(w.timeouts / 100).toBeGreaterThanOrEqual(10 - 0.01);
    expect(w.timeouts / 100).toBeLessThan(15 + 0.01);
    expect(Math.max(...timeoutWindows(out))).toBeLessThanOrEqual(FAIL_S + 15 + TIMEOUT_S + 1);
    // Its task runs there again after it recovers; healthyThreshold (2, the default) passing
    // probes after that the balancer sends to it again, and it serves (1 ms per request).
    const runningS = eventsOf(out.events, "task", { node: "a-1", state: "running" }).map((e) => e["t_s"] as number).find((t) => t > RECOVER_S)!;
    const servesS = nodeSeries(out, "a-1").find((r) => r.t_s > RECOVER_S && r.cpu_util > 0.01)!.t_s;
    expect(servesS - runningS).toBeGreaterThanOrEqual(5);
    expect(servesS - 1 - runningS).toBeLessThan(10);
  });
});
