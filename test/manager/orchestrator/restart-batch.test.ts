// swarmkit restarts the tasks of a node gone DOWN in one store.Batch (restartTasksByNodeID, then
// tickTasks): one proposal for the node, not one per task. A task that fails alone is still
// restarted by a proposal of its own.
import { describe, expect, it } from "vitest";
import { TaskState } from "../../../src/api/task-state.js";
import { Orchestrator } from "../../../src/manager/orchestrator/index.js";
import type { StoreCommand } from "../../../src/manager/store.js";
import { setup } from "./harness.js";

function runningOn(store: ReturnType<typeof setup>["store"], ids: string[], node: string): void {
  for (const id of ids) {
    store.apply({ type: "AllocateTask", id, networks: [] });
    store.apply({ type: "AssignTask", id, nodeId: node });
    store.apply({ type: "UpdateTaskStatus", id, state: TaskState.RUNNING, reason: null });
  }
}

const stops = (b: StoreCommand[]) => b.filter((c) => c.type === "SetTaskDesiredState" && c.desiredState === TaskState.SHUTDOWN).length;
const creates = (b: StoreCommand[]) => b.filter((c) => c.type === "CreateTask").length;

describe("restarts of a node gone DOWN", () => {
  it("its four tasks are shut down and replaced by one proposal", () => {
    const batches: StoreCommand[][] = [];
    const { sim, store } = setup(4, batches);
    runningOn(store, ["web.1.1", "web.2.1", "web.3.1", "web.4.1"], "w-1");
    sim.run();
    batches.length = 0;
    store.apply({ type: "UpdateNode", id: "w-1", status: "down" });
    sim.run();
    const restarts = batches.filter((b) => stops(b) > 0);
    expect(restarts).toHaveLength(1);
    expect([stops(restarts[0]!), creates(restarts[0]!)]).toEqual([4, 4]);
  });

  it("a task that fails on a ready node is restarted by a proposal of its own", () => {
    const batches: StoreCommand[][] = [];
    const { sim, store } = setup(2, batches);
    runningOn(store, ["web.1.1", "web.2.1"], "w-1");
    sim.run();
    batches.length = 0;
    store.apply({ type: "UpdateTaskStatus", id: "web.1.1", state: TaskState.FAILED, reason: "exit 1" });
    store.apply({ type: "UpdateTaskStatus", id: "web.2.1", state: TaskState.FAILED, reason: "exit 1" });
    sim.run();
    const restarts = batches.filter((b) => stops(b) > 0);
    expect(restarts.map((b) => [stops(b), creates(b)])).toEqual([[1, 1], [1, 1]]);
  });

  it("a new leader restarts the tasks it finds on a DOWN node in one proposal (swarmkit's initTasks)", () => {
    const { sim, store } = setup(4);
    runningOn(store, ["web.1.1", "web.2.1", "web.3.1", "web.4.1"], "w-1");
    store.apply({ type: "UpdateNode", id: "w-1", status: "down" }); // committed while no orchestrator ran
    const batches: StoreCommand[][] = [];
    new Orchestrator({ sim, store, propose: (cmds) => void batches.push([...cmds]), onRestart: () => undefined });
    sim.run();
    const restarts = batches.filter((b) => stops(b) > 0);
    expect(restarts.map((b) => [stops(b), creates(b)])).toEqual([[4, 4]]);
    // The replacements are all it makes: its task numbers go on from the store's (TaskNumbers.covering).
    expect(batches.reduce((n, b) => n + creates(b), 0)).toBe(4);
  });
});
