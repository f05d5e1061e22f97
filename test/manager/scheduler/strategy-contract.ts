// The contract every placement strategy meets, as one suite that each strategy runs (in the
// manner of hono's router tests): the built-ins, a minimal user module and the shipped example.
// A strategy only orders candidates, so most of the contract is the scheduler's around it; the
// suite checks that the two together never break it, whatever the strategy does.
import { describe, expect, it } from "vitest";
import type { NodeRecord } from "../../../src/manager/store.js";
import type { PlacementStrategy } from "../../../src/manager/scheduler/strategy.js";
import { SchedulerHarness, node, serviceSpec } from "./harness.js";

const GB = 1024 ** 3;

/** One row of a strategy's own expectations: a cluster, new tasks, and where they must land. */
export interface ExpectationRow {
  title: string;
  nodes: () => NodeRecord[];
  /** Tasks already running: another service's by default. */
  running?: { nodeId: string; service?: string; yaml?: string }[];
  /** The new tasks' service (`web`) fields, in the loader's YAML. */
  yaml?: string;
  count: number;
  /** The node of each new task in order, or a check over that list. */
  expected: (string | null)[] | ((placed: (string | null)[]) => void);
  seed?: number;
}

export interface StrategyUnderTest {
  /** A built-in, or a strategy object as the CLI builds it from a user module. */
  strategy: PlacementStrategy;
  expectations: ExpectationRow[];
}

/** The same strategy through `choose` only, recording the candidates it is offered. */
function spyOnChoose(strategy: PlacementStrategy, offered: Set<string>): PlacementStrategy {
  return {
    name: `${strategy.name}-spy`,
    choose(task, candidates, ctx) {
      for (const c of candidates) offered.add(c.node.id);
      return strategy.choose(task, candidates, ctx);
    },
  };
}

/** Runs a row: builds the cluster, adds the tasks, lets one batch place them. */
export function place(s: StrategyUnderTest, row: Omit<ExpectationRow, "title" | "expected">): (string | null)[] {
  const h = new SchedulerHarness(row.nodes(), s.strategy, row.seed ?? 1);
  let slot = 1000;
  for (const r of row.running ?? []) h.addRunning(serviceSpec(r.service ?? "other", r.yaml ?? ""), slot++, r.nodeId);
  const tasks = h.addTasks(serviceSpec("web", row.yaml ?? ""), row.count);
  h.settle();
  return tasks.map((t) => h.nodeOf(t.id));
}

function neverOnFailedNode(s: StrategyUnderTest): void {
  // Each bad node fails exactly one filter: Ready (3 ways), Resources, Constraint.
  const ssd = { disk: "ssd" };
  const nodes = () => [
    node("down", { labels: ssd, status: "down" }),
    node("good1", { labels: ssd }),
    node("drained", { labels: ssd, availability: "drain" }),
    node("paused", { labels: ssd, availability: "pause" }),
    node("small", { labels: ssd, memoryBytes: GB / 4 }),
    node("hdd", { labels: { disk: "hdd" } }),
    node("good2", { labels: ssd }),
  ];
  const yaml = "resources: {reservations: {memory: 512MiB}}\nplacement: {constraints: [node.labels.disk == ssd]}";
  const placed = place(s, { nodes, yaml, count: 24 });
  expect(placed.every((n) => n === "good1" || n === "good2")).toBe(true);
  // Through `choose`, it is never even offered one (built-ins otherwise use `less`).
  const offered = new Set<string>();
  place({ ...s, strategy: spyOnChoose(s.strategy, offered) }, { nodes, yaml, count: 24 });
  expect([...offered].sort()).toEqual(["good1", "good2"]);
}

function placesEverythingThatFits(s: StrategyUnderTest): void {
  const h = new SchedulerHarness(["n1", "n2", "n3"].map((id) => node(id, { memoryBytes: 2 * GB })), s.strategy);
  const tasks = h.addTasks(serviceSpec("web", "resources: {reservations: {memory: 1GiB}}"), 7);
  h.settle();
  expect([...h.countsOf("web").values()]).toEqual([2, 2, 2]);
  const pending = tasks.filter((t) => h.nodeOf(t.id) === null);
  expect(pending.map((t) => h.reasonOf(t.id))).toEqual(["no suitable node (insufficient resources on 3 nodes)"]);
}

function deterministicForASeed(s: StrategyUnderTest): void {
  const row = {
    nodes: () => ["n1", "n2", "n3", "n4", "n5", "n6"].map((id, i) => node(id, { labels: { zone: `z${i % 2}` } })),
    running: [{ nodeId: "n2" }, { nodeId: "n2" }, { nodeId: "n5", service: "web" }],
    count: 25,
    seed: 7,
  };
  const first = place(s, row);
  expect(first.every((n) => n !== null)).toBe(true);
  expect(place(s, row)).toEqual(first);
}

function respectsMaxReplicas(s: StrategyUnderTest): void {
  const h = new SchedulerHarness([node("n1"), node("n2"), node("n3")], s.strategy);
  const tasks = h.addTasks(serviceSpec("web", "placement: {maxReplicasPerNode: 2}"), 8);
  h.settle();
  expect([...h.countsOf("web").values()]).toEqual([2, 2, 2]);
  const pending = tasks.filter((t) => h.nodeOf(t.id) === null);
  expect(pending.map((t) => h.reasonOf(t.id))).toEqual([
    "no suitable node (max replicas per node limit exceed)",
    "no suitable node (max replicas per node limit exceed)",
  ]);
}

function respectsPinnedNodes(s: StrategyUnderTest): void {
  const h = new SchedulerHarness([node("n1"), node("n2"), node("n3"), node("n4", { status: "down" })], s.strategy);
  h.addRunning(serviceSpec("other"), 1000, "n3");
  const agent = serviceSpec("agent", "mode: global");
  const onN3 = h.addTask(agent, undefined, "n3");
  const onN4 = h.addTask(agent, undefined, "n4");
  h.addTasks(serviceSpec("web"), 4);
  h.settle();
  expect(h.nodeOf(onN3.id)).toBe("n3");
  expect(h.nodeOf(onN4.id)).toBeNull();
  expect(h.reasonOf(onN4.id)).toBe("1 node not available for new tasks");
}

function handlesOneCandidate(s: StrategyUnderTest): void {
  const nodes = () => [
    node("down", { status: "down" }),
    node("only", { labels: { tier: "front" } }),
    node("drained", { availability: "drain", labels: { tier: "front" } }),
    node("back", { labels: { tier: "back" } }),
  ];
  const placed = place(s, { nodes, yaml: "placement: {constraints: [node.labels.tier == front]}", count: 5 });
  expect(placed).toEqual(["only", "only", "only", "only", "only"]);
}

/** What every strategy must do, whatever its order of preference. */
const CONTRACT: readonly [string, (s: StrategyUnderTest) => void][] = [
  ["never places a task on a node that failed a filter", neverOnFailedNode],
  ["places every task that fits, and leaves the rest pending with Swarm's reason", placesEverythingThatFits],
  ["is deterministic for a seed", deterministicForASeed],
  ["respects maxReplicasPerNode", respectsMaxReplicas],
  ["never moves a pinned task off its node", respectsPinnedNodes],
  ["puts everything on the only candidate", handlesOneCandidate],
];

/** Registers the contract's tests, then the strategy's own expectations, for one strategy. */
export function strategyContract(s: StrategyUnderTest): void {
  describe(`placement strategy contract: ${s.strategy.name}`, () => {
    for (const [title, check] of CONTRACT) it(title, () => check(s));
    describe("expectations", () => {
      for (const row of s.expectations) {
        it(row.title, () => {
          const placed = place(s, row);
          if (typeof row.expected === "function") row.expected(placed);
          else expect(placed).toEqual(row.expected);
        });
      }
    });
  });
}
