import * as path from "node:path";
import { loadScenarioFile, ScenarioError } from "../scenario/index.js";
import type { Scenario } from "../scenario/types.js";
import { OutputDir, OutputDirError } from "../metrics/output.js";
import { estimate, pairedDifference, type Estimate } from "../metrics/stats.js";
import { Run } from "../engine/run.js";
import type { FaultSummary } from "../metrics/rows.js";
import { sweepReportHtml } from "../report/sweep-report.js";
import { textTable } from "../report/text-table.js";
import { loadStrategies } from "./strategies.js";
import { Progress } from "./progress.js";

export interface SweepOptions {
  seeds: string;
  vary: string[];
  set: string[];
  /** KEY=VALUE lines for ${VAR} in the scenario's stack files. */
  envFile?: string;
  out?: string;
  quiet?: boolean;
  /** Also write sweep-report.html. */
  report?: boolean;
}

/**
 * One run's figures for one service (NaN where there is no value: nothing completed, a fault
 * never recovered). Fault columns follow the fixed ones: `f<i>_...` for the scenario's i-th fault.
 */
interface Sample {
  variant: string;
  seed: number;
  service: string;
  arrivals: number;
  errors: number;
  error_pct: number;
  p50_ms: number;
  p99_ms: number;
  slo_attained_pct: number;
  restarts: number;
  [fault: `f${number}_${string}`]: number;
}

const METRICS = ["error_pct", "p99_ms", "slo_attained_pct"] as const;
/** Per fault, estimated across seeds like the metrics above (see faults.ts for their rules). */
const FAULT_METRICS = ["detected_s", "tasks_restored_s", "recovered_s", "lost", "p99_during_ms", "p99_after_ms"] as const;

/**
 * `orchsim sweep`: the same scenario over several seeds and variants (`--vary PATH=a,b,c`, the
 * cartesian product of all of them), every variant on the same seeds, so they see the same
 * arrivals and failures (common random numbers). Prints each variant's mean with a 95%
 * confidence interval and its paired difference from the first variant; writes every run's
 * figures to sweep.csv and the estimates to sweep-summary.csv.
 */
export async function sweepCommand(file: string, o: SweepOptions): Promise<number> {
  const seeds = parseSeeds(o.seeds);
  const variants = parseVariants(o.vary);
  if (typeof seeds === "string" || typeof variants === "string") return fail(typeof seeds === "string" ? seeds : (variants as string));
  const scenarios: { variant: string; seed: number; scenario: Scenario }[] = [];
  for (const v of variants) {
    try {
      for (const seed of seeds) scenarios.push({ variant: v.label, seed, scenario: loadScenarioFile(file, [...o.set, ...v.sets, `seed=${seed}`], o.envFile === undefined ? {} : { envFile: o.envFile }) });
    } catch (err) {
      if (err instanceof ScenarioError) return fail(`--vary ${v.label}: the scenario does not validate:\n${err.message}`);
      throw err;
    }
  }
  const first = scenarios[0]!.scenario;
  let out: OutputDir;
  try {
    out = OutputDir.create(o.out ?? path.join("out", `${first.name}-sweep`));
  } catch (err) {
    if (err instanceof OutputDirError) return fail(err.message);
    throw err;
  }
  try {
    const samples: Sample[] = [];
    const progress = new Progress(!o.quiet && process.stderr.isTTY === true);
    for (const [i, s] of scenarios.entries()) {
      progress.show(i / scenarios.length);
      const strategies = await loadStrategies(s.scenario);
      if (typeof strategies === "string") {
        out.abort();
        return fail(strategies);
      }
      samples.push(...runOnce(s.scenario, s.variant, strategies));
      await new Promise((resolve) => setImmediate(resolve));
    }
    progress.clear();
    const summary = summarise(samples, variants.map((v) => v.label));
    const csvRows = samples.map((x) => Object.fromEntries(Object.entries(x).map(([k, v]) => [k, typeof v === "number" && !Number.isFinite(v) ? "" : v])));
    out.writeCsv("sweep.csv", Object.keys(samples[0] ?? {}), csvRows);
    out.writeCsv("sweep-summary.csv", Object.keys(summary[0] ?? {}), summary);
    if (o.report) out.writeText("sweep-report.html", sweepReportHtml(`orchsim sweep: ${first.name}`, seeds.length, metricsOf(samples), summary));
    out.commit();
    if (!o.quiet) process.stdout.write(table(summary, seeds.length) + `\noutputs: ${out.finalDir}\n`);
    return 0;
  } catch (err) {
    out.abort();
    process.stderr.write(`orchsim: the sweep failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    return 1;
  }
}

function runOnce(scenario: Scenario, variant: string, strategies: Awaited<ReturnType<typeof loadStrategies>> & object): Sample[] {
  const run = new Run(scenario, { out: null, strategies });
  while (!run.advance(1_000_000));
  const summary = run.finish().summary;
  return Object.entries(summary.services).map(([service, s]) => ({
    variant,
    seed: scenario.seed,
    service,
    arrivals: s.arrivals,
    errors: s.errors,
    error_pct: s.arrivals === 0 ? 0 : round((100 * s.errors) / s.arrivals),
    // No completed request: no latency to report (a 0 would read as fast).
    p50_ms: s.completed === 0 ? NaN : s.latency_ms.p50,
    p99_ms: s.completed === 0 ? NaN : s.latency_ms.p99,
    slo_attained_pct: s.slo.attained === null ? NaN : round(100 * s.slo.attained),
    restarts: s.restarts,
    ...faultColumns(summary.faults, service),
  }));
}

/**
 * The fault windows of one service: `f1_recovered_s` is when this service recovered from the
 * first fault; detection and restored tasks are the cluster's.
 */
function faultColumns(faults: readonly FaultSummary[], service: string): Record<`f${number}_${string}`, number> {
  const out: Record<`f${number}_${string}`, number> = {};
  faults.forEach((f, i) => {
    const s = f.services[service];
    const values: Record<(typeof FAULT_METRICS)[number], number | null | undefined> = {
      detected_s: f.detected_s,
      tasks_restored_s: f.tasks_restored_s,
      recovered_s: s?.recovered_s,
      lost: s?.requests_lost,
      p99_during_ms: s?.p99_during_ms,
      p99_after_ms: s?.p99_after_ms,
    };
    for (const m of FAULT_METRICS) out[`f${i + 1}_${m}`] = values[m] ?? NaN;
  });
  return out;
}

/** The metrics to estimate: the fixed ones, then every fault column the runs have (in column order). */
function metricsOf(samples: readonly Sample[]): ((typeof METRICS)[number] | `f${number}_${string}`)[] {
  const faults = Object.keys(samples[0] ?? {}).filter((k): k is `f${number}_${string}` => /^f\d+_/.test(k));
  return [...METRICS, ...faults];
}

/** Per service and variant: mean and 95% CI of each metric, and the paired difference from the first variant. */
function summarise(samples: Sample[], variants: string[]): Record<string, string | number>[] {
  const rows: Record<string, string | number>[] = [];
  const services = [...new Set(samples.map((s) => s.service))];
  for (const service of services) {
    const of = (v: string): Sample[] => samples.filter((s) => s.service === service && s.variant === v);
    const base = of(variants[0]!);
    for (const v of variants) {
      const row: Record<string, string | number> = { service, variant: v, runs: of(v).length };
      for (const m of metricsOf(samples)) {
        // Runs without a value (nothing completed, never recovered) are left out, of the pair as well.
        const pairs = of(v).map((s, i) => [base[i]![m] ?? NaN, s[m] ?? NaN] as const).filter(([a, b]) => Number.isFinite(a) && Number.isFinite(b));
        const values = of(v).map((s) => s[m] ?? NaN).filter(Number.isFinite);
        const e = estimate(values);
        const d = pairedDifference(pairs.map(([a]) => a), pairs.map(([, b]) => b));
        row[`${m}_mean`] = finite(e.mean);
        row[`${m}_ci95`] = finite(e.ci95);
        row[`${m}_diff`] = finite(d.mean);
        row[`${m}_diff_ci95`] = finite(d.ci95);
        // The runs that had a value: fewer than `runs` when some never recovered or served nothing.
        row[`${m}_n`] = values.length;
      }
      rows.push(row);
    }
  }
  return rows;
}

function table(rows: Record<string, string | number>[], runs: number): string {
  const num = (x: string | number | undefined): string => {
    if (x === "" || x === undefined) return "-";
    const v = Number(x);
    const s = Math.abs(v) >= 100 ? v.toFixed(1) : v.toFixed(2);
    return /^-0\.?0*$/.test(s) ? s.slice(1) : s;
  };
  const fmt = (r: Record<string, string | number>, m: string): string => {
    const ci = r[`${m}_ci95`];
    return `${num(r[`${m}_mean`])}${ci === "" ? "" : ` ± ${num(ci)}`}`;
  };
  const diff = (r: Record<string, string | number>, m: string): string => {
    const d = r[`${m}_diff`];
    if (d === "") return "-";
    const ci = r[`${m}_diff_ci95`];
    const text = num(d);
    return `${text.startsWith("-") ? "" : "+"}${text}${ci === "" ? "" : ` ± ${num(ci)}`}`;
  };
  const header = ["service", "variant", "errors %", "p99 ms", "SLO attained %", "Δ errors %", "Δ p99 ms", "Δ SLO %"];
  const body = rows.map((r, i) => {
    // The first variant of each service is the baseline the others are compared with.
    const base = i === 0 || rows[i - 1]!["service"] !== r["service"];
    const d = (m: string): string => (base ? "(baseline)" : diff(r, m));
    return [String(r["service"]), String(r["variant"]), fmt(r, "error_pct"), fmt(r, "p99_ms"), fmt(r, "slo_attained_pct"), d("error_pct"), d("p99_ms"), d("slo_attained_pct")];
  });
  const seeds = runs === 1 ? "1 seed" : `${runs} seeds`;
  return [`${seeds} per variant; mean ± 95% CI; Δ = paired difference from the first variant (same seeds); - = no data`, ...textTable([header, ...body], 2)].join("\n");
}

function parseSeeds(text: string): number[] | string {
  const range = /^(\d+)-(\d+)$/.exec(text);
  if (range) {
    const [a, b] = [Number(range[1]), Number(range[2])];
    if (b < a || b - a > 999) return `--seeds: "${text}" is not a range of at most 1000 seeds`;
    return Array.from({ length: b - a + 1 }, (_, i) => a + i);
  }
  if (/^\d+$/.test(text)) {
    const n = Number(text);
    if (n < 1 || n > 1000) return `--seeds: ${n} is not between 1 and 1000`;
    return Array.from({ length: n }, (_, i) => i + 1);
  }
  if (/^\d+(,\d+)+$/.test(text)) {
    const list = text.split(",").map(Number);
    if (new Set(list).size !== list.length) return `--seeds: "${text}" lists a seed twice`;
    return list;
  }
  return `--seeds: "${text}" is not a count (10), a range (1-10) or a list (1,5,9)`;
}

/** `--vary a.b=x,y --vary c=1,2` -> the 4 combinations, each with its --set overrides and a label. */
function parseVariants(vary: string[]): { label: string; sets: string[] }[] | string {
  let variants: { label: string; sets: string[] }[] = [{ label: "", sets: [] }];
  for (const v of vary) {
    const eq = v.indexOf("=");
    if (eq <= 0) return `--vary: "${v}" is not PATH=VALUE,VALUE,...`;
    const key = v.slice(0, eq);
    if (key === "seed") return "--vary: use --seeds to choose the seeds";
    // SIMPLIFICATION: values are split at commas, so a YAML list cannot be one of them.
    const values = [...new Set(v.slice(eq + 1).split(",").filter((x) => x !== ""))];
    if (values.length === 0) return `--vary: "${v}" lists no values`;
    variants = variants.flatMap((base) => values.map((x) => ({ label: `${base.label}${base.label ? " " : ""}${key}=${x}`, sets: [...base.sets, `${key}=${x}`] })));
  }
  if (variants.length > 100) return `--vary: ${variants.length} combinations is too many (at most 100)`;
  return variants.map((v) => ({ ...v, label: v.label || "scenario" }));
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}

function finite(x: number): number | "" {
  return Number.isFinite(x) ? round(x) : "";
}

function fail(message: string): number {
  process.stderr.write(`${message}\n`);
  return 2;
}
