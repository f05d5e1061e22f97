// Fields of a stack file, checked in the placement and behaviour they produce (the loader's own
// mapping is tested in test/scenario/stack/): a node.role constraint, max_replicas_per_node with
// Swarm's pending reason, and stop_grace_period against the requests a stopping task holds.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadScenarioFile } from "../../src/scenario/index.js";
import { eventsOf, runScenario, type RunOutputs } from "../helpers.js";

/** Writes the stack and a scenario around it, runs it, and returns the outputs. */
function runStack(stack: string, scenario: string, overrides: string[] = []): RunOutputs {
  const dir = mkdtempSync(join(tmpdir(), "orchsim-stack-"));
  writeFileSync(join(dir, "docker-stack.yml"), stack);
  writeFileSync(join(dir, "s.yaml"), `version: 1\nname: stack-test\nseed: 1\nstack: ./docker-stack.yml\n${scenario}`);
  return runScenario(loadScenarioFile(join(dir, "s.yaml"), overrides, { env: {} }));
}

/** The node each task of `service` last ran on, for the tasks still running at the end. */
function runningNodes(out: RunOutputs, service: string): string[] {
  const last = new Map<string, { state: string; node: string }>();
  for (const e of eventsOf(out.events, "task", { service })) last.set(e["task"] as string, { state: e["state"] as string, node: e["node"] as string });
  return [...last.values()].filter((t) => t.state === "running").map((t) => t.node).sort();
}

const CLUSTER = "cluster: {managers: {count: 3}, nodeGroups: [{name: w, count: 3, cpu: 4, memory: 8GiB}]}\n";

describe("deploy.placement in a stack", () => {
  const stack = `version: "3.8"
services:
  monitor:
    image: prom/prometheus
    deploy:
      replicas: 3
      placement: {constraints: ["node.role == manager"]}
  agent:
    image: node-exporter
    deploy:
      mode: global
      placement: {constraints: [node.role == worker]}
  api:
    image: api
    deploy:
      replicas: 5
      placement: {max_replicas_per_node: 1, constraints: [node.role==worker]}
`;
  const out = runStack(stack, `duration: 1m\n${CLUSTER}`);

  it("node.role == manager keeps the service's tasks on the managers", () => {
    expect(runningNodes(out, "monitor")).toEqual(["manager-1", "manager-2", "manager-3"]);
  });

  it("a global service constrained to workers runs once on each worker and nowhere else", () => {
    expect(runningNodes(out, "agent")).toEqual(["w-1", "w-2", "w-3"]);
  });

  it("max_replicas_per_node: 1 on three workers runs three of five replicas; two stay pending with Swarm's reason", () => {
    expect(runningNodes(out, "api")).toEqual(["w-1", "w-2", "w-3"]);
    expect(out.summary.services["api"]!.tasks_pending).toBe(2);
    const reasons = eventsOf(out.events, "task", { service: "api", state: "pending" }).map((e) => e["reason"] as string | null);
    expect(reasons.some((r) => r !== null && r.includes("max replicas per node limit exceed"))).toBe(true);
  });
});

describe("stop_grace_period", () => {
  // Two slow single-worker containers with a queue; a burst at 55 s fills their queues, and at
  // 60 s one of them is scaled away while it holds a request in service and others queued.
  const stack = (grace: string) => `version: "3.8"
services:
  slow:
    image: slow
    ports: ["80:8080"]
    stop_grace_period: ${grace}
    deploy: {replicas: 2}
    x-orchsim:
      request: {cpu: 5s, distribution: constant}
      runtime: {concurrency: 1, queue: 20}
`;
  const scenario = `duration: 3m
${CLUSTER}workload: [{name: users, service: slow, rate: 0.05/s, timeout: 2m}]
events:
  - {at: 55s, loadSpike: {workload: users, rate: 2/s, duration: 5s}}
  - {at: 60s, scale: {service: slow, replicas: 1}}
`;
  const lost = (out: RunOutputs) => out.summary.services["slow"]!.errors;
  const shutdownAfter = (out: RunOutputs) => {
    const t = eventsOf(out.events, "task", { service: "slow", state: "shutdown" })[0]!["t_s"] as number;
    return t - 60;
  };

  it("with 0s the stopping container is killed after the load-balancer drain and loses what it held", () => {
    const out = runStack(stack("0s"), scenario);
    expect(lost(out)).toBeGreaterThan(0);
    expect(shutdownAfter(out)).toBeLessThan(2.1);
  });

  it("with 1m it finishes every request it held, then stops: nothing is lost", () => {
    const out = runStack(stack("1m"), scenario);
    expect(lost(out)).toBe(0);
    expect(shutdownAfter(out)).toBeGreaterThan(2.1);
    expect(shutdownAfter(out)).toBeLessThan(62);
  });
});
