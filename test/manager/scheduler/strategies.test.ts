// Runs the strategy contract (strategy-contract.ts) against every built-in strategy, a minimal
// user module and the example shipped in examples/strategies, each with its own expectations.
import { describe, expect, it } from "vitest";
import { TaskState } from "../../../src/api/task-state.js";
import type { PlacementStrategy } from "../../../src/manager/scheduler/strategy.js";
import { spread } from "../../../src/manager/scheduler/strategies/spread.js";
import { binpack } from "../../../src/manager/scheduler/strategies/binpack.js";
import { random } from "../../../src/manager/scheduler/strategies/random.js";
import { SchedulerHarness, node, serviceSpec } from "./harness.js";
import { place, strategyContract } from "./strategy-contract.js";
import { chosen, snapshot } from "../../../src/cli/strategy-host.js";
import { callChoose, type ChooseCall, type ModuleStrategy } from "../../../src/cli/strategy-protocol.js";

const GB = 1024 ** 3;

/**
 * Imports a user module and calls it as the CLI does, in this thread: each call's task and
 * candidates go as the snapshots its worker thread gets (src/cli/strategy-host.ts), cloned as
 * postMessage clones them, and the module sees them through the thread's views
 * (strategy-protocol.ts callChoose). A module that reads a field the README does not list fails
 * here as it would in a run.
 */
async function userModule(relative: string): Promise<PlacementStrategy> {
  const mod = (await import(new URL(relative, import.meta.url).href)) as { default: ModuleStrategy & { name: string } };
  const s = mod.default;
  return {
    name: s.name,
    choose(task, candidates, ctx) {
      const call: ChooseCall = structuredClone({ task, candidates: candidates.map(snapshot), nowUs: ctx.nowUs });
      return chosen(callChoose(s, call, () => ctx.random()), candidates);
    },
  };
}

const firstFit = await userModule("./fixtures/first-fit.js");
const leastLoadedZone = await userModule("../../../examples/strategies/least-loaded-zone.js");

describe("the contract tests call a user module as a run's thread does", () => {
  it("so a module that reads a candidate field the README does not list fails here, as it would in a run", async () => {
    const unlisted = await userModule("./fixtures/reads-unlisted.js");
    expect(() => place({ strategy: unlisted, expectations: [] }, { nodes: () => [node("n1"), node("n2")], count: 1 })).toThrow(/tasks\.has is not a function/);
  });
});

strategyContract({
  strategy: spread,
  expectations: [
    {
      title: "evens out the service's tasks first, then total tasks",
      nodes: () => [node("n1"), node("n2"), node("n3")],
      running: [{ nodeId: "n1" }, { nodeId: "n1" }, { nodeId: "n2" }],
      count: 6,
      expected: ["n3", "n2", "n1", "n3", "n2", "n1"],
    },
    {
      title: "breaks ties by node creation order",
      nodes: () => [node("n1"), node("n2"), node("n3")],
      count: 4,
      expected: ["n1", "n2", "n3", "n1"],
    },
  ],
});

strategyContract({
  strategy: binpack,
  expectations: [
    {
      title: "fills the fullest node that fits first",
      nodes: () => [node("c"), node("b"), node("a")],
      running: [
        { nodeId: "a", yaml: "resources: {reservations: {memory: 6GiB}}" },
        { nodeId: "b", yaml: "resources: {reservations: {memory: 2GiB}}" },
      ],
      yaml: "resources: {reservations: {memory: 1GiB}}",
      count: 5,
      expected: ["a", "a", "b", "b", "b"],
    },
    {
      title: "without reservations, piles onto the node with the most tasks",
      nodes: () => [node("n1"), node("n2"), node("n3")],
      running: [{ nodeId: "n2" }, { nodeId: "n2" }, { nodeId: "n3" }],
      count: 3,
      expected: ["n2", "n2", "n2"],
    },
  ],
});

strategyContract({
  strategy: random,
  expectations: [
    {
      title: "spreads over all candidates over many tasks",
      nodes: () => [node("n1"), node("n2"), node("n3"), node("n4")],
      count: 400,
      expected: (placed) => {
        const per = ["n1", "n2", "n3", "n4"].map((id) => placed.filter((n) => n === id).length);
        // Binomial(400, 1/4): mean 100, standard deviation 8.7.
        for (const n of per) expect(n).toBeGreaterThan(60);
        for (const n of per) expect(n).toBeLessThan(140);
      },
    },
  ],
});

strategyContract({
  strategy: firstFit,
  expectations: [
    {
      title: "fills nodes in creation order",
      nodes: () => ["n1", "n2", "n3"].map((id) => node(id, { memoryBytes: 2 * GB })),
      yaml: "resources: {reservations: {memory: 1GiB}}",
      count: 5,
      expected: ["n1", "n1", "n2", "n2", "n3"],
    },
  ],
});

strategyContract({
  strategy: leastLoadedZone,
  expectations: [
    {
      title: "evens out zones before nodes (spread would fill a1 and a2 before b1)",
      nodes: () => [node("a1", { labels: { zone: "a" } }), node("a2", { labels: { zone: "a" } }), node("b1", { labels: { zone: "b" } })],
      count: 4,
      expected: ["a1", "b1", "a2", "b1"],
    },
    {
      title: "only counts zones that have a candidate",
      nodes: () => [node("a1", { labels: { zone: "a" } }), node("a2", { labels: { zone: "a" } }), node("b1", { labels: { zone: "b" }, status: "down" })],
      count: 3,
      expected: ["a1", "a2", "a1"],
    },
  ],
});

describe("spread's recent failures (swarmkit nodeLess)", () => {
  it("a node with 5 failures of the service version in 5 minutes loses; among such nodes fewer failures wins", () => {
    const h = new SchedulerHarness([node("n1"), node("n2"), node("n3")], spread);
    const web = serviceSpec("web", "placement: {maxReplicasPerNode: 3}");
    let slot = 100;
    for (const [nodeId, failures] of [["n1", 6], ["n2", 5]] as const) {
      for (let i = 0; i < failures; i++) {
        const t = h.addRunning(web, slot++, nodeId);
        h.apply({ type: "UpdateTaskStatus", id: t.id, state: TaskState.FAILED, reason: "exit 1" });
      }
    }
    h.addRunning(web, slot++, "n3");
    h.addRunning(web, slot++, "n3");
    const tasks = h.addTasks(web, 3);
    h.settle();
    // n3 has more tasks of the service but no failures; once it is at its maximum, n2 (5) beats n1 (6).
    expect(tasks.map((t) => h.nodeOf(t.id))).toEqual(["n3", "n2", "n2"]);
  });
});

describe("the scheduler around a strategy's choose", () => {
  it("a different seed changes random's placements (it draws from the seeded stream)", () => {
    const row = { nodes: () => ["n1", "n2", "n3", "n4"].map((id) => node(id)), count: 20 };
    expect(place({ strategy: random, expectations: [] }, { ...row, seed: 1 })).not.toEqual(
      place({ strategy: random, expectations: [] }, { ...row, seed: 2 }),
    );
  });

  it("offers only nodes that still fit: a node that fills up is dropped after its last task", () => {
    const offered: number[] = [];
    const counting: PlacementStrategy = {
      name: "counting",
      choose(_task, candidates) {
        offered.push(candidates.length);
        return candidates[0]!;
      },
    };
    const h = new SchedulerHarness(["n1", "n2", "n3"].map((id) => node(id, { memoryBytes: 1 * GB })), counting);
    h.addTasks(serviceSpec("web", "resources: {reservations: {memory: 1GiB}}"), 4);
    h.settle();
    expect(offered).toEqual([3, 2, 1]);
  });

  it("refuses a strategy that returns a node that is not a candidate", () => {
    const rogue: PlacementStrategy = {
      name: "rogue",
      choose(_task, candidates) {
        return { ...candidates[0]! } as typeof candidates[number];
      },
    };
    const h = new SchedulerHarness([node("n1")], rogue);
    h.addTask(serviceSpec("web"), 1);
    expect(() => h.settle()).toThrow(/rogue.*not one of the candidates/);
  });
});
