// Jobs per wall-second through a node's CPU model (src/cluster/cpu.ts) in a contended steady state:
// a 16-core node with 8 cgroups of 8 jobs each (64 jobs for 16 cores), each completion submitting
// its group's next job. The baseline runs the same job sizes on the placeholder model the CPU
// model replaced, where every job had a core of its own: one plain `sim.after` per job. The ratio
// is what fair sharing (rates, virtual clocks, one rescheduled event per node) costs per job.
import { NodeCpu } from "../src/cluster/cpu.js";
import type { CpuGroup } from "../src/cluster/cpu.js";
import { RandomStreams, Simulation } from "../src/kernel/index.js";
import type { BenchContext, BenchRow, Benchmark } from "./harness.js";
import { wallNs } from "./harness.js";

const CORES = 16;
/** Caps of the 8 groups: four bind at the water level (2.5 cores here), four do not. */
const GROUP_CAPS = [0.5, 1, 2, 4, Infinity, Infinity, Infinity, Infinity] as const;
const JOBS_PER_GROUP = 8;
const MEAN_WORK_US = 10_000;
const REPEATS = 3;
const JOBS_TIMED = 2_000_000;
/** Work sizes are read cyclically from a table this long (a power of two, for masking). */
const WORK_TABLE_SIZE = 1 << 20;
const WORK_MASK = WORK_TABLE_SIZE - 1;

interface Result {
  ns: number;
  jobs: number;
  events: number;
}

function workTableUs(): Float64Array {
  const rng = new RandomStreams(1).stream("cpu-bench/work");
  const table = new Float64Array(WORK_TABLE_SIZE);
  for (let i = 0; i < WORK_TABLE_SIZE; i++) table[i] = rng.exponential(MEAN_WORK_US);
  return table;
}

/** The CPU model: each completion submits the next job into the same group, from its callback. */
function runShared(workUs: Float64Array, jobs: number): Result {
  const sim = new Simulation();
  const cpu = new NodeCpu(sim, CORES);
  let next = 0;
  let done = 0;
  const complete = (g: CpuGroup): void => {
    if (++done === jobs) sim.stop();
    cpu.submit(g, workUs[next++ & WORK_MASK]!, complete, g);
  };
  for (const cap of GROUP_CAPS) {
    const g = cpu.group(cap);
    for (let j = 0; j < JOBS_PER_GROUP; j++) cpu.submit(g, workUs[next++ & WORK_MASK]!, complete, g);
  }
  const start = wallNs();
  sim.run();
  return { ns: wallNs() - start, jobs: done, events: sim.eventsProcessed };
}

/** The placeholder model: every job runs alone on a core of its own, one kernel event each. */
function runOwnCore(workUs: Float64Array, jobs: number): Result {
  const sim = new Simulation();
  let next = 0;
  let done = 0;
  const complete = (): void => {
    if (++done === jobs) sim.stop();
    sim.after(workUs[next++ & WORK_MASK]!, complete);
  };
  for (let j = 0; j < GROUP_CAPS.length * JOBS_PER_GROUP; j++) sim.after(workUs[next++ & WORK_MASK]!, complete);
  const start = wallNs();
  sim.run();
  return { ns: wallNs() - start, jobs: done, events: sim.eventsProcessed };
}

function perSecond(r: Result): number {
  return (r.jobs * 1e9) / r.ns;
}

function measure(workUs: Float64Array, ctx: BenchContext): BenchRow[] {
  let bestShared = 0;
  let bestOwn = 0;
  let sharedEvents = 0;
  for (let r = 1; r <= REPEATS; r++) {
    const own = runOwnCore(workUs, JOBS_TIMED);
    const shared = runShared(workUs, JOBS_TIMED);
    if (own.jobs !== JOBS_TIMED || shared.jobs !== JOBS_TIMED) {
      throw new Error(`cpu bench stopped early: ${own.jobs} and ${shared.jobs} of ${JOBS_TIMED} jobs`);
    }
    ctx.log(`run ${r}/${REPEATS}: own core ${fmt(perSecond(own))}/s, shared ${fmt(perSecond(shared))}/s`);
    bestOwn = Math.max(bestOwn, perSecond(own));
    bestShared = Math.max(bestShared, perSecond(shared));
    sharedEvents = shared.events;
  }
  return [
    { name: "placeholder: a core per job (sim.after per job)", value: bestOwn, unit: "jobs/s" },
    { name: "NodeCpu: 16 cores, 8 groups, 64 jobs", value: bestShared, unit: "jobs/s", ratio: bestShared / bestOwn },
    { name: "NodeCpu: jobs completed per kernel event", value: JOBS_TIMED / sharedEvents, unit: "jobs/event" },
  ];
}

function fmt(rate: number): string {
  return `${(rate / 1e6).toFixed(2)}M`;
}

export const cpuBenchmark: Benchmark = {
  name: "cpu",
  description: "Node CPU model jobs/s (16 cores, 8 groups, 64 jobs) vs one sim.after per job",
  run(ctx) {
    const workUs = workTableUs();
    // Warm both paths up (JIT tiers, inline caches) before any timing.
    for (let i = 0; i < 2; i++) {
      runOwnCore(workUs, 300_000);
      runShared(workUs, 300_000);
    }
    return measure(workUs, ctx);
  },
};
