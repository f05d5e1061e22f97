// report.html and story.md from a run's output directory: `orchsim run --report` and
// `orchsim report OUTDIR`.
// orchsim-imports: metrics
export { readComparison, readRunFiles, reportData, storyInput, type ReportData } from "./data.js";
export { storyMarkdown } from "./story.js";
export { reportHtml } from "./html.js";
