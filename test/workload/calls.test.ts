// Service-to-service calls (request.calls): through the callee's VIP, served like its own
// requests, holding the caller's worker while they run.
import { describe, expect, it } from "vitest";
import { runYaml, scenarioYaml } from "../helpers.js";

function chain(o: { backReplicas: number; endpointMode?: string; rate?: string; frontConcurrency?: number }): string {
  return scenarioYaml({ name: "calls", seed: 3, duration: "2m", interval: "10s" }, `
cluster:
  managers: {count: 1, runTasks: false}
  nodeGroups: [{name: w, count: 2, cpu: 8, memory: 8GiB}]
  network: {latency: {sameNode: 0us, sameZone: 0us, crossZone: 0us}}
services:
  - name: front
    replicas: 2
    ports: [{published: 80, target: 80}]
    runtime: {concurrency: ${o.frontConcurrency ?? 4}, queue: 1000}
    request: {cpu: 10ms, distribution: constant, size: {request: 0B, response: 0B}, calls: [{service: back, count: 2}]}
  - name: back
    replicas: ${o.backReplicas}
    endpointMode: ${o.endpointMode ?? "vip"}
    runtime: {concurrency: 4, queue: 1000}
    request: {cpu: 5ms, distribution: constant, size: {request: 0B, response: 0B}}
workload:
  - {name: users, service: front, rate: ${o.rate ?? "20/s"}, timeout: 0s}
`);
}

describe("service-to-service calls", () => {
  it("a request's latency is its own work plus its calls, and the callee serves each call", () => {
    const out = runYaml(chain({ backReplicas: 2 }));
    const front = out.summary.services["front"]!;
    const back = out.summary.services["back"]!;
    expect(front.errors).toBe(0);
    // 10 ms of its own, then two sequential 5 ms calls, at low load: 20 ms.
    expect(front.latency_ms!.p50).toBeCloseTo(20, 1);
    expect(front.latency_ms!.max).toBeLessThan(40);
    expect(back.latency_ms!.p50).toBeCloseTo(5, 1);
    // Every served request made two calls (within the one in flight at the end).
    expect(Math.abs(back.arrivals - 2 * front.completed)).toBeLessThanOrEqual(2 * 4);
    expect(back.errors).toBe(0);
  });

  it("dnsrr reaches the callee too", () => {
    const out = runYaml(chain({ backReplicas: 2, endpointMode: "dnsrr" }));
    expect(out.summary.services["front"]!.errors).toBe(0);
    expect(out.summary.services["back"]!.arrivals).toBeGreaterThan(2 * 2000);
  });

  it("a callee with no task fails every call, and so every request that makes one", () => {
    const out = runYaml(chain({ backReplicas: 0 }));
    const front = out.summary.services["front"]!;
    expect(front.completed).toBe(0);
    expect(front.errors).toBe(front.arrivals);
    expect(out.summary.services["back"]!.errors).toBe(front.arrivals);
  });

  it("a worker is held while its calls run: with one worker per front task, calls bound its throughput", () => {
    // 2 front tasks x 1 worker, 20 ms per request (10 ms work + 2 x 5 ms calls): at most 100/s.
    const out = runYaml(chain({ backReplicas: 2, frontConcurrency: 1, rate: "90/s" }));
    const front = out.summary.services["front"]!;
    expect(front.latency_ms!.mean).toBeGreaterThan(40);
    expect(out.summary.notes.some((n) => n.includes("request.calls"))).toBe(false);
  });
});

describe("when the callee is in trouble", () => {
  const scenario = (events: string, back = "runtime: {concurrency: 4, queue: 1000}") => scenarioYaml({ name: "calls-trouble", seed: 4, duration: "1m" }, `
cluster:
  managers: {count: 1, runTasks: false}
  nodeGroups: [{name: w, count: 2, cpu: 8, memory: 8GiB}]
services:
  - name: front
    replicas: 1
    placement: {constraints: ["node.hostname == w-1"]}
    ports: [{published: 80, target: 80}]
    runtime: {concurrency: 8, queue: 1000}
    request: {cpu: 2ms, distribution: constant, calls: [{service: back, timeout: 2s}]}
  - name: back
    replicas: 1
    placement: {constraints: ["node.hostname == w-2"]}
    ${back}
    request: {cpu: 5ms, distribution: constant}
workload:
  - {name: users, service: front, rate: 50/s, entry: "node:w-1", timeout: 0s}
events:
${events}
`);

  it("calls to a crashed node get no answer: the caller waits for the call's timeout, holding its worker", () => {
    const out = runYaml(scenario("  - {at: 20s, nodeFailure: {nodes: [w-2]}}"));
    const back = out.summary.services["back"]!;
    const front = out.summary.services["front"]!;
    // Until the load balancers drop the dead backend (failure detection, then gossip), every
    // call waits its 2 s out; front's 8 workers are held meanwhile, so at most 4 calls/s even
    // reach the point of timing out. After that, calls find no backend and fail at once.
    expect(back.timeouts).toBeGreaterThanOrEqual(8);
    expect(back.timeouts).toBeLessThanOrEqual(4 * 8);
    expect(back.errors - back.timeouts).toBeGreaterThan(0);
    expect(front.errors).toBe(back.errors);
  });

  it("a callee that refuses calls (queue full) counts them as rejected", () => {
    const out = runYaml(scenario("  []", "runtime: {concurrency: 1, queue: 0}"));
    const back = out.summary.services["back"]!;
    expect(back.rejected).toBeGreaterThan(0);
    expect(back.errors).toBe(back.rejected);
  });
});
