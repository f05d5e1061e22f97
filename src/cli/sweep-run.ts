// One run of a sweep: a scenario (the file with the variant's and the seed's overrides) run to
// its end, reduced to one row of figures per service. The same function runs in the main
// thread (`--jobs 1`) and in the worker threads of a parallel sweep (sweep-worker.ts), so a
// run's figures never depend on where it ran.

import { Run } from "../engine/run.js";
import type { FaultSummary } from "../metrics/rows.js";
import { loadScenarioFile, type Override } from "../scenario/index.js";
import { closeStrategies, loadStrategies } from "./strategies.js";
import { failureText } from "./reproduce.js";

/** One run to make: plain data, so that it can be posted to a worker thread. */
export interface SweepJob {
  file: string;
  overrides: Override[];
  envFile?: string;
  variant: string;
}

/**
 * One run's figures for one service (NaN where there is no value: nothing completed, a fault
 * never recovered). Fault columns follow the fixed ones: `f<i>_...` for the scenario's i-th fault.
 */
export interface Sample {
  variant: string;
  seed: number;
  service: string;
  arrivals: number;
  errors: number;
  error_pct: number;
  p50_ms: number;
  p99_ms: number;
  slo_attained_pct: number;
  /** 1 when the service met its SLO over the run, 0 when it missed it, NaN when not judged. */
  slo_met: number;
  /** The two above over the requests outside the faults' disruptions (each fault to the service's recovery); the same when the run had no fault. */
  slo_attained_outside_faults_pct: number;
  slo_met_outside_faults: number;
  /** 1 when some window ended with all its desired tasks running, else 0. */
  all_tasks_ran: number;
  restarts: number;
  [fault: `f${number}_${string}`]: number;
}

/**
 * Per fault, its columns in sweep.csv (see faults.ts for their rules): the cluster's times, then
 * whether the fault judged this service (`judged`: 1, or 0 when the service was already outside
 * its SLO before it) and the service's own figures, which the summaries estimate over the runs
 * that judged it (SERVICE_FAULT_METRICS).
 */
export const FAULT_METRICS = ["detected_s", "memberlist_dead_s", "down_s", "tasks_restored_s", "judged", "recovered_s", "lost", "p99_during_ms", "p99_after_ms"] as const;

/**
 * The fault columns that are the service's own: a fault that found the service already outside
 * its SLO did not cause its failures, and the terminal, compare and story.md say "not judged";
 * so sweep-summary.csv leaves those runs out of these estimates, as it leaves out a run without a
 * value. sweep.csv keeps each run's figures, beside its `f<i>_judged`.
 */
export const SERVICE_FAULT_METRICS: ReadonlySet<string> = new Set(["recovered_s", "lost", "p99_during_ms", "p99_after_ms"]);

/** A run that failed inside the simulation: what failed, its seed and the command to reproduce it. */
export interface RunFailed {
  failed: string;
}

/** What a job gives: its rows, a message about bad input (a strategy module that does not load), or a failure. */
export type JobResult = Sample[] | string | RunFailed;

export function isFailed(r: JobResult): r is RunFailed {
  return typeof r === "object" && !Array.isArray(r);
}

/** Runs one job: its rows, or a message (a strategy module that does not load), or a failure. */
export async function runJob(job: SweepJob): Promise<JobResult> {
  const scenario = loadScenarioFile(job.file, job.overrides, job.envFile === undefined ? {} : { envFile: job.envFile });
  const strategies = await loadStrategies(scenario);
  if (typeof strategies === "string") return strategies;
  let summary;
  try {
    const run = new Run(scenario, { out: null, strategies, nodeRows: false, windowRows: false });
    // Yield between slices: with --jobs 1 this runs on the main thread, which must act on Ctrl-C.
    while (!run.advance(1_000_000)) await new Promise((resolve) => setImmediate(resolve));
    summary = run.finish().summary;
  } catch (err) {
    return { failed: failureText(err, scenario.seed, job.file, job.overrides) };
  } finally {
    await closeStrategies(strategies);
  }
  return Object.entries(summary.services).map(([service, s]) => ({
    variant: job.variant,
    seed: scenario.seed,
    service,
    arrivals: s.arrivals,
    errors: s.errors,
    // No request: no error rate (a 0 would read as a service that failed none).
    error_pct: s.arrivals === 0 ? NaN : round((100 * s.errors) / s.arrivals),
    // No completed request: no latency to report (a 0 would read as fast).
    p50_ms: s.latency_ms?.p50 ?? NaN,
    p99_ms: s.latency_ms?.p99 ?? NaN,
    slo_attained_pct: pctOf(s.slo.attained),
    slo_met: metOf(s.slo.met),
    slo_attained_outside_faults_pct: pctOf((s.slo.outside_faults ?? s.slo).attained),
    slo_met_outside_faults: metOf((s.slo.outside_faults ?? s.slo).met),
    all_tasks_ran: Number(s.desired_reached),
    restarts: s.restarts,
    ...faultColumns(summary.faults, service),
  }));
}

/** A share within the SLO in %; NaN when no request ended. */
function pctOf(attained: number | null): number {
  return attained === null ? NaN : round(100 * attained);
}

/** 1 met, 0 missed, NaN not judged. */
function metOf(met: boolean | null): number {
  return met === null ? NaN : Number(met);
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
      memberlist_dead_s: f.memberlist_dead_s,
      down_s: f.down_s,
      tasks_restored_s: f.tasks_restored_s,
      judged: s === undefined ? undefined : Number(!s.already_unhealthy),
      recovered_s: s?.recovered_s,
      lost: s?.requests_lost,
      p99_during_ms: s?.p99_during_ms,
      p99_after_ms: s?.p99_after_ms,
    };
    for (const m of FAULT_METRICS) out[`f${i + 1}_${m}`] = values[m] ?? NaN;
  });
  return out;
}

/** A fault column's name: `f<i>_<metric>`. */
export const FAULT_COLUMN = /^f\d+_/;

/**
 * The samples with one set of fault columns, those of the run with the most faults (NaN where a
 * run had fewer): variants may fire a fault more often or not at all (`every`, `times`, a
 * shorter `duration`), and sweep.csv has one header. Key order: the fixed columns, then f1, f2...
 */
export function withEveryFault(samples: readonly Sample[]): Sample[] {
  const faultsIn = (s: Sample): number => Object.keys(s).filter((k) => FAULT_COLUMN.test(k)).length / FAULT_METRICS.length;
  const most = samples.reduce((n, s) => Math.max(n, faultsIn(s)), 0);
  return samples.map((s) => {
    if (faultsIn(s) === most) return s;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(s)) if (!FAULT_COLUMN.test(k)) out[k] = v;
    const own = s as unknown as Record<string, number | undefined>;
    for (let i = 1; i <= most; i++) for (const m of FAULT_METRICS) out[`f${i}_${m}`] = own[`f${i}_${m}`] ?? NaN;
    return out as unknown as Sample;
  });
}

export function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
