// The scheduler at scale: one service's 100,000 PENDING tasks placed in one batch on 10,000 READY
// nodes, with spread and with binpack. The wall time covers the batch (the debounced tick, the
// placement and committing the 100,000 assignments to the store), not building the store. The
// baseline, measured in the same run, is the floor of the scheduler's heap: a bare tinyqueue (the
// library the scheduler uses) of 10,000 plain numbers doing 100,000 pop-and-push operations
// (O(T log N)).
// For scale, spread is also run through `choose` alone, which scans every candidate per task
// (O(T x N), what the scheduler did for every strategy before it had heaps), on fewer tasks.
import { RandomStreams, Simulation } from "../src/kernel/index.js";
import { TaskState } from "../src/api/task-state.js";
import { parseScenario } from "../src/scenario/index.js";
import { Store, type StoreCommand, type TaskRecord } from "../src/manager/store.js";
import { Scheduler } from "../src/manager/scheduler/scheduler.js";
import { builtinStrategies } from "../src/manager/scheduler/strategies/index.js";
import { spread } from "../src/manager/scheduler/strategies/spread.js";
import type { BenchContext, BenchRow, Benchmark } from "./harness.js";
import { loadPrivateTinyQueue, wallNs } from "./harness.js";

const NODES = 10_000;
const TASKS = 100_000;
const TARGET_S = 10;
const REPEATS = 3;
/** 4 cores and 8 GiB per node, 0.25 cores and 256 MiB per task: 16 tasks fill a node's CPU. */
const NODE_CPU_NANOS = 4e9;
const NODE_MEMORY_BYTES = 8 * 2 ** 30;
const TASKS_PER_FULL_NODE = 16;
/** Tasks for the O(T x N) scan: enough to time, few enough to finish in seconds. */
const SCAN_TASKS = 2_000;

/** The baseline's own copy of the library: sharing the scheduler's would give its heap a second comparator. */
const BareQueue = await loadPrivateTinyQueue();

const SERVICE_YAML = `version: 1
name: bench
duration: 1s
cluster: {managers: {count: 1}}
services:
  - name: web
    resources: {reservations: {cpu: 0.25, memory: 256MiB}}
`;

interface Batch {
  sim: Simulation;
  store: Store;
}

/** Spread without its comparator: the scheduler hands `choose` every candidate for every task. */
const spreadByScan = { name: "spread-scan", choose: spread.choose.bind(spread) };

/** A store holding the nodes and the PENDING tasks, and a scheduler watching it. */
function buildBatch(strategy: string, tasks: number): Batch {
  const spec = parseScenario(SERVICE_YAML, "bench-scheduler.yaml").services[0]!;
  const sim = new Simulation();
  const store = new Store();
  for (let i = 0; i < NODES; i++) {
    store.apply({
      type: "CreateNode",
      node: {
        id: `node-${i}`, index: i, role: "worker", zone: "default", labels: {}, engineLabels: {},
        cpuNanos: NODE_CPU_NANOS, memoryBytes: NODE_MEMORY_BYTES, generic: {}, status: "ready", availability: "active", attachments: [],
      },
    });
  }
  for (let slot = 1; slot <= tasks; slot++) {
    const task: TaskRecord = {
      id: `web.${slot}.1`, num: slot, service: "web", slot, attempt: 1, specVersion: 1, spec, nodeId: null, pinnedNode: null,
      desiredState: TaskState.RUNNING, state: TaskState.PENDING, reason: null, createdUs: 0, networks: [],
    };
    store.apply({ type: "CreateTask", task });
  }
  const scheduler = new Scheduler({
    sim,
    store,
    // As the control plane does: proposals commit after the batch, not inside it.
    propose: (cmds: StoreCommand[]) => sim.after(0, () => cmds.forEach((c) => store.apply(c))),
    strategies: new Map([...builtinStrategies(), [spreadByScan.name, spreadByScan]]),
    defaultStrategy: strategy,
    rng: new RandomStreams(1).stream("scheduler"),
    retryIntervalUs: 0,
  });
  store.watch((e) => scheduler.handle(e));
  return { sim, store };
}

/** Tasks per node after the batch; throws if any task was left unplaced. */
function tasksPerNode(store: Store): Map<string, number> {
  const counts = new Map<string, number>();
  for (const t of store.tasks.values()) {
    if (t.nodeId === null || t.state !== TaskState.ASSIGNED) throw new Error(`task ${t.id} was not assigned`);
    counts.set(t.nodeId, (counts.get(t.nodeId) ?? 0) + 1);
  }
  return counts;
}

/** What each strategy must have produced: the check that the timed work was the real work. */
function checkShape(strategy: string, counts: Map<string, number>): void {
  const values = [...counts.values()];
  const even = TASKS / NODES;
  if (strategy === "spread" && (counts.size !== NODES || values.some((n) => n !== even))) {
    throw new Error(`spread left an uneven cluster (${Math.min(...values)}..${Math.max(...values)} tasks per node)`);
  }
  if (strategy === "binpack" && (counts.size !== TASKS / TASKS_PER_FULL_NODE || values.some((n) => n !== TASKS_PER_FULL_NODE))) {
    throw new Error(`binpack used ${counts.size} nodes; expected ${TASKS / TASKS_PER_FULL_NODE} full ones`);
  }
}

function timeBatch(strategy: string, tasks = TASKS): number {
  const { sim, store } = buildBatch(strategy, tasks);
  const start = wallNs();
  sim.run();
  const ns = wallNs() - start;
  const counts = tasksPerNode(store);
  if (tasks === TASKS) checkShape(strategy, counts);
  return ns;
}

/** The floor: T pops on a heap of N plain numbers, each pushed back larger (HeapCandidates.place's heap work). */
function bareHeapNs(): number {
  let best = Infinity;
  for (let r = 0; r < 5; r++) {
    const queue = new BareQueue<number>(Array.from({ length: NODES }, (_, i) => i % 7), (a, b) => a - b);
    const start = wallNs();
    for (let i = 0; i < TASKS; i++) queue.push(queue.pop()! + 1);
    best = Math.min(best, wallNs() - start);
    if (queue.peek() === undefined) throw new Error("the bare heap emptied");
  }
  return best;
}

function measureStrategy(strategy: string, bareNs: number, ctx: BenchContext): BenchRow[] {
  let bestNs = Infinity;
  for (let r = 1; r <= REPEATS; r++) {
    const ns = timeBatch(strategy);
    ctx.log(`${strategy} run ${r}/${REPEATS}: ${(ns / 1e9).toFixed(3)} s`);
    bestNs = Math.min(bestNs, ns);
  }
  const wallS = bestNs / 1e9;
  return [
    {
      name: `${strategy}: 100k tasks on 10k nodes, one batch`,
      value: wallS,
      unit: "s",
      ratio: bestNs / bareNs,
      target: `< ${TARGET_S} s`,
      ok: wallS < TARGET_S,
    },
    { name: `${strategy}: placement rate`, value: TASKS / wallS, unit: "tasks/s" },
  ];
}

export const schedulerBenchmark: Benchmark = {
  name: "scheduler",
  description: "100,000 tasks placed on 10,000 nodes in one batch, spread and binpack, vs a bare heap loop",
  run(ctx) {
    // Warm up the scheduler's code paths on both strategies before timing anything.
    for (const strategy of ["spread", "binpack"]) timeBatch(strategy);
    const bareNs = bareHeapNs();
    const rows: BenchRow[] = [{ name: "bare heap: 100k pop-and-push over 10k numbers", value: bareNs / 1e6, unit: "ms" }];
    for (const strategy of ["spread", "binpack"]) rows.push(...measureStrategy(strategy, bareNs, ctx));
    const scanNs = timeBatch(spreadByScan.name, SCAN_TASKS);
    ctx.log(`spread through choose, ${SCAN_TASKS} tasks: ${(scanNs / 1e9).toFixed(3)} s`);
    rows.push(
      { name: `spread by scan (choose only): ${SCAN_TASKS / 1000}k tasks`, value: scanNs / 1e9, unit: "s" },
      { name: "spread by scan: 100k tasks, extrapolated", value: (scanNs / 1e9) * (TASKS / SCAN_TASKS), unit: "s" },
    );
    return rows;
  },
};
