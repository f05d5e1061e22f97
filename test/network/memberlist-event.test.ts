// memberlist's verdict on a crashed node in the event log: the data plane's failure detector
// (probe, probe timeout, 4 x max(1, log10 n) s of suspicion) declares it dead, and only then do
// the other nodes drop its tasks from their tables. Not said when the node is back first.
import { describe, expect, it } from "vitest";
import { eventsOf, runYaml } from "../helpers.js";
import { failureDetectionUs, GOSSIP_TO_THE_DEAD_US } from "../../src/network/gossip.js";
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
  it("is an event at the crash plus its detection time among memberlist's members, and a step of story.md in the crash's fault", () => {
    const out = runYaml(yaml("  - {at: 20s, nodeFailure: {nodes: [w-1, w-2]}}"));
    const dead = eventsOf(out.events, "memberlist");
    // 15 hosts, all still memberlist's members when each crashes (the other one suspect, not dead):
    // 1.5 s of probing and 4 x log10(15) s of suspicion for both.
    const after = failureDetectionUs(15) / 1e6;
    expect(after).toBeCloseTo(6.2044, 4);
    expect(dead).toEqual([
      { t_s: 20 + after, kind: "memberlist", node: "w-1", state: "dead", after_s: after },
      { t_s: 20 + after, kind: "memberlist", node: "w-2", state: "dead", after_s: after },
    ]);
    // Before the managers' verdict: Swarm marks them DOWN after three missed heartbeats.
    const down = eventsOf(out.events, "node", { status: "down" });
    expect(Math.min(...down.map((e) => e["t_s"] as number))).toBeGreaterThan(20 + after);
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, "m.yaml"), yaml("  - {at: 20s, nodeFailure: {nodes: [w-1, w-2]}}"));
    expect(orchsim(["run", path.join(dir, "m.yaml"), "--report", "--quiet", "--out", path.join(dir, "out")]).code).toBe(0);
    expect(fs.readFileSync(path.join(dir, "out", "story.md"), "utf8")).toMatch(/\*\*t = 26\.2 s\*\*: memberlist declares w-1, w-2 dead, 6\.2 s after they crashed: the other nodes drop their tasks, if any, from their load balancers' tables as the news spreads, and until then may route requests there \(events\.jsonl:\d+\)/);
  });

  it("counts a node declared dead until it reaps it, 30 s after the verdict, and a node back at once as live", () => {
    const dead = (events: string) => eventsOf(runYaml(yaml(events), ["duration=2m"]).events, "memberlist").map((e) => [e["node"], e["after_s"]]);
    // w-1 is declared dead at 26.2 s and still in memberlist's list at 30 s: 15 members for w-2.
    expect(dead("  - {at: 20s, nodeFailure: {nodes: [w-1]}}\n  - {at: 30s, nodeFailure: {nodes: [w-2]}}")).toEqual([["w-1", failureDetectionUs(15) / 1e6], ["w-2", failureDetectionUs(15) / 1e6]]);
    // Reaped at 56.2 s (GossipToTheDeadTime): at 57 s memberlist has 14 members, w-2 among them.
    expect(GOSSIP_TO_THE_DEAD_US).toBe(30_000_000);
    expect(dead("  - {at: 20s, nodeFailure: {nodes: [w-1]}}\n  - {at: 57s, nodeFailure: {nodes: [w-2]}}")).toEqual([["w-1", failureDetectionUs(15) / 1e6], ["w-2", failureDetectionUs(14) / 1e6]]);
    // w-1 is back at 22 s, before any verdict: alive again, it is one of the 15 at 25 s, not a second down member.
    expect(dead("  - {at: 20s, nodeFailure: {nodes: [w-1], recoverAfter: 2s}}\n  - {at: 25s, nodeFailure: {nodes: [w-2]}}")).toEqual([["w-2", failureDetectionUs(15) / 1e6]]);
    // Back at 40 s, after its verdict and before its reaping: counted once, as live (a second count would give 16).
    expect(dead("  - {at: 20s, nodeFailure: {nodes: [w-1], recoverAfter: 20s}}\n  - {at: 45s, nodeFailure: {nodes: [w-2]}}")).toEqual([["w-1", failureDetectionUs(15) / 1e6], ["w-2", failureDetectionUs(15) / 1e6]]);
  });

  it("is not said of a node back before memberlist's verdict", () => {
    const out = runYaml(yaml("  - {at: 20s, nodeFailure: {nodes: [w-1], recoverAfter: 2s}}"));
    expect(eventsOf(out.events, "memberlist")).toEqual([]);
  });
});
