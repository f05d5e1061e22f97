// Memory through the whole model (DESIGN.md "Data plane"; issue 5 part 3): a container over its
// own limit is OOM-killed by its cgroup; a node over its capacity has its OOM killer kill the
// container using the most; reservations (placement) and use (simulation) are separate.
import { describe, expect, it } from "vitest";
import { eventsOf, nodeSeries, runModel, seriesOf } from "./model-run.js";
import { scenarioYaml } from "../helpers.js";

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;

function scenario(o: { memory: string; services: string; events?: string; duration?: string }): string {
  return scenarioYaml({ name: "memory", duration: o.duration ?? "1m", interval: "5s" }, `
cluster:
  managers: {count: 1, runTasks: false}
  nodeGroups: [{name: w, count: 1, cpu: 4, memory: ${o.memory}}]
services:
${o.services}
events:
${o.events ?? "  []"}
`);
}

// Services here start at 1 s (scaled from 0), so that their kills belong to the scenario: the
// deployment before t = 0 is not counted in the summary.
const START = "  - {at: 1s, scale: {service: s, replicas: REPLICAS}}";

describe("a container over its memory limit", () => {
  const out = runModel(
    scenario({
      memory: "8GiB",
      services: `  - name: s
    replicas: 0
    resources: {limits: {memory: 512MiB}}
    startup: {cpu: 1s}
    runtime: {memory: 600MiB}
    restartPolicy: {condition: on-failure, delay: 5s, maxAttempts: 2}`,
      events: START.replace("REPLICAS", "1"),
    }),
  );

  it("is OOM-killed as it starts: an oom event, then FAILED with an OOM reason", () => {
    const ooms = eventsOf(out.events, "oom");
    expect(ooms.map((e) => e["task"])).toEqual(["s.1.1", "s.1.2", "s.1.3"]);
    for (const o of ooms) {
      expect(o["node"]).toBe("w-1");
      const failed = eventsOf(out.events, "task", { task: o["task"], state: "failed" });
      expect(failed).toHaveLength(1);
      expect(failed[0]!["reason"]).toMatch(/OOM/);
      expect(failed[0]!["t_s"]).toBe(o["t_s"]);
      // Killed at once, while starting: it never ran.
      expect(eventsOf(out.events, "task", { task: o["task"], state: "running" })).toHaveLength(0);
    }
  });

  it("is restarted per its policy (on-failure, 2 attempts) and counted in the summary", () => {
    const s = out.summary.services["s"]!;
    expect(s.oom_kills).toBe(3);
    expect(s.restarts).toBe(2);
    // Each replacement waits the 5 s restart delay before it starts.
    const starts = ["s.1.1", "s.1.2", "s.1.3"].map((t) => eventsOf(out.events, "task", { task: t, state: "starting" })[0]!["t_s"] as number);
    expect(starts[1]! - starts[0]!).toBeGreaterThanOrEqual(5);
    expect(starts[2]! - starts[1]!).toBeGreaterThanOrEqual(5);
  });

  it("the same container under a 1GiB limit runs", () => {
    const ok = runModel(
      scenario({
        memory: "8GiB",
        services: `  - name: s
    resources: {limits: {memory: 1GiB}}
    runtime: {memory: 600MiB}`,
      }),
    );
    expect(eventsOf(ok.events, "oom")).toHaveLength(0);
    expect(ok.summary.services["s"]!.oom_kills).toBe(0);
    expect(seriesOf(ok, "s").at(-1)!.tasks_running).toBe(1);
  });

  it("a start-up peak over the limit kills it too, though its steady memory fits", () => {
    const peak = runModel(
      scenario({
        memory: "8GiB",
        services: `  - name: s
    replicas: 0
    resources: {limits: {memory: 1GiB}}
    startup: {cpu: 1s, memory: 1500MiB}
    runtime: {memory: 600MiB}
    restartPolicy: {condition: on-failure, maxAttempts: 1}`,
        events: START.replace("REPLICAS", "1"),
      }),
    );
    expect(eventsOf(peak.events, "oom").map((e) => e["task"])).toEqual(["s.1.1", "s.1.2"]);
    expect(peak.summary.services["s"]!.oom_kills).toBe(2);
  });
});

describe("a node over its memory", () => {
  // On a 4GiB node `fat` runs with 2.5GiB; at 10 s `starter` starts with a 2GiB peak (0.5GiB
  // steady) for 20 s of start-up: 4.5GiB > 4GiB. The killer takes the largest user, `fat`,
  // not the newcomer that tipped the node over; fat's replacements are killed in turn while
  // the starter's peak lasts, and fit once it is over.
  const out = runModel(
    scenario({
      memory: "4GiB",
      duration: "1m",
      services: `  - name: fat
    runtime: {memory: 2560MiB}
  - name: starter
    replicas: 0
    startup: {cpu: 20s, memory: 2GiB}
    runtime: {memory: 512MiB}`,
      events: "  - {at: 10s, scale: {service: starter, replicas: 1}}",
    }),
  );

  it("kills the container using the most memory, not the one that tipped it over", () => {
    const ooms = eventsOf(out.events, "oom");
    expect(ooms.length).toBeGreaterThan(0);
    expect(ooms[0]!["task"]).toBe("fat.1.1");
    expect(ooms[0]!["t_s"]).toBeGreaterThanOrEqual(10);
    expect(ooms[0]!["t_s"]).toBeLessThan(12);
    for (const o of ooms) expect(o["task"]).toMatch(/^fat\./);
    const failed = eventsOf(out.events, "task", { task: "fat.1.1", state: "failed" });
    expect(failed[0]!["reason"]).toMatch(/OOM/);
    expect(out.summary.services["fat"]!.oom_kills).toBe(ooms.length);
    expect(out.summary.services["starter"]!.oom_kills).toBe(0);
    expect(eventsOf(out.events, "task", { task: "starter.1.1", state: "running" })).toHaveLength(1);
  });

  it("fat is replaced per its restart policy and runs again once the peak is over", () => {
    const starterRunning = eventsOf(out.events, "task", { task: "starter.1.1", state: "running" })[0]!["t_s"] as number;
    // Every kill happened during the starter's peak.
    for (const o of eventsOf(out.events, "oom")) expect(o["t_s"]).toBeLessThan(starterRunning);
    expect(out.summary.services["fat"]!.restarts).toBe(eventsOf(out.events, "oom").length);
    const last = seriesOf(out, "fat").at(-1)!;
    expect(last.tasks_running).toBe(1);
    // 2.5GiB + 0.5GiB steady.
    expect(nodeSeries(out, "w-1").at(-1)!.mem_used_bytes).toBe(2560 * MiB + 512 * MiB);
  });
});

describe("reservations and use are separate: overcommit", () => {
  const services = (runtimeMemory: string) => `  - name: s
    replicas: 4
    resources: {reservations: {memory: 512MiB}}
    runtime: {memory: ${runtimeMemory}}
    restartPolicy: {condition: on-failure, maxAttempts: 1}`;

  it("reservations fit and so does use: nodes.csv shows the use, above what was reserved", () => {
    const out = runModel(scenario({ memory: "4GiB", services: services("900MiB") }));
    expect(eventsOf(out.events, "oom")).toHaveLength(0);
    expect(seriesOf(out, "s").at(-1)!.tasks_running).toBe(4);
    const reserved = 4 * 512 * MiB;
    for (const r of nodeSeries(out, "w-1")) {
      expect(r.mem_used_bytes).toBe(4 * 900 * MiB);
      expect(r.mem_used_bytes).toBeGreaterThan(reserved);
      expect(r.mem_capacity_bytes).toBe(4 * GiB);
    }
  });

  it("reservations fit but use does not: all four are placed, and the node's OOM killer takes the newest", () => {
    const out = runModel(scenario({ memory: "4GiB", services: services("1536MiB").replace("replicas: 4", "replicas: 0"), events: START.replace("REPLICAS", "4") }));
    // The scheduler placed all four on the one node (2GiB reserved of 4GiB)...
    const assigned = eventsOf(out.events, "task", { state: "assigned" }).filter((e) => /^s\.\d\.1$/.test(e["task"]));
    expect(assigned).toHaveLength(4);
    // ...but only two fit in 4GiB (3GiB); equal users, so the killer takes the newest ones.
    const ooms = eventsOf(out.events, "oom");
    expect(ooms.length).toBeGreaterThanOrEqual(2);
    expect(out.summary.services["s"]!.oom_kills).toBe(ooms.length);
    expect(seriesOf(out, "s").at(-1)!.tasks_running).toBe(2);
    for (const r of nodeSeries(out, "w-1")) {
      expect(r.mem_used_bytes).toBe(2 * 1536 * MiB);
      expect(r.mem_used_bytes).toBeLessThanOrEqual(r.mem_capacity_bytes);
    }
  });
});

describe("nodes.csv reports the memory the OOM killer counts", () => {
  // nodes.csv must report what the OOM killer counts (src/cluster/memory.ts): max(peak,
  // steady) during start-up work and the steady memory once the work is done (waiting for the
  // first health check).
  it("a starting container with a small peak and a large steady memory", () => {
    const out = runModel(
      scenario({
        memory: "8GiB",
        duration: "40s",
        services: `  - name: s
    replicas: 0
    startup: {cpu: 10s, memory: 100MiB}
    runtime: {memory: 1GiB}
    healthcheck: {interval: 20s, timeout: 1s}`,
        events: "  - {at: 1s, scale: {service: s, replicas: 1}}",
      }),
    );
    const running = eventsOf(out.events, "task", { task: "s.1.1", state: "running" })[0]!["t_s"] as number;
    expect(running).toBeGreaterThan(15); // STARTING until the first check, 20 s after the container started
    for (const r of nodeSeries(out, "w-1").filter((r) => r.t_s >= 5)) expect(r.mem_used_bytes).toBe(GiB);
  });
});
