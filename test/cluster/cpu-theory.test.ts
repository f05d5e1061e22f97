// The node CPU model against queueing theory. Jobs arrive as a Poisson stream with exponential work
// on one core, so the node is an M/M/1 queue whose discipline is the CFS split: processor sharing
// within a group, fair sharing between groups.
import { describe, expect, it } from "vitest";
import { RandomStreams, Simulation } from "../../src/kernel/index.js";
import { NodeCpu } from "../../src/cluster/cpu.js";
import type { CpuGroup } from "../../src/cluster/cpu.js";

const LAMBDA_PER_S = 70;
const MEAN_WORK_US = 10_000;
const MU_PER_S = 1e6 / MEAN_WORK_US;
const RHO = LAMBDA_PER_S / MU_PER_S;
/** About 300k jobs at 70/s. */
const DURATION_US = 4_300 * 1e6;
/** Jobs arriving in this first stretch are left out of the statistics (the queue starts empty). */
const WARMUP_US = 10 * 1e6;

interface GroupStats {
  jobs: number;
  sumResponseUs: number;
}

interface OpenRun {
  perGroup: GroupStats[];
  jobs: number;
  meanResponseUs: number;
  /** Mean of response / work: 1 / (1 - rho) under processor sharing, whatever the work. */
  meanSlowdown: number;
  busyCoreUs: number;
  /** Time with at least one job on the node. */
  nonEmptyUs: number;
}

/**
 * Poisson arrivals at LAMBDA_PER_S with exponential work, each sent to group i with probability
 * weights[i], on a 1-core node, for DURATION_US. The arrival stream is the same for every split.
 */
function openRun(seed: number, weights: readonly number[]): OpenRun {
  const sim = new Simulation();
  const cpu = new NodeCpu(sim, 1);
  const streams = new RandomStreams(seed);
  const gaps = streams.stream("arrivals");
  const work = streams.stream("work");
  const route = streams.stream("route");
  const groups: CpuGroup[] = weights.map(() => cpu.group(Infinity));
  const perGroup: GroupStats[] = weights.map(() => ({ jobs: 0, sumResponseUs: 0 }));
  const totalWeight = weights.reduce((s, w) => s + w, 0);
  let jobs = 0;
  let sumResponseUs = 0;
  let sumSlowdown = 0;
  let inSystem = 0;
  let nonEmptyUs = 0;
  let lastChangeUs = 0;
  const count = (delta: number): void => {
    if (inSystem > 0) nonEmptyUs += sim.now() - lastChangeUs;
    lastChangeUs = sim.now();
    inSystem += delta;
  };
  interface Job { g: number; startUs: number; workUs: number }
  const done = (j: Job): void => {
    count(-1);
    if (j.startUs < WARMUP_US) return;
    const responseUs = sim.now() - j.startUs;
    jobs++;
    sumResponseUs += responseUs;
    sumSlowdown += responseUs / j.workUs;
    perGroup[j.g]!.jobs++;
    perGroup[j.g]!.sumResponseUs += responseUs;
  };
  const pickGroup = (): number => {
    let x = route.next() * totalWeight;
    for (let i = 0; i < weights.length - 1; i++) if ((x -= weights[i]!) < 0) return i;
    return weights.length - 1;
  };
  const arrive = (): void => {
    const j: Job = { g: pickGroup(), startUs: sim.now(), workUs: work.exponential(MEAN_WORK_US) };
    count(1);
    cpu.submit(groups[j.g]!, j.workUs, done, j);
    sim.after(gaps.exponential(1e6 / LAMBDA_PER_S), arrive);
  };
  sim.at(0, arrive);
  cpu.takeBusyCoreUs();
  sim.run({ untilUs: DURATION_US });
  count(0);
  return {
    perGroup,
    jobs,
    meanResponseUs: sumResponseUs / jobs,
    meanSlowdown: sumSlowdown / jobs,
    busyCoreUs: cpu.takeBusyCoreUs(),
    nonEmptyUs,
  };
}

function relErr(actual: number, expected: number): number {
  return Math.abs(actual - expected) / expected;
}

describe("one core, one uncapped group: M/M/1 processor sharing", () => {
  it("mean response 1/(mu - lambda) = 33.3 ms and mean slowdown 1/(1 - rho) within 3%", () => {
    const r = openRun(3, [1]);
    expect(r.jobs).toBeGreaterThan(290_000);
    expect(relErr(r.meanResponseUs / 1e6, 1 / (MU_PER_S - LAMBDA_PER_S))).toBeLessThan(0.03);
    // E[T | work x] = x / (1 - rho) holds for processor sharing and not for FIFO, whose mean
    // slowdown is infinite for exponential work (tiny jobs wait behind whole queues).
    expect(relErr(r.meanSlowdown, 1 / (1 - RHO))).toBeLessThan(0.03);
  });
});

describe("one core, arrivals split 60/30/10 over three groups", () => {
  const r = openRun(4, [6, 3, 1]);

  it("is work-conserving: the core is busy exactly while any job is on the node, rho of the time", () => {
    expect(relErr(r.busyCoreUs, r.nonEmptyUs)).toBeLessThan(1e-9);
    expect(relErr(r.busyCoreUs / DURATION_US, RHO)).toBeLessThan(0.01);
  });

  it("favours the lightly loaded group over the heavy one", () => {
    const mean = (s: { jobs: number; sumResponseUs: number }) => s.sumResponseUs / s.jobs;
    const [heavy, , light] = r.perGroup.map(mean);
    // Group fairness gives the 10% group's few jobs a third of the core or more when all are busy.
    expect(light!).toBeLessThan(0.8 * heavy!);
  });

  it("keeps the overall mean at the M/M/1 value (any size-blind work-conserving discipline does)", () => {
    // With exponential work and a discipline that never looks at job sizes, the core completes
    // work at rate mu whenever it is busy, so the number on the node is the M/M/1 birth-death
    // chain and, by Little's law, the mean response is 1/(mu - lambda) however the groups share.
    expect(relErr(r.meanResponseUs / 1e6, 1 / (MU_PER_S - LAMBDA_PER_S))).toBeLessThan(0.03);
  });
});

describe("a node with at least as many cores as jobs", () => {
  it("never slows anyone: 4 cores, 4 job streams, every job takes exactly its work", () => {
    const sim = new Simulation();
    const cpu = new NodeCpu(sim, 4);
    const streams = new RandomStreams(5);
    const work = streams.stream("work");
    const think = streams.stream("think");
    const route = streams.stream("route");
    // Caps of 4 cores or more never bind: no group ever has more than 4 jobs.
    const groups = [cpu.group(Infinity), cpu.group(4), cpu.group(5.5)];
    let jobs = 0;
    let wrong = 0;
    let maxConcurrent = 0;
    interface Job { startUs: number; workUs: number }
    const done = (j: Job): void => {
      // Its work at one full core, rounded up to the next whole microsecond.
      const elapsedUs = sim.now() - j.startUs;
      if (!(elapsedUs > j.workUs - 1e-6 && elapsedUs < j.workUs + 1)) wrong++;
      jobs++;
      sim.after(think.exponential(2_000), start);
    };
    const start = (): void => {
      const j: Job = { startUs: sim.now(), workUs: work.exponential(5_000) };
      cpu.submit(groups[route.int(groups.length)]!, j.workUs, done, j);
      maxConcurrent = Math.max(maxConcurrent, cpu.activeJobs);
    };
    for (let i = 0; i < 4; i++) sim.at(0, start);
    sim.run({ untilUs: 600 * 1e6 });
    expect(jobs).toBeGreaterThan(80_000);
    expect(maxConcurrent).toBe(4);
    expect(wrong).toBe(0);
  });
});
