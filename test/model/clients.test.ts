// Client timeouts and retries through the whole model (DESIGN.md "Data plane"; issue 5 part 6):
// a user's request is counted once however many attempts it takes; a retry waits a backoff
// that doubles; an abandoned attempt still occupies the server, so retries can build a storm.
import { describe, expect, it } from "vitest";
import { eventsOf, mean, nodeSeries, runModel } from "./model-run.js";
import { scenarioYaml } from "../helpers.js";

function scenario(o: { seed: number; duration?: string; service: string; rate: string; timeout: string; retries: number; backoff?: string; events?: string }): string {
  return scenarioYaml({ name: "clients", seed: o.seed, duration: o.duration ?? "2m", interval: "10s" }, `
cluster:
  managers: {count: 1, runTasks: false}
  nodeGroups: [{name: w, count: 2, cpu: 1, memory: 8GiB}]
  network: {latency: {sameNode: 0us, sameZone: 0us, crossZone: 0us}}
services:
  - name: s
    ports: [{published: 80, target: 80}]
    placement: {constraints: ["node.hostname == w-1"]}
${o.service}
workload:
  - {name: users, service: s, rate: ${o.rate}, entry: "node:w-1", timeout: ${o.timeout}, retries: {max: ${o.retries}, backoff: ${o.backoff ?? "100ms"}}}
events:
${o.events ?? "  []"}
`);
}

describe("retries against a backend that refuses requests", () => {
  // One worker and no queue: a request arriving while it is busy is refused (Erlang B with
  // a = 0.5: a third of them). A retry 100 ms later usually finds it free.
  const refusing = `    runtime: {concurrency: 1, queue: 0}
    request: {cpu: 10ms, distribution: constant}`;
  for (const seed of [1, 2, 3]) {
    it(`seed ${seed}: arrivals are counted once, and retries turn most refusals into successes`, () => {
      const once = runModel(scenario({ seed, service: refusing, rate: "50/s", timeout: "5s", retries: 0 })).summary.services["s"]!;
      const retried = runModel(scenario({ seed, service: refusing, rate: "50/s", timeout: "5s", retries: 2 })).summary.services["s"]!;
      // Same users (common random numbers): the retries add attempts, not arrivals.
      expect(retried.arrivals).toBe(once.arrivals);
      expect(once.arrivals).toBeGreaterThan(50 * 120 * 0.9);
      // Every user's request ends once, as a success or an error (a few may be in flight at the end).
      for (const s of [once, retried]) {
        expect(s.completed + s.errors).toBeLessThanOrEqual(s.arrivals);
        expect(s.completed + s.errors).toBeGreaterThanOrEqual(s.arrivals - 20);
        expect(s.rejected).toBe(s.errors);
      }
      // Without retries, about a third are refused (a / (1 + a) = 1/3 for constant service too).
      expect(once.errors / once.arrivals).toBeGreaterThan(0.25);
      expect(once.errors / once.arrivals).toBeLessThan(0.4);
      // With two retries, a request fails only if all three attempts are refused (the retries
      // add load, so each is refused more often than a third: about 0.48^3 = 11%).
      expect(retried.errors / retried.arrivals).toBeLessThan(0.15);
      expect(retried.errors).toBeLessThan(once.errors / 2);
      // A retried request's latency includes its backoff: p99 reaches past 100 ms.
      expect(retried.latency_ms!.p99).toBeGreaterThan(100);
      expect(once.latency_ms!.max).toBeLessThan(10.5);
    });
  }
});

describe("retries against a node that is cut off", () => {
  // w-1 (entry) and w-2 (the only task, placed there) are partitioned from 20 s to 50 s: the
  // request gets no answer, and the client notices at its 1 s timeout, until memberlist on w-1
  // declares w-2 dead (5.5 s with 3 hosts) and its IPVS table drops the backend: from then on
  // the connection is refused at once.
  const cutOff = (retries: number) =>
    runModel(
      scenarioYaml({ name: "cut-off", duration: "1m", interval: "10s" }, `
cluster:
  managers: {count: 1, runTasks: false}
  nodeGroups: [{name: w, count: 2, cpu: 1, memory: 8GiB}]
services:
  - name: s
    ports: [{published: 80, target: 80}]
    placement: {constraints: ["node.hostname == w-2"]}
    request: {cpu: 1ms}
workload:
  - {name: users, service: s, rate: 20/s, entry: "node:w-1", timeout: 1s, retries: {max: ${retries}, backoff: 100ms}}
events:
  - {at: 20s, partition: {groups: [[w-1], [w-2, manager-1]], duration: 30s}}
`),
    );

  it("attempts time out until failure detection, then are refused; failures are counted once per user request", () => {
    const once = cutOff(0);
    const retried = cutOff(2);
    const a = once.summary.services["s"]!;
    const b = retried.summary.services["s"]!;
    expect(b.arrivals).toBe(a.arrivals);
    // ~30 s x 20/s users fail, each once.
    expect(a.errors).toBeGreaterThan(550);
    expect(a.errors).toBeLessThan(650);
    // Timeouts for the 5.5 s of failure detection plus up to a gossip round (and the last 1 s
    // timeout), refusals after.
    expect(a.timeouts).toBeGreaterThan(20 * 5.5 * 0.9);
    expect(a.timeouts).toBeLessThan(20 * 6.7 * 1.1);
    // With retries, requests sent in the last moments before the heal succeed on a later
    // attempt; the rest still fail once each.
    expect(b.errors).toBeLessThan(a.errors);
    expect(b.completed + b.errors).toBe(b.arrivals);
    // A retried success waited for its backoffs (100 ms + 200 ms) after two refusals.
    expect(b.latency_ms!.max).toBeGreaterThan(300);
    expect(eventsOf(retried.events, "fault", { fault: "partition" })).toHaveLength(1);
  });
});

describe("timeouts", () => {
  it("a server slower than the timeout: every request is a timeout, none a success", () => {
    const out = runModel(
      scenario({
        seed: 1,
        service: `    runtime: {concurrency: 100, queue: 1000}
    request: {cpu: 100ms, distribution: constant}`,
        rate: "5/s",
        timeout: "50ms",
        retries: 0,
      }),
    );
    const s = out.summary.services["s"]!;
    expect(s.completed).toBe(0);
    expect(s.timeouts).toBe(s.errors);
    expect(s.timeouts).toBeGreaterThanOrEqual(s.arrivals - 2);
  });
});

describe("a retry storm: abandoned attempts still load the server", () => {
  // One worker serving 80/s of 10 ms requests (rho = 0.8); the client gives up after 50 ms.
  // Without retries ~63% come back in time and the server is 80% busy. With two retries the
  // timed-out attempts are sent again while the server still works on them: its load passes
  // 100%, the queue grows, and almost nothing comes back in time.
  const storm = (seed: number, retries: number) =>
    runModel(
      scenario({
        seed,
        service: `    runtime: {concurrency: 1, queue: 100000}
    request: {cpu: 10ms}`,
        rate: "80/s",
        timeout: "50ms",
        retries,
        backoff: "10ms",
      }),
    );
  for (const seed of [1, 2]) {
    it(`seed ${seed}: with retries the server is busier and serves fewer users in time`, () => {
      const calm = storm(seed, 0);
      const stormy = storm(seed, 2);
      const cpu = (out: ReturnType<typeof storm>) => mean(nodeSeries(out, "w-1").filter((r) => r.t_s > 30).map((r) => r.cpu_util));
      expect(cpu(calm)).toBeGreaterThan(0.7);
      expect(cpu(calm)).toBeLessThan(0.9);
      expect(cpu(stormy)).toBeGreaterThan(0.99);
      const a = calm.summary.services["s"]!;
      const b = stormy.summary.services["s"]!;
      expect(b.arrivals).toBe(a.arrivals);
      // M/M/1: P(T <= 50 ms) = 1 - exp(-(mu - lambda) 0.05) = 63%.
      expect(a.completed / a.arrivals).toBeGreaterThan(0.55);
      expect(a.completed / a.arrivals).toBeLessThan(0.7);
      expect(b.completed).toBeLessThan(a.completed / 2);
      expect(b.timeouts).toBeGreaterThan(a.timeouts);
    });
  }
});

describe("a user's request ends by its timeout", () => {
  // Under overload with a long queue, every attempt must end by its timeout: users whose
  // requests are still queued are counted as timeouts when the client gives up, not when (or if)
  // the server answers.
  for (const retries of [0, 1]) {
    it(`retries ${retries}: at twice the capacity, almost every user is counted, as a timeout`, () => {
      const out = runModel(scenarioYaml({ name: "overload", duration: "1m", interval: "10s" }, `
cluster:
  managers: {count: 1, runTasks: false}
  nodeGroups: [{name: w, count: 1, cpu: 1, memory: 8GiB}]
services:
  - name: s
    ports: [{published: 80, target: 80}]
    runtime: {concurrency: 1, queue: 100000}
    request: {cpu: 10ms, distribution: constant}
workload:
  - {name: users, service: s, rate: 200/s, timeout: 1s, retries: {max: ${retries}, backoff: 100ms}}
`));
      const s = out.summary.services["s"]!;
      expect(s.arrivals).toBeGreaterThan(11_000);
      // Only users who arrived within the last timeout (+ backoff) of the run may be undecided.
      expect(s.completed + s.errors).toBeGreaterThan(s.arrivals - 200 * 2.5);
      expect(s.timeouts).toBeGreaterThan(0.9 * s.arrivals);
    });
  }
});
