// `orchsim plan FILE --minimize PATH --range LO..HI --seeds N`: the smallest value of a field (a
// node count, a replica count; or of several fields that take it together, such as the count of
// each zone's group) at which every service meets its SLO, over the whole run and
// after every fault, in every seed. It bisects over sweeps, so it assumes that more is never
// worse (true of node and replica counts in all but pathological scenarios; the table of tried
// values shows it). The answer comes with what N passing seeds can say: the chance that a run
// of another seed misses is below 1 - 0.05^(1/N) at 95% confidence (Clopper-Pearson, no failure).

import * as path from "node:path";
import { loadScenarioFile, ScenarioError, type Override } from "../scenario/index.js";
import type { Scenario } from "../scenario/types.js";
import { textTable } from "../report/text-table.js";
import { fieldOf, firstProblem, jobsNote, parseJobs, parseSeeds, runAll, seedSetRefusal } from "./sweep-command.js";
import type { Sample, SweepJob } from "./sweep-run.js";
import { badInput, commandFailed, openOutput, variantProblems } from "./bad-input.js";
import { announcePlan, checkCost, parseMaxEvents } from "./cost-guard.js";
import { writeSamples } from "./sweep-stats.js";
import { seedOverride } from "./reproduce.js";
import { varyNotes } from "./vary-notes.js";
import { formatDurationUs, parseDurationUs } from "../scenario/units.js";
import { formatNumber, pctText } from "../metrics/fmt.js";

export interface PlanOptions {
  minimize: string;
  range: string;
  seeds: string;
  set: string[];
  envFile?: string;
  jobs?: string;
  out?: string;
  quiet?: boolean;
  /** Refuse a value whose runs are estimated past this many events. */
  maxEvents?: string;
  /** Judge the SLO outside the faults' disruptions, each of which must end within this duration. */
  recoverWithin?: string;
}

/**
 * What a run must do to pass. By default: meet the SLO over the whole run and recover after
 * every fault. With `--recover-within D`: recover from every fault within D and meet the SLO
 * over the requests outside the faults' disruptions (from each fault to the service's recovery).
 */
export interface Judge {
  /** D in seconds; null: the whole run. */
  withinS: number | null;
  /** How the command says it: "the whole run and after every fault". */
  text: string;
}

/** The whole run's judge (the default). */
const WHOLE_RUN: Judge = { withinS: null, text: "the whole run and after every fault" };

function judgeOf(recoverWithin: string | undefined): Judge | string {
  if (recoverWithin === undefined) return WHOLE_RUN;
  const d = parseDurationUs(recoverWithin);
  if (!d.ok) return `--recover-within: ${d.error}`;
  return { withinS: d.value / 1e6, text: `outside the faults, and back within ${formatDurationUs(d.value)} of each` };
}

interface Trial {
  value: number;
  passed: number;
  runs: number;
  /** Why the first failing seed failed, for the table. */
  why: string;
  /** The worst service's share of requests within its SLO as the run is judged, % (mean over seeds; NaN: none judged). */
  worstAttainedPct: number;
  /**
   * The same over the whole run. With --recover-within it says what the share outside the faults
   * cannot: a value at which the cluster collapsed (a service never back, judged on its windows
   * before the fault alone) reads 99% outside the faults and 25% over the run.
   */
  worstRunPct: number;
  /** Its runs' rows, seed by seed (sweep.csv's). */
  samples: Sample[];
  /** The slowest recovery from a fault, and the slowest until a fault's tasks all ran again, of its samples (slowestOf). */
  slowestRecoveryS: number;
  slowestTasksBackS: number;
}

export async function planCommand(file: string, o: PlanOptions): Promise<number> {
  const range = /^(\d+)\.\.(\d+)$/.exec(o.range);
  const [lo0, hi0] = range ? [Number(range[1]), Number(range[2])] : [NaN, NaN];
  if (!range || lo0 > hi0) return badInput(`--range: "${o.range}" is not LO..HI with LO <= HI (e.g. 4..64)`);
  const seeds = parseSeeds(o.seeds);
  if (typeof seeds === "string") return badInput(seeds);
  const seedCount = seeds.length;
  const jobs = parseJobs(o.jobs);
  if (typeof jobs === "string") return badInput(jobs);
  const maxEvents = parseMaxEvents(o.maxEvents);
  if (typeof maxEvents === "string") return badInput(maxEvents);
  const judge = judgeOf(o.recoverWithin);
  if (typeof judge === "string") return badInput(judge);
  const options = o.envFile === undefined ? {} : { envFile: o.envFile };
  // Several fields take the same value: "how many nodes per zone" is every zone's group count.
  const fields = o.minimize.split(",").map((p) => p.trim());
  if (fields.some((p) => p === "") || new Set(fields).size !== fields.length) return badInput(`--minimize: "${o.minimize}" is not a field, or fields separated by commas (each once)`);
  // --seeds sets the seed of every run: a seed "minimized" would be overridden, and answer nothing.
  if (fields.includes("seed")) return badInput("--minimize: the seed is not a size to search; --seeds chooses the seeds each value is run on");
  const fixed = new Set(o.set.map(fieldOf));
  const seed = seedSetRefusal(o.set, "plan runs each value");
  if (seed !== null) return badInput(seed);
  const both = fields.find((p) => fixed.has(p));
  if (both !== undefined) return badInput(`--minimize: ${both} is also given by --set, which the values tried would override`);
  // The run's own --set at the first seed: what the range's ends and the notes are read against.
  const baseSets: Override[] = [...o.set, seedOverride(seeds[0]!)];
  const overrides = (v: number, seed: number): Override[] => [...o.set, ...fields.map((p) => ({ flag: "--minimize" as const, text: `${p}=${v}` })), seedOverride(seed)];
  // The range's ends: a problem named by the end's value, unless the scenario has it without.
  const load = (sets: Override[], flag: string): Scenario | number => {
    try {
      return loadScenarioFile(file, sets, options);
    } catch (err) {
      if (err instanceof ScenarioError) return badInput(variantProblems(file, baseSets, options, flag, err.message));
      throw err;
    }
  };
  const lo = load(overrides(lo0, seeds[0]!), `--minimize ${o.minimize}=${lo0}`);
  if (typeof lo === "number") return lo;
  const name = lo.name;
  // The largest value costs the most: its seeds are one trial's runs.
  const hi = load(overrides(hi0, seeds[0]!), `--minimize ${o.minimize}=${hi0}`);
  if (typeof hi === "number") return hi;
  const refusal = checkCost(hi, maxEvents, seedCount, true, jobs);
  if (refusal !== null) return badInput(refusal);
  announcePlan(hi, seedCount, mostValues(lo0, hi0), o.quiet === true, jobs);
  jobsNote(Math.min(jobs, seedCount), o.quiet);
  if (!o.quiet) for (const note of varyNotes(file, baseSets, options, fields)) process.stderr.write(`orchsim: ${note}\n`);
  const trials = new Map<number, Trial>();
  const trial = async (value: number): Promise<Trial | Stop> => {
    const list: SweepJob[] = seeds.map((seed) => ({ file, overrides: overrides(value, seed), variant: `${o.minimize}=${value}`, ...options }));
    const results = await runAll(list, jobs, false);
    const stop = firstProblem(results);
    if (stop !== undefined) return stop;
    const verdicts = (results as Sample[][]).map((rows) => verdict(rows, judge));
    const samples = (results as Sample[][]).flat();
    const t: Trial = {
      value,
      passed: verdicts.filter((v) => v === "").length,
      runs: seedCount,
      why: verdicts.find((v) => v !== "") ?? "",
      worstAttainedPct: worstAttained(results as Sample[][], judge),
      worstRunPct: worstAttained(results as Sample[][], WHOLE_RUN),
      samples,
      slowestRecoveryS: slowestOf(samples, "recovered_s"),
      slowestTasksBackS: slowestOf(samples, "tasks_restored_s"),
    };
    trials.set(value, t);
    if (!o.quiet) process.stderr.write(`orchsim: ${o.minimize}=${value}: ${t.passed} of ${t.runs} seeds meet every SLO\n`);
    return t;
  };
  const ok = (t: Trial): boolean => t.passed === t.runs;
  const out = openOutput(o.out ?? path.join("out", `${name}-plan`), [file, o.envFile]);
  if (typeof out === "number") return out;
  let answer: number | null | Stop;
  const stopHandlers = out.abortOnSignals("the plan was stopped; no output written");
  try {
    answer = await search(trial, ok, lo0, hi0);
  } catch (err) {
    out.abort();
    return commandFailed("plan", err);
  } finally {
    stopHandlers();
  }
  if (isStop(answer)) {
    out.abort();
    process.stderr.write(answer.text);
    return answer.code;
  }
  const rows = [...trials.values()].sort((a, b) => a.value - b.value);
  out.writeCsv("plan.csv", PLAN_COLUMNS, rows.map((t) => planRow(t, ok(t), judge)));
  // Every run of every value tried, as a sweep writes them: which seeds failed, and how.
  writeSamples(out, rows.flatMap((t) => t.samples));
  // The answer is the bottom though the top fails: more of the field does worse (report() says so).
  const moreIsWorse = answer === lo0 && lo0 < hi0 && !ok(trials.get(hi0)!);
  out.writeJson("plan.json", { field: o.minimize, range: [lo0, hi0], seeds, recover_within_s: judge.withinS, answer, miss_chance_below: answer === null ? null : missChanceBound(seedCount), more_is_worse: moreIsWorse });
  out.commit();
  if (!o.quiet) process.stdout.write(`${report(o.minimize, rows, answer, seedCount, lo0, hi0, moreIsWorse, judge, new Map(hi.services.map((s) => [s.name, s.slo.percentile])))}\noutputs: ${out.finalDir}\n`);
  return answer === null ? NO_ANSWER : 0;
}

const PLAN_COLUMNS = ["value", "seeds", "passed", "meets_every_slo", "first_failure", "worst_slo_attained_pct", "worst_slo_attained_outside_faults_pct", "slowest_recovery_s", "all_recovered", "slowest_tasks_restored_s"];

/**
 * A tried value's plan.csv row. Its recovery: the slowest of any service from any fault in any
 * seed (empty when one was not back before the next fault or the end, or there was no fault),
 * and whether every one came back (empty without faults); the slowest until a fault's tasks all
 * ran again (empty when some were not back before the next fault or the end, or no fault).
 */
function planRow(t: Trial, ok: boolean, judge: Judge): Record<string, unknown> {
  const [slowest, tasks] = [t.slowestRecoveryS, t.slowestTasksBackS];
  const faults = slowest > -Infinity;
  const pct = (x: number): number | string => (Number.isFinite(x) ? Math.round(x * 1000) / 1000 : "");
  return {
    value: t.value,
    seeds: t.runs,
    passed: t.passed,
    meets_every_slo: ok,
    first_failure: t.why,
    worst_slo_attained_pct: pct(t.worstRunPct),
    worst_slo_attained_outside_faults_pct: judge.withinS === null ? "" : pct(t.worstAttainedPct),
    slowest_recovery_s: Number.isFinite(slowest) ? slowest : "",
    all_recovered: faults ? slowest < Infinity : "",
    slowest_tasks_restored_s: Number.isFinite(tasks) ? tasks : "",
  };
}

/** The most values `search` tries on LO..HI: both ends, then one per halving of the gap. */
export function mostValues(lo: number, hi: number): number {
  return (lo < hi ? 2 : 1) + Math.ceil(Math.log2(Math.max(1, hi - lo)));
}

/** The exit code of a plan whose range holds no value that meets every SLO (its files are written). */
export const NO_ANSWER = 3;

/** Below this chance a run of another seed misses, when all `seeds` passed (95% confidence). */
function missChanceBound(seeds: number): number {
  return 1 - 0.05 ** (1 / seeds);
}

/** Why the search stopped without an answer: a run failed (exit 1) or met bad input (exit 2). */
type Stop = NonNullable<ReturnType<typeof firstProblem>>;

function isStop(x: unknown): x is Stop {
  return typeof x === "object" && x !== null && "code" in x;
}

/**
 * Bisection: hi and lo are tried first. A passing lo is the answer whatever hi did (a field that
 * does worse as it grows: report() says so); else hi must pass (else null: lo tells whether more
 * helped at all), then the middle until they are one apart. Returns the smallest passing value,
 * null, or a problem with the runs.
 */
async function search(trial: (v: number) => Promise<Trial | Stop>, ok: (t: Trial) => boolean, lo: number, hi: number): Promise<number | null | Stop> {
  const top = await trial(hi);
  if (isStop(top)) return top;
  const bottom = lo < hi ? await trial(lo) : top;
  if (isStop(bottom)) return bottom;
  if (ok(bottom)) return lo;
  if (!ok(top)) return null;
  // Invariant: hi passes, lo fails.
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    const t = await trial(mid);
    if (isStop(t)) return t;
    if (ok(t)) hi = mid;
    else lo = mid;
  }
  return hi;
}

/**
 * "" when every service ran all its tasks, met its SLO as `judge` says (or had no request to
 * judge) and recovered after every fault, and every task was back by the end; else why not.
 * Exported for its tests.
 */
export function verdict(rows: readonly Sample[], judge: Judge): string {
  // Too little room first: a service that never ran all its tasks may be why another misses its SLO.
  const short = rows.find((r) => r.all_tasks_ran !== 1);
  if (short) return `seed ${short.seed}: ${short.service} never ran all its tasks`;
  for (const r of rows) {
    // A service nothing was asked of (slo_met empty, all its tasks ran) has no SLO to miss.
    if (judge.withinS === null && r.slo_met === 0) return `seed ${r.seed}: ${r.service} missed its SLO over the run`;
    // Recovery first: outside the faults, a service never back is judged on its windows before the fault alone.
    // A service the fault found already outside its SLO (not judged by it) must be back all the
    // same: the plan asks for every SLO. The words say the fault did not cause it.
    for (const [fault, value] of recoveries(r)) {
      const already = r[`f${fault}_judged`] === 0;
      const who = already ? `${r.service} was already outside its SLO before fault ${fault} and` : r.service;
      if (!Number.isFinite(value)) return `seed ${r.seed}: ${who} ${already ? "not back within it by the next fault or the run's end" : `had not recovered from fault ${fault} when the next came or the run ended`}`;
      if (judge.withinS !== null && value > judge.withinS) return `seed ${r.seed}: ${who} took ${value} s ${already ? "to be back within it" : `to recover from fault ${fault}`}`;
    }
    if (judge.withinS !== null && r.slo_met_outside_faults === 0) return `seed ${r.seed}: ${r.service} missed its SLO outside the faults`;
  }
  // The cluster's: tasks still short at the end (too little room for the replacements) fail the
  // value even when the tasks left meet the SLO. The last fault's span tells: an earlier one's
  // ends at the next fault, often before any replacement could run.
  const last = Object.keys(rows[0] ?? {}).filter((k) => /^f\d+_tasks_restored_s$/.test(k)).at(-1);
  if (last !== undefined && !Number.isFinite(rows[0]![last as keyof Sample])) return `seed ${rows[0]!.seed}: some tasks were still not back at the end of the run`;
  return "";
}

/** Per seed the lowest share of a service's requests within its SLO (outside the faults when judged so); their mean, in %. */
function worstAttained(runs: readonly Sample[][], judge: Judge): number {
  const pct = (r: Sample): number => (judge.withinS === null ? r.slo_attained_pct : r.slo_attained_outside_faults_pct);
  const worst = runs.map((rows) => Math.min(...rows.map(pct).filter(Number.isFinite))).filter(Number.isFinite);
  return worst.length === 0 ? NaN : worst.reduce((a, b) => a + b, 0) / worst.length;
}

/** Below this gain in the worst service's share within its SLO, more of the field did not help. */
const HELPED_PCT = 1;

/**
 * Whether more of the field helped between the range's ends (the search tried both): more seeds
 * passing, more of the worst service's requests within its SLO, or, with --recover-within, a
 * faster slowest recovery.
 */
function noAnswerHint(rows: readonly Trial[], lo: number, hi: number, judge: Judge, percentiles: ReadonlyMap<string, number>): string {
  const top = rows.find((t) => t.value === hi)!;
  const bottom = rows.find((t) => t.value === lo);
  const over = judge.withinS === null ? failuresOverBudget(top, bottom === top ? undefined : bottom, percentiles) : null;
  if (over !== null) return `${over}: more of the field, up to ${hi}, did not bring them down, and no latency makes up for them over the run${rows.some((t) => t.slowestRecoveryS > -Infinity) ? " (--recover-within judges the SLO outside the faults' disruptions, with a bound on each)" : ""}; the first failure says what failed`;
  if (bottom === undefined || bottom === top) return "a larger --range may help, or the first failure says what stands in the way";
  const [slowLo, slowHi] = [bottom.slowestRecoveryS, top.slowestRecoveryS];
  // Recovery is judged only with --recover-within, and only where there were faults.
  const timed = judge.withinS !== null && (slowLo > -Infinity || slowHi > -Infinity);
  const recovery = (s: number): string => (s === Infinity ? "one not back before the next fault or the end" : s === -Infinity ? "no fault" : `the slowest recovery ${s} s`);
  const ends = `at ${lo}: ${bottom.passed} of ${bottom.runs} seeds pass, the worst service has ${within(bottom)} of its requests${timed ? ` outside the faults within its SLO, ${recovery(slowLo)}` : " within its SLO"}; at ${hi}: ${top.passed} and ${within(top)}${timed ? `, ${recovery(slowHi)}` : ""}`;
  if (bottom.passed < top.passed || top.worstAttainedPct - bottom.worstAttainedPct >= HELPED_PCT || (timed && slowHi < slowLo && slowHi <= judge.withinS!)) return `more helped (${ends}): a larger --range may help, if more of it is what is short (the first failure says what failed)`;
  // Faster, but still too slow at the top: the recovery may be bound by what more of the field cannot buy (detection, start-up).
  if (timed && slowHi < slowLo) return `more made the slowest recovery faster, but not within ${judge.withinS} s (${ends}): a sweep over the range shows whether it goes on helping; the first failure says what stands in the way`;
  return `more did not help (${ends}): the first failure says what stands in the way`;
}

/**
 * A service whose failed requests alone, in every seed at the top of the range, are more than its
 * SLO lets miss (1% for a p99: a failure counts as infinitely slow), and no fewer than at the
 * bottom: more of the field did not bring them down (walkthrough: "more helped" was said of a
 * latency that improved while the failures grew). Said as the hint's reason; null when none.
 */
function failuresOverBudget(top: Trial, bottom: Trial | undefined, percentiles: ReadonlyMap<string, number>): string | null {
  // NaN when the service has no row (Math.min of none is Infinity, which would read "Infinity%").
  const least = (t: Trial, service: string): number => {
    const pcts = t.samples.filter((r) => r.service === service).map((r) => r.error_pct);
    return pcts.length === 0 ? NaN : Math.min(...pcts);
  };
  for (const [service, percentile] of percentiles) {
    const budget = 100 - percentile;
    const atTop = least(top, service);
    if (!(atTop > budget)) continue;
    const atBottom = bottom === undefined ? NaN : least(bottom, service);
    if (atBottom > atTop) continue; // more of the field brought them down: it may go on doing so
    const was = Number.isFinite(atBottom) ? `, and ${pctText(atBottom, 2)}% at ${bottom!.value}` : "";
    return `at ${top.value}, ${service}'s failed requests alone are ${pctText(atTop, 2)}% of its requests${top.runs > 1 ? " or more" : ""} in ${seedsText(top.runs)}, more than the ${formatNumber(budget)}% its p${formatNumber(percentile)} SLO lets miss${was}`;
  }
  return null;
}

/** The worst service's share within its SLO as the run is judged (or `pct` of it), as the table and the hints say it. */
function within(t: Trial, pct = t.worstAttainedPct): string {
  return Number.isFinite(pct) ? `${pctText(pct, 1)}%` : "-";
}

/** The columns of a fault's time that plan reads, by the time's name. */
const FAULT_TIMES = { recovered_s: /^f(\d+)_recovered_s$/, tasks_restored_s: /^f(\d+)_tasks_restored_s$/ } as const;

/** A run's row's recoveries (or another time of each fault's), fault by fault: [the fault's number, its f<i>_recovered_s (NaN: not back)]. */
function recoveries(row: Sample, metric: keyof typeof FAULT_TIMES = "recovered_s"): [number, number][] {
  const out: [number, number][] = [];
  for (const [key, value] of Object.entries(row)) {
    const fault = FAULT_TIMES[metric].exec(key);
    if (fault) out.push([Number(fault[1]), value as number]);
  }
  return out;
}

/**
 * The slowest recovery from a fault, of any service in any seed, in s: Infinity when one never
 * recovered, -Infinity without faults. Of `tasks_restored_s`: the slowest until a fault's tasks
 * all ran again (walkthrough: a value passed with tasks left pending 180 s after a zone's loss,
 * until the zone came back, and the table did not show it). Once per trial (Trial keeps both).
 */
function slowestOf(samples: readonly Sample[], metric: keyof typeof FAULT_TIMES): number {
  let slowest = -Infinity;
  for (const row of samples) {
    for (const [, value] of recoveries(row, metric)) slowest = Math.max(slowest, Number.isFinite(value) ? value : Infinity);
  }
  return slowest;
}

/** "its one seed", "both seeds", "all 10 seeds". */
function seedsText(seeds: number): string {
  return seeds === 1 ? "its one seed" : seeds === 2 ? "both seeds" : `all ${seeds} seeds`;
}

function report(field: string, rows: readonly Trial[], answer: number | null, seeds: number, lo: number, hi: number, moreIsWorse: boolean, judge: Judge, percentiles: ReadonlyMap<string, number>): string {
  // The slowest recovery only when there were faults. Left-aligned: the failures are sentences of different lengths.
  const timed = rows.some((t) => t.slowestRecoveryS > -Infinity);
  const slowText = (s: number): string => (s === Infinity ? "not back" : s === -Infinity ? "-" : `${s} s`);
  const recovery = (t: Trial): string[] => (timed ? [slowText(t.slowestRecoveryS), slowText(t.slowestTasksBackS)] : []);
  // With --recover-within, the share outside the faults (judged) beside the whole run's (which a collapse shows).
  const outside = judge.withinS !== null;
  const shares = (t: Trial): string[] => [within(t, t.worstRunPct), ...(outside ? [within(t)] : [])];
  const head = ["value", "seeds meeting every SLO", "worst within SLO", ...(outside ? ["outside faults"] : []), ...(timed ? ["slowest recovery", "tasks back"] : []), "first failure"];
  const table = textTable([head, ...rows.map((t) => [String(t.value), `${t.passed} of ${t.runs}`, ...shares(t), ...recovery(t), t.why])], head.length);
  if (answer === null) return [...table, "", `no value of ${field} in ${lo}..${hi} meets every SLO in ${seedsText(seeds)} (not even ${hi}; ${judge.text}): ${noAnswerHint(rows, lo, hi, judge, percentiles)}`].join("\n");
  const bound = 100 * missChanceBound(seeds);
  const below = rows.find((t) => t.value === answer - 1);
  const top = rows.find((t) => t.value === hi)!;
  const worse = moreIsWorse ? `; more is worse here: at ${hi}, ${top.runs - top.passed} of ${top.runs} seeds miss` : "";
  const edge = below ? `; at ${answer - 1}, ${below.runs - below.passed} of ${below.runs} seeds miss` : answer === lo ? ` (the bottom of the range${worse})` : "";
  return [
    ...table,
    "",
    `smallest ${field} meeting every SLO (${judge.text}) in ${seedsText(seeds)}: ${answer}${edge}`,
    `with ${seeds} of ${seeds} seeds passing, a run with another seed misses with a chance below ${bound.toFixed(1)}% (95% confidence)${seeds < 20 ? `; more seeds narrow it (--seeds 30: ${(100 * missChanceBound(30)).toFixed(1)}%)` : ""}`,
  ].join("\n");
}

