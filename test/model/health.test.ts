// Health checks through the whole model (DESIGN.md "Data plane"; issue 5 part 4): a probe is a
// small request that queues behind the container's waiting requests and shares its CPU;
// `timeout` and `retries` decide unhealthy; an unhealthy task FAILS and is replaced; a task
// with a health check joins the load balancer only once healthy; failures within `startPeriod`
// do not count.
import { describe, expect, it } from "vitest";
import { eventsOf, runModel, seriesOf, taskStateAt } from "./model-run.js";
import { scenarioYaml } from "../helpers.js";

function scenario(o: { seed?: number; duration: string; service: string; rate: string; events?: string; interval?: string }): string {
  return scenarioYaml({ name: "health", seed: o.seed ?? 1, duration: o.duration, interval: o.interval ?? "10s" }, `
cluster:
  managers: {count: 1, runTasks: false}
  nodeGroups: [{name: w, count: 2, cpu: 2, memory: 8GiB}]
services:
  - name: web
    ports: [{published: 80, target: 80}]
${o.service}
workload:
  - {name: users, service: web, rate: ${o.rate}, timeout: 0s}
events:
${o.events ?? "  []"}
`);
}

describe("a healthy service at low load", () => {
  for (const seed of [1, 2, 3]) {
    it(`seed ${seed}: never fails a check (30% busy, checks every 2 s with a 200 ms timeout)`, () => {
      const out = runModel(
        scenario({
          seed,
          duration: "5m",
          rate: "60/s",
          service: `    replicas: 2
    runtime: {concurrency: 1, queue: 100}
    request: {cpu: 10ms}
    healthcheck: {interval: 2s, timeout: 200ms, retries: 3}`,
        }),
      );
      const s = out.summary.services["web"]!;
      expect(s.unhealthy).toBe(0);
      expect(s.restarts).toBe(0);
      expect(s.errors).toBe(0);
      expect(s.completed).toBeGreaterThan(17_000);
      expect(eventsOf(out.events, "task", { state: "failed" })).toHaveLength(0);
      for (const r of seriesOf(out, "web")) expect(r.tasks_running).toBe(2);
    });
  }
});

describe("at saturation", () => {
  // Two containers that serve 100/s each get 300/s: their queues grow by 50 requests (0.5 s of
  // work) a second, a probe soon waits behind them longer than its timeout, and after 3 failed
  // checks the container is unhealthy, FAILED and replaced.
  const overload = (o: { seed: number; timeout: string; queue: number }) =>
    runModel(
      scenario({
        seed: o.seed,
        duration: "90s",
        rate: "300/s",
        service: `    replicas: 2
    runtime: {concurrency: 1, queue: ${o.queue}}
    request: {cpu: 10ms, distribution: constant}
    healthcheck: {interval: 2s, timeout: ${o.timeout}, retries: 3}
    restartPolicy: {condition: any, delay: 5s}`,
      }),
    );

  for (const seed of [1, 2]) {
    it(`seed ${seed}: checks time out, tasks go unhealthy and are restarted`, () => {
      const out = overload({ seed, timeout: "1s", queue: 100_000 });
      const s = out.summary.services["web"]!;
      expect(s.unhealthy).toBeGreaterThan(0);
      expect(s.restarts).toBeGreaterThan(0);
      expect(s.restarts).toBeGreaterThanOrEqual(s.unhealthy);
      expect(s.rejected).toBe(0);
      const failed = eventsOf(out.events, "task", { state: "failed" });
      expect(failed.length).toBe(s.unhealthy);
      for (const f of failed) expect(f["reason"]).toBe("unhealthy container");
      // The queue needs ~2 s to outgrow the timeout, then three checks (interval + timeout
      // each) must fail: not before ~8 s of overload.
      expect(failed[0]!["t_s"]).toBeGreaterThan(8);
      // Unhealthy counts also show per window.
      expect(seriesOf(out, "web").reduce((n, r) => n + r.unhealthy, 0)).toBe(s.unhealthy);
      // Killing an unhealthy container loses its queue.
      expect(s.errors).toBeGreaterThan(0);
    });
  }

  it("the same overload with a 60 s check timeout makes no task unhealthy within 90 s", () => {
    const s = overload({ seed: 1, timeout: "60s", queue: 100_000 }).summary.services["web"]!;
    expect(s.unhealthy).toBe(0);
    expect(s.restarts).toBe(0);
    // The overload still shows in the latency: the queues hold tens of seconds of work.
    expect(s.latency_ms!.p99).toBeGreaterThan(20_000);
  });

  it("a check that finds the queue full fails at once, whatever its timeout", () => {
    const out = overload({ seed: 1, timeout: "60s", queue: 200 });
    const s = out.summary.services["web"]!;
    expect(s.rejected).toBeGreaterThan(10_000);
    expect(s.unhealthy).toBeGreaterThan(0);
    // A queue of 200 is 2 s of work, far below the timeout: only refusals can fail the checks.
    expect(s.latency_ms!.max).toBeLessThan(3_000);
  });
});

describe("a task with a health check joins the load balancer only once healthy", () => {
  // The service is scaled from 0 to 1 at 5 s; its container is up at once, but the first check
  // comes 30 s later (no start period). Until then there is no backend: every request fails.
  const run = (startPeriod: string) =>
    runModel(
      scenario({
        duration: "1m",
        interval: "5s",
        rate: "20/s",
        service: `    replicas: 0
    request: {cpu: 5ms}
    healthcheck: {interval: 30s, timeout: 1s, retries: 3, startPeriod: ${startPeriod}}`,
        events: "  - {at: 5s, scale: {service: web, replicas: 1}}",
      }),
    );
  const out = run("0s");
  const starting = taskStateAt(out.events, "web.1.1", "starting")!;
  const running = taskStateAt(out.events, "web.1.1", "running")!;

  it("stays STARTING until its first check passes, one interval after it started", () => {
    expect(starting).toBeGreaterThan(5);
    expect(starting).toBeLessThan(7);
    expect(running - starting).toBeCloseTo(30, 2);
  });

  it("inside a start period the checks come every startInterval (5 s, Docker Engine 25+): RUNNING 5 s after it started", () => {
    const early = run("60s");
    expect(taskStateAt(early.events, "web.1.1", "running")! - taskStateAt(early.events, "web.1.1", "starting")!).toBeCloseTo(5, 2);
  });

  it("no request completes before that; after it every request does", () => {
    for (const r of seriesOf(out, "web")) {
      if (r.t_s <= running) {
        expect(r.completed).toBe(0);
        expect(r.errors).toBe(r.arrivals);
      } else if (r.t_s - 5 >= running + 1) {
        expect(r.errors).toBe(0);
        expect(r.completed).toBeGreaterThan(0);
      }
    }
    const s = out.summary.services["web"]!;
    expect(s.errors).toBeGreaterThan(20 * 30 * 0.8);
    expect(s.completed).toBeGreaterThan(0);
  });
});

describe("startPeriod: failures of checks begun inside it do not count", () => {
  // Every check fails (it needs 2 s of CPU and times out after 1 s). Without a start period,
  // checks end 3, 6, 9, ... s after the container is up; inside one they begin every
  // startInterval (5 s by default) instead. 2 counted failures make it unhealthy.
  function unhealthyAfter(startPeriod: string, startInterval = ""): number {
    const out = runModel(
      scenario({
        duration: "1m",
        rate: "1/s",
        service: `    replicas: 0
    healthcheck: {interval: 2s, timeout: 1s, retries: 2, startPeriod: ${startPeriod}, cpu: 2s${startInterval}}
    restartPolicy: {condition: none}`,
        events: "  - {at: 1s, scale: {service: web, replicas: 1}}",
      }),
    );
    const failed = eventsOf(out.events, "task", { task: "web.1.1", state: "failed" });
    expect(failed).toHaveLength(1);
    expect(failed[0]!["reason"]).toBe("unhealthy container");
    expect(eventsOf(out.events, "task", { task: "web.1.1", state: "running" })).toHaveLength(0);
    expect(out.summary.services["web"]!.unhealthy).toBe(1);
    return failed[0]!["t_s"] - taskStateAt(out.events, "web.1.1", "starting")!;
  }

  it("without a start period the second failed check (6 s) makes it unhealthy", () => {
    expect(unhealthyAfter("0s")).toBeCloseTo(6, 3);
  });

  it("with a 10 s start period the checks begun at 5 s is ignored, those begun at 11 and 14 s count: unhealthy at 15 s", () => {
    expect(unhealthyAfter("10s")).toBeCloseTo(15, 3);
  });

  it("with a 30 s start period: checks begin at 5, 11, ... 29 s (ignored), then 32 and 35 s: unhealthy at 36 s", () => {
    expect(unhealthyAfter("30s")).toBeCloseTo(36, 3);
  });

  it("a check begun inside the start period does not count though it ends after it (startInterval 4 s: begun at 9 s, ends at 10 s)", () => {
    // Begun at 4 and 9 s (ignored), then every 2 s from 10 s: 12 and 15 s count, unhealthy at 16 s.
    expect(unhealthyAfter("10s", ", startInterval: 4s")).toBeCloseTo(16, 3);
  });
});
