// The orchestrators against Swarm's documented behaviour (SWARM.md, "Orchestrators"), run
// through the whole control plane.
import { describe, expect, it } from "vitest";
import { TaskState, isTerminal } from "../../../src/api/task-state.js";
import { eventsOf, runAndCollect, type RunOutputs } from "../../engine/outputs.js";
import { scenarioYaml } from "../../helpers.js";

function scenario(o: { nodes?: number; services: string; events: string; duration?: string }): string {
  return scenarioYaml({ name: "orchestration", duration: o.duration ?? "2m" }, `
cluster:
  managers: {count: 1, runTasks: false}
  nodeGroups: [{name: w, count: ${o.nodes ?? 3}, cpu: 4, memory: 8GiB}]
services:
${o.services}
events:
${o.events}
`);
}

const WEB = (extra = "") => `  - name: web
    replicas: 6
    startup: {pull: 1s, cpu: 1s}
${extra}`;

/** Tasks per node at the last window, from nodes.csv. */
function lastTasksPerNode(out: RunOutputs): Record<string, number> {
  const t = out.nodes.at(-1)!.t_s;
  return Object.fromEntries(out.nodes.filter((r) => r.t_s === t && r.node.startsWith("w-")).map((r) => [r.node, r.tasks]));
}

describe("replicated services", () => {
  it("scale-down removes from the most loaded nodes first, not just the highest slots", () => {
    const out = runAndCollect(
      scenario({
        services: WEB(),
        events: `  - {at: 10s, drain: {node: w-1}}
  - {at: 30s, activate: {node: w-1}}
  - {at: 60s, scale: {service: web, replicas: 4}}`,
      }),
    );
    // After the drain w-2 and w-3 hold 3 each and w-1 none (no rebalancing on activate);
    // scaling to 4 takes one from each loaded node.
    expect(lastTasksPerNode(out)).toEqual({ "w-1": 0, "w-2": 2, "w-3": 2 });
    // Removed tasks are deleted from the store once stopped (desired REMOVE).
    const store = out.run.world.control.viewStore();
    const live = [...store.tasks.values()].filter((t) => t.desiredState <= TaskState.RUNNING);
    expect(live).toHaveLength(4);
  });

  it("drain moves tasks without the restart delay; pause leaves them and takes no new ones", () => {
    const out = runAndCollect(
      scenario({
        services: WEB(),
        events: `  - {at: 10s, pause: {node: w-2}}
  - {at: 20s, drain: {node: w-1}}
  - {at: 50s, scale: {service: web, replicas: 9}}`,
      }),
    );
    const moved = out.events.filter((e) => e["kind"] === "task" && e["state"] === "starting" && e["t_s"] > 20 && e["t_s"] < 50);
    expect(moved).toHaveLength(2);
    // Created at 20 s and pulled (1 s); started once the old task stopped (2 s drain): no 5 s restart delay.
    for (const e of moved) expect(e["t_s"]).toBeLessThan(24);
    // The paused node keeps its 2 tasks and gets none of the new ones; everything else went to w-3.
    expect(lastTasksPerNode(out)).toEqual({ "w-1": 0, "w-2": 2, "w-3": 7 });
  });

  it("restarts a failing task after the delay, at most maxAttempts times", () => {
    const out = runAndCollect(
      scenario({
        services: WEB(`    replicas: 1
    restartPolicy: {delay: 3s, maxAttempts: 3}
    update: {failureAction: continue}`).replace("    replicas: 6\n", ""),
        events: `  - {at: 10s, rollingUpdate: {service: web, startup: {failRate: 1}}}`,
      }),
    );
    const failed = out.events.filter((e) => e["kind"] === "task" && e["state"] === "failed");
    const starting = out.events.filter((e) => e["kind"] === "task" && e["state"] === "starting" && e["t_s"] > 10);
    // The updated task and its three restarts fail; then the policy gives up.
    expect(failed).toHaveLength(4);
    expect(out.summary.services["web"]!.restarts).toBe(3);
    for (let i = 1; i < starting.length; i++) {
      const prevFail = failed[i - 1]!["t_s"];
      expect(starting[i]!["t_s"] - prevFail).toBeGreaterThanOrEqual(3);
    }
    expect(out.timeseries.at(-1)!.tasks_running).toBe(0);
  });

  it("keeps at most five tasks per slot in its history", () => {
    const out = runAndCollect(
      scenario({
        services: WEB(`    replicas: 1
    restartPolicy: {delay: 1s}
    update: {failureAction: continue}`).replace("    replicas: 6\n", ""),
        events: `  - {at: 5s, rollingUpdate: {service: web, startup: {failRate: 1}}}`,
      }),
    );
    expect(out.summary.services["web"]!.restarts).toBeGreaterThan(10);
    const store = out.run.world.control.viewStore();
    expect([...store.tasks.values()].filter((t) => t.slot === 1).length).toBeLessThanOrEqual(5);
  });
});

describe("rolling updates", () => {
  const UPDATE = (update: string) =>
    scenario({
      nodes: 4,
      duration: "3m",
      services: WEB(`    update: ${update}`),
      events: "  - {at: 20s, rollingUpdate: {service: web, image: web:2}}",
    });

  it("stop-first, parallelism 2, delay 10 s: two workers, each taking its next slot 10 s after its last new task ran", () => {
    const out = runAndCollect(UPDATE("{parallelism: 2, delay: 10s, order: stop-first}"));
    const task = (e: Record<string, unknown>) => e["kind"] === "task" && (e["t_s"] as number) > 20;
    const created = out.events.filter((e) => task(e) && e["state"] === "new").map((e) => e["t_s"] as number);
    const fresh = new Set(out.events.filter((e) => task(e) && e["state"] === "new").map((e) => e["task"]));
    const ran = out.events.filter((e) => task(e) && e["state"] === "running" && fresh.has(e["task"])).map((e) => e["t_s"] as number);
    expect(created).toHaveLength(6);
    expect(ran).toHaveLength(6);
    // Both workers start at once (each commits its own slot, a few ms apart); every later slot
    // waits for a worker: some new task ran 10 s before, one per slot taken since (so never more
    // than two slots in flight).
    expect(created[1]! - created[0]!).toBeLessThan(0.01);
    for (let k = 2; k < created.length; k++) expect(ran.filter((t) => t <= created[k]! - 10).length).toBeGreaterThanOrEqual(k - 1);
    for (const e of out.events.filter((x) => task(x) && x["state"] === "new")) {
      const slot = e["slot"];
      const oldStop = out.events.find((x) => x["kind"] === "task" && x["slot"] === slot && x["state"] === "shutdown" && x["t_s"] > 20)!;
      const newStart = eventsOf(out.events, "task", { task: e["task"], state: "starting" })[0]!;
      expect(newStart["t_s"]).toBeGreaterThanOrEqual(oldStop["t_s"]);
    }
    const states = eventsOf(out.events, "service").map((e) => e["update"]);
    expect(states).toEqual(["updating", "completed"]);
    // Complete after the last worker's delay and the final monitoring: delay 10 s >= monitor 5 s makes it delay + 1 s.
    const completed = eventsOf(out.events, "service", { update: "completed" })[0]!["t_s"] as number;
    expect(completed - Math.max(...ran)).toBeGreaterThanOrEqual(21);
    expect(completed - Math.max(...ran)).toBeLessThan(21.5);
  });

  it("maxFailureRatio is a share of the slots to update (swarmkit), not of those tried so far", () => {
    // 6 slots, ratio 0.2: the first failure is 1/6, within it; the second, 2/6, pauses the update.
    const out = runAndCollect(
      scenario({
        nodes: 4,
        services: WEB("    update: {parallelism: 1, failureAction: pause, maxFailureRatio: 0.2}\n    restartPolicy: {condition: none}"),
        events: "  - {at: 20s, rollingUpdate: {service: web, startup: {failRate: 1}}}",
      }),
    );
    expect(eventsOf(out.events, "service").map((e) => e["update"])).toEqual(["updating", "paused"]);
    expect(out.events.filter((e) => e["kind"] === "task" && e["state"] === "failed")).toHaveLength(2);
    expect(out.timeseries.at(-1)!.tasks_running).toBe(4);
  });

  it("start-first runs the new task before the old one stops", () => {
    const out = runAndCollect(UPDATE("{parallelism: 1, order: start-first}"));
    const fresh = out.events.filter((e) => e["kind"] === "task" && e["state"] === "running" && e["t_s"] > 20);
    expect(fresh).toHaveLength(6);
    for (const e of fresh) {
      const oldStop = out.events.find((x) => x["kind"] === "task" && x["slot"] === e["slot"] && x["state"] === "shutdown" && x["t_s"] > 20)!;
      expect(oldStop["t_s"]).toBeGreaterThanOrEqual(e["t_s"]);
    }
    // Capacity never dips: 6 running throughout.
    for (const r of out.timeseries) expect(r.tasks_running).toBeGreaterThanOrEqual(6);
  });

  it("a failing new spec with failureAction pause stops the update and leaves the old tasks serving", () => {
    const out = runAndCollect(
      scenario({
        nodes: 4,
        services: WEB("    update: {parallelism: 1, failureAction: pause}"),
        events: "  - {at: 20s, rollingUpdate: {service: web, startup: {failRate: 1}}}",
      }),
    );
    expect(eventsOf(out.events, "service").map((e) => e["update"])).toEqual(["updating", "paused"]);
    // One slot was updated (and keeps failing under its restart policy); five old tasks serve.
    expect(out.timeseries.at(-1)!.tasks_running).toBe(5);
  });

  it("failureAction rollback goes back to the previous spec and completes", () => {
    const out = runAndCollect(
      scenario({
        nodes: 4,
        services: WEB("    update: {parallelism: 2, failureAction: rollback}"),
        events: "  - {at: 20s, rollingUpdate: {service: web, startup: {failRate: 1}}}",
      }),
    );
    expect(eventsOf(out.events, "service").map((e) => e["update"])).toEqual(["updating", "rollback_started", "rollback_completed"]);
    const done = eventsOf(out.events, "service", { update: "rollback_completed" })[0]!["t_s"];
    expect(out.events.filter((e) => e["kind"] === "task" && e["state"] === "failed" && e["t_s"] > done)).toHaveLength(0);
    expect(out.timeseries.at(-1)!.tasks_running).toBe(6);
  });
});

describe("global services", () => {
  it("one task per eligible node: a new node gets one, a drained node's task stops and is not replaced", () => {
    const out = runAndCollect(
      scenario({
        services: "  - {name: agent, mode: global}",
        events: `  - {at: 10s, addNodes: {group: w, count: 1}}
  - {at: 40s, drain: {node: w-2}}`,
      }),
    );
    const store = out.run.world.control.viewStore();
    const live = [...store.tasks.values()].filter((t) => t.desiredState <= TaskState.RUNNING);
    expect(live.map((t) => [t.pinnedNode, t.nodeId]).sort()).toEqual([
      ["w-1", "w-1"],
      ["w-3", "w-3"],
      ["w-4", "w-4"],
    ]);
    expect(out.timeseries.at(-1)!.tasks_running).toBe(3);
  });
});

describe("more of Swarm's knobs", () => {
  it("restart window: maxAttempts counts only the attempts inside the window", () => {
    const run = (window: string) =>
      runAndCollect(
        scenario({
          duration: "90s",
          services: WEB(`    replicas: 1
    restartPolicy: {delay: 5s, maxAttempts: 2, window: ${window}}
    update: {failureAction: continue}`).replace("    replicas: 6\n", ""),
          events: "  - {at: 5s, rollingUpdate: {service: web, startup: {failRate: 1}}}",
        }),
      );
    expect(run("0s").summary.services["web"]!.restarts).toBe(2);
    // Failures come about 7 s apart (5 s delay, 1 s pull, 1 s start-up); with a 3 s window the
    // earlier attempts have aged out each time, so the slot keeps being restarted.
    expect(run("3s").summary.services["web"]!.restarts).toBeGreaterThan(6);
  });

  it("maxFailureRatio 1 lets an update finish though every new task fails", () => {
    const out = runAndCollect(
      scenario({
        nodes: 4,
        services: WEB("    update: {parallelism: 3, failureAction: pause, maxFailureRatio: 1}\n    restartPolicy: {condition: none}"),
        events: "  - {at: 20s, rollingUpdate: {service: web, startup: {failRate: 1}}}",
      }),
    );
    expect(eventsOf(out.events, "service").map((e) => e["update"])).toEqual(["updating", "completed"]);
    expect(out.events.filter((e) => e["kind"] === "task" && e["state"] === "failed")).toHaveLength(6);
  });

  it("removeNodes: the node leaves the swarm and its tasks start elsewhere", () => {
    const out = runAndCollect(
      scenario({
        services: WEB(),
        events: "  - {at: 20s, removeNodes: {nodes: [w-2]}}",
      }),
    );
    const store = out.run.world.control.viewStore();
    expect(store.nodes.has("w-2")).toBe(false);
    const live = [...store.tasks.values()].filter((t) => t.desiredState <= TaskState.RUNNING);
    expect(live).toHaveLength(6);
    for (const t of live) expect(t.nodeId).not.toBe("w-2");
    expect(out.timeseries.at(-1)!.tasks_running).toBe(6);
    expect(out.summary.services["web"]!.restarts).toBe(2);
  });
});

describe("drain, whatever the restart policy", () => {
  it("moves on-failure and none tasks off a drained node too (swarmkit shuts them down first)", () => {
    const out = runAndCollect(
      scenario({
        services: `  - {name: a, replicas: 3, restartPolicy: {condition: on-failure}}
  - {name: b, replicas: 3, restartPolicy: {condition: none}}
  - {name: c, replicas: 3, restartPolicy: {maxAttempts: 1}}`,
        events: "  - {at: 10s, drain: {node: w-1}}",
      }),
    );
    expect(lastTasksPerNode(out)["w-1"]).toBe(0);
    const store = out.run.world.control.viewStore();
    for (const svc of ["a", "b", "c"]) {
      const live = [...store.tasks.values()].filter((t) => t.service === svc && t.desiredState <= TaskState.RUNNING);
      expect(live.map((t) => t.state)).toEqual([TaskState.RUNNING, TaskState.RUNNING, TaskState.RUNNING]);
      for (const t of live) expect(t.nodeId).not.toBe("w-1");
    }
  });
});

describe("restart history per slot", () => {
  it("each node's task of a global service has its own maxAttempts", () => {
    const out = runAndCollect(
      scenario({
        services: "  - {name: agent, mode: global, restartPolicy: {delay: 1s, maxAttempts: 1}}",
        events: "  - {at: 10s, restartAll: {service: agent}}",
      }),
    );
    expect(out.summary.services["agent"]!.restarts).toBe(3);
    expect(out.timeseries.at(-1)!.tasks_running).toBe(3);
  });
});

describe("a new leader and the replacements waiting out their restart delay", () => {
  it("waits only what is left of the delay (swarmkit taskinit), not the whole delay again", () => {
    // The task fails at 10 s; its replacement waits 20 s. The leader dies at 12 s: the new one
    // starts the replacement at about 30 s, not 20 s after it took over.
    const out = runAndCollect(scenarioYaml({ name: "resume", duration: "1m" }, `
cluster:
  managers: {count: 3, runTasks: false}
  nodeGroups: [{name: w, count: 1, cpu: 4, memory: 8GiB}]
services:
  - {name: web, replicas: 1, startup: {pull: 100ms, cpu: 100ms}, restartPolicy: {delay: 20s}}
events:
  - {at: 10s, restartAll: {service: web}}
  - {at: 12s, killLeader: {}}
`));
    const elected = out.elections.map((e) => e.elected_s).filter((t) => t > 12);
    expect(elected.length).toBeGreaterThan(0);
    const started = out.events.filter((e) => e["kind"] === "task" && e["task"] !== "web.1.1" && e["state"] === "starting").map((e) => e["t_s"] as number);
    expect(started).toHaveLength(1);
    expect(started[0]!).toBeGreaterThan(30);
    expect(started[0]!).toBeLessThan(31);
    expect(started[0]!).toBeLessThan(elected[0]! + 20);
  });
});

describe("restart history and a new spec", () => {
  it("maxAttempts counts only restarts of the current spec: after a rolling update the slot may restart again (swarmkit specVersion)", () => {
    const out = runAndCollect(
      scenario({
        nodes: 2,
        services: "  - {name: web, replicas: 1, startup: {pull: 100ms, cpu: 100ms}, restartPolicy: {delay: 1s, maxAttempts: 1}}",
        events: "  - {at: 10s, restartAll: {service: web}}\n  - {at: 20s, rollingUpdate: {service: web, image: web:2}}\n  - {at: 40s, restartAll: {service: web}}\n  - {at: 60s, restartAll: {service: web}}",
      }),
    );
    // Restarted at 10 s (the old spec's one attempt) and at 40 s (the new spec's); not at 60 s.
    expect(out.summary.services["web"]!.restarts).toBe(2);
    const ran = out.events.filter((e) => e["kind"] === "task" && e["state"] === "running").map((e) => e["t_s"] as number);
    expect(ran.some((t) => t > 40 && t < 45)).toBe(true);
    expect(ran.some((t) => t > 60)).toBe(false);
    expect(out.timeseries.at(-1)!.tasks_running).toBe(0);
  });
});

describe("a paused or rolled-back update: the slots in flight finish (review cases)", () => {
  const update = (o: { order: string; action: string; extra?: string; workload?: string; events?: string }) =>
    runAndCollect(scenarioYaml({ name: "paused", duration: "3m", seed: 3 }, `
cluster:
  managers: {count: 1, runTasks: false}
  nodeGroups: [{name: w, count: 3, cpu: 4, memory: 8GiB}]
services:
  - name: web
    replicas: 6
    startup: {pull: 1s, cpu: 1s}
    update: {parallelism: 3, order: ${o.order}, failureAction: ${o.action}}
    restartPolicy: {condition: none}
${o.extra ?? ""}
${o.workload ?? ""}
events:
${o.events ?? "  - {at: 20s, rollingUpdate: {service: web, startup: {failRate: 0.5, pull: 1s, cpu: 1s}}}"}
`));
  /** Live tasks (desired to run) per slot at the end, from the managers' store. */
  const livePerSlot = (out: ReturnType<typeof runAndCollect>) => {
    const n = new Map<number, number>();
    for (const t of out.run.world.control.viewStore().tasks.values()) if (t.desiredState <= TaskState.RUNNING && !isTerminal(t.state)) n.set(t.slot, (n.get(t.slot) ?? 0) + 1);
    return [...n.values()];
  };

  it("start-first, paused: a new task that runs after the pause still stops its old one (no slot keeps two)", () => {
    const out = update({ order: "start-first", action: "pause" });
    expect(eventsOf(out.events, "service").map((e) => e["update"])).toEqual(["updating", "paused"]);
    expect(Math.max(...livePerSlot(out))).toBe(1);
    expect(out.timeseries.at(-1)!.tasks_running).toBeLessThanOrEqual(6);
  });

  it("stop-first, paused while old tasks drain: their new tasks still start once they stop (none left at READY)", () => {
    const out = update({
      order: "stop-first", action: "pause",
      extra: "    ports: [{published: 80, target: 80}]\n    runtime: {concurrency: 8}\n    request: {cpu: 4s, distribution: constant}\n    stopGracePeriod: 30s",
      workload: "workload:\n  - {name: u, service: web, rate: 4/s, timeout: 60s}",
    });
    expect(eventsOf(out.events, "service").map((e) => e["update"])).toEqual(["updating", "paused"]);
    const held = [...out.run.world.control.viewStore().tasks.values()].filter((t) => t.desiredState === TaskState.READY);
    expect(held).toEqual([]);
    expect(Math.max(...livePerSlot(out))).toBe(1);
  });

  it("start-first, rolled back: each slot ends with one task, the six desired running", () => {
    const out = update({ order: "start-first", action: "rollback" });
    expect(eventsOf(out.events, "service").map((e) => e["update"])).toEqual(["updating", "rollback_started", "rollback_completed"]);
    expect(Math.max(...livePerSlot(out))).toBe(1);
    expect(out.timeseries.at(-1)!.tasks_running).toBe(6);
  });

  it("a scale-down during the update starts it again (a new spec version): it completes, not paused by the tasks the scale removed", () => {
    const out = update({ order: "stop-first", action: "pause", events: "  - {at: 20s, rollingUpdate: {service: web, image: web:2}}\n  - {at: 22s, scale: {service: web, replicas: 2}}" });
    expect(eventsOf(out.events, "service").map((e) => e["update"])).toEqual(["updating", "completed"]);
    expect(out.timeseries.at(-1)!.tasks_running).toBe(2);
  });
});
