// The sweep's estimates from given rows: which seeds a paired difference is over, and how the
// report draws a mean from one run.
import { describe, expect, it } from "vitest";
import { writeSweep } from "../../src/cli/sweep-stats.js";
import type { Sample } from "../../src/cli/sweep-run.js";
import type { OutputDir } from "../../src/metrics/output.js";

function sample(variant: string, seed: number, recovered: number): Sample {
  return { variant, seed, service: "web", arrivals: 100, errors: 1, error_pct: 1, p50_ms: 10, p99_ms: 50, slo_attained_pct: 100, slo_met: 1, slo_attained_outside_faults_pct: 100, slo_met_outside_faults: 1, all_tasks_ran: 1, restarts: 0, f1_recovered_s: recovered };
}

function written(samples: Sample[], variants: string[]): { csv: Map<string, Record<string, unknown>[]>; html: string } {
  const csv = new Map<string, Record<string, unknown>[]>();
  let html = "";
  const out = {
    writeCsv: (name: string, _columns: readonly string[], rows: readonly object[]) => void csv.set(name, rows as Record<string, unknown>[]),
    writeText: (name: string, text: string) => void (name === "sweep-report.html" && (html = text)),
  } as unknown as OutputDir;
  writeSweep(out, samples, { scenario: "t", variants, seeds: [1, 2, 3], set: [] }, true);
  return { csv, html };
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
