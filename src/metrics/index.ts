// metrics/ models what an operator would see of the cluster, not the cluster itself: latency
// histograms, per-window time series, the event log, the run summary, and the writers that put
// them in the output directory (CSV, JSON, JSON lines), all-or-nothing.
//
// Metrics only observe. The simulation pushes observations in (a request arrived, completed in
// so many microseconds, a window closed with these gauges); nothing here schedules an event,
// draws a random number or feeds a value back, so turning a metric off never changes what
// happens in the run.
//
// The CSV files that grow with a run stream as it goes, and past 100,000 rows an output's
// writer thread makes their text (csv-writer-thread.ts), with the same bytes.
//
// May import: node:fs, node:path, node:url, node:worker_threads, @datadog/sketches-js,
// csv-stringify. Imports nothing from the other src/ folders; they import from here.
// orchsim-imports: (nothing)

export { TaskEvent } from "./task-event.js";
export { HISTOGRAM_RELATIVE_ACCURACY, LatencyHistogram } from "./histogram.js";
export {
  MS_DIGITS,
  SECONDS_DIGITS,
  UTIL_DIGITS,
  formatNumber,
  msFromUs,
  round,
  roundUtil,
  secondsFromUs,
} from "./fmt.js";
export { ELECTION_COLUMNS, NETWORK_COLUMNS, NODE_COLUMNS, TIMESERIES_COLUMNS } from "./rows.js";
export type {
  ElectionRow,
  FaultSummary,
  LatencySummaryMs,
  NetworkRow,
  NetworkSummary,
  NodeRow,
  ServiceSummary,
  SloSummary,
  Summary,
  TimeseriesRow,
} from "./rows.js";
export { LineWriter, OUTPUT_MARKER_FILE, OutputDir, OutputDirError } from "./output.js";
export { ServiceMeter, WindowedSeries, latencySummaryMs } from "./windows.js";
export type { ErrorKind, ServiceTotals, SloSpec, TaskGauges } from "./windows.js";
