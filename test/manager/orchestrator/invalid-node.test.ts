// An assignment decided before its node went DOWN can commit after it: no node event comes
// again, so the orchestrator restarts the task when the task itself changes on an invalid node,
// as swarmkit's handleTaskChange does (orchestrator.InvalidNode: gone, DOWN or drained).
import { describe, expect, it } from "vitest";
import { TaskState } from "../../../src/api/task-state.js";
import { setup, spec } from "./harness.js";

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

  it("waits the restart delay, unless the node is also drained (swarmkit: no delay off a drained node, DOWN or not)", () => {
    const promotedAt = (availability: "active" | "drain"): number => {
      const { sim, store, proposed } = setup();
      store.apply({ type: "UpdateNode", id: "w-1", status: "down", availability });
      store.apply({ type: "AllocateTask", id: "web.1.1", networks: [] });
      store.apply({ type: "AssignTask", id: "web.1.1", nodeId: "w-1" });
      let at = -1;
      sim.run();
      // The replacement's promotion to RUNNING is the last thing proposed; the clock stopped there.
      if (proposed.some((c) => c.type === "SetTaskDesiredState" && c.id === "web.1.2" && c.desiredState === TaskState.RUNNING)) at = sim.now();
      return at;
    };
    expect(promotedAt("active")).toBe(spec.restartPolicy.delayUs);
    expect(promotedAt("drain")).toBe(0);
  });

  it("on a node that is ready, nothing happens", () => {
    const { sim, store, proposed } = setup();
    store.apply({ type: "AllocateTask", id: "web.1.1", networks: [] });
    store.apply({ type: "AssignTask", id: "web.1.1", nodeId: "w-2" });
    sim.run();
    expect(proposed).toEqual([]);
  });
});
