import * as fs from "node:fs";
import * as path from "node:path";
import { OUTPUT_MARKER_FILE } from "../metrics/output.js";
import { summaryProblem } from "../report/compare.js";
import { readComparison, readRunFiles, reportData, reportHtml, storyInput, storyMarkdown } from "../report/index.js";

/**
 * `orchsim report OUTDIR`: writes OUTDIR/report.html and story.md from a finished run's outputs. Only a
 * directory that orchsim wrote (it holds the marker file) is read or written to.
 */
export function reportCommand(dir: string, compareWith?: string): number {
  if (!fs.existsSync(dir)) {
    process.stderr.write(`orchsim report: ${dir} does not exist\n`);
    return 2;
  }
  if (!fs.existsSync(path.join(dir, OUTPUT_MARKER_FILE)) || !fs.existsSync(path.join(dir, "summary.json"))) {
    process.stderr.write(`orchsim report: ${dir} is not the output directory of an orchsim run (no ${OUTPUT_MARKER_FILE} and summary.json)\n`);
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
  // Each written aside and renamed, so that an interrupted write never leaves half a file.
  for (const [name, text] of [["story.md", story], ["report.html", html]] as const) {
    const file = path.join(dir, name);
    fs.writeFileSync(`${file}.tmp-${process.pid}`, text);
    fs.renameSync(`${file}.tmp-${process.pid}`, file);
  }
  process.stdout.write(`report: ${path.join(dir, "report.html")}\nstory: ${path.join(dir, "story.md")}\n`);
  return 0;
}
