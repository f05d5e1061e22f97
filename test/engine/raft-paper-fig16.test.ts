// The leader-election experiment of the Raft paper (Ongaro & Ousterhout 2014, §9.3, Figure 16):
// five servers, heartbeat interval half the minimum election timeout, the leader crashed at a
// random point of its heartbeat interval; downtime = from the crash until every live follower
// has heard the new leader. Run through the whole control plane (fabric, disk, managers).
import { describe, expect, it } from "vitest";
import { runAndCollect } from "./outputs.js";
import { scenarioYaml } from "../helpers.js";

/** Raft tick 1 ms; election timeouts 150 + floor(U * randomTicks) ms; one-way latency 5 ms, disk 2 ms. */
function experiment(randomTicks: number, seed: number, kills: number): number[] {
  const everyMs = 3017; // not a multiple of the 75 ms heartbeat: the crash lands at varying phases
  const out = runAndCollect(scenarioYaml({ name: "fig16", seed, duration: `${Math.ceil(((kills + 1) * everyMs) / 1000)}s`, interval: "1m" }, `
cluster:
  managers:
    count: 5
    runTasks: false
    raft: {tick: 1ms, electionTicks: 150, electionRandomTicks: ${randomTicks}, heartbeatTicks: 75, diskWrite: 2ms}
  nodeGroups: [{name: w, count: 1, cpu: 1, memory: 1GiB}]
  network: {latency: {sameNode: 20us, sameZone: 5ms, crossZone: 5ms}}
services: [{name: s}]
events:
  - {at: 1s, every: ${everyMs}ms, times: ${kills}, killLeader: {restartAfter: 1s}}
`));
  const crashes = out.events.filter((e) => e["kind"] === "fault" && e["fault"] === "killLeader").map((e) => e["t_s"] as number);
  return crashes.map((t, i) => {
    const next = crashes[i + 1] ?? Infinity;
    const e = out.elections.find((r) => r.started_s >= t && r.known_s !== null && r.known_s < next);
    return e ? (e.known_s as number) - t : Infinity;
  });
}

function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
}

describe("Raft paper §9.3, Figure 16: time to elect a new leader after a crash", () => {
  it("with 150-300 ms timeouts nearly all elections end within a few hundred milliseconds", () => {
    const d = experiment(150, 1, 100);
    expect(d.filter((x) => x === Infinity)).toHaveLength(0);
    // Followers time out at least 150 ms after the last heartbeat, which came at most 75 ms
    // before the crash; the paper's curve reaches ~100% by ~400 ms.
    expect(Math.min(...d)).toBeGreaterThan(0.075);
    expect(quantile(d, 0.5)).toBeLessThan(0.3);
    expect(quantile(d, 0.95)).toBeLessThan(0.45);
  });

  it("with a 1 ms spread split votes make elections far longer", () => {
    const wide = experiment(150, 2, 100);
    const narrow = experiment(2, 2, 100); // timeouts of 150 or 151 ms
    const finite = narrow.filter((x) => x !== Infinity);
    // The slowest tenth takes several election rounds (each at least 150 ms more).
    expect(quantile(narrow, 0.9)).toBeGreaterThan(2 * quantile(wide, 0.9));
    expect(narrow.reduce((a, b) => a + Math.min(b, 3), 0) / narrow.length).toBeGreaterThan(1.5 * (wide.reduce((a, b) => a + b, 0) / wide.length));
    expect(finite.length).toBeGreaterThan(0);
  });

  it("with no spread at all elections keep failing", () => {
    const none = experiment(0, 3, 30);
    const within1s = none.filter((x) => x < 1).length;
    expect(within1s / none.length).toBeLessThan(0.5);
  });
});
