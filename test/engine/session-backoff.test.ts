// The agent's session backoff (swarmkit agent.go): a failed session is retried after a random
// delay below a backoff of 100 ms, then 100 ms plus twice the last, up to 8 s, and the backoff is
// reset once a session registers.
import { expect, it } from "vitest";
import { Simulation } from "../../src/kernel/index.js";
import { AgentSession } from "../../src/cluster/session.js";
import type { NodeDescription } from "../../src/api/messages.js";
import { runYaml } from "../helpers.js";

/** A session whose managers answer each heartbeat 1 ms later: NotLeader (no leader known) unless `led(now)`. */
function session(random: () => number, led: (nowUs: number) => boolean = () => false) {
  const sim = new Simulation();
  const beats: number[] = [];
  const s: AgentSession = new AgentSession("w-1", {
    sim,
    nodeIndex: 0,
    managers: ["m-1", "m-2", "m-3"],
    send: (manager, msg) => {
      if (msg.type !== "Heartbeat") return;
      beats.push(sim.now());
      sim.after(1_000, () =>
        s.receive(led(sim.now()) ? { type: "HeartbeatResponse", manager, periodUs: 5_000_000, acked: [] } : { type: "NotLeader", manager, leader: null }),
      );
    },
    allStatuses: () => [],
    description: { id: "w-1" } as NodeDescription,
    parking: null,
    random,
  });
  return { sim, beats, s };
}

it("after each failed session the next starts within the backoff: 100 ms, then 100 ms plus twice the last, up to 8 s", () => {
  const { sim, beats, s } = session(() => 0.999_999);
  s.start();
  sim.run({ untilUs: 60_000_000 });
  const gaps = beats.slice(1).map((t, i) => t - beats[i]! - 1_000); // less the answer's 1 ms
  expect(gaps.slice(0, 9)).toEqual([100_000, 300_000, 700_000, 1_500_000, 3_100_000, 6_300_000, 8_000_000, 8_000_000, 8_000_000].map((b) => Math.floor(0.999_999 * b)));
});

it("the delay is a uniform draw below the backoff, and a registered session starts the backoff afresh", () => {
  // A leader from 2 s to 13 s: the session registers, beats every 5 s, then fails again.
  const { sim, beats, s } = session(() => 0.5, (t) => t >= 2_000_000 && t < 13_000_000);
  s.start();
  sim.run({ untilUs: 30_000_000 });
  const gaps = beats.slice(1).map((t, i) => t - beats[i]! - 1_000);
  expect(gaps.slice(0, 11)).toEqual([
    ...[50_000, 150_000, 350_000, 750_000, 1_550_000], // half of each backoff; the fifth retry finds the leader
    ...[5_000_000, 5_000_000, 5_000_000], // registered: heartbeats at the period
    ...[50_000, 150_000, 350_000], // the leader gone: the backoff starts again from 100 ms
  ]);
});

it("an agent that restarts (its node came back) starts its backoff afresh", () => {
  const { sim, beats, s } = session(() => 0.5);
  s.start();
  sim.run({ untilUs: 10_000_000 }); // failed sessions: the backoff has grown to 8 s
  s.stop();
  const before = beats.length;
  s.start();
  sim.run({ untilUs: 11_000_000 });
  const after = beats.slice(before);
  expect(after.slice(1, 3).map((t, i) => t - after[i]! - 1_000)).toEqual([50_000, 150_000]);
});

it("after the leader is killed, every worker registers with the new leader within the backoff's 8 s, none marked DOWN", () => {
  const out = runYaml(`version: 1
name: kill-leader
seed: 3
duration: 2m
cluster:
  managers: {count: 3, runTasks: false}
  nodeGroups: [{name: w, count: 30, cpu: 2, memory: 4GiB}]
services: [{name: s, replicas: 30}]
events:
  - {at: 30s, killLeader: {}}
`);
  expect(out.elections).toHaveLength(2);
  const elected = out.elections[1]!.elected_s;
  const ready = out.events
    .filter((e) => e["kind"] === "node" && e["status"] === "ready" && String(e["node"]).startsWith("w-") && (e["t_s"] as number) > elected)
    .map((e) => e["t_s"] as number);
  expect(ready).toHaveLength(30);
  expect(Math.max(...ready) - Math.min(...ready)).toBeGreaterThan(2);
  expect(Math.max(...ready) - elected).toBeLessThan(8.5);
  // No worker is marked DOWN: the new leader's grace (6 periods) outlasts the backoff.
  expect(out.events.filter((e) => e["kind"] === "node" && e["status"] === "down" && String(e["node"]).startsWith("w-"))).toEqual([]);
});
