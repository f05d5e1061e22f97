// Memory per idle node and per idle task: the live heap and array buffers after a full
// collection, deployed and a minute into the run with no traffic, as the difference between two
// sizes (so what every run holds, code and the managers' fixed state, cancels). Three managers,
// as the scale benchmark's cluster has: each node and task is recorded in three replicated
// stores. In process, with the engine as `orchsim run` drives it; nodes.csv's rows go to a sink
// that drops them (a run streams them to its file).
import { parseScenario } from "../src/scenario/index.js";
import { Run } from "../src/engine/run.js";
import { gcAvailable, liveBytesAfterGc, NO_EVENT_LOG, type BenchRow, type Benchmark } from "./harness.js";

/** The targets (issue 11): bytes per idle node, and per idle task. */
const TARGET_NODE_BYTES = 50 * 1024;
const TARGET_TASK_BYTES = 2 * 1024;

function scenario(workers: number, tasks: number): string {
  return `version: 1
name: bench-idle
seed: 1
duration: 1m
cluster:
  managers: {count: 3, runTasks: false}
  nodeGroups: [{name: w, count: ${workers}, cpu: 64, memory: 256GiB}]
networks: [{name: ingress, subnet: 10.0.0.0/16}, {name: app, subnet: 10.64.0.0/10}]
services: [{name: s, replicas: ${tasks}, networks: [app], resources: {reservations: {cpu: 0.001, memory: 1MiB}}}]
`;
}

/** Live heap and array-buffer bytes of a deployed, idle cluster one simulated minute into its run. */
function idleHeap(workers: number, tasks: number): number {
  const run = new Run(parseScenario(scenario(workers, tasks), "idle.yaml"), { out: null, events: NO_EVENT_LOG, checks: false });
  run.world.recorder.nodeSink = () => undefined;
  while (!run.advance(1_000_000));
  const bytes = liveBytesAfterGc();
  // Keep the run alive until it has been measured.
  if (run.world.hosts.length !== workers + 3) throw new Error("idle-memory: unexpected host count");
  return bytes;
}

export const idleMemoryBenchmark: Benchmark = {
  name: "idle-memory",
  description: "live heap and array buffers per idle node (no tasks) and per idle task (no traffic), from the difference of two sizes",
  run(ctx) {
    if (!gcAvailable()) ctx.log("gc is not exposed (run with node --expose-gc): heap figures include garbage");
    const n1 = 1_000;
    const n2 = 2_000;
    const t1 = 10_000;
    const t2 = 20_000;
    const nodeBytes = (idleHeap(n2, 0) - idleHeap(n1, 0)) / (n2 - n1);
    ctx.log(`per idle node: ${(nodeBytes / 1024).toFixed(1)} KiB`);
    const taskBytes = (idleHeap(n1, t2) - idleHeap(n1, t1)) / (t2 - t1);
    ctx.log(`per idle task: ${(taskBytes / 1024).toFixed(2)} KiB`);
    const rows: BenchRow[] = [
      { name: "memory per idle node (3 managers)", value: nodeBytes / 1024, unit: "KiB", target: `<= ${TARGET_NODE_BYTES / 1024} KiB`, ok: nodeBytes <= TARGET_NODE_BYTES },
      { name: "memory per idle task (3 managers)", value: taskBytes / 1024, unit: "KiB", target: `<= ${TARGET_TASK_BYTES / 1024} KiB`, ok: taskBytes <= TARGET_TASK_BYTES },
    ];
    return rows;
  },
};
