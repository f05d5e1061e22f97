// A node marked DOWN has no session with the dispatcher, so nothing is sent to it (swarmkit's
// assignments go only over a node's session stream); when it comes back, its new session is sent
// every task the store gives it, and the tasks replaced meanwhile end there.

import { afterEach, describe, expect, it, vi } from "vitest";
import { Delivery } from "../../src/network/delivery.js";
import { TaskState } from "../../src/api/task-state.js";
import { eventsOf, runYaml, scenarioYaml, THREE_WORKERS_API } from "../helpers.js";

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
});
