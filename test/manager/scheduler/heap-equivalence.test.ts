// The scheduler filters once per task group and keeps candidates in a heap (strategies with
// `less`) or a list re-checked one node at a time (`choose`). Both must place exactly as the
// plain definition does: for every task, scan every node through the filters and take the
// minimum by `less` (ties: creation order). Checked here on random clusters against that plain
// definition, written out independently of the scheduler.
import { describe, expect, it } from "vitest";
import { RandomStreams, type RandomStream } from "../../../src/kernel/index.js";
import { TaskState } from "../../../src/api/task-state.js";
import type { NodeRecord, TaskRecord } from "../../../src/manager/store.js";
import { NodeInfo } from "../../../src/manager/scheduler/node-info.js";
import { Pipeline } from "../../../src/manager/scheduler/filters.js";
import { minBy, type PlacementContext, type PlacementStrategy } from "../../../src/manager/scheduler/strategy.js";
import { spread } from "../../../src/manager/scheduler/strategies/spread.js";
import { binpack } from "../../../src/manager/scheduler/strategies/binpack.js";
import { SchedulerHarness, node, serviceSpec as parseSpec } from "./harness.js";
import type { ServiceSpec } from "../../../src/scenario/types.js";

const SEEDS = 40;

/** Parsing a spec means loading a whole scenario: do it once per distinct spec. */
const specs = new Map<string, ServiceSpec>();
function serviceSpec(name: string, yaml: string): ServiceSpec {
  const key = `${name}\n${yaml}`;
  let spec = specs.get(key);
  if (!spec) {
    spec = parseSpec(name, yaml);
    specs.set(key, spec);
  }
  return spec;
}

interface Cluster {
  nodes: NodeRecord[];
  /** Tasks already on nodes: [service yaml, node]. */
  running: { service: string; yaml: string; nodeId: string }[];
  /** Nodes with recent failures of web@1 and how many. */
  failures: { nodeId: string; count: number }[];
  /** The new tasks, in creation order: web first, then api. */
  web: { yaml: string; count: number };
  api: { yaml: string; count: number };
}

function pick<T>(rng: RandomStream, items: readonly T[]): T {
  return items[rng.int(items.length)]!;
}

function randomCluster(rng: RandomStream): Cluster {
  const n = 2 + rng.int(30);
  const nodes = Array.from({ length: n }, (_, i) =>
    node(`n${i}`, {
      cpuNanos: pick(rng, [1, 2, 4, 8]) * 1e9,
      memoryBytes: pick(rng, [1, 2, 4, 8]) * 1024 ** 3,
      status: rng.next() < 0.15 ? "down" : "ready",
      availability: rng.next() < 0.1 ? "drain" : "active",
      labels: { disk: pick(rng, ["ssd", "hdd"]) },
    }),
  );
  const res = (): string =>
    `resources: {reservations: {cpu: ${pick(rng, [0, 0.25, 0.5, 1])}, memory: ${pick(rng, [0, 256, 512, 1024])}MiB}}`;
  const webYaml = [res(), `placement: {maxReplicasPerNode: ${pick(rng, [0, 0, 2, 3])}${rng.next() < 0.3 ? ", constraints: [node.labels.disk == ssd]" : ""}}`].join("\n");
  const running = Array.from({ length: rng.int(3 * n) }, () => {
    const service = pick(rng, ["web", "other"]);
    return { service, yaml: service === "web" ? webYaml : res(), nodeId: pick(rng, nodes).id };
  });
  const failures = nodes.filter(() => rng.next() < 0.2).map((x) => ({ nodeId: x.id, count: 3 + rng.int(5) }));
  return { nodes, running, failures, web: { yaml: webYaml, count: 1 + rng.int(4 * n) }, api: { yaml: res(), count: rng.int(2 * n) } };
}

type Placement = Map<string, { nodeId: string | null; reason: string | null }>;

/** The scheduler's answer, through the store and the debounced batch. */
function viaScheduler(c: Cluster, strategy: PlacementStrategy): Placement {
  const h = new SchedulerHarness(c.nodes.map((x) => ({ ...x })), strategy);
  let slot = 1000;
  for (const r of c.running) h.addRunning(serviceSpec(r.service, r.yaml), slot++, r.nodeId);
  for (const f of c.failures) {
    for (let i = 0; i < f.count; i++) {
      const t = h.addRunning(serviceSpec("web", c.web.yaml), slot++, f.nodeId);
      h.apply({ type: "UpdateTaskStatus", id: t.id, state: TaskState.FAILED, reason: "exit 1" });
    }
  }
  const fresh = [...h.addTasks(serviceSpec("web", c.web.yaml), c.web.count), ...h.addTasks(serviceSpec("api", c.api.yaml), c.api.count)];
  h.settle();
  return new Map(fresh.map((t) => [t.id, { nodeId: h.nodeOf(t.id), reason: h.reasonOf(t.id) }]));
}

function task(service: string, yaml: string, slot: number): TaskRecord {
  return {
    id: `${service}.${slot}.1`, num: slot, service, slot, attempt: 1, specVersion: 1, spec: serviceSpec(service, yaml),
    nodeId: null, pinnedNode: null, desiredState: TaskState.RUNNING, state: TaskState.PENDING, reason: null, createdUs: 0, networks: [],
  };
}

/** The definition: every task scans every node through a fresh pipeline and takes the minimum. */
function byDefinition(c: Cluster, strategy: Required<PlacementStrategy>): Placement {
  const infos = c.nodes.map((x) => new NodeInfo({ ...x }));
  const byId = new Map(infos.map((i) => [i.node.id, i]));
  let slot = 1000;
  for (const r of c.running) byId.get(r.nodeId)!.addTask(task(r.service, r.yaml, slot++));
  for (const f of c.failures) for (let i = 0; i < f.count; i++) byId.get(f.nodeId)!.recordFailure("web@1", 0);
  // The harness's batch runs 50 ms after the last change (the debounce gap).
  const ctx: PlacementContext = { nowUs: 50_000, random: () => 0 };
  const out: Placement = new Map();
  const tasks = [
    ...Array.from({ length: c.web.count }, (_, i) => task("web", c.web.yaml, i + 1)),
    ...Array.from({ length: c.api.count }, (_, i) => task("api", c.api.yaml, i + 1)),
  ];
  for (const t of tasks) {
    const pipeline = new Pipeline();
    pipeline.setTask(t);
    const passing = infos.filter((i) => pipeline.process(i));
    if (passing.length === 0) {
      out.set(t.id, { nodeId: null, reason: pipeline.explain() });
      continue;
    }
    const best = minBy(passing, (a, b) => strategy.less(a, b, t, ctx));
    best.addTask(t);
    out.set(t.id, { nodeId: best.node.id, reason: null });
  }
  return out;
}

describe("candidates filtered once per group place as a full scan per task would", () => {
  for (const strategy of [spread, binpack] as Required<PlacementStrategy>[]) {
    it(`${strategy.name}: heap path (less) on ${SEEDS} random clusters`, () => {
      let placedSomewhere = 0;
      for (let seed = 1; seed <= SEEDS; seed++) {
        const c = randomCluster(new RandomStreams(seed).stream("cluster"));
        const expected = byDefinition(c, strategy);
        expect(viaScheduler(c, strategy), `seed ${seed}`).toEqual(expected);
        placedSomewhere += [...expected.values()].filter((p) => p.nodeId !== null).length;
      }
      // The clusters must exercise placement, not only rejections.
      expect(placedSomewhere).toBeGreaterThan(SEEDS * 10);
    });

    it(`${strategy.name}: list path (choose only) on ${SEEDS} random clusters`, () => {
      const chooseOnly: PlacementStrategy = { name: `${strategy.name}-choose`, choose: strategy.choose.bind(strategy) };
      for (let seed = 1; seed <= SEEDS; seed++) {
        const c = randomCluster(new RandomStreams(seed).stream("cluster"));
        expect(viaScheduler(c, chooseOnly), `seed ${seed}`).toEqual(byDefinition(c, strategy));
      }
    });
  }

  it("some of the random clusters leave tasks pending, so reasons are compared too", () => {
    let pending = 0;
    for (let seed = 1; seed <= SEEDS; seed++) {
      const c = randomCluster(new RandomStreams(seed).stream("cluster"));
      pending += [...byDefinition(c, spread as Required<PlacementStrategy>).values()].filter((p) => p.reason !== null).length;
    }
    expect(pending).toBeGreaterThan(0);
  });
});

describe("NodeInfo's count of a service's tasks", () => {
  it("stays right through adds and removes of the service asked last and of others", () => {
    const info = new NodeInfo(node("n1"));
    const [w1, w2, a1] = [task("web", "", 1), task("web", "", 2), task("api", "", 1)];
    expect(info.tasksOfService("web")).toBe(0);
    info.addTask(w1);
    expect(info.tasksOfService("web")).toBe(1);
    info.addTask(a1);
    expect(info.tasksOfService("web")).toBe(1);
    expect(info.tasksOfService("api")).toBe(1);
    info.addTask(w2); // web is not the service asked last
    info.removeTask(a1); // api is
    expect(info.tasksOfService("api")).toBe(0);
    expect(info.tasksOfService("web")).toBe(2);
    info.removeTask(w1);
    expect(info.tasksOfService("web")).toBe(1);
    expect(info.serviceTasks.get("web")).toBe(1);
  });
});
