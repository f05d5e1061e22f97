// The live invariant checkers catch each kind of broken invariant they are there for (fed by
// hand here: the model never breaks them, which the chaos schedules check with them on).

import { describe, expect, it } from "vitest";
import { TaskState } from "../../src/api/task-state.js";
import { Checkers, InvariantViolation } from "../../src/engine/checkers.js";
import { Store, nodeRecordFrom, type TaskRecord } from "../../src/manager/store.js";
import { parseScenario } from "../../src/scenario/index.js";
import { NodeInfo } from "../../src/manager/scheduler/node-info.js";
import { checkPlacement } from "../../src/manager/scheduler/scheduler.js";

const task = (task: string, node: string | null, state: string, reason = "") => ({ kind: "task", task, node, state, reason });

describe("live invariant checkers", () => {
  it("two leaders in one term", () => {
    const c = new Checkers();
    c.event({ kind: "leader", term: 2, leader: "manager-1" });
    c.event({ kind: "leader", term: 3, leader: "manager-2" });
    expect(() => c.event({ kind: "leader", term: 3, leader: "manager-3" })).toThrow(new InvariantViolation("invariant broken: two leaders in term 3: manager-2 and manager-3"));
  });

  it("a task that moves, and a task whose state goes back (a crashed node's late report included)", () => {
    const c = new Checkers();
    c.event(task("web.1.1", null, "pending"));
    c.event(task("web.1.1", "w-1", "assigned"));
    c.event(task("web.1.1", "w-1", "running"));
    expect(() => c.event(task("web.1.1", "w-2", "running"))).toThrow("task web.1.1 moved from w-1 to w-2");
    expect(() => c.event(task("web.1.1", "w-1", "starting"))).toThrow("task web.1.1 went back from running to starting");
    c.event(task("web.2.1", "w-1", "failed"));
    c.event(task("web.2.1", "w-1", "orphaned"));
    // A crashed node remembers how its tasks ended (Swarm's worker keeps them on disk): a late
    // report of another state is a bug, not an exception.
    expect(() => c.event(task("web.2.1", "w-1", "failed", "task lost: node restarted"))).toThrow("task web.2.1 went back from orphaned to failed");
  });

  it("an assignment past a node's capacity, in the store that applied it; a node down by then is allowed (swarmkit allows it)", () => {
    const spec = parseScenario("version: 1\nname: t\nduration: 1m\nservices: [{name: web, resources: {reservations: {cpu: 3}}}]\n", "t.yaml").services[0]!;
    const store = new Store();
    for (const id of ["w-1", "w-2"]) {
      store.apply({ type: "CreateNode", node: nodeRecordFrom({ id, index: 0, role: "worker", zone: "a", labels: {}, engineLabels: {}, cpuNanos: 4e9, memoryBytes: 2 ** 33, generic: {}, runsTasks: true }) });
    }
    const assign = (id: string, node: string): (() => void) => () => {
      const t: TaskRecord = { id, num: 0, service: "web", slot: 1, attempt: 1, specVersion: 1, spec, nodeId: null, pinnedNode: null, desiredState: TaskState.RUNNING, state: TaskState.PENDING, reason: null, createdUs: 0, networks: [] };
      store.apply({ type: "CreateTask", task: t });
      store.apply({ type: "AssignTask", id, nodeId: node });
      const now = store.tasks.get(id)!;
      c.store({ type: "task", task: now, prevState: TaskState.PENDING, prevDesired: TaskState.RUNNING, removed: false }, store);
    };
    const c = new Checkers();
    expect(assign("web.1.1", "w-1")).not.toThrow();
    expect(assign("web.2.1", "w-1")).toThrow("w-1 holds 6 cores of reservations with web.2.1; it has 4");
    store.apply({ type: "UpdateNode", id: "w-2", status: "down" });
    expect(assign("web.3.1", "w-2")).not.toThrow();
  });

  it("the scheduler's own check: a node that is not ready and active, or has no room once the task is counted", () => {
    const spec = parseScenario("version: 1\nname: t\nduration: 1m\nservices: [{name: web, resources: {reservations: {cpu: 3}}}]\n", "t.yaml").services[0]!;
    const node = nodeRecordFrom({ id: "w-1", index: 0, role: "worker", zone: "a", labels: {}, engineLabels: {}, cpuNanos: 4e9, memoryBytes: 2 ** 33, generic: {}, runsTasks: true });
    const t = (id: string): TaskRecord => ({ id, num: 0, service: "web", slot: 1, attempt: 1, specVersion: 1, spec, nodeId: null, pinnedNode: null, desiredState: TaskState.RUNNING, state: TaskState.PENDING, reason: null, createdUs: 0, networks: [] });
    const info = new NodeInfo(node);
    info.addTask(t("web.1.1"));
    expect(() => checkPlacement(info, t("web.1.1"))).not.toThrow();
    info.addTask(t("web.2.1"));
    expect(() => checkPlacement(info, t("web.2.1"))).toThrow("invariant broken: the scheduler placed web.2.1 on w-1, which is ready and active and full");
    const down = new NodeInfo({ ...node, status: "down" });
    expect(() => checkPlacement(down, t("web.3.1"))).toThrow("which is down and active");
  });

  it("more requests ended than arrived", () => {
    expect(() => new Checkers().requests("web", 10, 8, 3)).toThrow("web: 8 completed and 3 failed of 10 arrivals");
  });
});
