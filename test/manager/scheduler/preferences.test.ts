// Placement preferences (`spread: node.labels.X`): swarmkit's decision tree and its split of a
// task group across branches (manager/scheduler/nodeset.go tree, scheduler.go
// scheduleNTasksOnSubtree), checked on small clusters where the expected split is worked out
// by hand in the comments.
import { describe, expect, it } from "vitest";
import { SchedulerHarness, node, serviceSpec } from "./harness.js";

const GB = 1024 ** 3;

function counts(h: SchedulerHarness, service: string, nodes: string[]): number[] {
  const c = h.countsOf(service);
  return nodes.map((n) => c.get(n) ?? 0);
}

describe("placement preferences", () => {
  it("without the preference, behaviour 2's cluster is spread per node (so that test means something)", () => {
    const h = new SchedulerHarness([
      node("n1", { labels: { az: "az1" } }),
      ...["n2", "n3", "n4", "n5"].map((id) => node(id, { labels: { az: "az2" } })),
    ]);
    h.addTasks(serviceSpec("web"), 8);
    h.settle();
    expect(counts(h, "web", ["n1", "n2", "n3", "n4", "n5"])).toEqual([2, 2, 2, 1, 1]);
  });

  it("nested preferences split level by level: zone first, then rack within the zone", () => {
    // az1 = {rack a: n1; rack b: n2, n3}, az2 = {rack c: n4}. 8 tasks: 4 per zone; within az1,
    // 2 per rack; rack b spreads its 2 over n2 and n3.
    const h = new SchedulerHarness([
      node("n1", { labels: { az: "az1", rack: "a" } }),
      node("n2", { labels: { az: "az1", rack: "b" } }),
      node("n3", { labels: { az: "az1", rack: "b" } }),
      node("n4", { labels: { az: "az2", rack: "c" } }),
    ]);
    h.addTasks(serviceSpec("web", "placement: {preferences: [{spread: node.labels.az}, {spread: node.labels.rack}]}"), 8);
    h.settle();
    expect(counts(h, "web", ["n1", "n2", "n3", "n4"])).toEqual([2, 1, 1, 4]);
  });

  it("nodes without the label form one more branch, the \"\" one", () => {
    // Branches "" = {n2, n3, n4} and az1 = {n1}: 2 tasks each, so n1 takes 2 and n4 none.
    const h = new SchedulerHarness([node("n1", { labels: { az: "az1" } }), node("n2"), node("n3"), node("n4")]);
    h.addTasks(serviceSpec("web", "placement: {preferences: [{spread: node.labels.az}]}"), 4);
    h.settle();
    expect(counts(h, "web", ["n1", "n2", "n3", "n4"])).toEqual([2, 1, 1, 0]);
  });

  it("engine.labels work like node.labels", () => {
    const h = new SchedulerHarness([
      node("ssd1", { engineLabels: { disk: "ssd" } }),
      node("hdd1", { engineLabels: { disk: "hdd" } }),
      node("hdd2", { engineLabels: { disk: "hdd" } }),
      node("hdd3", { engineLabels: { disk: "hdd" } }),
    ]);
    h.addTasks(serviceSpec("web", "placement: {preferences: [{spread: engine.labels.disk}]}"), 6);
    h.settle();
    expect(counts(h, "web", ["ssd1", "hdd1", "hdd2", "hdd3"])).toEqual([3, 1, 1, 1]);
  });

  it("counts the service's existing tasks per branch: a branch already ahead gets nothing", () => {
    // az1 = {n1, n2} already holds 2 tasks (both on n1); az2 = {n3}. 2 new tasks: the even share
    // is (2 + 2) / 2 = 2 per branch, so both go to n3 (plain spread would pick n2 and n3).
    const h = new SchedulerHarness([
      node("n1", { labels: { az: "az1" } }),
      node("n2", { labels: { az: "az1" } }),
      node("n3", { labels: { az: "az2" } }),
    ]);
    const spec = serviceSpec("web", "placement: {preferences: [{spread: node.labels.az}]}");
    h.addRunning(spec, 1, "n1");
    h.addRunning(spec, 2, "n1");
    h.addTasks(spec, 2, 3);
    h.settle();
    expect(counts(h, "web", ["n1", "n2", "n3"])).toEqual([2, 0, 2]);
  });

  it("a branch without room passes its share on to the others", () => {
    // Each task reserves 1 GB; az1's only node has room for one. Round 1: share 5/2 = 2 rem 1:
    // az1 is asked 3, places 1 and is out of room; az2 places 3. Round 2 gives az2 the last one.
    const h = new SchedulerHarness([
      node("n1", { labels: { az: "az1" }, memoryBytes: 1 * GB }),
      node("n2", { labels: { az: "az2" } }),
    ]);
    h.addTasks(serviceSpec("db", "placement: {preferences: [{spread: node.labels.az}]}\nresources: {reservations: {memory: 1GiB}}"), 5);
    h.settle();
    expect(counts(h, "db", ["n1", "n2"])).toEqual([1, 4]);
  });

  it("a branch whose nodes are all DOWN still counts as a branch, and its share goes to the others", () => {
    const h = new SchedulerHarness([
      node("n1", { labels: { az: "az1" } }),
      node("n2", { labels: { az: "az2" } }),
      node("n3", { labels: { az: "az3" }, status: "down" }),
    ]);
    h.addTasks(serviceSpec("web", "placement: {preferences: [{spread: node.labels.az}]}"), 6);
    h.settle();
    expect(counts(h, "web", ["n1", "n2", "n3"])).toEqual([3, 3, 0]);
  });

  it("keeps swarmkit's arithmetic: a full branch leaves the remainder unspent (1, 4, 2, not 1, 3, 3)", () => {
    // Round 1: share 7/3 = 2 rem 1. az1 is asked 3 and places 1 (full; the remainder stays 1),
    // az2 is asked 3, az3 is asked 2. Round 2 over az2 and az3 with their counts from the start
    // of the group (0): share 1/2 = 0 rem 1, so az2 takes the last task.
    const h = new SchedulerHarness([
      node("n1", { labels: { az: "az1" }, memoryBytes: 1 * GB }),
      node("n2", { labels: { az: "az2" } }),
      node("n3", { labels: { az: "az3" } }),
    ]);
    h.addTasks(serviceSpec("db", "placement: {preferences: [{spread: node.labels.az}]}\nresources: {reservations: {memory: 1GiB}}"), 7);
    h.settle();
    expect(counts(h, "db", ["n1", "n2", "n3"])).toEqual([1, 4, 2]);
  });

  it("ends where swarmkit's loop would not: an inner level that placed more than asked", () => {
    // az x = {rack x1: n1 (10 tasks), x2: n2, x3: n3}, az y = {rack y1: n4 (10 tasks)}; 2 new tasks.
    // Root: share 11 each, so x is asked for 1; inside x the share is 3 rem 2, so rack x2 is asked
    // for 4 and takes both tasks. x has then placed 2 of 1 and no rack is below the share.
    const h = new SchedulerHarness([
      node("n1", { labels: { az: "x", rack: "x1" } }),
      node("n2", { labels: { az: "x", rack: "x2" } }),
      node("n3", { labels: { az: "x", rack: "x3" } }),
      node("n4", { labels: { az: "y", rack: "y1" } }),
    ]);
    const spec = serviceSpec("web", "placement: {preferences: [{spread: node.labels.az}, {spread: node.labels.rack}]}");
    for (let i = 1; i <= 10; i++) h.addRunning(spec, i, "n1");
    for (let i = 11; i <= 20; i++) h.addRunning(spec, i, "n4");
    h.addTasks(spec, 2, 21);
    h.settle();
    expect(counts(h, "web", ["n1", "n2", "n3", "n4"])).toEqual([10, 2, 0, 10]);
  });

  it("tasks that fit nowhere keep Swarm's reason, counted over every branch", () => {
    const h = new SchedulerHarness([
      node("n1", { labels: { az: "az1" }, memoryBytes: 1 * GB }),
      node("n2", { labels: { az: "az2" }, memoryBytes: 1 * GB }),
      node("n3", { labels: { az: "az2" }, status: "down" }),
    ]);
    const tasks = h.addTasks(serviceSpec("db", "placement: {preferences: [{spread: node.labels.az}]}\nresources: {reservations: {memory: 1GiB}}"), 3);
    h.settle();
    expect(counts(h, "db", ["n1", "n2", "n3"])).toEqual([1, 1, 0]);
    const pending = tasks.filter((t) => h.nodeOf(t.id) === null);
    expect(pending.map((t) => h.reasonOf(t.id))).toEqual([
      "no suitable node (insufficient resources on 2 nodes; 1 node not available for new tasks)",
    ]);
  });
});
