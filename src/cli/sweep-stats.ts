// What a sweep writes, from its rows: the estimates per service and variant (mean and 95% CI of
// each metric, the paired difference from the first variant), sweep.csv, sweep-summary.csv,
// sweep-report.html and the terminal's table. One place, so that a sweep in one process, in
// parallel, or merged from shards writes the same bytes.

import type { OutputDir } from "../metrics/output.js";
import { pctText, plural } from "../metrics/fmt.js";
import { HISTOGRAM_RELATIVE_ACCURACY } from "../metrics/histogram.js";
import { estimate, pairedDifference } from "../metrics/stats.js";
import { shortPaths, sweepReportHtml } from "../report/sweep-report.js";
import { textTable } from "../report/text-table.js";
import { SWEEP_FILE, type SweepManifest } from "./sweep-files.js";
import { FAULT_COLUMN, round, SERVICE_FAULT_METRICS, withEveryFault, type Sample } from "./sweep-run.js";
import { orchsimVersion } from "./version.js";

const METRICS = ["error_pct", "p99_ms", "slo_attained_pct"] as const;

/**
 * A fault's `f<i>_judged` column (1 judged, 0 when the fault found the service already outside
 * its SLO, `already_unhealthy` in metrics/faults.ts; empty where the run had no such fault): in
 * sweep-summary.csv, the number of runs the fault judged the service in, and beside it
 * `f<i>_not_judged`, the number it did not.
 */
const JUDGED = /^f(\d+)_judged$/;

/** sweep.csv: one row per run and service, an empty cell where there is no value (NaN). */
export function writeSamples(out: OutputDir, given: readonly Sample[]): void {
  writeRows(out, withEveryFault(given));
}

/** sweep.csv from samples that already share their columns. */
function writeRows(out: OutputDir, samples: readonly Sample[]): void {
  const rows = samples.map((x) => Object.fromEntries(Object.entries(x).map(([k, v]) => [k, typeof v === "number" && !Number.isFinite(v) ? "" : v])));
  out.writeCsv("sweep.csv", Object.keys(samples[0] ?? {}), rows);
}

/** Writes sweep.csv, sweep-summary.csv, sweep.json and (with `report`) sweep-report.html; returns the terminal's table. */
export function writeSweep(out: OutputDir, given: readonly Sample[], m: Omit<SweepManifest, "orchsim_sweep" | "orchsim">, report: boolean): string {
  const samples = withEveryFault(given);
  const summary = summarise(samples, m.variants);
  writeRows(out, samples);
  out.writeCsv("sweep-summary.csv", Object.keys(summary[0] ?? {}), summary);
  const manifest: SweepManifest = { orchsim_sweep: 1, orchsim: orchsimVersion(), scenario: m.scenario, variants: [...m.variants], seeds: [...m.seeds], ...(m.set ? { set: [...m.set] } : {}) };
  out.writeText(SWEEP_FILE, `${JSON.stringify(manifest, null, 2)}\n`);
  if (report) out.writeText("sweep-report.html", sweepReportFrom(samples, manifest, summary));
  return table(summary, m.seeds.length, samples);
}

/** sweep-report.html from a sweep's rows (with every fault's columns) and its manifest, and their estimates when already made. */
export function sweepReportFrom(samples: readonly Sample[], m: SweepManifest, summary = summarise(samples, m.variants)): string {
  const notJudged = (r: Record<string, string | number>, metric: string): number => {
    const i = ownFault(metric);
    return i === null ? 0 : judgedIn(r, i).notJudged;
  };
  return sweepReportHtml(`orchsim sweep: ${m.scenario}`, m.seeds.length, metricsOf(samples), summary, m.set ?? [], notJudged);
}

/**
 * The metrics to estimate: the fixed ones; with faults, the share within the SLO outside their
 * disruptions (what `plan --recover-within` judges) and every fault column the runs have but
 * `f<i>_judged`, which is counted (in column order).
 */
export function metricsOf(samples: readonly Sample[]): Metric[] {
  return columnsOf(samples).filter((m) => !JUDGED.test(m));
}

type Metric = (typeof METRICS)[number] | "slo_attained_outside_faults_pct" | `f${number}_${string}`;

/** The sweep.csv columns summarised, in order: the metrics, each fault's `f<i>_judged` before the service's figures of it. */
function columnsOf(samples: readonly Sample[]): Metric[] {
  const faults = Object.keys(samples[0] ?? {}).filter((k): k is `f${number}_${string}` => FAULT_COLUMN.test(k));
  return faults.length === 0 ? [...METRICS] : [...METRICS, "slo_attained_outside_faults_pct", ...faults];
}

/**
 * Whether a run counts in a metric's estimate, beside having a value: a service's own figure of
 * a fault (SERVICE_FAULT_METRICS) only where the fault judged it (`f<i>_judged` not 0; a sweep.csv
 * from before that column counts every run).
 */
function countsInEstimate(m: Metric): (s: Sample) => boolean {
  const i = ownFault(m);
  if (i === null) return () => true;
  const judged = `f${i}_judged` as const;
  return (s) => s[judged] !== 0;
}

/** The fault a metric is the service's own figure of (SERVICE_FAULT_METRICS), or null. */
function ownFault(m: string): number | null {
  const own = /^f(\d+)_(.+)$/.exec(m);
  return own !== null && SERVICE_FAULT_METRICS.has(own[2]!) ? Number(own[1]) : null;
}

/** `f<i>_judged` and `f<i>_not_judged` of a service's runs at one variant: the runs with 1, and with 0, in that column. */
function judgedCounts(runs: readonly Sample[], column: `f${number}_judged`): Record<string, number> {
  return { [column]: runs.filter((s) => s[column] === 1).length, [column.replace(/judged$/, "not_judged")]: runs.filter((s) => s[column] === 0).length };
}

/** Per service and variant: mean and 95% CI of each metric, and the paired difference from the first variant. */
function summarise(samples: readonly Sample[], variants: readonly string[]): Record<string, string | number>[] {
  const rows: Record<string, string | number>[] = [];
  const services = [...new Set(samples.map((s) => s.service))];
  const metrics = columnsOf(samples);
  const faults = metrics.some((m) => FAULT_COLUMN.test(m));
  for (const service of services) {
    const of = (v: string): Sample[] => samples.filter((s) => s.service === service && s.variant === v);
    const base = of(variants[0]!);
    for (const v of variants) {
      const row: Record<string, string | number> = { service, variant: v, runs: of(v).length };
      if (faults) row["tasks_back"] = of(v).filter(tasksBack).length;
      for (const m of metrics) {
        if (JUDGED.test(m)) {
          Object.assign(row, judgedCounts(of(v), m as `f${number}_judged`));
          continue;
        }
        // Runs without a value (nothing completed, never recovered) or not judged by the fault are left out, of the pair as well:
        // the difference is over the seeds where both had a value and were judged.
        const counted = countsInEstimate(m);
        const valueOf = (s: Sample | undefined): number => (s !== undefined && counted(s) ? (s[m] ?? NaN) : NaN);
        const pairs = of(v).map((s, i) => [valueOf(base[i]), valueOf(s)] as const).filter(([a, b]) => Number.isFinite(a) && Number.isFinite(b));
        const values = of(v).map(valueOf).filter(Number.isFinite);
        const e = estimate(values);
        const d = pairedDifference(pairs.map(([a]) => a), pairs.map(([, b]) => b));
        row[`${m}_mean`] = finite(e.mean);
        row[`${m}_ci95`] = finite(e.ci95);
        row[`${m}_diff`] = finite(d.mean);
        row[`${m}_diff_ci95`] = finite(d.ci95);
        // The runs that had a value: fewer than `runs` when some never recovered, served nothing or were not judged.
        row[`${m}_n`] = values.length;
        // The seeds the difference is over: those where this variant and the first both had a value (and were judged).
        row[`${m}_diff_n`] = pairs.length;
      }
      rows.push(row);
    }
  }
  return rows;
}

/**
 * Whether every desired task ran again after the run's last fault (its `tasks_restored_s` has a
 * value): a variant whose replacements find no room can look best by its error rate. A run's
 * own faults are those with `f<i>_lost` (a count, never empty): variants may fire fewer.
 */
function tasksBack(s: Sample): boolean {
  const own = s as unknown as Record<string, number>;
  let last = 0;
  while (Number.isFinite(own[`f${last + 1}_lost`])) last++;
  return last === 0 ? s.all_tasks_ran === 1 : Number.isFinite(own[`f${last}_tasks_restored_s`]);
}

function table(rows: Record<string, string | number>[], runs: number, samples: readonly Sample[]): string {
  const num = (x: string | number | undefined): string => {
    if (x === "" || x === undefined) return "-";
    const v = Number(x);
    const s = Math.abs(v) >= 100 ? v.toFixed(1) : v.toFixed(2);
    return /^-0\.?0*$/.test(s) ? s.slice(1) : s;
  };
  const fmt = (r: Record<string, string | number>, m: string): string => {
    const ci = r[`${m}_ci95`];
    const mean = r[`${m}_mean`];
    // A share: two decimals, and 100 only when it is (99.999 read "100.00" beside an exact "100.0").
    const text = m.endsWith("_pct") && mean !== "" && mean !== undefined ? pctText(Number(mean), 2) : num(mean);
    return `${text}${ci === "" ? "" : ` ± ${num(ci)}`}`;
  };
  const diff = (r: Record<string, string | number>, m: string): string => {
    const d = r[`${m}_diff`];
    if (d === "") return "-";
    const ci = r[`${m}_diff_ci95`];
    const text = num(d);
    return `${text.startsWith("-") ? "" : "+"}${text}${ci === "" ? "" : ` ± ${num(ci)}`}`;
  };
  // With faults: in how many runs every task was back after the last one, and how long the
  // service took to recover from it (the runs that did; "never" when none did).
  const back = rows.some((r) => r["tasks_back"] !== undefined);
  const last = Math.max(0, ...Object.keys(rows[0] ?? {}).map((k) => Number(/^f(\d+)_recovered_s_mean$/.exec(k)?.[1] ?? 0)));
  // Over the runs the fault judged the service in: "already outside" when it found the service
  // outside its SLO in every run that had it, "-" when no run had it (a variant that fires fewer).
  const recovered = (r: Record<string, string | number>): string => {
    const m = `f${last}_recovered_s`;
    const n = Number(r[`${m}_n`]);
    const { judged, notJudged } = judgedIn(r, last);
    if (judged === 0 && notJudged > 0) return "already outside";
    if (judged === 0 && notJudged === 0) return "-";
    if (n === 0) return "never";
    const runs = Number(r["runs"]);
    const of = notJudged > 0 ? ` (${n} of ${runs}; ${notJudged} not judged)` : n < runs ? ` (${n} of ${runs})` : "";
    return `${fmt(r, m)}${of}`;
  };
  // With faults, also the share within the SLO outside their disruptions: what plan --recover-within judges.
  const outside = rows.some((r) => r["slo_attained_outside_faults_pct_mean"] !== undefined);
  const header = ["service", "variant", ...(back ? ["tasks back"] : []), ...(last > 0 ? [`recovered s (fault ${last})`] : []), "errors %", "p99 ms", "SLO attained %", ...(outside ? ["outside faults %"] : []), "Δ errors %", "Δ p99 ms", "Δ SLO %"];
  const body = rows.map((r, i) => {
    // The first variant of each service is the baseline the others are compared with.
    const base = i === 0 || rows[i - 1]!["service"] !== r["service"];
    const d = (m: string): string => (base ? "(baseline)" : diff(r, m));
    const tasks = back ? [`${String(r["tasks_back"])} of ${String(r["runs"])}`] : [];
    const recovery = last > 0 ? [recovered(r)] : [];
    // Each field's path cut to its last two parts, as the report's labels: sweep.csv has them whole.
    return [String(r["service"]), shortPaths(String(r["variant"])), ...tasks, ...recovery, fmt(r, "error_pct"), fmt(r, "p99_ms"), fmt(r, "slo_attained_pct"), ...(outside ? [fmt(r, "slo_attained_outside_faults_pct")] : []), d("error_pct"), d("p99_ms"), d("slo_attained_pct")];
  });
  const seeds = runs === 1 ? "1 seed" : `${runs} seeds`;
  return [`${seeds} per variant; mean ± 95% CI; Δ = paired difference from the first variant (same seeds); - = no data`, ...textTable([header, ...body], 2), ...sketchNote(rows), ...notJudgedNote(rows), ...(back ? [] : neverRanNote(rows, samples))].join("\n");
}

/**
 * Without faults the table has no "tasks back" column, and a service whose tasks never all ran at
 * some value (a node group of count 0 that only it needs, a reservation no node holds) shows only
 * "-" or a number from the tasks that did: said, from sweep.csv's all_tasks_ran (walkthrough).
 */
function neverRanNote(rows: readonly Record<string, string | number>[], samples: readonly Sample[]): string[] {
  const short = new Map<string, number>();
  for (const s of samples) {
    const key = `${s.service}\u0000${s.variant}`;
    short.set(key, (short.get(key) ?? 0) + (tasksBack(s) ? 0 : 1)); // without faults: all_tasks_ran
  }
  // In the table's order: by service, then variant.
  return rows.flatMap((r) => {
    const n = short.get(`${String(r["service"])}\u0000${String(r["variant"])}`) ?? 0;
    const runs = Number(r["runs"]);
    return n === 0 ? [] : [`${String(r["service"])} at ${shortPaths(String(r["variant"]))}: its desired tasks never all ran in ${n} of ${runs} run${runs === 1 ? "" : "s"} (all_tasks_ran = 0 in sweep.csv)`];
  });
}

/**
 * The faults that found a service already outside its SLO in some runs (`f<i>_not_judged`):
 * their figures for it leave those runs out, said under the table, since the recovery column
 * shows the last fault's alone.
 */
function notJudgedNote(rows: readonly Record<string, string | number>[]): string[] {
  return rows.flatMap((r) => {
    const runs = Number(r["runs"]);
    const faults = Object.keys(r).flatMap((k) => {
      const i = JUDGED.exec(k)?.[1];
      const n = i === undefined ? 0 : judgedIn(r, Number(i)).notJudged;
      return n === 0 ? [] : [{ i, text: `fault ${i} (${n} of ${plural(runs, "run")})` }];
    });
    if (faults.length === 0) return [];
    const list = (xs: string[]): string => (xs.length === 1 ? xs[0]! : `${xs.slice(0, -1).join(", ")} and ${xs.at(-1)!}`);
    const those = faults.length === 1 ? "that fault" : "those faults";
    return [`${String(r["service"])} at ${shortPaths(String(r["variant"]))}: already outside its SLO before ${list(faults.map((f) => f.text))}: its recovery, losses and p99s of ${those} leave those runs out (${faults.map((f) => `f${f.i}_judged`).join(", ")} = 0 in sweep.csv)`];
  });
}

/**
 * Of a summary row, the runs fault `i` judged the service in and those it did not (a sweep.csv
 * from before the column: every run judged).
 */
function judgedIn(r: Record<string, string | number>, i: number): { judged: number; notJudged: number } {
  const judged = r[`f${i}_judged`];
  if (judged === undefined) return { judged: Number(r["runs"]), notJudged: 0 };
  return { judged: Number(judged), notJudged: Number(r[`f${i}_not_judged`]) };
}

/**
 * A p99 (or a paired difference of p99s) whose interval is ± 0.00 over several runs: the runs may
 * well differ, by less than the latency sketch tells apart (its relative accuracy; the same
 * bucket every run, or the same buckets apart). Said, so that it is not read as runs that did not
 * differ; a run with nothing random in it may also give that.
 */
function sketchNote(rows: readonly Record<string, string | number>[]): string[] {
  const flat = (r: Record<string, string | number>, m: string): boolean => r[`${m}_ci95`] === 0 && Number(r[`${m}_n`]) > 1;
  const baseline = rows[0]?.["variant"]; // its difference from itself is 0 ± 0 by construction
  if (!rows.some((r) => flat(r, "p99_ms") || (r["variant"] !== baseline && flat(r, "p99_ms_diff")))) return [];
  const pct = HISTOGRAM_RELATIVE_ACCURACY * 100;
  return [`p99 (or Δ p99) ± 0.00 over several runs may only mean that their p99s fell in the same buckets of the latency sketch, which is exact to ±${pct}%: a difference smaller than that does not show`];
}

function finite(x: number): number | "" {
  return Number.isFinite(x) ? round(x) : "";
}
