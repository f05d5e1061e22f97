// A node marked DOWN has no session with the dispatcher, so nothing is sent to it (swarmkit's
// assignments go only over a node's session stream); when it comes back, its new session is sent
// every task the store gives it, and the tasks replaced meanwhile end there.

import { afterEach, describe, expect, it, vi } from "vitest";
import { Delivery } from "../../src/network/delivery.js";
import { TaskState } from "../../src/api/task-state.js";
import { eventsOf, runYaml, scenarioYaml, THREE_WORKERS_API, twoZonesYaml } from "../helpers.js";

afterEach(() => {
  vi.restoreAllMocks();
});

describe("a node marked DOWN", () => {
  it("is sent no assignment until it is back, and then gets the tasks replaced meanwhile", () => {
    const sent: { to: string; atUs: number }[] = [];
    const sendHost = Delivery.prototype.sendHost;
    vi.spyOn(Delivery.prototype, "sendHost").mockImplementation(function (this: Delivery, from, to, bytes, handler, msg, inOrder) {
      if ((msg as { type?: string }).type === "Assignment") sent.push({ to: (to as { name: string }).name, atUs: (this as unknown as { sim: { now(): number } }).sim.now() });
      sendHost.call(this, from, to, bytes, handler, msg, inOrder);
    });
    const events = "events:\n  - {at: 20s, nodeFailure: {nodes: [web-1], recoverAfter: 60s}}\n";
    const out = runYaml(scenarioYaml({ duration: "2m" }, THREE_WORKERS_API + events), ["cluster.managers.runTasks=false"]);
    const origin = out.run.world.originUs;
    const downAt = eventsOf(out.events, "node", { node: "web-1", status: "down" }).map((e) => e["t_s"] as number);
    expect(downAt).toHaveLength(1);
    // It is back at 80 s (its new session's first heartbeat), ready once that commits.
    const backAt = 80;
    expect(eventsOf(out.events, "node", { node: "web-1", status: "ready" }).some((e) => e["t_s"] > backAt)).toBe(true);
    const toWeb1 = sent.filter((s) => s.to === "web-1").map((s) => (s.atUs - origin) / 1e6);
    // While DOWN (from its DOWN commit until it is back), none; then its new session's.
    expect(toWeb1.filter((t) => t >= downAt[0]! && t < backAt)).toEqual([]);
    expect(toWeb1.filter((t) => t >= backAt).length).toBeGreaterThan(0);
    // Its task was replaced while it was DOWN; the new session told it, and the task ended there.
    const old = [...out.run.world.control.viewStore().tasks.values()].filter((t) => t.nodeId === "web-1" && t.createdUs < origin + 20e6);
    expect(old.length).toBeGreaterThan(0);
    for (const t of old) {
      expect(t.desiredState, t.id).toBe(TaskState.SHUTDOWN);
      expect(t.state, t.id).toBeGreaterThan(TaskState.RUNNING);
    }
  });

  // A review's case: 100 ms heartbeats and 95 ms each way to zone b. The agent's heartbeats are
  // answered (within its 5 s), so it keeps its session, but the next one comes past the DOWN
  // deadline when the jitter draws short periods: its nodes flap DOWN and back by a heartbeat to
  // the session the dispatcher ended. They must be sent their tasks again then, as swarmkit's
  // agent, told its node is not registered, opens a new session: a task replaced while its node
  // was DOWN would otherwise run there for ever, desired SHUTDOWN.
  it("that comes back by a heartbeat to its old session is sent its tasks again", () => {
    const out = runYaml(scenarioYaml({ name: "slow-link", seed: 3, duration: "20s" }, twoZonesYaml({ managers: 1, heartbeat: "100ms", crossZone: "95ms" })));
    const flapped = new Set(eventsOf(out.events, "node", { status: "down" }).map((e) => e["node"] as string));
    expect(flapped.size).toBeGreaterThan(0);
    const end = out.run.world.sim.now();
    const stale = [...out.run.world.control.viewStore().tasks.values()].filter(
      // Made a second or more before the end, desired SHUTDOWN, still on a node that flapped and is READY at the end.
      (t) => t.nodeId !== null && flapped.has(t.nodeId) && t.desiredState === TaskState.SHUTDOWN && t.state <= TaskState.RUNNING && out.run.world.control.viewStore().nodes.get(t.nodeId)?.status === "ready" && t.createdUs < end - 1e6,
    );
    expect(stale.map((t) => t.id)).toEqual([]);
  });
});
