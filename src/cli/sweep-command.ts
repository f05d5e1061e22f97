import { createHash } from "node:crypto";
import { availableParallelism } from "node:os";
import * as fs from "node:fs";
import * as path from "node:path";
import { loadScenarioFile, ScenarioError, type LoadOptions, type Override } from "../scenario/index.js";
import { Progress } from "./progress.js";
import { isFailed, runJob, type JobResult, type Sample, type SweepJob } from "./sweep-run.js";
import { writeSamples, writeSweep } from "./sweep-stats.js";
import type { ShardManifest } from "./merge-command.js";
import { SHARD_FILE } from "./sweep-files.js";
import { orchsimVersion } from "./version.js";
import { badInput, commandFailed, openOutput, setProblems, variantProblems } from "./bad-input.js";
import type { OutputDir } from "../metrics/output.js";
import { checkCost, parseMaxEvents } from "./cost-guard.js";
import { estimateCost } from "../engine/cost.js";
import type { Scenario } from "../scenario/types.js";
import { seedOverride } from "./reproduce.js";
import { runThreadLimits } from "./heap.js";
import { varyNotes } from "./vary-notes.js";
import { strategyModules } from "./strategies.js";

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
  /** Runs at once, on worker threads; default: one per core. */
  jobs?: string;
  /** `K/N`: only the K-th of N shares of the runs (for `orchsim merge`). */
  shard?: string;
  /** Refuse a sweep estimated past this many events in all. */
  maxEvents?: string;
}

/**
 * `orchsim sweep`: the same scenario over several seeds and variants (`--vary PATH=a,b,c`, the
 * cartesian product of all of them), every variant on the same seeds, so they see the same
 * arrivals and failures (common random numbers). Prints each variant's mean with a 95%
 * confidence interval and its paired difference from the first variant; writes every run's
 * figures to sweep.csv and the estimates to sweep-summary.csv. Runs go to worker threads
 * (`--jobs`); their rows are put back in the grid's order, so the files do not depend on which
 * run finished first. `--shard K/N` makes only every N-th run, for `orchsim merge`.
 */
export async function sweepCommand(file: string, o: SweepOptions): Promise<number> {
  const seeds = parseSeeds(o.seeds);
  const variants = parseVariants(o.vary, o.set);
  const jobs = parseJobs(o.jobs);
  const shard = parseShard(o.shard);
  const maxEvents = parseMaxEvents(o.maxEvents);
  for (const parsed of [seeds, variants, jobs, shard, maxEvents]) if (typeof parsed === "string") return badInput(parsed);
  if (shard !== null && o.report) return badInput("--report: a shard has no estimates to draw; give --report to orchsim merge");
  const options = o.envFile === undefined ? {} : { envFile: o.envFile };
  const grid = gridOf(file, o, options, seeds as number[], variants as Variant[]);
  if (typeof grid === "string") return badInput(grid);
  const share = shard as Shard | null;
  // More shards than runs leaves some empty: written (a manifest, no rows) and merged like the
  // others, so an Indexed Job or array sized above a small sweep still completes (walkthrough).
  const chosen = grid.jobs.map((_, i) => i).filter((i) => share === null || i % share.of === share.index - 1);
  // The largest variant's cost, for every run of this sweep (or shard).
  const refusal = checkCost(grid.costliest, maxEvents as number, chosen.length, o.quiet === true, jobs as number);
  if (refusal !== null) return badInput(refusal);
  jobsNote(Math.min(jobs as number, chosen.length), o.quiet);
  const varied = o.vary.flatMap((v) => fieldOf(v).split(",").map((p) => p.trim()));
  if (!o.quiet) for (const note of varyNotes(file, [...o.set, seedOverride((seeds as number[])[0]!)], options, varied)) process.stderr.write(`orchsim: ${note}\n`);
  const out = openOutput(o.out ?? path.join("out", `${grid.name}-sweep${share ? `-${share.index}-of-${share.of}` : ""}`), [file, o.envFile]);
  if (typeof out === "number") return out;
  const stopHandlers = out.abortOnSignals("the sweep was stopped; no output written");
  try {
    const results = await runAll(chosen.map((i) => grid.jobs[i]!), jobs as number, !o.quiet && process.stderr.isTTY === true);
    const stop = firstProblem(results);
    if (stop !== undefined) {
      out.abort();
      process.stderr.write(stop.text);
      return stop.code;
    }
    const samples = (results as Sample[][]).flat();
    const labels = (variants as Variant[]).map((v) => v.label);
    const set = o.set.map((x) => x.trim());
    if (share) {
      const manifest: ShardManifest = {
        orchsim_sweep_shard: 1,
        orchsim: orchsimVersion(),
        scenario: grid.name,
        fingerprint: grid.fingerprint,
        shard: share.index,
        of: share.of,
        set,
        variants: labels,
        seeds: seeds as number[],
        runs: chosen,
      };
      writeShard(out, samples, manifest);
      out.commit();
      const empty = chosen.length === 0 ? " (more shards than runs: this one is empty, and merge takes it)" : "";
      if (!o.quiet) process.stdout.write(`shard ${share.index}/${share.of}: ${chosen.length} of ${grid.jobs.length} runs${empty}; combine the shards with: orchsim merge DIR...\noutputs: ${out.finalDir}\n`);
      return 0;
    }
    const text = writeSweep(out, samples, { scenario: grid.name, variants: labels, seeds: seeds as number[], set }, o.report === true);
    out.commit();
    if (!o.quiet) process.stdout.write(text + `\noutputs: ${out.finalDir}\n`);
    return 0;
  } catch (err) {
    out.abort();
    return commandFailed("sweep", err);
  } finally {
    stopHandlers();
  }
}

interface Variant {
  label: string;
  sets: Override[];
}
interface Shard {
  index: number;
  of: number;
}

/** Every run, variants outer and seeds inner, each checked to load; or the first problem. */
function gridOf(file: string, o: SweepOptions, options: LoadOptions, seeds: readonly number[], variants: readonly Variant[]): { name: string; jobs: SweepJob[]; fingerprint: string; costliest: Scenario } | string {
  const jobs: SweepJob[] = [];
  let name = "";
  let costliest: { scenario: Scenario; events: number } | undefined;
  // What every variant resolves to (stack files, --set and ${VAR} included): shards of one sweep share it.
  const hash = createHash("sha256");
  for (const v of variants) {
    // A seed changes no field's validity: each variant is checked once.
    try {
      const scenario = loadScenarioFile(file, [...o.set, ...v.sets, seedOverride(seeds[0]!)], options);
      name ||= scenario.name;
      const events = estimateCost(scenario).events;
      if (costliest === undefined || events > costliest.events) costliest = { scenario, events };
      hash.update(JSON.stringify({ ...scenario, file: "" }));
      // A strategy module's code decides placements: shards run with an edited one do not merge.
      // SIMPLIFICATION: the module's own file only, not what it imports.
      for (const m of strategyModules(scenario)) if (fs.existsSync(m.file)) hash.update(fs.readFileSync(m.file));
    } catch (err) {
      // With no --vary there is one variant, and nothing to name but the problems themselves.
      const base = [...o.set, seedOverride(seeds[0]!)];
      if (err instanceof ScenarioError) return o.vary.length > 0 ? variantProblems(file, base, options, `--vary ${v.label}`, err.message) : setProblems(file, base, options, err.message);
      throw err;
    }
    for (const seed of seeds) jobs.push({ file, overrides: [...o.set, ...v.sets, seedOverride(seed)], variant: v.label, ...options });
  }
  return { name, jobs, fingerprint: hash.digest("hex").slice(0, 16), costliest: costliest!.scenario };
}

/** The run threads' pool: `jobs` threads at most, each with a run's young generation (heap.ts). */
export function poolOptions(jobs: number, runs: number) {
  return {
    filename: new URL("./sweep-worker.js", import.meta.url).href,
    maxThreads: jobs,
    minThreads: Math.min(jobs, runs),
    idleTimeout: 1000,
    resourceLimits: runThreadLimits(process.execArgv),
  };
}

/** Runs the jobs, `jobs` at a time (worker threads beyond one), results in the jobs' order. */
export async function runAll(list: readonly SweepJob[], jobs: number, showProgress: boolean): Promise<JobResult[]> {
  const progress = new Progress(showProgress);
  let done = 0;
  const tick = <T>(r: T): T => {
    const share = ++done / list.length;
    progress.show(() => share);
    return r;
  };
  if (jobs === 1 || list.length <= 1) {
    const results: JobResult[] = [];
    for (const job of list) {
      results.push(tick(await runJob(job)));
      await new Promise((resolve) => setImmediate(resolve));
    }
    progress.clear();
    return results;
  }
  // Loaded only here: every orchsim command imports this file, and piscina takes ~50 ms to load.
  const { Piscina } = await import("piscina");
  const pool = new Piscina(poolOptions(jobs, list.length));
  try {
    return await Promise.all(list.map((job) => (pool.run(job) as Promise<JobResult>).then(tick)));
  } finally {
    progress.clear();
    await pool.destroy();
  }
}

/** The first run that did not give rows: a failure (exit 1, seed and command) or bad input (exit 2). */
export function firstProblem(results: readonly JobResult[]): { text: string; code: 1 | 2 } | undefined {
  const failed = results.find(isFailed);
  if (failed) return { text: failed.failed, code: 1 };
  const bad = results.find((r): r is string => typeof r === "string");
  return bad === undefined ? undefined : { text: `${bad}\n`, code: 2 };
}

/** A shard's rows and what `orchsim merge` needs to put them back in place. */
function writeShard(out: OutputDir, samples: readonly Sample[], manifest: ShardManifest): void {
  writeSamples(out, samples);
  out.writeText(SHARD_FILE, `${JSON.stringify(manifest, null, 2)}\n`);
}

export function parseJobs(text: string | undefined): number | string {
  if (text === undefined) return availableParallelism();
  if (!/^\d+$/.test(text) || Number(text) < 1 || Number(text) > 256) return `--jobs: "${text}" is not a number of threads from 1 to 256`;
  return Number(text);
}

/** A note when --jobs asks for more threads than the machine has cores: they gain nothing and each holds a run. */
export function jobsNote(jobs: number, quiet: boolean | undefined): void {
  const cores = availableParallelism();
  if (!quiet && jobs > cores) process.stderr.write(`orchsim: --jobs ${jobs} on ${cores} core${cores === 1 ? "" : "s"}: the threads take turns on the cores, each holding a run in memory; --jobs ${cores} is as fast\n`);
}

function parseShard(text: string | undefined): Shard | null | string {
  if (text === undefined) return null;
  const m = /^(\d+)\/(\d+)$/.exec(text);
  const [index, of] = m ? [Number(m[1]), Number(m[2])] : [0, 0];
  if (!m || of < 1 || index < 1 || index > of) return `--shard: "${text}" is not K/N with 1 <= K <= N (e.g. 2/8; K is often $JOB_COMPLETION_INDEX + 1)`;
  return { index, of };
}

export function parseSeeds(text: string): number[] | string {
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

/** The field a `--set` or `--vary` names: "services.web.replicas" of "services.web.replicas=2,3". */
export function fieldOf(text: string): string {
  return text.slice(0, Math.max(0, text.indexOf("="))).trim();
}

/**
 * Why a `--set seed=...` is refused (`runs`: what runs on --seeds' seeds, "plan runs each value"),
 * or null: every run's seed is one of --seeds, which would override it, and the outputs would
 * record it as if it counted (walkthrough).
 */
export function seedSetRefusal(set: readonly string[], runs: string): string | null {
  const seed = set.find((x) => fieldOf(x) === "seed");
  return seed === undefined ? null : `--set ${seed.trim()}: ${runs} on the seeds --seeds names, which override it: name yours there (a range: --seeds 99-108)`;
}

/** `--vary a.b=x,y --vary c=1,2` -> the 4 combinations, each with its --set overrides and a label. */
function parseVariants(vary: string[], set: string[]): Variant[] | string {
  let variants: Variant[] = [{ label: "", sets: [] }];
  const fixed = new Set(set.map(fieldOf));
  const seed = seedSetRefusal(set, "a sweep runs every variant");
  if (seed !== null) return seed;
  const keys = new Set<string>();
  for (const v of vary) {
    const eq = v.indexOf("=");
    if (eq <= 0) return `--vary: "${v}" is not PATH=VALUE,VALUE,...`;
    const key = v.slice(0, eq);
    // Fields separated by commas take each value together, as plan's --minimize: "a.count,b.count=3,4" is two variants.
    const fields = key.split(",").map((p) => p.trim());
    if (fields.some((p) => p === "")) return `--vary: "${key}" is not a field, or fields separated by commas`;
    if (fields.includes("seed")) return "--vary: use --seeds to choose the seeds";
    // The name labels the outputs and nothing else: its variants would be the same runs.
    if (fields.includes("name")) return "--vary: name labels the outputs and changes no run; its variants would be the same runs";
    for (const field of fields) {
      // The last value given would win and the label would name both: one list per field.
      if (keys.has(field)) return `--vary: ${field} is varied twice; give its values in one list (--vary ${field}=a,b,c)`;
      if (fixed.has(field)) return `--vary: ${field} is also given by --set, which the variants would override`;
      keys.add(field);
    }
    // SIMPLIFICATION: values are split at commas, so a YAML list cannot be one of them.
    const values = v.slice(eq + 1).split(",").filter((x) => x !== "");
    if (values.length === 0) return `--vary: "${v}" lists no values`;
    const twice = values.find((x, i) => values.indexOf(x) !== i);
    if (twice !== undefined) return `--vary: "${v}" lists ${twice} twice; each value is one variant`;
    variants = variants.flatMap((base) => values.map((x) => ({ label: `${base.label}${base.label ? " " : ""}${key}=${x}`, sets: [...base.sets, ...fields.map((p) => ({ flag: "--vary" as const, text: `${p}=${x}` }))] })));
  }
  if (variants.length > 100) return `--vary: ${variants.length} combinations is too many (at most 100)`;
  return variants.map((v) => ({ ...v, label: v.label || "scenario" }));
}

