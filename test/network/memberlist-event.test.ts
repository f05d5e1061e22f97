// memberlist's verdict on a crashed node in the event log: the data plane's failure detector
// (probe, probe timeout, 4 x max(1, log10 n) s of suspicion) declares it dead, and only then do
// the other nodes drop its tasks from their tables. Not said when the node is back first.
import { describe, expect, it } from "vitest";
import { eventsOf, runYaml } from "../helpers.js";
import { failureDetectionUs } from "../../src/network/gossip.js";
import * as fs from "node:fs";
import * as path from "node:path";
import { orchsim, tempDir } from "../cli/cli.js";

const yaml = (events: string) => `version: 1
name: memberlist
duration: 1m
cluster:
  managers: {count: 1, runTasks: false}
  nodeGroups: [{name: w, count: 14, cpu: 2, memory: 4GiB}]
services:
  - {name: web, replicas: 4, ports: [{published: 80, target: 80}], request: {cpu: 5ms}}
workload:
  - {name: users, service: web, rate: 20/s}
events:
${events}
`;

describe("memberlist declaring a crashed node dead", () => {
  it("is an event at the crash plus its detection time among the hosts left, and a step of story.md in the crash's fault", () => {
    const out = runYaml(yaml("  - {at: 20s, nodeFailure: {nodes: [w-1, w-2]}}"));
    const dead = eventsOf(out.events, "memberlist");
    // 15 hosts: w-1 crashes first, counted among the 14 left (log10 14 > 1: a longer suspicion),
    // w-2 among 13 (the README's limits: memberlist would count both, still its members, as 15).
    const after = [failureDetectionUs(14), failureDetectionUs(13)].map((us) => us / 1e6);
    expect(after[0]).toBeCloseTo(6.0845, 4);
    expect(after[1]).toBeCloseTo(5.9558, 4);
    expect(dead).toEqual([
      { t_s: 20 + after[1]!, kind: "memberlist", node: "w-2", state: "dead", after_s: after[1] },
      { t_s: 20 + after[0]!, kind: "memberlist", node: "w-1", state: "dead", after_s: after[0] },
    ]);
    // Before the managers' verdict: Swarm marks them DOWN after three missed heartbeats.
    const down = eventsOf(out.events, "node", { status: "down" });
    expect(Math.min(...down.map((e) => e["t_s"] as number))).toBeGreaterThan(20 + after[0]!);
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, "m.yaml"), yaml("  - {at: 20s, nodeFailure: {nodes: [w-1, w-2]}}"));
    expect(orchsim(["run", path.join(dir, "m.yaml"), "--report", "--quiet", "--out", path.join(dir, "out")]).code).toBe(0);
    expect(fs.readFileSync(path.join(dir, "out", "story.md"), "utf8")).toMatch(/\*\*t = 26 s\*\*: memberlist declares w-1, w-2 dead, 6 s after they crashed \(the last at 26\.1 s\): the other nodes drop their tasks, if any, from their load balancers' tables as the news spreads, and until then may route requests there \(events\.jsonl:\d+\)/);
  });

  it("is not said of a node back before memberlist's verdict", () => {
    const out = runYaml(yaml("  - {at: 20s, nodeFailure: {nodes: [w-1], recoverAfter: 2s}}"));
    expect(eventsOf(out.events, "memberlist")).toEqual([]);
  });
});
