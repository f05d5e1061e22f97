// Fault windows and per-service SLOs on real runs: each figure of summary.json's faults is
// recomputed here from timeseries.csv and the event log by the documented rule, and detection
// is checked against Swarm's timing (a dead node is DOWN 3 heartbeat periods of 5 s, +-10%,
// after its last heartbeat).
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { eventsOf, runFile, runYaml } from "../helpers.js";
import { failureDetectionUs } from "../../src/network/gossip.js";

const ZONE = fileURLToPath(new URL("../../scenarios/zone-failure.yaml", import.meta.url));

describe("fault windows on zone-failure.yaml", () => {
  const out = runFile(ZONE);
  const fault = out.summary.faults[0]!;
  const after = out.timeseries.filter((r) => r.t_s > fault.t_s);

  it("detection: the zone's first node is DOWN within Swarm's 9-16.5 s of the crash", () => {
    expect(fault.fault).toBe("nodeFailure");
    expect(fault.detected_s).toBeGreaterThanOrEqual(9);
    expect(fault.detected_s).toBeLessThanOrEqual(16.5);
  });

  it("requests lost are the failures in the windows after the fault, per service and in all", () => {
    for (const [name, s] of Object.entries(fault.services)) {
      expect(s.requests_lost).toBe(after.filter((r) => r.service === name).reduce((n, r) => n + r.errors, 0));
    }
    expect(fault.requests_lost).toBe(after.reduce((n, r) => n + r.errors, 0));
    expect(fault.requests_lost).toBeGreaterThan(0);
  });

  it("each service recovered at the end of its last window with errors or p99 over 250 ms, and is within its SLO after", () => {
    for (const [name, s] of Object.entries(fault.services)) {
      const rows = after.filter((r) => r.service === name);
      const bad = rows.filter((r) => r.errors > 0 || (r.p99_ms ?? 0) > 250);
      expect(s.recovered_s).toBe(bad.length === 0 ? 0 : bad[bad.length - 1]!.t_s - fault.t_s);
      expect(s.p99_after_ms!).toBeLessThanOrEqual(250);
      expect(s.p99_during_ms!).toBeGreaterThan(s.p99_after_ms!);
    }
    const last = Object.entries(fault.services).sort((a, b) => b[1].recovered_s! - a[1].recovered_s!)[0]!;
    expect(fault.last_to_recover).toBe(last[0]);
    expect(fault.recovered_s).toBe(last[1].recovered_s);
  });

  it("the SLO outside the faults leaves out each service's windows from the fault to its recovery", () => {
    for (const [name, s] of Object.entries(out.summary.services)) {
      const recovered = fault.services[name]!.recovered_s!;
      const during = after.filter((r) => r.service === name && r.t_s <= fault.t_s + recovered).reduce((n, r) => n + r.completed + r.errors, 0);
      const ended = s.completed + s.errors;
      const outside = s.slo.outside_faults!;
      // The requests within the SLO that it left out are some of those that ended during the fault.
      const left = s.slo.attained! * ended - outside.attained! * (ended - during);
      expect(left, name).toBeGreaterThanOrEqual(-1);
      expect(left, name).toBeLessThanOrEqual(during + 1);
      expect(outside.met, name).toBe(true);
    }
    // shop misses its SLO over the run only because of the zone's loss.
    expect(out.summary.services["shop"]!.slo.met).toBe(false);
    expect(out.summary.services["shop"]!.slo.outside_faults!.attained).toBeGreaterThan(out.summary.services["shop"]!.slo.attained!);
  });

  it("memberlist declares the zone's nodes dead after each one's first probe and 4.82 s more, counting its 12 members (the zone's suspect ones among them)", () => {
    const dead = eventsOf(out.events, "memberlist");
    expect(dead.map((e) => e["node"]).sort()).toEqual(["a-1", "a-2", "a-3", "manager-1"]);
    // Probe timeout and suspicion for 12 members: 0.5 s + 4 x log10(12) s.
    for (const e of dead) expect(((e["after_s"] as number) - (e["probed_s"] as number)).toFixed(2)).toBe("4.82");
    expect(failureDetectionUs(12, 0) / 1e6).toBeCloseTo(4.82, 2);
    // Eight live members probe: each node's first probe is about a second after the crash, each its own.
    expect(dead.map((e) => (e["probed_s"] as number).toFixed(2))).toEqual(["0.21", "0.76", "1.39", "2.62"]);
  });

  it("a crashed node's NIC sends and takes in nothing until it is back (9 minutes in)", () => {
    const dead = out.nodes.filter((r) => ["a-1", "a-2", "a-3", "manager-1"].includes(r.node) && r.t_s > 180 && r.t_s <= 540);
    expect(dead).toHaveLength(4 * 36);
    for (const r of dead) expect([r.node, r.t_s, r.net_tx_bytes, r.net_rx_bytes]).toEqual([r.node, r.t_s, 0, 0]);
    // Before the crash they did both.
    expect(out.nodes.find((r) => r.node === "a-1" && r.t_s === 180)!.net_rx_bytes).toBeGreaterThan(0);
  });

  it("tasks are restored at the first window after a short one in which every service runs all it wants", () => {
    const ends = [...new Set(after.map((r) => r.t_s))];
    const short = (t: number) => after.some((r) => r.t_s === t && r.tasks_running < r.tasks_desired);
    const first = ends.findIndex(short);
    const back = ends.findIndex((t, i) => i > first && !short(t));
    expect(first).toBeGreaterThanOrEqual(0);
    expect(fault.tasks_restored_s).toBe(ends[back]! - fault.t_s);
  });
});

describe("a fault at a window's end is the next window's", () => {
  // A spike at 20 s, then a node failure at exactly 40 s, the end of a 10 s window.
  const out = runYaml(`version: 1
name: boundary
seed: 4
duration: 2m
metrics: {interval: 10s}
cluster:
  managers: {count: 1, runTasks: false}
  nodeGroups: [{name: w, count: 3, cpu: 4, memory: 8GiB}]
services: [{name: web, replicas: 6, ports: [{published: 80, target: 80}], request: {cpu: 5ms}}]
workload: [{name: users, service: web, rate: 100/s, timeout: 5s}]
events:
  - {at: 20s, loadSpike: {workload: users, rate: 150/s, duration: 10s}}
  - {at: 40s, nodeFailure: {nodes: [w-1]}}
`);
  const [spike, failure] = out.summary.faults;
  const row = (t: number) => out.timeseries.find((r) => r.t_s === t && r.service === "web")!;

  it("the window ending at 40 s holds what happened up to the failure; the next one, what it did at once", () => {
    expect(row(40).tasks_running).toBe(6);
    expect(row(40).errors).toBe(0);
    expect(row(50).tasks_running).toBe(4);
  });

  it("the spike before it is judged on its own windows: absorbed, every task there", () => {
    expect(spike!.fault).toBe("loadSpike");
    expect(spike!.recovered_s).toBe(0);
    expect(spike!.tasks_restored_s).toBe(0);
    expect(spike!.requests_lost).toBe(0);
    expect(failure!.fault).toBe("nodeFailure");
    expect(failure!.tasks_restored_s).toBeGreaterThan(0);
  });
});

describe("per-service SLOs", () => {
  const yaml = (slo: string) => `version: 1
name: slos
seed: 3
duration: 1m
metrics: {slo: {latency: 250ms, percentile: 95}}
cluster:
  managers: {count: 1, runTasks: false}
  nodeGroups: [{name: w, count: 2, cpu: 4, memory: 8GiB}]
services:
  - {name: web, replicas: 2, ports: [{published: 80, target: 80}], request: {cpu: 20ms}${slo}}
  - {name: batch, replicas: 1, ports: [{published: 81, target: 80}], request: {cpu: 20ms}}
workload:
  - {name: u, service: web, rate: 20/s}
  - {name: b, service: batch, rate: 5/s}
`;

  it("a service's own latency is its SLO; its percentile and the other service's SLO are the scenario's", () => {
    const out = runYaml(yaml(", slo: {latency: 5ms}"));
    expect(out.summary.services["web"]!.slo).toMatchObject({ latency_ms: 5, percentile: 95, met: false });
    expect(out.summary.services["batch"]!.slo).toMatchObject({ latency_ms: 250, percentile: 95, met: true });
  });

  it("the same service under the scenario's SLO meets it: only the service's own setting changed", () => {
    const out = runYaml(yaml(""));
    expect(out.summary.services["web"]!.slo).toMatchObject({ latency_ms: 250, met: true });
    expect(out.summary.services["web"]!.slo.outside_faults).toBeUndefined(); // a run without faults has no such judgement
  });

  it("a bad percentile is refused with its line", () => {
    expect(() => runYaml(yaml(", slo: {percentile: 100}"))).toThrow(/test\.yaml:10:\d+ services\[web\]\.slo\.percentile/);
  });
});
