// Which tasks a scale-down removes: swarmkit's own TestReplicatedScaleDown
// (manager/orchestrator/replicated/replicated_test.go), restated on slotsToRemove.

import { describe, expect, it } from "vitest";
import { TaskState } from "../../../src/api/task-state.js";
import { slotsToRemove } from "../../../src/manager/orchestrator/replicated.js";
import type { TaskRecord } from "../../../src/manager/store.js";

function task(slot: number, nodeId: string | null, state: TaskState): TaskRecord {
  return { id: `task${slot}`, slot, nodeId, state } as TaskRecord;
}

function slotsOf(tasks: readonly TaskRecord[]): Map<number, TaskRecord[]> {
  return new Map(tasks.map((t) => [t.slot, [t]]));
}

// task1 on node1 (STARTING); task2-3 on node2 and task4-6 on node3 (RUNNING); task7 unassigned (NEW).
const SWARMKIT = [
  task(1, "node1", TaskState.STARTING),
  task(2, "node2", TaskState.RUNNING),
  task(3, "node2", TaskState.RUNNING),
  task(4, "node3", TaskState.RUNNING),
  task(5, "node3", TaskState.RUNNING),
  task(6, "node3", TaskState.RUNNING),
  task(7, null, TaskState.NEW),
];

describe("scale-down order (swarmkit's TestReplicatedScaleDown)", () => {
  it("7 tasks, 6 replicas: the unassigned task7 goes", () => {
    expect(slotsToRemove(slotsOf(SWARMKIT), 6)).toEqual([7]);
  });

  it("then 4: both go from node3 (three copies), and task4 stays there", () => {
    expect(slotsToRemove(slotsOf(SWARMKIT.slice(0, 6)), 4).sort()).toEqual([5, 6]);
  });

  it("then 2: one from node1 (not running yet) and one from node2, task2 staying there", () => {
    const left = SWARMKIT.filter((t) => [1, 2, 3, 4].includes(t.slot));
    expect(slotsToRemove(slotsOf(left), 2).sort()).toEqual([1, 3]);
  });

  it("node balance comes before running state: a running third copy goes before a starting first copy", () => {
    const tasks = [task(1, "a", TaskState.STARTING), task(2, "b", TaskState.RUNNING), task(3, "b", TaskState.RUNNING), task(4, "b", TaskState.RUNNING)];
    // orchsim used to remove every non-running task first, wherever it was: slot 1 here.
    expect(slotsToRemove(slotsOf(tasks), 3)).toEqual([4]);
  });

  it("a slot holding two tasks (a replacement under way) goes with the unassigned ones", () => {
    const slots = slotsOf([task(1, "a", TaskState.RUNNING), task(2, "a", TaskState.RUNNING)]);
    slots.set(3, [task(3, "b", TaskState.SHUTDOWN), task(3, "b", TaskState.STARTING)]);
    expect(slotsToRemove(slots, 2)).toEqual([3]);
  });

  it("scaling to 0 removes every slot; keeping all removes none", () => {
    expect(slotsToRemove(slotsOf(SWARMKIT), 0).sort()).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(slotsToRemove(slotsOf(SWARMKIT), 7)).toEqual([]);
  });
});
