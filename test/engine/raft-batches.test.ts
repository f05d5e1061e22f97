// A control loop's batch reaches Raft as swarmkit's store.Batch commits it: entries of at most 200
// commands (MaxChangesPerTransaction), each command 512 bytes on the wire, at most 64 KiB of
// entries in one AppendEntries unless a single entry is larger (etcd's MaxSizePerMsg).
import { describe, expect, it } from "vitest";
import { TaskState } from "../../src/api/task-state.js";
import type { StoreCommand } from "../../src/manager/store.js";
import type { RaftMessage } from "../../src/manager/raft/index.js";
import { runYaml, scenarioYaml } from "../helpers.js";

describe("Raft entries of a large batch", () => {
  it("450 commands make entries of 200, 200 and 50, sent once each, in order, as 102,528, 102,528 and 25,728 bytes", () => {
    const out = runYaml(scenarioYaml({ name: "raft-batches", duration: "30s" }, `
cluster: {managers: {count: 3}, nodeGroups: [{name: w, count: 2, cpu: 4, memory: 8GiB}]}
services: [{name: web, replicas: 2}]
`));
    const w = out.run.world;
    const leader = w.control.leader()!;
    const follower = w.hosts.find((h) => h.name !== leader.name && h.name.startsWith("manager-"))!;
    // Commands for a task that does not exist change nothing when applied.
    const none = (n: number): StoreCommand[] => Array.from({ length: n }, () => ({ type: "SetTaskDesiredState", id: "none", desiredState: TaskState.SHUTDOWN }));
    const sent: [number, number][] = [];
    const delivery = w.net.delivery;
    const sendHost = delivery.sendHost.bind(delivery);
    delivery.sendHost = (from, to, bytes, handler, msg, inOrder) => {
      const m = msg as RaftMessage<StoreCommand[]>;
      if (to === follower && m.type === "AppendEntries" && m.entries.length > 0) sent.push([m.entries.reduce((n, e) => n + (e.data?.length ?? 0), 0), bytes]);
      sendHost(from, to, bytes, handler, msg, inOrder);
    };
    const one = leader.propose(none(1))!;
    const many = leader.propose(none(450))!;
    expect(many.index - one.index).toBe(3);
    w.sim.run({ untilUs: w.sim.now() + 1_000_000 });
    expect(leader.committed(many)).toBe(true);
    expect(sent).toEqual([[1, 640], [200, 102_528], [200, 102_528], [50, 25_728]]);
  });
});
