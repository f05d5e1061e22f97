// The managers' disk as etcd's Ready loop uses it: while one write is under way, what Raft
// produces waits and goes to disk in one write with the next (group commit). Without it, a burst
// of proposals queues one write each, and the leader's heartbeats to its followers wait behind
// the whole queue: 400 nodes registering at once with a 40 ms disk would hold them for 16 s,
// past the 10 s election timeout, and the leader would be deposed while the cluster deploys.
import { describe, expect, it } from "vitest";
import { runAndCollect } from "./outputs.js";
import { scenarioYaml } from "../helpers.js";

/** Seconds from the first leader's election to the end of the deployment (t = 0). */
function deploySeconds(out: ReturnType<typeof runAndCollect>): number {
  return -(out.events.find((e) => e["kind"] === "leader")!["t_s"] as number);
}

function deploy(workers: number, diskWrite: string) {
  return runAndCollect(scenarioYaml({ name: "group-commit", seed: 3, duration: "30s", interval: "10s" }, `
cluster:
  managers: {count: 3, runTasks: false, raft: {diskWrite: ${diskWrite}}}
  nodeGroups: [{name: w, count: ${workers}, cpu: 2, memory: 4GiB}]
networks: [{name: ingress, subnet: 10.0.0.0/16}, {name: app, subnet: 10.1.0.0/16}]
services: [{name: s, replicas: ${workers}, networks: [app]}]
`));
}

describe("Raft group commit on the managers' disk", () => {
  it("400 nodes registering together with a 40 ms disk: one leader throughout, deployed within seconds", () => {
    const out = deploy(400, "40ms");
    expect(out.elections).toHaveLength(1);
    expect(out.events.filter((e) => e["kind"] === "leader" && e["leader"] === null)).toEqual([]);
    // Once a leader is elected, every node registers (one proposal each) and 400 tasks start.
    expect(deploySeconds(out)).toBeLessThan(5);
    expect(out.timeseries.at(-1)!.tasks_running).toBe(400);
    // The run starts once they all run: the nodes register after the first scheduling batch has
    // found none ready, and the deployment is not over while the next batch is due.
    expect(out.events.filter((e) => e["kind"] === "task" && e["state"] === "running" && (e["t_s"] as number) > 0)).toEqual([]);
  });

  // A commit costs two writes in sequence (the leader's, then a follower's), and a deployment goes
  // through about a dozen commits one after another (tasks created, allocated, assigned, started).
  it("the deployment takes about as long with a 40 ms disk as with a 1 ms one, plus a dozen commits", () => {
    const slow = deploySeconds(deploy(400, "40ms"));
    const fast = deploySeconds(deploy(400, "1ms"));
    expect(slow - fast).toBeLessThan(2);
  });
});

describe("the dispatcher marks nodes READY in its status batches (swarmkit markNodeReady)", () => {
  it("400 nodes registering within a heartbeat period become READY in a few commits, not 400", () => {
    const out = deploy(400, "1ms");
    const times = out.events.filter((e) => e["kind"] === "node" && e["status"] === "ready").map((e) => e["t_s"]);
    expect(times.length).toBeGreaterThanOrEqual(400);
    expect(new Set(times).size).toBeLessThanOrEqual(5);
  });
});
