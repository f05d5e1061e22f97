import * as fs from "node:fs";
import * as path from "node:path";
import type { Summary } from "../metrics/rows.js";
import { compareText, summaryProblem } from "../report/compare.js";
import { whyUnreadable } from "../scenario/input-file.js";

/** `orchsim compare A B`: what changed from run A to run B, per service and per fault. */
export function compareCommand(a: string, b: string): number {
  const summaries: Summary[] = [];
  for (const dir of [a, b]) {
    const file = path.join(dir, "summary.json");
    if (!fs.existsSync(dir)) {
      process.stderr.write(`orchsim compare: ${dir} does not exist\n`);
      return 2;
    }
    if (!fs.existsSync(file) && fs.existsSync(path.join(dir, "plan.json"))) {
      process.stderr.write(`orchsim compare: ${dir} is a plan's outputs: compare takes two runs' (orchsim run --out)\n`);
      return 2;
    }
    if (!fs.existsSync(file) && fs.existsSync(path.join(dir, "sweep.csv"))) {
      process.stderr.write(`orchsim compare: ${dir} is a sweep's outputs: compare takes two runs' (orchsim run --out); a sweep's own table compares its variants with the first\n`);
      return 2;
    }
    try {
      const s = JSON.parse(fs.readFileSync(file, "utf8")) as Summary;
      const problem = summaryProblem(s);
      if (problem) {
        process.stderr.write(`orchsim compare: ${file}: ${problem}\n`);
        return 2;
      }
      summaries.push(s);
    } catch (err) {
      const why = err instanceof SyntaxError ? `not JSON (${err.message})` : whyUnreadable(err);
      process.stderr.write(`orchsim compare: cannot read ${file}: ${why}\n`);
      return 2;
    }
  }
  process.stdout.write(compareText(summaries[0]!, summaries[1]!, a, b) + "\n");
  return 0;
}
