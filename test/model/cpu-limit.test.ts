// A CPU limit above a node's cores (moby/moby#40303): Docker refuses to create the container, the
// task is REJECTED on that node (swarmkit: a failure before STARTING), its restart policy replaces
// it, and the scheduler, counting rejections as failures, comes to prefer the nodes that can run it.
import { describe, expect, it } from "vitest";
import { eventsOf, runYaml, scenarioYaml } from "../helpers.js";

const yaml = (limit: number) => scenarioYaml({ name: "limit", duration: "10m" }, `
cluster:
  managers: {count: 1, runTasks: false}
  nodeGroups:
    - {name: big, count: 2, cpu: 16, memory: 32GiB}
    - {name: small, count: 2, cpu: 4, memory: 32GiB}
services:
  - {name: db, replicas: 4, resources: {limits: {cpu: ${limit}}}, startup: {cpu: 1s}}
`);

describe("a CPU limit above a node's cores", () => {
  const out = runYaml(yaml(8));
  const rejected = eventsOf(out.events, "task", { state: "rejected" });

  it("is refused on the small nodes only, with Docker's words, and each refusal is replaced", () => {
    expect(rejected.length).toBeGreaterThan(0);
    expect(new Set(rejected.map((e) => e["node"]))).toEqual(new Set(["small-1", "small-2"]));
    for (const e of rejected) expect(e["reason"]).toBe("Range of CPUs is from 0.01 to 4.00, as there are only 4 CPUs available");
    expect(eventsOf(out.events, "task", { state: "running" }).every((e) => String(e["node"]).startsWith("big-"))).toBe(true);
  });

  it("replaces a task rejected during its own restart delay when that delay ends (swarmkit: no tight restart loop)", () => {
    const created = new Map<number, number[]>();
    for (const e of eventsOf(out.events, "task", { state: "new" })) created.set(e["slot"] as number, [...(created.get(e["slot"] as number) ?? []), e["t_s"] as number]);
    let gaps = 0;
    for (const times of created.values()) {
      // The first replacement comes at once (its task was not itself in a delay); each later one
      // replaces a replacement rejected within its 5 s delay, so comes 5 s after that one.
      for (let i = 2; i < times.length; i++, gaps++) expect(times[i]! - times[i - 1]!).toBeCloseTo(5, 1);
    }
    expect(gaps).toBeGreaterThan(0);
  });

  it("ends with every replica running on the nodes that have the cores", () => {
    expect(out.summary.services["db"]!.tasks_running).toBe(4);
  });

  it("changes nothing where every node has the cores", () => {
    const fits = runYaml(yaml(4));
    expect(eventsOf(fits.events, "task", { state: "rejected" })).toEqual([]);
    expect(new Set(eventsOf(fits.events, "task", { state: "running" }).map((e) => String(e["node"]).split("-")[0]))).toEqual(new Set(["big", "small"]));
  });
});
