// Tasks pinned to one node (global services; swarmkit's preassigned tasks, taskFitNode): only
// that node is checked, and another node is never chosen.
import { describe, expect, it } from "vitest";
import { SchedulerHarness, node, serviceSpec } from "./harness.js";

const GB = 1024 ** 3;

describe("pinned tasks", () => {
  it("goes to its node even when the strategy would prefer another", () => {
    const h = new SchedulerHarness([node("n1"), node("n2")]);
    const web = serviceSpec("web");
    h.addRunning(web, 1, "n1");
    h.addRunning(web, 2, "n1");
    const agent = h.addTask(serviceSpec("agent", "mode: global"), undefined, "n1");
    h.settle();
    expect(h.nodeOf(agent.id)).toBe("n1");
  });

  it("one per node for a global service, whatever the strategy", () => {
    for (const strategy of ["spread", "binpack", "random"]) {
      const h = new SchedulerHarness([node("n1"), node("n2"), node("n3")], strategy);
      const spec = serviceSpec("agent", "mode: global");
      const tasks = ["n1", "n2", "n3"].map((id) => h.addTask(spec, undefined, id));
      h.settle();
      expect(tasks.map((t) => h.nodeOf(t.id))).toEqual(["n1", "n2", "n3"]);
    }
  });

  it("stays pending on a DOWN node with the filter's explanation, and is never moved", () => {
    const h = new SchedulerHarness([node("n1"), node("n2", { status: "down" })]);
    const agent = h.addTask(serviceSpec("agent", "mode: global"), undefined, "n2");
    h.settle();
    expect(h.nodeOf(agent.id)).toBeNull();
    // swarmkit writes the pipeline's explanation bare for preassigned tasks.
    expect(h.reasonOf(agent.id)).toBe("1 node not available for new tasks");
    h.apply({ type: "UpdateNode", id: "n2", status: "ready" });
    h.settle();
    expect(h.nodeOf(agent.id)).toBe("n2");
  });

  it("explains insufficient resources on its node, though another node has room", () => {
    const h = new SchedulerHarness([node("small", { memoryBytes: 1 * GB }), node("big", { memoryBytes: 16 * GB })]);
    const agent = h.addTask(serviceSpec("agent", "mode: global\nresources: {reservations: {memory: 2GiB}}"), undefined, "small");
    h.settle();
    expect(h.nodeOf(agent.id)).toBeNull();
    expect(h.reasonOf(agent.id)).toBe("insufficient resources on 1 node");
  });

  it("is placed before the batch's groups, which then see its reservation", () => {
    // n1 has 2 GB: the pinned task takes 1 GB of it first, so only one 1 GB web task fits there.
    const h = new SchedulerHarness([node("n1", { memoryBytes: 2 * GB }), node("n2", { memoryBytes: 2 * GB })]);
    const web = h.addTasks(serviceSpec("web", "resources: {reservations: {memory: 1GiB}}"), 3);
    const agent = h.addTask(serviceSpec("agent", "mode: global\nresources: {reservations: {memory: 1GiB}}"), undefined, "n1");
    h.settle();
    expect(h.nodeOf(agent.id)).toBe("n1");
    expect(web.filter((t) => h.nodeOf(t.id) === "n1")).toHaveLength(1);
    expect(web.filter((t) => h.nodeOf(t.id) === "n2")).toHaveLength(2);
  });

  it("a task pinned to a node the scheduler does not know is left alone", () => {
    const h = new SchedulerHarness([node("n1")]);
    const agent = h.addTask(serviceSpec("agent", "mode: global"), undefined, "gone");
    h.settle();
    expect(h.nodeOf(agent.id)).toBeNull();
    expect(h.reasonOf(agent.id)).toBeNull();
  });
});
