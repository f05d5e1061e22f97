import * as fs from "node:fs";
import * as path from "node:path";
import { OUTPUT_MARKER_FILE } from "../metrics/output.js";
import { summaryProblem } from "../report/compare.js";
import { readComparison, readRunFiles, reportData, reportHtml, storyInput, storyMarkdown } from "../report/index.js";
import { readSamples, SHARD_FILE, SWEEP_FILE, type SweepManifest } from "./sweep-files.js";
import { orchsimVersion } from "./version.js";

/**
 * `orchsim report OUTDIR`: writes OUTDIR/report.html and story.md from a finished run's outputs,
 * or a sweep's sweep-report.html from its sweep.json and sweep.csv. Only a directory that
 * orchsim wrote (a run's holds the marker file, a sweep's its manifest) is read or written to.
 */
export async function reportCommand(dir: string, compareWith?: string): Promise<number> {
  if (!fs.existsSync(dir)) {
    process.stderr.write(`orchsim report: ${dir} does not exist\n`);
    return 2;
  }
  if (fs.existsSync(path.join(dir, SWEEP_FILE))) {
    if (compareWith === undefined) return await sweepReport(dir);
    process.stderr.write(`orchsim report: --compare is for two runs; ${dir} is a sweep, whose report compares its variants\n`);
    return 2;
  }
  if (!fs.existsSync(path.join(dir, OUTPUT_MARKER_FILE)) || !fs.existsSync(path.join(dir, "summary.json"))) {
    process.stderr.write(`orchsim report: ${dir} ${notARun(dir)}\n`);
    return 2;
  }
  let html: string;
  let story: string;
  try {
    const files = readRunFiles(dir);
    const problem = summaryProblem(files.summary);
    if (problem) {
      process.stderr.write(`orchsim report: ${path.join(dir, "summary.json")}: ${problem}\n`);
      return 2;
    }
    const data = reportData(files);
    if (compareWith !== undefined) {
      if (!fs.existsSync(path.join(compareWith, "summary.json"))) {
        process.stderr.write(`orchsim report: --compare ${compareWith} is not the output directory of an orchsim run (no summary.json)\n`);
        return 2;
      }
      data.compare = readComparison(data.summary, dir, compareWith);
    }
    html = reportHtml(data);
    story = storyMarkdown(storyInput(files));
  } catch (err) {
    process.stderr.write(`orchsim report: cannot read the outputs in ${dir}: ${err instanceof Error ? err.message : String(err)}\n`);
    return 2;
  }
  writeAll(dir, [["story.md", story], ["report.html", html]]);
  process.stdout.write(`report: ${path.join(dir, "report.html")}\nstory: ${path.join(dir, "story.md")}\n`);
  return 0;
}

/** Each written aside and renamed, so that an interrupted write never leaves half a file. */
function writeAll(dir: string, files: readonly (readonly [string, string])[]): void {
  for (const [name, text] of files) {
    const file = path.join(dir, name);
    fs.writeFileSync(`${file}.tmp-${process.pid}`, text);
    fs.renameSync(`${file}.tmp-${process.pid}`, file);
  }
}

/**
 * A sweep's directory (sweep.json and sweep.csv, from orchsim sweep or merge): its
 * sweep-report.html. The estimates are this orchsim's, from the runs' rows: a sweep written by
 * another version is said so.
 */
async function sweepReport(dir: string): Promise<number> {
  let html: string;
  let wrote: string;
  try {
    const manifest = JSON.parse(fs.readFileSync(path.join(dir, SWEEP_FILE), "utf8")) as SweepManifest;
    if (manifest.orchsim_sweep !== 1 || typeof manifest.scenario !== "string" || !Array.isArray(manifest.variants) || !Array.isArray(manifest.seeds)) {
      process.stderr.write(`orchsim report: ${path.join(dir, SWEEP_FILE)}: written by another orchsim version\n`);
      return 2;
    }
    const samples = readSamples(fs.readFileSync(path.join(dir, "sweep.csv"), "utf8"));
    const unknown = samples.find((s) => !manifest.variants.includes(s.variant));
    if (samples.length === 0 || unknown) {
      process.stderr.write(`orchsim report: ${path.join(dir, "sweep.csv")}: ${unknown ? `its variant ${unknown.variant} is not one of ${SWEEP_FILE}'s` : "no runs"}\n`);
      return 2;
    }
    // Imported only here: the sweep's estimates come with its runner, which brings the simulator.
    const { sweepReportFrom } = await import("./sweep-stats.js");
    html = sweepReportFrom(samples, manifest);
    wrote = manifest.orchsim;
  } catch (err) {
    process.stderr.write(`orchsim report: cannot read the sweep in ${dir}: ${err instanceof Error ? err.message : String(err)}\n`);
    return 2;
  }
  const version = orchsimVersion();
  if (wrote !== version) process.stderr.write(`orchsim report: note: orchsim ${wrote} made the sweep; its report is drawn by ${version}\n`);
  writeAll(dir, [["sweep-report.html", html]]);
  process.stdout.write(`report: ${path.join(dir, "sweep-report.html")}\n`);
  return 0;
}

/** Why `dir` has no report to make, and what would. */
function notARun(dir: string): string {
  if (fs.existsSync(path.join(dir, SHARD_FILE))) return `is one shard of a sweep: orchsim merge --report writes the sweep's report from every shard`;
  if (fs.existsSync(path.join(dir, "plan.csv"))) return `is the output of orchsim plan, which has no report: its sweep.csv holds every run it made`;
  if (fs.existsSync(path.join(dir, "sweep.csv"))) {
    const had = fs.existsSync(path.join(dir, "sweep-report.html")) ? `; its sweep-report.html is the one it wrote` : `: run it again with --report`;
    return `holds a sweep written without ${SWEEP_FILE} (by an earlier orchsim)${had}`;
  }
  return `is not the output directory of an orchsim run (no ${OUTPUT_MARKER_FILE} and summary.json)`;
}
