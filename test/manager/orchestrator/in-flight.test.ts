// A reconcile between a scale-down's proposal and its commit must not count the tasks it told to
// stop: it would remove another one (swarmkit reconciles from the store inside one transaction).
import { describe, expect, it } from "vitest";
import { TaskState } from "../../../src/api/task-state.js";
import { setup, spec } from "./harness.js";

describe("a scale-down not yet committed", () => {
  it("is not repeated by the next reconcile", () => {
    const { sim, store, proposed } = setup(3);
    store.apply({ type: "UpdateService", name: "web", replicas: 2 });
    sim.run();
    const removals = () => proposed.filter((c) => c.type === "SetTaskDesiredState" && c.desiredState === TaskState.REMOVE);
    expect(removals()).toHaveLength(1);
    // Something else makes the service dirty before the removal commits.
    store.apply({ type: "UpdateService", name: "web", spec });
    sim.run();
    expect(removals()).toHaveLength(1);
    // Once it commits, the count is right: no task is created or told to stop (the reaper may
    // write off the removed one, which never ran).
    for (const c of proposed.splice(0)) store.apply(c);
    store.apply({ type: "UpdateService", name: "web", replicas: 2 });
    sim.run();
    expect(proposed.filter((c) => c.type === "CreateTask" || c.type === "SetTaskDesiredState")).toEqual([]);
  });
});
