import * as path from "node:path";
import { loadScenarioFile, ScenarioError, type Override } from "../scenario/index.js";
import type { Scenario } from "../scenario/types.js";
import { Run } from "../engine/run.js";
import { summaryText } from "./summary-text.js";
import { Progress } from "./progress.js";
import { closeStrategies, loadStrategies } from "./strategies.js";
import { badInput, openOutput, setProblems } from "./bad-input.js";
import type { OutputDir } from "../metrics/output.js";
import { checkCost, parseMaxEvents } from "./cost-guard.js";
import { failureText, seedOverride } from "./reproduce.js";

export interface RunCommandOptions {
  seed?: string;
  set: string[];
  out?: string;
  quiet?: boolean;
  /** Also write report.html. */
  report?: boolean;
  /** KEY=VALUE lines for ${VAR} in the scenario's stack files. */
  envFile?: string;
  /** Refuse a run estimated past this many events. */
  maxEvents?: string;
  /** false: no live invariant checks (benchmarks). */
  checks?: boolean;
}

/** Events per slice between yields to the event loop (progress, Ctrl-C); Run makes the deployment's smaller. */
const SLICE_EVENTS = 250_000;
/** The progress line is redrawn at most this often: the deployment's share scans every task. */
const REDRAW_MS = 200;

export async function runCommand(file: string, opts: RunCommandOptions): Promise<number> {
  if (opts.seed !== undefined && !/^\d+$/.test(opts.seed)) {
    return badInput(`--seed: "${opts.seed}" ${/^-\d+$/.test(opts.seed) ? "must be 0 or more" : "is not a whole number"}`);
  }
  const maxEvents = parseMaxEvents(opts.maxEvents);
  if (typeof maxEvents === "string") return badInput(maxEvents);
  const overrides: Override[] = opts.seed === undefined ? opts.set : [...opts.set, seedOverride(opts.seed)];
  const options = opts.envFile === undefined ? {} : { envFile: opts.envFile };
  let scenario: Scenario;
  try {
    scenario = loadScenarioFile(file, overrides, options);
  } catch (err) {
    if (err instanceof ScenarioError) return badInput(setProblems(file, overrides, options, err.message));
    throw err;
  }
  const strategies = await loadStrategies(scenario);
  if (typeof strategies === "string") return badInput(strategies);
  const refusal = checkCost(scenario, maxEvents, 1, opts.quiet === true);
  if (refusal !== null) return badInput(refusal);
  const outPath = opts.out ?? path.join("out", scenario.name);
  const out = openOutput(outPath, [file, opts.envFile]);
  if (typeof out === "number") return out;
  const phase = { deploying: true };
  const stopHandlers = out.abortOnSignals(() => `the run was stopped ${phase.deploying ? "during the initial deployment" : "while simulating"}; no output written`);
  try {
    return await execute(scenario, out, strategies, file, overrides, { quiet: opts.quiet === true, report: opts.report === true, checks: opts.checks !== false }, phase);
  } finally {
    stopHandlers();
    await closeStrategies(strategies);
  }
}

async function execute(
  scenario: Scenario,
  out: OutputDir,
  strategies: Awaited<ReturnType<typeof loadStrategies>> & object,
  file: string,
  overrides: Override[],
  flags: { quiet: boolean; report: boolean; checks: boolean },
  phase: { deploying: boolean },
): Promise<number> {
  const { quiet, report } = flags;
  const wallStart = process.hrtime.bigint();
  let peakHeap = 0;
  try {
    const run = new Run(scenario, { out, strategies, checks: flags.checks });
    // The scenario's notes, prefixed as validate and the summary's own notes are (walkthrough: `orchsim:` here, `note:` there).
    if (!quiet) for (const note of run.notes) process.stderr.write(`note: ${note}\n`);
    // Two clocks for the time left: the deployment's (tasks running) and the run's (simulated time).
    const deploying = new Progress(!quiet && process.stderr.isTTY === true, REDRAW_MS);
    const progress = new Progress(!quiet && process.stderr.isTTY === true, REDRAW_MS);
    let deployWallS = -1;
    for (;;) {
      const done = run.advance(SLICE_EVENTS);
      phase.deploying = run.deploying;
      if (deployWallS < 0 && !run.deploying) deployWallS = Number(process.hrtime.bigint() - wallStart) / 1e9;
      peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);
      if (run.deploying) deploying.show(() => run.deployedShare, "deploying");
      else progress.show(() => run.progress);
      if (done) break;
      await new Promise((resolve) => setImmediate(resolve));
    }
    progress.clear();
    deploying.clear();
    const result = run.finish();
    const wallS = Number(process.hrtime.bigint() - wallStart) / 1e9;
    out.writeJson("perf.json", perf(result.events, { wallS, deployWallS: Math.max(0, deployWallS) }, scenario.durationUs, peakHeap, run.world.recorder.series));
    if (report) {
      // Imported only here: the report's CSV parser and page builder are no use to a plain run.
      const { readRunFiles, reportData, reportHtml, storyInput, storyMarkdown } = await import("../report/index.js");
      out.closeWriters();
      const files = readRunFiles(out.pendingDir);
      out.writeText("report.html", reportHtml(reportData(files)));
      out.writeText("story.md", storyMarkdown(storyInput(files)));
    }
    out.commit();
    if (!quiet) process.stdout.write(summaryText(result.summary, run.world.recorder.cpu, out.finalDir, wallS, run.notes) + "\n");
    return 0;
  } catch (err) {
    out.abort();
    process.stderr.write(failureText(err, scenario.seed, file, overrides));
    return 1;
  }
}

function perf(events: number, wall: { wallS: number; deployWallS: number }, durationUs: number, peakHeap: number, series: { services(): string[]; totals(s: string): { arrivals: number } }) {
  const requests = series.services().reduce((n, s) => n + series.totals(s).arrivals, 0);
  const { wallS } = wall;
  const usage = process.resourceUsage();
  return {
    wall_s: Number(wallS.toFixed(3)),
    // Of which the initial deployment (before t = 0): at 20,000 nodes a quarter of an hour's run.
    deploy_wall_s: Number(wall.deployWallS.toFixed(3)),
    events,
    events_per_s: Math.round(events / Math.max(wallS, 1e-9)),
    requests,
    requests_per_s: Math.round(requests / Math.max(wallS, 1e-9)),
    sim_speedup: Math.round(durationUs / 1e6 / Math.max(wallS, 1e-9)),
    peak_heap_bytes: peakHeap,
    // The process's resident set at its largest (heap, code, buffers): what the machine must have.
    peak_rss_bytes: usage.maxRSS * 1024,
    // Pages the process touched for the first time (or again after giving them back): on the
    // 2-core machines each costs 10-14 us (bench/README.md, thirty-ninth session), so a run's
    // memory is part of its wall time.
    minor_page_faults: usage.minorPageFault,
  };
}
