// Swarm's documented behaviour with default settings (SWARM.md, "Dispatcher" and "Raft").
import { describe, expect, it } from "vitest";
import { eventsOf, runAndCollect, type RunOutputs } from "./outputs.js";
import { scenarioYaml, twoZonesYaml } from "../helpers.js";

const CLUSTER = (extra: string) => scenarioYaml({ name: "timeline", duration: "3m" }, `
cluster:
  managers: {count: 3, runTasks: false}
  nodeGroups: [{name: w, count: 4, cpu: 4, memory: 8GiB}]
services:
  - name: web
    replicas: 8
    ports: [{published: 80, target: 80}]
    startup: {pull: 1s, cpu: 2s}
    request: {cpu: 5ms}
workload:
  - {name: users, service: web, rate: 100/s, timeout: 0s}
events:
${extra}
`);

describe("a crashed worker, with Swarm's default timings", () => {
  const downAfterS: number[] = [];
  for (let seed = 1; seed <= 12; seed++) {
    it(`seed ${seed}: DOWN within 2-3 heartbeat periods, tasks restarted elsewhere after the 5 s delay`, () => {
      const out = runAndCollect(CLUSTER("  - {at: 30s, nodeFailure: {nodes: [w-2]}}"), [`seed=${seed}`]);
      const down = eventsOf(out.events, "node", { node: "w-2", status: "down" });
      expect(down).toHaveLength(1);
      const dt = down[0]!["t_s"] - 30;
      downAfterS.push(dt);
      // Its last heartbeat came at most one period (4.5-5.5 s) before the crash; DOWN is 3 periods after it.
      expect(dt).toBeGreaterThan(3 * 4.5 - 5.5);
      expect(dt).toBeLessThanOrEqual(3 * 5.5 + 0.01);
      // Replacements are created at once, placed within 1 s, and start after the restart delay.
      const created = out.events.filter((e) => e["kind"] === "task" && e["state"] === "new" && e["t_s"] > 30);
      expect(created.length).toBeGreaterThan(0);
      for (const c of created) {
        expect(c["t_s"] - down[0]!["t_s"]).toBeLessThan(0.05);
        const task = c["task"];
        const assigned = eventsOf(out.events, "task", { task, state: "assigned" })[0]!;
        expect(assigned["t_s"] - c["t_s"]).toBeGreaterThanOrEqual(0.05);
        expect(assigned["t_s"] - c["t_s"]).toBeLessThan(1);
        expect(assigned["node"]).not.toBe("w-2");
        const starting = eventsOf(out.events, "task", { task, state: "starting" })[0]!;
        expect(starting["t_s"] - c["t_s"]).toBeGreaterThanOrEqual(5);
        expect(starting["t_s"] - c["t_s"]).toBeLessThan(5.1);
        const running = eventsOf(out.events, "task", { task, state: "running" })[0]!;
        expect(running["t_s"] - starting["t_s"]).toBeCloseTo(2, 3);
      }
      const last = out.timeseries.filter((r) => r.service === "web").at(-1)!;
      expect(last.tasks_running).toBe(8);
    });
  }
  it("the time to DOWN varies with the crash's phase in the heartbeat period", () => {
    expect(downAfterS).toHaveLength(12);
    expect(Math.max(...downAfterS) - Math.min(...downAfterS)).toBeGreaterThan(2);
  });
});

describe("a longer heartbeat period keeps swarmkit's +-500 ms jitter (not a share of the period)", () => {
  it("20 s periods: DOWN between 3 x 19.5 - 20.5 and 3 x 20.5 s after the crash, over 12 seeds", () => {
    const after: number[] = [];
    for (let seed = 1; seed <= 12; seed++) {
      const out = runAndCollect(CLUSTER("  - {at: 60s, nodeFailure: {nodes: [w-2]}}"), [`seed=${seed}`, "cluster.dispatcher.heartbeatPeriod=20s"]);
      after.push(eventsOf(out.events, "node", { node: "w-2", status: "down" })[0]!["t_s"] - 60);
    }
    for (const dt of after) {
      expect(dt).toBeGreaterThan(3 * 19.5 - 20.5);
      expect(dt).toBeLessThanOrEqual(3 * 20.5 + 0.01);
    }
  });
});

describe("losing quorum", () => {
  it("with 2 of 3 managers gone nothing is scheduled, running tasks keep serving, and all resumes with quorum", () => {
    const out = runAndCollect(
      CLUSTER(`  - {at: 20s, killManager: {manager: manager-1, restartAfter: 60s}}
  - {at: 20s, killManager: {manager: manager-2, restartAfter: 60s}}
  - {at: 40s, nodeFailure: {nodes: [w-1]}}
  - {at: 50s, scale: {service: web, replicas: 10}}`),
    );
    // manager-3 alone has no quorum from 20 s to 80 s: nobody notices w-1, the scale call fails.
    const down = eventsOf(out.events, "node", { node: "w-1", status: "down" });
    expect(down).toHaveLength(1);
    expect(down[0]!["t_s"]).toBeGreaterThan(80);
    expect(eventsOf(out.events, "api", { call: "scale" })[0]!["error"]).toBe("The swarm does not have a leader");
    const during = out.timeseries.filter((r) => r.t_s > 45 && r.t_s <= 80);
    for (const r of during) {
      expect(r.completed).toBeGreaterThan(800);
      expect(r.tasks_running).toBe(6);
    }
    // No task is created while there is no quorum; replacements come after it returns.
    const createdDuring = out.events.filter((e) => e["kind"] === "task" && e["state"] === "new" && e["t_s"] > 21 && e["t_s"] < 80);
    expect(out.events.filter((e) => e["kind"] === "node" && e["t_s"] > 21 && e["t_s"] < 80)).toHaveLength(0);
    expect(createdDuring).toHaveLength(0);
    const last = out.timeseries.at(-1)!;
    expect(last.tasks_running).toBe(8);
    // New leader after the managers return, with a cause.
    const after = out.elections.filter((e) => e.elected_s > 80);
    expect(after.length).toBeGreaterThanOrEqual(1);
  });

  it("a node back from DOWN comes back empty (no rebalancing, moby/moby#24103)", () => {
    const out = runAndCollect(CLUSTER("  - {at: 20s, nodeFailure: {nodes: [w-3], recoverAfter: 40s}}"));
    expect(eventsOf(out.events, "node", { node: "w-3", status: "ready" }).some((e) => e["t_s"] > 60)).toBe(true);
    const w3 = out.nodes.filter((r) => r.node === "w-3" && r.t_s > 70);
    expect(w3.length).toBeGreaterThan(5);
    for (const r of w3) expect(r.tasks).toBe(0);
    const others = out.nodes.filter((r) => r.node.startsWith("w-") && r.node !== "w-3" && r.t_s === 180);
    expect(others.reduce((n, r) => n + r.tasks, 0)).toBe(8);
  });
});

describe("an agent's wait for a heartbeat's answer", () => {
  // swarmkit's dispatcherRPCTimeout: 5 s, whatever the period. With 10 ms heartbeats and 6 ms
  // each way to the far zone, an answer comes 12 ms after its beat: the far zone keeps its
  // sessions (its agents used to wait one period, give the leader up for the next manager, and go DOWN).
  it("is 5 s whatever the heartbeat period", () => {
    const out = runAndCollect(scenarioYaml({ name: "answer-wait", seed: 12, duration: "3s" }, twoZonesYaml({ managers: 3, heartbeat: "10ms", crossZone: "6ms" })));
    expect(eventsOf(out.events, "node", { status: "down" }).filter((e) => e["t_s"] >= 0)).toEqual([]);
    const far = out.nodes.filter((r) => r.node.startsWith("b-") && r.t_s === 3);
    expect(far.map((r) => r.status)).toEqual(["ready", "ready"]);
  });
});

describe("a partition", () => {
  it("cut-off workers keep running their tasks while replacements start elsewhere (swarmkit#1743); healed, they return empty", () => {
    const out = runAndCollect(
      CLUSTER("  - {at: 20s, partition: {groups: [[manager-1, w-1], [manager-2, manager-3, w-2, w-3, w-4]], duration: 60s}}"),
    );
    const down = eventsOf(out.events, "node", { node: "w-1", status: "down" });
    expect(down.length).toBeGreaterThanOrEqual(1);
    expect(down[0]!["t_s"]).toBeGreaterThan(20);
    expect(down[0]!["t_s"]).toBeLessThan(80);
    // While cut off, w-1 still runs its tasks; the majority side has replaced them.
    const w1During = out.nodes.filter((r) => r.node === "w-1" && r.t_s > down[0]!["t_s"] + 15 && r.t_s <= 80);
    expect(w1During.length).toBeGreaterThan(0);
    for (const r of w1During) expect(r.tasks).toBeGreaterThan(0);
    const others = out.nodes.filter((r) => r.node !== "w-1" && r.node.startsWith("w-") && r.t_s === 80);
    expect(others.reduce((n, r) => n + r.tasks, 0)).toBe(8);
    // Healed: w-1 is READY again and its old tasks are shut down.
    const w1After = out.nodes.filter((r) => r.node === "w-1" && r.t_s >= 140);
    for (const r of w1After) {
      expect(r.status).toBe("ready");
      expect(r.tasks).toBe(0);
    }
    // Any leader elected during the partition sits on the majority side.
    for (const e of out.elections.filter((x) => x.elected_s > 20 && x.elected_s < 80)) expect(e.leader).not.toBe("manager-1");
  });
});

describe("API calls", () => {
  it("a call accepted by a leader that lost its quorum times out instead of taking effect", () => {
    const out = runAndCollect(
      CLUSTER(`  - {at: 20s, partition: {groups: [[manager-1], [manager-2], [manager-3]], duration: 60s}}
  - {at: 21s, scale: {service: web, replicas: 10}}`),
    );
    // The leader still believes it leads at 21 s (CheckQuorum needs an election timeout), so it
    // accepts the call; nothing can commit, and 20 s later the caller gives up.
    const api = eventsOf(out.events, "api", { call: "scale" });
    expect(api).toHaveLength(1);
    expect(api[0]!["error"]).toBe("context deadline exceeded");
    expect(api[0]!["t_s"]).toBeCloseTo(41, 3);
  });
});

describe("a killed leader's NIC", () => {
  it("takes in nothing after the crash, though the agents' held heartbeats are counted in aggregate (their bytes leave the agents only)", () => {
    const out = runAndCollect(CLUSTER("  - {at: 60s, killLeader: {}}"), ["seed=3"]);
    const leader = String(eventsOf(out.events, "fault")[0]!["target"]);
    const rows = out.nodes.filter((r) => r.node === leader);
    // The window to 60 s has its traffic; every later one none, in or out.
    expect(rows.find((r) => r.t_s === 60)!.net_rx_bytes).toBeGreaterThan(0);
    for (const r of rows.filter((x) => x.t_s > 60)) expect([r.t_s, r.net_tx_bytes, r.net_rx_bytes]).toEqual([r.t_s, 0, 0]);
  });
});

describe("a node DOWN for 24 hours (swarmkit's defaultNodeDownPeriod)", () => {
  const DAY_S = 24 * 3600;
  // A /29 has 5 addresses: the VIP, the two nodes' endpoints and the two tasks take them all, so
  // the replacement of w-1's task waits for an address that only the orphaning frees.
  const yaml = (duration: string, recoverAfter: string, extra = "") => scenarioYaml({ name: "orphans", duration }, `
metrics: {interval: 1m}
cluster:
  managers: {count: 3, runTasks: false}
  nodeGroups: [{name: w, count: 2, cpu: 2, memory: 4GiB}]
networks: [{name: back, subnet: 10.9.0.0/29}]
services:
  - {name: web, replicas: 2, networks: [back]}
events:
  - {at: 1m, nodeFailure: {nodes: [w-1], recoverAfter: ${recoverAfter}}}
${extra}`);
  const running = (out: RunOutputs, t: number) => out.timeseries.find((r) => r.service === "web" && r.t_s === t)!.tasks_running;

  it("has the tasks it may still run marked ORPHANED 24 h after it went DOWN, which frees their addresses", () => {
    const out = runAndCollect(yaml("24h5m", "0s"));
    const down = eventsOf(out.events, "node", { node: "w-1", status: "down" })[0]!["t_s"];
    const lost = eventsOf(out.events, "task", { node: "w-1", state: "running" }).map((e) => e["task"]);
    expect(lost).toHaveLength(1);
    const orphaned = eventsOf(out.events, "task", { state: "orphaned" });
    expect(orphaned.map((e) => e["task"])).toEqual(lost);
    // Proposed 24 h after the DOWN was proposed; committed within milliseconds.
    const at = orphaned[0]!["t_s"];
    expect(at - down).toBeGreaterThanOrEqual(DAY_S);
    expect(at - down).toBeLessThan(DAY_S + 0.1);
    // Until then the replacement has no address (swarmkit's error, once) and web runs one task; then two.
    expect(eventsOf(out.events, "allocation").map((e) => e["error"])).toEqual([expect.stringContaining("could not find an available IP")]);
    expect(running(out, 12 * 3600)).toBe(1);
    expect(running(out, Math.floor(at / 60) * 60)).toBe(1);
    expect(running(out, Math.floor(at / 60) * 60 + 120)).toBe(2);
  });

  it("not when it comes back within the 24 h", () => {
    const out = runAndCollect(yaml("24h5m", "12h"));
    expect(eventsOf(out.events, "node", { node: "w-1", status: "down" })).toHaveLength(1);
    expect(eventsOf(out.events, "task", { state: "orphaned" })).toHaveLength(0);
  });

  it("counts the 24 h again from a new leader's start, which finds the node DOWN", () => {
    const out = runAndCollect(yaml("36h5m", "0s", "  - {at: 12h, killLeader: {}}"));
    const elected = out.elections.find((e) => e.started_s > 12 * 3600)!.elected_s;
    const orphaned = eventsOf(out.events, "task", { state: "orphaned" });
    expect(orphaned).toHaveLength(1);
    expect(orphaned[0]!["t_s"] - elected).toBeGreaterThanOrEqual(DAY_S);
    expect(orphaned[0]!["t_s"] - elected).toBeLessThan(DAY_S + 1);
  });
});
