// An assignment decided before its node went DOWN can commit after it: no node event comes
// again, so the orchestrator restarts the task when the task itself changes on an invalid node,
// as swarmkit's handleTaskChange does (orchestrator.InvalidNode: gone, DOWN or drained).
import { describe, expect, it } from "vitest";
import { TaskState } from "../../../src/cluster/task-state.js";
import { Simulation } from "../../../src/kernel/index.js";
import { Orchestrator } from "../../../src/manager/orchestrator/index.js";
import { Store, nodeRecordFrom, type StoreCommand } from "../../../src/manager/store.js";
import { parseScenario } from "../../../src/scenario/index.js";

const spec = parseScenario("version: 1\nname: t\nduration: 1m\ncluster: {managers: {count: 1}}\nservices: [{name: web, replicas: 1}]\n", "t.yaml").services[0]!;

function setup(): { sim: Simulation; store: Store; proposed: StoreCommand[] } {
  const sim = new Simulation();
  const store = new Store();
  const proposed: StoreCommand[] = [];
  for (const id of ["w-1", "w-2"]) {
    store.apply({ type: "CreateNode", node: nodeRecordFrom({ id, index: id === "w-1" ? 0 : 1, role: "worker", zone: "a", labels: {}, engineLabels: {}, cpuNanos: 4e9, memoryBytes: 8 * 2 ** 30, generic: {}, runsTasks: true }) });
  }
  store.apply({ type: "CreateService", spec, replicas: 1 });
  const orchestrator = new Orchestrator({ sim, store, propose: (cmds) => proposed.push(...cmds), onRestart: () => undefined });
  store.watch((e) => orchestrator.handle(e));
  sim.run(); // the first reconcile proposes web.1.1
  for (const c of proposed.splice(0)) store.apply(c);
  return { sim, store, proposed };
}

describe("a task assigned to a node that is already DOWN", () => {
  it("is shut down and replaced in its slot", () => {
    const { sim, store, proposed } = setup();
    store.apply({ type: "UpdateNode", id: "w-1", status: "down" });
    store.apply({ type: "AllocateTask", id: "web.1.1", networks: [] });
    store.apply({ type: "AssignTask", id: "web.1.1", nodeId: "w-1" }); // decided before w-1 was DOWN
    sim.run();
    expect(proposed).toContainEqual({ type: "SetTaskDesiredState", id: "web.1.1", desiredState: TaskState.SHUTDOWN });
    expect(proposed.some((c) => c.type === "CreateTask" && c.task.slot === 1 && c.task.attempt === 2)).toBe(true);
  });

  it("on a node that is ready, nothing happens", () => {
    const { sim, store, proposed } = setup();
    store.apply({ type: "AllocateTask", id: "web.1.1", networks: [] });
    store.apply({ type: "AssignTask", id: "web.1.1", nodeId: "w-2" });
    sim.run();
    expect(proposed).toEqual([]);
  });
});
