import * as path from "node:path";
import { loadScenarioFile, ScenarioError } from "../scenario/index.js";
import type { Scenario } from "../scenario/types.js";
import { OutputDir, OutputDirError } from "../metrics/output.js";
import { SimulationFailure } from "../kernel/index.js";
import { Run } from "../engine/run.js";
import { summaryText } from "./summary-text.js";
import { readRunFiles, reportData, reportHtml, storyInput, storyMarkdown } from "../report/index.js";
import { Progress } from "./progress.js";
import { loadStrategies } from "./strategies.js";
import { badInput } from "./bad-input.js";

export interface RunCommandOptions {
  seed?: string;
  set: string[];
  out?: string;
  quiet?: boolean;
  /** Also write report.html. */
  report?: boolean;
  /** KEY=VALUE lines for ${VAR} in the scenario's stack files. */
  envFile?: string;
}

/** Events per slice between yields to the event loop (progress, Ctrl-C). */
const SLICE_EVENTS = 250_000;

export async function runCommand(file: string, opts: RunCommandOptions): Promise<number> {
  if (opts.seed !== undefined && !/^\d+$/.test(opts.seed)) return badInput(`--seed: "${opts.seed}" is not a whole number`);
  const overrides = opts.seed === undefined ? opts.set : [...opts.set, `seed=${opts.seed}`];
  let scenario: Scenario;
  try {
    scenario = loadScenarioFile(file, overrides, opts.envFile === undefined ? {} : { envFile: opts.envFile });
  } catch (err) {
    if (err instanceof ScenarioError) return badInput(err.message);
    throw err;
  }
  const strategies = await loadStrategies(scenario);
  if (typeof strategies === "string") return badInput(strategies);
  const outPath = opts.out ?? path.join("out", scenario.name);
  let out: OutputDir;
  try {
    out = OutputDir.create(outPath, [file, ...(opts.envFile === undefined ? [] : [opts.envFile])]);
  } catch (err) {
    if (err instanceof OutputDirError) return badInput(err.message);
    throw err;
  }
  const onSigint = (): void => {
    out.abort();
    process.stderr.write("\norchsim: interrupted; no output written\n");
    process.exit(130);
  };
  process.once("SIGINT", onSigint);
  try {
    return await execute(scenario, out, strategies, file, overrides, opts.quiet === true, opts.report === true);
  } finally {
    process.off("SIGINT", onSigint);
  }
}

async function execute(
  scenario: Scenario,
  out: OutputDir,
  strategies: Awaited<ReturnType<typeof loadStrategies>> & object,
  file: string,
  overrides: string[],
  quiet: boolean,
  report: boolean,
): Promise<number> {
  const wallStart = process.hrtime.bigint();
  let peakHeap = 0;
  try {
    const run = new Run(scenario, { out, strategies });
    if (!quiet) for (const note of run.notes) process.stderr.write(`orchsim: ${note}\n`);
    const progress = new Progress(!quiet && process.stderr.isTTY === true);
    for (;;) {
      const done = run.advance(SLICE_EVENTS);
      peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);
      progress.show(run.progress);
      if (done) break;
      await new Promise((resolve) => setImmediate(resolve));
    }
    progress.clear();
    const result = run.finish();
    const wallS = Number(process.hrtime.bigint() - wallStart) / 1e9;
    out.writeJson("perf.json", perf(result.events, wallS, scenario.durationUs, peakHeap, run.world.recorder.series));
    if (report) {
      out.closeWriters();
      const files = readRunFiles(out.pendingDir);
      out.writeText("report.html", reportHtml(reportData(files)));
      out.writeText("story.md", storyMarkdown(storyInput(files)));
    }
    out.commit();
    if (!quiet) process.stdout.write(summaryText(result.summary, run.world.recorder.nodes, out.finalDir, wallS) + "\n");
    return 0;
  } catch (err) {
    out.abort();
    process.stderr.write(failureText(err, scenario, file, overrides));
    return 1;
  }
}

function perf(events: number, wallS: number, durationUs: number, peakHeap: number, series: { services(): string[]; totals(s: string): { arrivals: number } }) {
  const requests = series.services().reduce((n, s) => n + series.totals(s).arrivals, 0);
  return {
    wall_s: Number(wallS.toFixed(3)),
    events,
    events_per_s: Math.round(events / Math.max(wallS, 1e-9)),
    requests,
    requests_per_s: Math.round(requests / Math.max(wallS, 1e-9)),
    sim_speedup: Math.round(durationUs / 1e6 / Math.max(wallS, 1e-9)),
    peak_heap_bytes: peakHeap,
    // The process's resident set at its largest (heap, code, buffers): what the machine must have.
    peak_rss_bytes: process.resourceUsage().maxRSS * 1024,
  };
}

function failureText(err: unknown, scenario: Scenario, file: string, overrides: string[]): string {
  const where = err instanceof SimulationFailure ? ` at simulated t=${err.timeUs}us, event #${err.eventNumber}` : "";
  const cause = err instanceof SimulationFailure ? err.cause : err;
  const stack = cause instanceof Error ? (cause.stack ?? cause.message) : String(cause);
  const sets = overrides.filter((o) => !o.startsWith("seed=")).map((o) => ` --set ${shellQuote(o)}`).join("");
  return (
    `orchsim: the simulation failed${where} (seed ${scenario.seed}): ${stack}\n` +
    `reproduce with: npx orchsim run ${shellQuote(file)} --seed ${scenario.seed}${sets}\n`
  );
}

function shellQuote(s: string): string {
  return /^[\w./=:@%+-]+$/.test(s) ? s : `'${s.replace(/'/g, "'\\''")}'`;
}

