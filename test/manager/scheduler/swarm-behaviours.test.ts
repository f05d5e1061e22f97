// The scheduler behaviours listed at the end of SWARM.md, restated from swarmkit's own
// scheduler tests (manager/scheduler/scheduler_test.go).
import { describe, expect, it } from "vitest";
import { TaskState } from "../../../src/api/task-state.js";
import { SchedulerHarness, node, serviceSpec } from "./harness.js";

const GB = 1024 ** 3;

describe("Swarm's scheduler behaviours", () => {
  it("1. spreads new tasks to emptier nodes; a freed or added node gets the next; DOWN nodes never do", () => {
    const h = new SchedulerHarness([node("n1"), node("n2"), node("n3")]);
    const web = serviceSpec("web");
    h.addTask(web, 1);
    h.settle();
    const first = h.nodeOf("web.1.1");
    expect(first).toBe("n1");
    h.addTask(web, 2);
    h.addTask(web, 3);
    h.settle();
    expect([h.nodeOf("web.2.1"), h.nodeOf("web.3.1")].sort()).toEqual(["n2", "n3"]);
    // Free n1: its task shuts down. The next task goes there.
    h.apply({ type: "UpdateTaskStatus", id: "web.1.1", state: TaskState.SHUTDOWN, reason: null });
    h.addTask(web, 4);
    h.settle();
    expect(h.nodeOf("web.4.1")).toBe("n1");
    // An added empty node gets the next task.
    h.apply({ type: "CreateNode", node: node("n4") });
    h.addTask(web, 5);
    h.settle();
    expect(h.nodeOf("web.5.1")).toBe("n4");
    // A DOWN node never gets tasks; back to READY it gets the next one.
    h.apply({ type: "CreateNode", node: node("n5", { status: "down" }) });
    h.addTask(web, 6);
    h.settle();
    expect(h.nodeOf("web.6.1")).not.toBe("n5");
    h.apply({ type: "UpdateNode", id: "n5", status: "ready" });
    h.addTask(web, 7);
    h.settle();
    expect(h.nodeOf("web.7.1")).toBe("n5");
  });

  it("2. az1 = {n1}, az2 = {n2..n5}, 8 tasks with spread: node.labels.az: n1 gets 4, n2..n5 get 1 each", () => {
    const h = new SchedulerHarness([
      node("n1", { labels: { az: "az1" } }),
      ...["n2", "n3", "n4", "n5"].map((id) => node(id, { labels: { az: "az2" } })),
    ]);
    h.addTasks(serviceSpec("web", "placement: {preferences: [{spread: node.labels.az}]}"), 8);
    h.settle();
    const c = h.countsOf("web");
    expect(["n1", "n2", "n3", "n4", "n5"].map((n) => c.get(n) ?? 0)).toEqual([4, 1, 1, 1, 1]);
  });

  it("3. with no nodes a task stays PENDING with exactly `no suitable node`; a new READY node takes it", () => {
    const h = new SchedulerHarness([]);
    h.addTask(serviceSpec("web"), 1);
    h.settle();
    expect(h.nodeOf("web.1.1")).toBeNull();
    expect(h.reasonOf("web.1.1")).toBe("no suitable node");
    h.apply({ type: "CreateNode", node: node("n1") });
    h.settle();
    expect(h.nodeOf("web.1.1")).toBe("n1");
  });

  it("4. 2 GB reservation, one 1 GB READY node and two UNKNOWN: Swarm's reason; an 8 GB node takes it", () => {
    const h = new SchedulerHarness([
      node("small", { memoryBytes: 1 * GB }),
      node("u1", { status: "unknown" }),
      node("u2", { status: "unknown" }),
    ]);
    h.addTask(serviceSpec("db", "resources: {reservations: {memory: 2GiB}}"), 1);
    h.settle();
    expect(h.reasonOf("db.1.1")).toBe("no suitable node (2 nodes not available for new tasks; insufficient resources on 1 node)");
    h.apply({ type: "CreateNode", node: node("big", { memoryBytes: 8 * GB }) });
    h.settle();
    expect(h.nodeOf("db.1.1")).toBe("big");
  });

  it("5a. host-mode port 58 tcp and udp tasks land on different nodes; a third using both stays pending", () => {
    const h = new SchedulerHarness([node("n1"), node("n2")]);
    h.addTask(serviceSpec("svc", "ports: [{published: 58, target: 58, protocol: tcp, mode: host}]"), 1);
    h.addTask(serviceSpec("svc", "ports: [{published: 58, target: 58, protocol: udp, mode: host}]"), 2);
    h.settle();
    expect([h.nodeOf("svc.1.1"), h.nodeOf("svc.2.1")].sort()).toEqual(["n1", "n2"]);
    h.addTask(
      serviceSpec("svc", "ports: [{published: 58, target: 58, protocol: tcp, mode: host}, {published: 58, target: 59, protocol: udp, mode: host}]"),
      3,
    );
    h.settle();
    expect(h.nodeOf("svc.3.1")).toBeNull();
    expect(h.reasonOf("svc.3.1")).toBe("no suitable node (host-mode port already in use on 2 nodes)");
  });

  it("5b. maxReplicasPerNode 1 on 2 nodes: the third task stays pending with Swarm's reason", () => {
    const h = new SchedulerHarness([node("n1"), node("n2")]);
    const spec = serviceSpec("web", "placement: {maxReplicasPerNode: 1}");
    for (let i = 1; i <= 3; i++) h.addTask(spec, i);
    h.settle();
    const placed = [1, 2, 3].map((i) => h.nodeOf(`web.${i}.1`));
    expect(placed.filter((n) => n !== null).sort()).toEqual(["n1", "n2"]);
    expect(h.reasonOf("web.3.1")).toBe("no suitable node (max replicas per node limit exceed)");
  });

  it("never retries a pending task on its own (moby/moby#32999), but does when something changes", () => {
    const h = new SchedulerHarness([node("n1", { memoryBytes: 1 * GB })]);
    h.addTask(serviceSpec("db", "resources: {reservations: {memory: 2GiB}}"), 1);
    h.settle();
    h.sim.run({ untilUs: h.sim.now() + 600_000_000 });
    expect(h.nodeOf("db.1.1")).toBeNull();
    h.apply({ type: "CreateNode", node: node("n2", { memoryBytes: 4 * GB }) });
    h.settle();
    expect(h.nodeOf("db.1.1")).toBe("n2");
  });
});

describe("scheduler.retryInterval", () => {
  it("opt-in: pending tasks are looked at again periodically; by default the scheduler stays idle", () => {
    const idleEvents = (retryIntervalUs: number): number => {
      const h = new SchedulerHarness([node("n1", { memoryBytes: 1 * GB })], "spread", 1, retryIntervalUs);
      h.addTask(serviceSpec("db", "resources: {reservations: {memory: 2GiB}}"), 1);
      h.settle();
      const before = h.sim.eventsProcessed;
      h.sim.run({ untilUs: h.sim.now() + 60_000_000 });
      return h.sim.eventsProcessed - before;
    };
    expect(idleEvents(0)).toBe(0);
    // One retry and one batch every 10 s for a minute.
    expect(idleEvents(10_000_000)).toBeGreaterThanOrEqual(6);
  });
});
