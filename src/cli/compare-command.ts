import * as fs from "node:fs";
import * as path from "node:path";
import type { Summary } from "../metrics/rows.js";
import { compareText, summaryProblem } from "../report/compare.js";
import { whyUnreadable } from "../scenario/input-file.js";

/** Directories another command wrote, told by a file of theirs: the command, and what to read instead. */
const OTHER_OUTPUTS: readonly (readonly [marker: string, command: string, instead: string])[] = [
  ["plan.json", "a plan", ""],
  ["sweep.csv", "a sweep", "; a sweep's own table compares its variants with the first"],
];

/** `orchsim compare A B`: what changed from run A to run B, per service and per fault. */
export function compareCommand(a: string, b: string): number {
  const summaries: Summary[] = [];
  for (const dir of [a, b]) {
    const file = path.join(dir, "summary.json");
    if (!fs.existsSync(dir)) {
      process.stderr.write(`orchsim compare: ${dir} does not exist\n`);
      return 2;
    }
    const other = fs.existsSync(file) ? undefined : OTHER_OUTPUTS.find(([marker]) => fs.existsSync(path.join(dir, marker)));
    if (other) {
      process.stderr.write(`orchsim compare: ${dir} is ${other[1]}'s outputs: compare takes two runs' (orchsim run --out)${other[2]}\n`);
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
