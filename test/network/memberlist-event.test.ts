// memberlist's verdict on a crashed node in the event log: the data plane's failure detector
// (first probe, probe timeout, 4 x max(1, log10 n) s of suspicion) declares it dead, and only then do
// the other nodes drop its tasks from their tables. Not said when the node is back first.
import { describe, expect, it } from "vitest";
import { eventsOf, runYaml } from "../helpers.js";
import { failureDetectionUs, firstProbeUs, GOSSIP_TO_THE_DEAD_US } from "../../src/network/gossip.js";
import { RandomStreams } from "../../src/kernel/index.js";
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
    // each node's first probe, drawn (gossip.test.ts), then 0.5 s of probe timeout and 4 x log10(15) s of suspicion.
    const rest = (failureDetectionUs(15, 0) / 1e6);
    expect(rest).toBeCloseTo(5.2044, 4);
    expect(dead.map((e) => e["node"]).sort()).toEqual(["w-1", "w-2"]);
    for (const e of dead) {
      expect(e["after_s"]).toBeCloseTo((e["probed_s"] as number) + rest, 6);
      expect(e["t_s"]).toBeCloseTo(20 + (e["after_s"] as number), 6);
      // 13 live probers of 15 members (the two crash together): about one probe interval, hardly ever four.
      expect(e["probed_s"]).toBeGreaterThanOrEqual(0);
      expect(e["probed_s"]).toBeLessThan(4);
    }
    // Each node its own first probe: the two verdicts are not at one instant. Both crash in one
    // instant, so the probers are the 13 others for each, w-1 too (w-2, still up as w-1 crashes, probes nobody).
    expect(dead[0]!["probed_s"]).not.toBe(dead[1]!["probed_s"]);
    const draws = new RandomStreams(out.summary.seed as number).stream("network/memberlist");
    const probed = Object.fromEntries(dead.map((e) => [e["node"], e["probed_s"]]));
    expect([probed["w-1"], probed["w-2"]]).toEqual([firstProbeUs(13, 15, draws.next()) / 1e6, firstProbeUs(13, 15, draws.next()) / 1e6]);
    // Before the managers' verdict: Swarm marks them DOWN after three missed heartbeats.
    const down = eventsOf(out.events, "node", { status: "down" });
    expect(Math.min(...down.map((e) => e["t_s"] as number))).toBeGreaterThan(Math.max(...dead.map((e) => e["t_s"] as number)));
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, "m.yaml"), yaml("  - {at: 20s, nodeFailure: {nodes: [w-1, w-2]}}"));
    expect(orchsim(["run", path.join(dir, "m.yaml"), "--report", "--quiet", "--out", path.join(dir, "out")]).code).toBe(0);
    const [first, last] = [...dead].sort((a, b) => (a["t_s"] as number) - (b["t_s"] as number));
    const s1 = (x: unknown) => (Math.round((x as number) * 10) / 10).toFixed(1).replace(/\.0$/, "");
    expect(fs.readFileSync(path.join(dir, "out", "story.md"), "utf8")).toContain(
      `: memberlist declares w-1, w-2 dead, ${s1(first!["after_s"])} to ${s1(last!["after_s"])} s after they crashed (the last at ${s1(last!["t_s"])} s): the other nodes drop their tasks, if any, from their load balancers' tables as the news spreads, and until then may route requests there (events.jsonl:`,
    );
  });

  it("counts a node declared dead until it reaps it, 30 s after the verdict, and a node back at once as live", () => {
    // Each verdict less its drawn first probe: the probe timeout and the suspicion for its members.
    const dead = (events: string) =>
      eventsOf(runYaml(yaml(events), ["duration=2m"]).events, "memberlist").map((e) => [e["node"], Math.round(((e["after_s"] as number) - (e["probed_s"] as number)) * 1e6)]);
    const rest = (members: number) => failureDetectionUs(members, 0);
    // w-1 is declared dead by 30 s and still in memberlist's list then: 15 members for w-2.
    expect(dead("  - {at: 20s, nodeFailure: {nodes: [w-1]}}\n  - {at: 30s, nodeFailure: {nodes: [w-2]}}")).toEqual([["w-1", rest(15)], ["w-2", rest(15)]]);
    // Reaped 30 s after its verdict (GossipToTheDeadTime): at 62 s memberlist has 14 members, w-2 among them.
    expect(GOSSIP_TO_THE_DEAD_US).toBe(30_000_000);
    expect(dead("  - {at: 20s, nodeFailure: {nodes: [w-1]}}\n  - {at: 62s, nodeFailure: {nodes: [w-2]}}")).toEqual([["w-1", rest(15)], ["w-2", rest(14)]]);
    // w-1 is back at 22 s, before any verdict: alive again, it is one of the 15 at 25 s, not a second down member.
    expect(dead("  - {at: 20s, nodeFailure: {nodes: [w-1], recoverAfter: 2s}}\n  - {at: 25s, nodeFailure: {nodes: [w-2]}}")).toEqual([["w-2", rest(15)]]);
    // Back at 40 s, after its verdict and before its reaping: counted once, as live (a second count would give 16).
    expect(dead("  - {at: 20s, nodeFailure: {nodes: [w-1], recoverAfter: 20s}}\n  - {at: 45s, nodeFailure: {nodes: [w-2]}}")).toEqual([["w-1", rest(15)], ["w-2", rest(15)]]);
  });

  it("is not said of a node back before memberlist's verdict", () => {
    const out = runYaml(yaml("  - {at: 20s, nodeFailure: {nodes: [w-1], recoverAfter: 2s}}"));
    expect(eventsOf(out.events, "memberlist")).toEqual([]);
  });
});
