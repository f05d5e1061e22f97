// report.html from a run's output directory: `orchsim run --report` and `orchsim report OUTDIR`.
export { readReportData, type ReportData } from "./data.js";
export { reportHtml } from "./html.js";
