// The orchestrator's tables go by task number (TaskRecord.num), one per task id for the whole
// control plane (TaskNumbers): a task the old leader proposed may commit after a new leader has
// made its own task of the same id (the slot's next attempt, as both leaders see it), and the
// store then holds one task by that id. The tables must agree with the store about it.
import { describe, expect, it } from "vitest";
import { TaskState } from "../../../src/api/task-state.js";
import { Simulation } from "../../../src/kernel/index.js";
import { Orchestrator } from "../../../src/manager/orchestrator/index.js";
import { TaskNumbers } from "../../../src/manager/orchestrator/tasks.js";
import { Store, nodeRecordFrom, type StoreCommand } from "../../../src/manager/store.js";
import { spec } from "./harness.js";

function cluster(): { sim: Simulation; store: Store } {
  const sim = new Simulation();
  const store = new Store();
  store.apply({ type: "CreateNode", node: nodeRecordFrom({ id: "w-1", index: 0, role: "worker", zone: "a", labels: {}, engineLabels: {}, cpuNanos: 4e9, memoryBytes: 8 * 2 ** 30, generic: {}, runsTasks: true }) });
  store.apply({ type: "CreateService", spec, replicas: 3 });
  return { sim, store };
}

/** A leader's orchestrator on `store`, its proposals kept in `proposed` (not committed). */
function leader(sim: Simulation, store: Store, numbers: TaskNumbers, proposed: StoreCommand[]): Orchestrator {
  const o = new Orchestrator({ sim, store, propose: (cmds) => void proposed.push(...cmds), onRestart: () => undefined, numbers });
  store.watch((e) => o.handle(e));
  return o;
}

const created = (cmds: StoreCommand[]): [string, number][] => cmds.flatMap((c) => (c.type === "CreateTask" ? [[c.task.id, c.task.num] as [string, number]] : []));

describe("task numbers", () => {
  it("one number per task id, whichever leader makes it, and new ids get new numbers", () => {
    const { sim, store } = cluster();
    const numbers = new TaskNumbers();
    const first: StoreCommand[] = [];
    const old = leader(sim, store, numbers, first);
    sim.run(); // three tasks proposed, not committed before the leader goes
    old.stop();
    const second: StoreCommand[] = [];
    leader(sim, store, numbers, second);
    sim.run(); // the new leader finds the slots empty and makes the same three ids
    expect(created(second)).toEqual(created(first));
    expect(created(first).map(([, n]) => n)).toEqual([0, 1, 2]);
    for (const c of [...first, ...second]) store.apply(c); // both leaders' entries commit
    sim.run();
    // The second leader's replacement of a task that failed is a new id, with a new number.
    second.length = 0;
    store.apply({ type: "UpdateTaskStatus", id: "web.2.1", state: TaskState.FAILED, reason: "exit 1" });
    sim.run();
    expect(created(second)).toEqual([["web.2.2", 3]]);
  });

  it("a new leader numbers a replacement after every task already in the store, with the control plane's numbering or one covering the store", () => {
    for (const shared of [true, false]) {
      const { sim, store } = cluster();
      const numbers = new TaskNumbers();
      const first: StoreCommand[] = [];
      const old = leader(sim, store, numbers, first);
      sim.run();
      for (const c of first) store.apply(c); // the first leader's tasks commit
      old.stop();
      const second: StoreCommand[] = [];
      const o = new Orchestrator({ sim, store, propose: (cmds) => void second.push(...cmds), onRestart: () => undefined, numbers: shared ? numbers : undefined });
      store.watch((e) => o.handle(e));
      sim.run();
      store.apply({ type: "UpdateTaskStatus", id: "web.1.1", state: TaskState.FAILED, reason: "exit 1" });
      sim.run();
      expect(created(second)).toEqual([["web.1.2", 3]]);
    }
  });

  it("the leader counts a slot whose task both leaders made once: a failure of it is replaced, and nothing else is made", () => {
    const { sim, store } = cluster();
    const numbers = new TaskNumbers();
    const first: StoreCommand[] = [];
    const old = leader(sim, store, numbers, first);
    sim.run();
    old.stop();
    const second: StoreCommand[] = [];
    leader(sim, store, numbers, second);
    sim.run();
    for (const c of [...first, ...second]) store.apply(c);
    second.length = 0;
    sim.run(); // setup-audit's LiveSlots check compares every count with a walk of the store's tasks
    expect(second).toEqual([]);
    for (const id of ["web.1.1", "web.2.1", "web.3.1"]) store.apply({ type: "UpdateTaskStatus", id, state: TaskState.FAILED, reason: "exit 1" });
    sim.run();
    expect(created(second).map(([id]) => id)).toEqual(["web.1.2", "web.2.2", "web.3.2"]);
  });
});
