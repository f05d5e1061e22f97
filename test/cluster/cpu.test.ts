import { describe, expect, it } from "vitest";
import { Simulation } from "../../src/kernel/index.js";
import { NodeCpu, waterLevel } from "../../src/cluster/cpu.js";
import type { CpuGroup, CpuJob } from "../../src/cluster/cpu.js";

const MS = 1_000;

function node(cores: number): { sim: Simulation; cpu: NodeCpu } {
  const sim = new Simulation();
  return { sim, cpu: new NodeCpu(sim, cores) };
}

/** Submits `n` jobs of `workUs` to `g` at the current time and returns them. */
function jobs(cpu: NodeCpu, g: CpuGroup, n: number, workUs = 1_000 * MS): CpuJob[] {
  return Array.from({ length: n }, () => cpu.submit(g, workUs, () => {}, null));
}

/** Records "label@time" in `log` when the job completes. */
function logged(sim: Simulation, cpu: NodeCpu, g: CpuGroup, workUs: number, label: string, log: string[]): CpuJob {
  return cpu.submit(g, workUs, (l: string) => log.push(`${l}@${sim.now()}`), label);
}

describe("waterLevel: the max-min fair split", () => {
  const cases: { demands: number[]; cores: number; level: number }[] = [
    { demands: [1], cores: 4, level: Infinity },
    { demands: [2, 2], cores: 4, level: Infinity }, // exactly fits
    { demands: [6], cores: 4, level: 4 },
    { demands: [1, 8], cores: 2, level: 1 },
    { demands: [8, 1, 0.5], cores: 4, level: 2.5 }, // 0.5 and 1 met, the rest split 2.5
    { demands: [3, 3, 3], cores: 6, level: 2 },
    { demands: [0.25, 10, 10, 10], cores: 3.25, level: 1 },
  ];
  for (const c of cases) {
    it(`demands ${JSON.stringify(c.demands)} on ${c.cores} cores -> level ${c.level}`, () => {
      const level = waterLevel([...c.demands], c.cores);
      expect(level).toBe(c.level);
      const given = c.demands.reduce((s, u) => s + Math.min(u, level), 0);
      expect(given).toBeCloseTo(Math.min(c.cores, c.demands.reduce((s, u) => s + u, 0)), 12);
    });
  }

  it("gives the same level for many groups (the built-in sort path) as for the same demands in any order", () => {
    const demands = Array.from({ length: 40 }, (_, i) => ((i * 7) % 13) + 0.5);
    const sorted = [...demands].sort((a, b) => a - b);
    expect(waterLevel([...demands], 100)).toBe(waterLevel(sorted, 100));
    expect(waterLevel([...demands], 100)).toBeGreaterThan(0);
  });
});

describe("NodeCpu rates", () => {
  it("one job alone on 4 cores gets one core, not four", () => {
    const { cpu } = node(4);
    const [a] = jobs(cpu, cpu.group(Infinity), 1);
    expect(cpu.rateOf(a!)).toBe(1);
  });

  it("6 jobs of one group on 4 cores get 4/6 each", () => {
    const { cpu } = node(4);
    for (const j of jobs(cpu, cpu.group(Infinity), 6)) expect(cpu.rateOf(j)).toBeCloseTo(4 / 6, 15);
  });

  it("a group capped at 0.5 cores with 2 jobs gives each 0.25", () => {
    const { cpu } = node(4);
    for (const j of jobs(cpu, cpu.group(0.5), 2)) expect(cpu.rateOf(j)).toBe(0.25);
  });

  it("shares between groups, not jobs: 1 job vs 8 jobs on 2 cores -> 1 core each group", () => {
    const { cpu } = node(2);
    const [lone] = jobs(cpu, cpu.group(Infinity), 1);
    const many = jobs(cpu, cpu.group(Infinity), 8);
    expect(cpu.rateOf(lone!)).toBe(1);
    for (const j of many) expect(cpu.rateOf(j)).toBe(0.125);
  });

  it("what a capped group cannot use goes to the others", () => {
    const { cpu } = node(4);
    const capped = jobs(cpu, cpu.group(1), 4);
    const free = jobs(cpu, cpu.group(Infinity), 6);
    for (const j of capped) expect(cpu.rateOf(j)).toBe(0.25); // 1 core, not the fair 2
    for (const j of free) expect(cpu.rateOf(j)).toBe(0.5); // 3 cores
  });

  it("groups without jobs take no share, and a job's rate is 0 once it is gone", () => {
    const { cpu } = node(4);
    cpu.group(Infinity);
    const g = cpu.group(Infinity);
    const js = jobs(cpu, g, 8);
    for (const j of js) expect(cpu.rateOf(j)).toBe(0.5);
    cpu.cancel(js[0]!);
    expect(cpu.rateOf(js[0]!)).toBe(0);
    expect(cpu.rateOf(js[1]!)).toBeCloseTo(4 / 7, 15);
    expect(cpu.activeJobs).toBe(7);
    expect(g.jobs).toBe(7);
  });
});

describe("NodeCpu completion times", () => {
  it("A (10 ms) alone on 1 core, B (10 ms) arrives at 5 ms: A ends at 15 ms, B at 20 ms", () => {
    const { sim, cpu } = node(1);
    const g = cpu.group(Infinity);
    const log: string[] = [];
    logged(sim, cpu, g, 10 * MS, "A", log);
    sim.at(5 * MS, () => logged(sim, cpu, g, 10 * MS, "B", log));
    sim.run();
    expect(log).toEqual(["A@15000", "B@20000"]);
  });

  it("shares by group: on 2 cores, A (30 ms, own group) keeps a full core beside B and C (10 ms each, one group)", () => {
    // Per-job sharing would give each 2/3 core: B and C at 15 ms, A at 35 ms.
    const { sim, cpu } = node(2);
    const x = cpu.group(Infinity);
    const y = cpu.group(Infinity);
    const log: string[] = [];
    logged(sim, cpu, x, 30 * MS, "A", log);
    logged(sim, cpu, y, 10 * MS, "B", log);
    logged(sim, cpu, y, 10 * MS, "C", log);
    sim.run();
    expect(log).toEqual(["B@20000", "C@20000", "A@30000"]);
  });

  it("a cap of 0.5 cores doubles the time even on an idle 4-core node", () => {
    const { sim, cpu } = node(4);
    const log: string[] = [];
    logged(sim, cpu, cpu.group(0.5), 10 * MS, "A", log);
    sim.run();
    expect(log).toEqual(["A@20000"]);
  });

  it("three 10 ms jobs at 1/3 core each end at exactly 30 ms (floating error does not add a microsecond)", () => {
    const { sim, cpu } = node(1);
    const g = cpu.group(Infinity);
    const log: string[] = [];
    for (const l of ["A", "B", "C"]) logged(sim, cpu, g, 10 * MS, l, log);
    sim.run();
    expect(log).toEqual(["A@30000", "B@30000", "C@30000"]);
    // All three end in one kernel event.
    expect(sim.eventsProcessed).toBe(1);
  });

  it("follows rate changes through thirds and sixths without drifting a microsecond", () => {
    // 1 core. A (10 ms) alone until 3 ms; then B's three 5 ms jobs arrive in another group: A gets
    // 1/2, each B job 1/6. A's last 7 ms take 14 ms: 17 ms. The B jobs then have 5 - 14/6 = 8/3 ms
    // left each at 1/3 core: 8 ms more, 25 ms. The floats here land a hair above 25000 unless the
    // rounding allows for them.
    const { sim, cpu } = node(1);
    const a = cpu.group(Infinity);
    const b = cpu.group(Infinity);
    const log: string[] = [];
    logged(sim, cpu, a, 10 * MS, "A", log);
    sim.at(3 * MS, () => {
      for (const l of ["B1", "B2", "B3"]) logged(sim, cpu, b, 5 * MS, l, log);
    });
    sim.run();
    expect(log).toEqual(["A@17000", "B1@25000", "B2@25000", "B3@25000"]);
  });

  it("rounds completion up to whole microseconds", () => {
    const { sim, cpu } = node(1);
    const log: string[] = [];
    logged(sim, cpu, cpu.group(Infinity), 10.3, "A", log);
    sim.run();
    expect(log).toEqual(["A@11"]);
  });

  it("uses one kernel event per completion instant, however many jobs are waiting", () => {
    const { sim, cpu } = node(2);
    const g = cpu.group(Infinity);
    const h = cpu.group(Infinity);
    for (let i = 1; i <= 5; i++) cpu.submit(g, i * MS, () => {}, null);
    for (let i = 1; i <= 5; i++) cpu.submit(h, i * MS, () => {}, null);
    sim.run();
    // Both groups have the same job sizes and rates, so they finish in pairs: 5 instants.
    expect(sim.eventsProcessed).toBe(5);
    expect(cpu.activeJobs).toBe(0);
  });

  it("a zero-work job completes in the same instant, from an event, not inside submit", () => {
    const { sim, cpu } = node(1);
    const g = cpu.group(Infinity);
    const log: string[] = [];
    logged(sim, cpu, g, 10 * MS, "A", log);
    sim.at(5 * MS, () => {
      logged(sim, cpu, g, 0, "Z", log);
      expect(log).toEqual([]);
    });
    sim.run();
    expect(log).toEqual(["Z@5000", "A@10000"]);
  });

  it("cancelling a job mid-flight speeds up the others and never calls it back", () => {
    const { sim, cpu } = node(1);
    const g = cpu.group(Infinity);
    const log: string[] = [];
    logged(sim, cpu, g, 10 * MS, "A", log);
    const b = logged(sim, cpu, g, 10 * MS, "B", log);
    sim.at(4 * MS, () => cpu.cancel(b)); // A has had 2 ms; 8 ms left at full speed
    sim.run();
    expect(log).toEqual(["A@12000"]);
    expect(b.state).toBe("cancelled");
    cpu.cancel(b); // twice is harmless
    expect(cpu.activeJobs).toBe(0);
  });

  it("cancelling a finished job does nothing", () => {
    const { sim, cpu } = node(1);
    const g = cpu.group(Infinity);
    const a = cpu.submit(g, 1 * MS, () => {}, null);
    sim.run();
    expect(a.state).toBe("done");
    cpu.cancel(a);
    const log: string[] = [];
    logged(sim, cpu, g, 1 * MS, "B", log);
    sim.run();
    expect(log).toEqual(["B@2000"]);
    expect(cpu.activeJobs).toBe(0);
  });

  it("callbacks may submit new work, which starts from the instant of the callback", () => {
    const { sim, cpu } = node(1);
    const g = cpu.group(Infinity);
    const log: string[] = [];
    logged(sim, cpu, g, 20 * MS, "long", log);
    cpu.submit(
      g,
      10 * MS,
      () => {
        log.push(`A@${sim.now()}`);
        logged(sim, cpu, g, 5 * MS, "B", log);
      },
      null,
    );
    sim.run();
    // A and long share until 20 ms (10 ms each); then long (10 ms left) and B share: B ends at 30
    // ms, long has 5 ms left alone: 35 ms.
    expect(log).toEqual(["A@20000", "B@30000", "long@35000"]);
  });

  it("zero work submitted from a callback completes in the same instant, after that instant's other callbacks", () => {
    const { sim, cpu } = node(1);
    const g = cpu.group(Infinity);
    const log: string[] = [];
    cpu.submit(g, 10 * MS, () => { log.push(`A@${sim.now()}`); logged(sim, cpu, g, 0, "Z", log); }, null);
    logged(sim, cpu, g, 10 * MS, "B", log);
    logged(sim, cpu, g, 30 * MS, "C", log);
    sim.run();
    // Until 30 ms all three share 1/3 core; then C has 20 ms left alone.
    expect(log).toEqual(["A@30000", "B@30000", "Z@30000", "C@50000"]);
  });

  it("a callback that cancels a job due in the same instant suppresses that job's callback", () => {
    const { sim, cpu } = node(1);
    const g = cpu.group(Infinity);
    const log: string[] = [];
    let b: CpuJob | null = null;
    cpu.submit(g, 10 * MS, () => { log.push(`A@${sim.now()}`); cpu.cancel(b!); }, null);
    b = logged(sim, cpu, g, 10 * MS, "B", log);
    sim.run();
    expect(log).toEqual(["A@20000"]);
    expect(b.state).toBe("cancelled");
  });

  it("removing a group cancels its jobs silently and gives its share to the others", () => {
    const { sim, cpu } = node(1);
    const gone = cpu.group(Infinity);
    const stays = cpu.group(Infinity);
    const log: string[] = [];
    logged(sim, cpu, gone, 10 * MS, "gone", log);
    logged(sim, cpu, stays, 10 * MS, "stays", log);
    sim.at(6 * MS, () => cpu.removeGroup(gone)); // stays had 3 ms, 7 ms left alone
    sim.run();
    expect(log).toEqual(["stays@13000"]);
    expect(() => cpu.submit(gone, 1, () => {}, null)).toThrow(/removed/);
    cpu.removeGroup(gone); // twice is harmless
  });

  it("keeps precision over long runs: a 100 s job and a 50 s job joining at 50 s both end at 150 s", () => {
    const { sim, cpu } = node(1);
    const g = cpu.group(Infinity);
    const log: string[] = [];
    logged(sim, cpu, g, 100e6, "A", log);
    sim.at(50e6, () => logged(sim, cpu, g, 50e6, "B", log));
    // Accounting reads force advances on the way, past the clock's rebase threshold (2^26 us).
    for (let t = 1e6; t < 150e6; t += 7e6) sim.at(t, () => cpu.takeBusyCoreUs());
    sim.run();
    expect(log).toEqual(["A@150000000", "B@150000000"]);
  });

  it("keeps a busy group's virtual clock small (rebased past 2^26 us), so its float error stays tiny", () => {
    const { sim, cpu } = node(1);
    const g = cpu.group(Infinity);
    cpu.submit(g, 1e12, () => {}, null); // never finishes in this test
    let maxClockUs = 0;
    let completed = 0;
    // A 1 ms job every second beside it, each of which must take exactly 2 ms at half a core.
    const tick = (): void => {
      const startUs = sim.now();
      cpu.submit(g, 1 * MS, () => { if (sim.now() - startUs === 2 * MS) completed++; }, null);
      maxClockUs = Math.max(maxClockUs, g.vclockUs);
      if (sim.now() < 500e6) sim.after(1e6, tick);
    };
    sim.at(0, tick);
    sim.run({ untilUs: 501e6 });
    expect(completed).toBe(501);
    expect(maxClockUs).toBeLessThan(2 ** 26 + 1e6);
  });

  it("rejects bad input", () => {
    const { cpu } = node(2);
    const g = cpu.group(Infinity);
    expect(() => cpu.submit(g, -1, () => {}, null)).toThrow(/work/);
    expect(() => cpu.submit(g, NaN, () => {}, null)).toThrow(/work/);
    expect(() => cpu.group(0)).toThrow(/cap/);
    expect(() => new NodeCpu(new Simulation(), 0)).toThrow(/cores/);
    const other = node(2).cpu.group(Infinity);
    expect(() => cpu.submit(other, 1, () => {}, null)).toThrow(/another node/);
  });
});

describe("NodeCpu accounting", () => {
  it("busy core-us and each group's used core-us are the integrals of their rates", () => {
    const { sim, cpu } = node(2);
    const x = cpu.group(Infinity);
    const y = cpu.group(0.5);
    const takes: number[][] = [];
    const take = () => takes.push([sim.now(), cpu.takeBusyCoreUs(), x.takeUsedCoreUs(), y.takeUsedCoreUs()]);
    cpu.submit(x, 10 * MS, () => {}, null); // 1 core until 10 ms
    cpu.submit(y, 6 * MS, () => {}, null); // 0.5 core until 12 ms
    sim.at(4 * MS, take);
    sim.at(20 * MS, take);
    sim.run();
    expect(takes).toEqual([
      [4000, 1.5 * 4000, 4000, 2000],
      // 1.5 cores from 4 to 10 ms, then 0.5 until 12 ms.
      [20000, 1.5 * 6000 + 0.5 * 2000, 6000, 4000],
    ]);
  });

  it("a saturated node is busy exactly `cores` and the groups' use adds up to it", () => {
    const { sim, cpu } = node(3);
    const groups = [cpu.group(Infinity), cpu.group(0.7), cpu.group(Infinity)];
    for (const [i, g] of groups.entries()) jobs(cpu, g, i + 2, 1e9);
    sim.at(1_000, () => {});
    sim.run({ untilUs: 1_000 });
    expect(cpu.takeBusyCoreUs()).toBe(3_000);
    const used = groups.map((g) => g.takeUsedCoreUs());
    expect(used[1]).toBeCloseTo(700, 9);
    expect(used[0]).toBeCloseTo(1150, 9);
    expect(used.reduce((s, u) => s + u, 0)).toBeCloseTo(3_000, 9);
    expect(cpu.takeBusyCoreUs()).toBe(0);
  });

  it("a removed group still reports the use it had before removal", () => {
    const { sim, cpu } = node(1);
    const g = cpu.group(Infinity);
    cpu.submit(g, 10 * MS, () => {}, null);
    sim.at(3 * MS, () => cpu.removeGroup(g));
    sim.run({ untilUs: 5 * MS });
    expect(g.takeUsedCoreUs()).toBe(3_000);
    expect(cpu.takeBusyCoreUs()).toBe(3_000);
  });
});
