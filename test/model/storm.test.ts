// Start-up storms (issue 5 parts 7 and 8): restartAll of a heavy service under load, and the
// shipped startup-storm scenario, which must collapse with a heavy start-up and absorb the same
// spike with a light one. Nothing in the model knows the story: it has to emerge.
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { eventsOf, runModel, runScenarioFile, seriesOf, startupSeconds } from "./model-run.js";
import { scenarioYaml } from "../helpers.js";
import { NodeCpuWatch, warnings } from "../../src/metrics/warnings.js";

const STORM = fileURLToPath(new URL("../../scenarios/startup-storm.yaml", import.meta.url));

describe("restartAll of a heavy service under load", () => {
  // 4 containers of `web` on two 4-core workers (2 each), each needing 10 CPU-seconds to start,
  // serving 200/s of 5 ms requests (a quarter of what they can). At 30 s every container exits.
  const restartAll = (seed: number) =>
    runModel(scenarioYaml({ name: "restart-all", seed, duration: "2m", interval: "5s" }, `
cluster:
  managers: {count: 1, runTasks: false}
  nodeGroups: [{name: w, count: 2, cpu: 4, memory: 8GiB}]
services:
  - name: web
    replicas: 4
    ports: [{published: 80, target: 80}]
    startup: {cpu: 10s}
    runtime: {concurrency: 4, queue: 100}
    request: {cpu: 5ms}
workload:
  - {name: users, service: web, rate: 200/s, timeout: 5s}
events:
  - {at: 30s, restartAll: {service: web}}
`));

  for (const seed of [1, 2, 3]) {
    it(`seed ${seed}: every task restarts once, requests fail while none runs, and the service recovers`, () => {
      const out = restartAll(seed);
      const s = out.summary.services["web"]!;
      expect(s.restarts).toBe(4);
      const killed = eventsOf(out.events, "task", { state: "failed" });
      expect(killed.map((e) => e["task"]).sort()).toEqual(["web.1.1", "web.2.1", "web.3.1", "web.4.1"]);
      for (const k of killed) expect(k["t_s"]).toBe(30);
      // The replacements start after the 5 s delay, two per node at once, each a job on its own core.
      const took = startupSeconds(out.events);
      const replacements = [...took.entries()].filter(([t]) => t.endsWith(".2"));
      expect(replacements).toHaveLength(4);
      for (const [, sec] of replacements) expect(sec).toBeCloseTo(10, 1);
      // No backend from 30 s to ~45 s: the requests of those windows fail, and in the first, the
      // requests in service when the containers died (the fault at 30 s is that window's).
      const rows = seriesOf(out, "web").filter((r) => r.t_s > 30 && r.t_s <= 45);
      for (const r of rows) expect(r.completed).toBe(0);
      expect(rows[0]!.errors).toBeGreaterThanOrEqual(rows[0]!.arrivals);
      for (const r of rows.slice(1)) expect(r.errors).toBe(r.arrivals);
      expect(s.errors).toBeGreaterThan(200 * 14);
      for (const r of rows.filter((r) => r.t_s > 50)) {
        expect(r.errors).toBe(0);
        expect(r.tasks_running).toBe(4);
      }
      const fault = out.summary.faults.find((f) => f.fault === "restartAll")!;
      expect(fault.target).toBe("web");
      expect(fault.recovered_s).not.toBeNull();
      expect(fault.recovered_s!).toBeGreaterThan(15);
      expect(fault.recovered_s!).toBeLessThan(25);
    });
  }
});

describe("scenarios/startup-storm.yaml: the spike collapses a heavy start-up, not a light one", () => {
  const run = (seed: number, light: boolean) => {
    const out = runScenarioFile(STORM, ["duration=16m", `seed=${seed}`, ...(light ? ["services.web.startup.cpu=1s"] : [])]);
    // In both, the spike (from 300 s) makes the autoscaler add containers.
    const ups = eventsOf(out.events, "autoscale", { service: "web", ok: true }).filter((e) => e["t_s"] > 300 && e["to"] > e["from"]);
    expect(ups.length).toBeGreaterThan(0);
    return out.summary.services["web"]!;
  };

  it("ends, heavy, with tasks still starting: the summary counts them, as the last window does, and the warning says so", () => {
    const out = runScenarioFile(STORM, ["duration=16m", "seed=1"]);
    const s = out.summary.services["web"]!;
    const last = out.timeseries.filter((r) => r.service === "web").at(-1)!;
    expect([s.tasks_running, s.tasks_starting, s.tasks_pending]).toEqual([last.tasks_running, last.tasks_starting, last.tasks_pending]);
    expect(s.tasks_starting).toBeGreaterThan(0);
    expect(s.tasks_running + s.tasks_starting).toBeGreaterThanOrEqual(s.tasks_desired - s.tasks_pending);
    const said = warnings(out.summary, new NodeCpuWatch()).find((w) => w.startsWith("web "))!;
    expect(said).toBe(`web ends with ${s.tasks_running} of its ${s.tasks_desired} desired tasks running (${s.tasks_starting} starting, ${s.tasks_pending} pending)`);
  });

  for (const seed of [1, 2, 3]) {
    it(`seed ${seed}: the heavy start-up collapses (errors > 30%, unhealthy > 20), the light one does not (errors < 5%)`, () => {
      const h = run(seed, false);
      const l = run(seed, true);
      // The same users arrive in both runs.
      expect(h.arrivals).toBe(l.arrivals);
      expect(h.errors / h.arrivals).toBeGreaterThan(0.3);
      expect(h.unhealthy).toBeGreaterThan(20);
      // Each container found unhealthy is restarted after the 5 s restart delay: those found in
      // the last 5 s of the run are not yet.
      expect(h.restarts).toBeGreaterThanOrEqual(h.unhealthy - 5);
      expect(h.restarts).toBeGreaterThan(20);
      expect(l.errors / l.arrivals).toBeLessThan(0.05);
      expect(l.unhealthy).toBeLessThan(h.unhealthy / 3);
      expect(h.latency_ms!.p99).toBeGreaterThan(l.latency_ms!.p99);
    });
  }
});
