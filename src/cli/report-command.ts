import * as fs from "node:fs";
import * as path from "node:path";
import { OUTPUT_MARKER_FILE } from "../metrics/output.js";
import { readReportData, reportHtml } from "../report/index.js";

/**
 * `orchsim report OUTDIR`: writes OUTDIR/report.html from a finished run's outputs. Only a
 * directory that orchsim wrote (it holds the marker file) is read or written to.
 */
export function reportCommand(dir: string): number {
  if (!fs.existsSync(path.join(dir, OUTPUT_MARKER_FILE)) || !fs.existsSync(path.join(dir, "summary.json"))) {
    process.stderr.write(`orchsim report: ${dir} is not the output directory of an orchsim run (no ${OUTPUT_MARKER_FILE} and summary.json)\n`);
    return 2;
  }
  let html: string;
  try {
    html = reportHtml(readReportData(dir));
  } catch (err) {
    process.stderr.write(`orchsim report: cannot read the outputs in ${dir}: ${err instanceof Error ? err.message : String(err)}\n`);
    return 2;
  }
  const file = path.join(dir, "report.html");
  // Written aside and renamed, so that an interrupted write never leaves half a report.
  fs.writeFileSync(`${file}.tmp-${process.pid}`, html);
  fs.renameSync(`${file}.tmp-${process.pid}`, file);
  process.stdout.write(`report: ${file}\n`);
  return 0;
}
