// The sweep's estimates from given rows: which seeds a paired difference is over, and how the
// report draws a mean from one run.
import { describe, expect, it } from "vitest";
import { writeSweep } from "../../src/cli/sweep-stats.js";
import type { Sample } from "../../src/cli/sweep-run.js";
import type { OutputDir } from "../../src/metrics/output.js";

function sample(variant: string, seed: number, recovered: number): Sample {
  return { variant, seed, service: "web", arrivals: 100, errors: 1, error_pct: 1, p50_ms: 10, p99_ms: 50, slo_attained_pct: 100, slo_met: 1, slo_attained_outside_faults_pct: 100, slo_met_outside_faults: 1, all_tasks_ran: 1, restarts: 0, f1_recovered_s: recovered };
}

function written(samples: Sample[], variants: string[]): { csv: Map<string, Record<string, unknown>[]>; html: string; text: string } {
  const csv = new Map<string, Record<string, unknown>[]>();
  let html = "";
  const out = {
    writeCsv: (name: string, _columns: readonly string[], rows: readonly object[]) => void csv.set(name, rows as Record<string, unknown>[]),
    writeText: (name: string, text: string) => void (name === "sweep-report.html" && (html = text)),
  } as unknown as OutputDir;
  const text = writeSweep(out, samples, { scenario: "t", variants, seeds: [1, 2, 3], set: [] }, true);
  return { csv, html, text };
}

describe("sweep estimates", () => {
  // The baseline recovers on seeds 1-3, the second variant on seeds 2 and 3, the third on seed 3 alone.
  const samples = [
    sample("a", 1, 10), sample("a", 2, 20), sample("a", 3, 30),
    sample("b", 1, NaN), sample("b", 2, 50), sample("b", 3, 90),
    sample("c", 1, NaN), sample("c", 2, NaN), sample("c", 3, 170),
  ];
  const { csv, html } = written(samples, ["a", "b", "c"]);
  const rows = csv.get("sweep-summary.csv")!;

  it("takes a paired difference over the seeds where both had a value, and says how many", () => {
    const b = rows[1]!;
    expect(b["f1_recovered_s_mean"]).toBe(70);
    expect(b["f1_recovered_s_n"]).toBe(2);
    expect(b["f1_recovered_s_diff_n"]).toBe(2);
    // Seeds 2 and 3: (50 - 20 + 90 - 30) / 2 = 45, not 70 - 20 (the baseline's mean over all three).
    expect(b["f1_recovered_s_diff"]).toBe(45);
    expect(rows[0]!["f1_recovered_s_diff_n"]).toBe(3);
  });

  it("estimates the share within the SLO outside the faults (what plan --recover-within judges) when the runs had faults", () => {
    expect(rows[0]!["slo_attained_outside_faults_pct_mean"]).toBe(100);
    expect(html).toContain(">slo_attained_outside_faults_pct</h2>");
    const plain = [1, 2, 3].map((seed) => {
      const x = sample("a", seed, 10) as unknown as Record<string, unknown>;
      delete x["f1_recovered_s"];
      return x as unknown as Sample;
    });
    expect(written(plain, ["a"]).csv.get("sweep-summary.csv")![0]).not.toHaveProperty("slo_attained_outside_faults_pct_mean");
  });

  it("draws a mean from one run without an interval", () => {
    expect(rows[2]!["f1_recovered_s_n"]).toBe(1);
    expect(rows[2]!["f1_recovered_s_ci95"]).toBe("");
    expect(html).toContain("<title>170 (one run: no interval)</title>");
    expect(html).not.toContain("170 (170 to 170)");
    expect(html).toContain("<title>70 (");
  });
});

describe("the sweep's table", () => {
  const table = (p99s: Record<string, number[]>): string => {
    const out = { writeCsv: () => undefined, writeText: () => undefined } as unknown as OutputDir;
    const samples = Object.entries(p99s).flatMap(([variant, values]) => values.map((p99, i) => ({ ...sample(variant, i + 1, 10), p99_ms: p99 })));
    return writeSweep(out, samples, { scenario: "t", variants: Object.keys(p99s), seeds: [1, 2, 3], set: [] }, false);
  };
  const NOTE = "may only mean that their p99s fell in the same buckets of the latency sketch, which is exact to ±0.5%";

  it("says what a p99 of ± 0.00 over several runs means: one bucket of the sketch, not runs that did not differ", () => {
    expect(table({ a: [50, 50, 50] })).toContain(NOTE);
    expect(table({ a: [50, 50, 50] })).toMatch(/50\.00 ± 0\.00/);
  });

  it("says it of a paired difference of ± 0.00 too, but not of the baseline's difference from itself", () => {
    expect(table({ a: [48, 50, 52], b: [49, 51, 53] })).toContain(NOTE);
    expect(table({ a: [48, 50, 52], b: [47, 51, 55] })).not.toContain(NOTE);
    expect(table({ a: [48, 50, 52] })).not.toContain(NOTE);
  });
});

describe("the sweep's table, with faults", () => {
  it("says in how many runs every task was back after the run's own last fault: fewest errors is not best when replacements found no room", () => {
    const out = { writeCsv: () => undefined, writeText: () => undefined } as unknown as OutputDir;
    const run = (variant: string, seed: number, faults: [lost: number, restored: number][]): Sample => {
      const s = { ...sample(variant, seed, 10), error_pct: variant === "small" ? 0.5 : 1 } as unknown as Record<string, number | string>;
      delete s["f1_recovered_s"];
      faults.forEach(([lost, restored], i) => Object.assign(s, { [`f${i + 1}_lost`]: lost, [`f${i + 1}_tasks_restored_s`]: restored }));
      return s as unknown as Sample;
    };
    const samples = [
      // "big": two faults, tasks back after the second in every seed, though not after the first.
      ...[1, 2, 3].map((seed) => run("big", seed, [[5, NaN], [3, 20]])),
      // "small": its second fault never fires (NaN lost, as sweep.csv pads it): the first is its last; back in seed 3 only.
      ...[1, 2, 3].map((seed) => run("small", seed, [[0, seed === 3 ? 30 : NaN], [NaN, NaN]])),
    ];
    const text = writeSweep(out, samples, { scenario: "t", variants: ["big", "small"], seeds: [1, 2, 3], set: [] }, false);
    const lines = text.split("\n");
    expect(lines[1]).toMatch(/^service +variant +tasks back +errors %/);
    expect(lines.find((l) => / big /.test(` ${l} `))).toMatch(/ big +3 of 3 +1\.00/);
    expect(lines.find((l) => / small /.test(` ${l} `))).toMatch(/ small +1 of 3 +0\.50/);
  });

  it("has no such column without faults", () => {
    const out = { writeCsv: () => undefined, writeText: () => undefined } as unknown as OutputDir;
    const plain = (seed: number): Sample => {
      const s = sample("a", seed, 10) as unknown as Record<string, unknown>;
      delete s["f1_recovered_s"];
      return s as unknown as Sample;
    };
    const text = writeSweep(out, [1, 2, 3].map(plain), { scenario: "t", variants: ["a"], seeds: [1, 2, 3], set: [] }, false);
    expect(text).not.toContain("tasks back");
    expect(text).not.toContain("outside faults"); // the same as the whole run's without faults
  });

  it("says, without faults, in how many runs a service's tasks never all ran at a value: its row shows only '-' (walkthrough)", () => {
    const out = { writeCsv: () => undefined, writeText: () => undefined } as unknown as OutputDir;
    const plain = (variant: string, seed: number): Sample => {
      const s = sample(variant, seed, 10) as unknown as Record<string, unknown>;
      delete s["f1_recovered_s"];
      if (variant === "cluster.nodeGroups.gpu.count=0") Object.assign(s, { all_tasks_ran: 0, arrivals: 0, p99_ms: NaN });
      return s as unknown as Sample;
    };
    const variants = ["cluster.nodeGroups.gpu.count=0", "cluster.nodeGroups.gpu.count=1"];
    const text = writeSweep(out, variants.flatMap((v) => [1, 2, 3].map((seed) => plain(v, seed))), { scenario: "t", variants, seeds: [1, 2, 3], set: [] }, false);
    expect(text).toContain("web at …gpu.count=0: its desired tasks never all ran in 3 of 3 runs (all_tasks_ran = 0 in sweep.csv)");
    expect(text).not.toContain("gpu.count=1: its desired tasks");
    // Two services: the lines follow the table, by service then value, not the runs' order (review).
    const two = variants.flatMap((v) => [1, 2, 3].flatMap((seed) => [plain(v, seed), { ...plain(v, seed), service: "api" }]));
    const lines = writeSweep(out, two, { scenario: "t", variants, seeds: [1, 2, 3], set: [] }, false).split("\n").filter((l) => l.includes("never all ran"));
    expect(lines.map((l) => l.split(":")[0])).toEqual(["web at …gpu.count=0", "api at …gpu.count=0"]);
  });
});

describe("the sweep's table, with a fault's recovery", () => {
  it("says how long each variant's service took to recover from the last fault, over the runs that did, and 'never' when none did", () => {
    const out = { writeCsv: () => undefined, writeText: () => undefined } as unknown as OutputDir;
    const samples = [
      sample("a", 1, 40), sample("a", 2, 50), sample("a", 3, 60),
      sample("b", 1, NaN), sample("b", 2, 500), sample("b", 3, 520),
      sample("c", 1, NaN), sample("c", 2, NaN), sample("c", 3, NaN),
    ];
    const lines = writeSweep(out, samples, { scenario: "t", variants: ["a", "b", "c"], seeds: [1, 2, 3], set: [] }, false).split("\n");
    expect(lines[1]).toMatch(/^service +variant +tasks back +recovered s \(fault 1\) +errors % +p99 ms +SLO attained % +outside faults % +Δ errors %/);
    const row = (v: string) => lines.find((l) => new RegExp(`^web +${v} `).test(l))!;
    expect(row("a")).toMatch(/ 100\.00 ± 0\.00 +100\.00 ± 0\.00 +\(baseline\)/); // the share over the run, then outside the faults' disruptions
    expect(row("a")).toMatch(/ a +3 of 3 +50\.00 ± 24\.84 +1\.00/); // t(2) 4.303 x 10 / sqrt(3)
    expect(row("b")).toMatch(/ b +3 of 3 +510\.0 ± 127\.1 \(2 of 3\) +1\.00/);
    expect(row("c")).toMatch(/ c +3 of 3 +never +1\.00/);
  });
});

describe("a fault that found a service already outside its SLO (not judged by it)", () => {
  // One rule with the terminal, compare and story.md: the service's own figures of that fault
  // (its recovery, losses, p99s) are not the fault's, so the estimates leave those runs out.
  // Its fault columns in sweep.csv's order; judged NaN: the run had no such fault.
  const run = (variant: string, seed: number, judged: number, recovered: number, lost: number): Sample => {
    const { f1_recovered_s: _, ...fixed } = sample(variant, seed, recovered);
    return { ...fixed, f1_tasks_restored_s: Number.isNaN(judged) ? NaN : 5, f1_judged: judged, f1_recovered_s: recovered, f1_lost: Number.isNaN(judged) ? NaN : lost } as Sample;
  };
  const sweepOf = (samples: Sample[], variants: string[]) => {
    const { csv, html, text } = written(samples, variants);
    return { summary: csv.get("sweep-summary.csv")!, runs: csv.get("sweep.csv")!, text, html };
  };
  // "a" judged in every run; "b" already outside in seed 1 (its 900 s and 5,000 failures are its own); "c" already outside in every run.
  const { summary, runs, text, html } = sweepOf([
    run("a", 1, 1, 10, 10), run("a", 2, 1, 20, 20), run("a", 3, 1, 30, 30),
    run("b", 1, 0, 900, 5000), run("b", 2, 1, 50, 40), run("b", 3, 1, 70, 60),
    run("c", 1, 0, NaN, 7000), run("c", 2, 0, 800, 6000), run("c", 3, 0, NaN, 6500),
  ], ["a", "b", "c"]);

  it("estimates the service's recovery and losses over the runs the fault judged it in, and counts both kinds", () => {
    const b = summary[1]!;
    expect([b["f1_judged"], b["f1_not_judged"]]).toEqual([2, 1]);
    expect(b["f1_recovered_s_mean"]).toBe(60);
    expect(b["f1_recovered_s_n"]).toBe(2);
    expect(b["f1_lost_mean"]).toBe(50);
    // Paired with the baseline on seeds 2 and 3 only: (50 - 20 + 70 - 30) / 2.
    expect(b["f1_recovered_s_diff"]).toBe(35);
    expect(b["f1_recovered_s_diff_n"]).toBe(2);
    // The cluster's figures of the fault are every run's.
    expect(b["f1_tasks_restored_s_n"]).toBe(3);
    expect([summary[2]!["f1_judged"], summary[2]!["f1_not_judged"], summary[2]!["f1_lost_n"]]).toEqual([0, 3, 0]);
  });

  it("keeps a run's own figures in sweep.csv beside its flag", () => {
    const b1 = runs.find((r) => r["variant"] === "b" && r["seed"] === 1)!;
    expect([b1["f1_judged"], b1["f1_recovered_s"], b1["f1_lost"]]).toEqual([0, 900, 5000]);
  });

  it("leaves a seed out of the paired difference when the baseline was the one not judged", () => {
    const { summary: rows } = sweepOf([
      run("a", 1, 0, 900, 5000), run("a", 2, 1, 20, 20), run("a", 3, 1, 30, 30),
      run("b", 1, 1, 40, 10), run("b", 2, 1, 50, 40), run("b", 3, 1, 70, 60),
    ], ["a", "b"]);
    expect(rows[0]!["f1_recovered_s_mean"]).toBe(25);
    expect(rows[1]!["f1_recovered_s_mean"]).toBe(53.333);
    expect(rows[1]!["f1_recovered_s_diff"]).toBe(35); // seeds 2 and 3
    expect(rows[1]!["f1_recovered_s_diff_n"]).toBe(2);
  });

  it("puts each fault's judged counts before the service's figures of it in sweep-summary.csv, and draws no plot of them", () => {
    const keys = Object.keys(summary[0]!);
    expect(keys.slice(keys.indexOf("f1_judged"), keys.indexOf("f1_judged") + 3)).toEqual(["f1_judged", "f1_not_judged", "f1_recovered_s_mean"]);
    expect(keys).not.toContain("f1_judged_mean");
    expect(html).not.toContain(">f1_judged</h2>");
    // The plot's label counts the runs left out as not judged apart from those without a value.
    expect(html).toContain("b, 2 of 3 runs (1 not judged)");
    expect(html).toContain("c, 0 of 3 runs (3 not judged)");
  });

  it("says 'already outside' in the table where no run judged it, how many were not judged where some were not, and why under the table", () => {
    const lines = text.split("\n");
    const row = (v: string) => lines.find((l) => new RegExp(`^web +${v} `).test(l))!;
    expect(row("b")).toMatch(/ b +3 of 3 +60\.00 ± 127\.1 \(2 of 3; 1 not judged\) +1\.00/);
    expect(row("c")).toMatch(/ c +3 of 3 +already outside +1\.00/);
    expect(row("a")).toMatch(/ a +3 of 3 +20\.00 ± 24\.84 +1\.00/);
    expect(text).toContain("web at b: already outside its SLO before fault 1 (1 of 3 runs): its recovery, losses and p99s of that fault leave those runs out (f1_judged = 0 in sweep.csv)");
    expect(text).toContain("web at c: already outside its SLO before fault 1 (3 of 3 runs)");
    expect(text).not.toContain("web at a:");
  });

  it("says '-' of a variant that never fired the fault, not 'never' nor 'already outside' (review)", () => {
    const { text: t, summary: rows, runs: csv } = sweepOf([
      run("a", 1, 1, 10, 10), run("a", 2, 1, 20, 20), run("a", 3, 1, 30, 30),
      run("none", 1, NaN, NaN, NaN), run("none", 2, NaN, NaN, NaN), run("none", 3, NaN, NaN, NaN),
    ], ["a", "none"]);
    expect(csv.filter((r) => r["variant"] === "none").map((r) => r["f1_judged"])).toEqual(["", "", ""]);
    expect([rows[1]!["f1_judged"], rows[1]!["f1_not_judged"]]).toEqual([0, 0]);
    expect(t.split("\n").find((l) => / none /.test(l))).toMatch(/ none +\d of 3 +- +1\.00/);
    expect(t).not.toContain("already outside its SLO");
  });

  it("counts every run of a sweep.csv from before the column (no f<i>_judged)", () => {
    const old = [1, 2, 3].map((seed) => sample("a", seed, seed * 10));
    const { summary: rows, text: t } = sweepOf(old, ["a"]);
    expect(rows[0]!["f1_recovered_s_n"]).toBe(3);
    expect(rows[0]).not.toHaveProperty("f1_judged");
    expect(t.split("\n").find((l) => /^web /.test(l))).toMatch(/20\.00 ± 24\.84/);
  });
});
