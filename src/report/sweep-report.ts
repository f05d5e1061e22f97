// sweep-report.html: a sweep's estimates as forest plots, one per metric and service. Each
// variant is a row: its mean with the 95% confidence interval as a whisker, and beside it the
// paired difference from the first variant (the baseline) with its interval, against a zero
// line: an interval that crosses zero is no evidence of a difference. Drawn as inline SVG, so the
// page needs no script or library and opens offline.

import { escapeHtml as escapeXml, page } from "./page.js";
import { pctText } from "../metrics/fmt.js";

/** One row of sweep-summary.csv: service, variant, runs, then <metric>_mean/_ci95/_diff/_diff_ci95 ("" = no value). */
export type SweepRow = Record<string, string | number>;

const ROW_H = 26;
const PLOT_W = 260;
/** A label's width per character of 12px system-ui text, rounded up (digits and lower case are 6-7 px). */
const CHAR_W = 7.2;
/** The label column: as wide as the page's longest label, within these bounds; a longer one is cut, whole in its tooltip. */
const LABEL_MIN_W = 120;
const LABEL_MAX_W = 480;

function value(r: SweepRow, key: string): number | null {
  const v = r[key];
  return v === "" || v === undefined ? null : Number(v);
}

/** The page: per metric, per service, the variants' estimates and their differences from the baseline. */
export function sweepReportHtml(title: string, seeds: number, metrics: readonly string[], rows: readonly SweepRow[], set: readonly string[] = [], notJudged: NotJudged = () => 0): string {
  const services = [...new Set(rows.map((r) => String(r["service"])))];
  const labelOf = (r: SweepRow, metric: string, baseline: boolean): string => label(r, metric, baseline, notJudged(r, metric));
  // One width for every plot, so that they line up: the longest label any of them has.
  const longest = Math.max(0, ...metrics.flatMap((m) => rows.map((r, i) => labelOf(r, m, i === 0 || rows[i - 1]!["service"] !== r["service"]).length)));
  const labelW = Math.min(LABEL_MAX_W, Math.max(LABEL_MIN_W, Math.ceil(longest * CHAR_W) + 12));
  const sections = metrics.map((m) => {
    const plots = services.map((s) => forest(m, s, rows.filter((r) => r["service"] === s), labelW, labelOf)).join("\n");
    return `<h2>${escapeXml(m)}</h2>\n${plots}`;
  });
  const style = `svg text { fill: var(--fg); font: 12px system-ui, sans-serif; }
svg .zero { stroke: var(--muted); stroke-dasharray: 4 3; }
svg .ci { stroke: var(--fg); stroke-width: 2; }
svg .mean { fill: #1f77b4; }
svg .diff { fill: #d62728; }`;
  const intro = `<p class="muted">${seeds} seed(s) per variant, the same seeds for every variant. Left: each variant's mean with its 95% confidence interval. Right: the paired difference from the first variant (the baseline) with its interval; one that crosses the dashed zero line is no evidence of a difference. An interval stops where its metric does (a share at 100%, a time or a count at 0). A metric with no value in some runs (nothing completed, a fault that never recovered) is estimated over the runs that have one, and the row says how many; so is a service's own figure of a fault (its recovery, losses and p99s), over the runs the fault judged it in: not those in which the service was already outside its SLO before the run's first fault and still before this one, whose failures are not the fault's.</p>`;
  const settings = set.length === 0 ? "" : `\n<p>Every run with ${set.map((x) => `<code>--set ${escapeXml(x)}</code>`).join(", ")}.</p>`;
  const toggle = `<script>document.getElementById("theme").addEventListener("click", () => { const d = document.documentElement; d.dataset.theme = d.dataset.theme === "dark" ? "light" : "dark"; });</script>`;
  return page(title, style, `${intro}${settings}\n${sections.join("\n")}\n${toggle}`);
}

/**
 * Of a row and a metric, the runs left out because the fault found the service already outside
 * its SLO (a service's own figure of a fault; 0 for any other metric).
 */
export type NotJudged = (r: SweepRow, metric: string) => number;

/** A row's label: its variant, "(baseline)" on the first, and how many runs had a value when not all did (and how many of the rest were not judged). */
function label(r: SweepRow, metric: string, baseline: boolean, notJudged: number): string {
  const n = Number(r[`${metric}_n`] ?? r["runs"]);
  const missing = n < Number(r["runs"]) ? `, ${n} of ${String(r["runs"])} runs${notJudged > 0 ? ` (${notJudged} not judged)` : ""}` : "";
  return `${String(r["variant"])}${baseline ? " (baseline)" : ""}${missing}`;
}

/**
 * The label as SVG text within `width`, whole in its tooltip when shortened: first each field's
 * path to its last two parts ("…nodeGroups.a.count" is "…a.count"), keeping every value (the
 * variants differ there, wherever it is in the label); then, if still too long, cut in the middle.
 */
function labelText(label: string, y: number, width: number): string {
  const fits = Math.floor((width - 12) / CHAR_W);
  if (label.length <= fits) return `<text x="0" y="${y + 4}">${escapeXml(label)}</text>`;
  const short = shortPaths(label);
  const head = Math.floor((fits - 1) / 3);
  const cut = short.length <= fits ? short : `${short.slice(0, head)}…${short.slice(short.length - (fits - 1 - head))}`;
  return `<text x="0" y="${y + 4}"><title>${escapeXml(label)}</title>${escapeXml(cut)}</text>`;
}

/** Each `path=value` of a variant with its paths (several joined by commas) cut to their last two parts. */
export function shortPaths(label: string): string {
  const short = (p: string): string => {
    const parts = p.split(".");
    return parts.length > 2 ? `…${parts.slice(-2).join(".")}` : p;
  };
  return label.replace(/[^\s=]+(?==)/g, (paths) => paths.split(",").map(short).join(","));
}

/** One forest plot: a row per variant, estimates on the left, differences on the right. */
function forest(metric: string, service: string, rows: readonly SweepRow[], labelW: number, labelOf: (r: SweepRow, metric: string, baseline: boolean) => string): string {
  const est = rows.map((r) => interval(value(r, `${metric}_mean`), value(r, `${metric}_ci95`), boundsOf(metric)));
  const diff = rows.map((r, i) => (i === 0 ? null : interval(value(r, `${metric}_diff`), value(r, `${metric}_diff_ci95`))));
  const h = 30 + ROW_H * rows.length;
  const left = scale(est, false);
  const right = scale(diff, true);
  // A share's estimate reads 100 only when it is (99.9996 read "100"; review); differences are in points.
  const share = metric.endsWith("_pct") ? (x: number) => pctText(x, 3) : fmt;
  const body = rows.map((r, i) => {
    const y = 30 + ROW_H * i + ROW_H / 2;
    const text = labelText(labelOf(r, metric, i === 0), y, labelW);
    return text + mark(est[i]!, left, labelW, y, "mean", share) + (i === 0 ? "" : mark(diff[i]!, right, labelW + PLOT_W + 40, y, "diff"));
  });
  const zero = right.ok ? `<line class="zero" x1="${labelW + PLOT_W + 40 + right.x(0)}" x2="${labelW + PLOT_W + 40 + right.x(0)}" y1="20" y2="${h}"/>` : "";
  const heads = `<text x="${labelW}" y="14">${escapeXml(service)}: mean ± 95% CI (axis ${fmt(left.lo)} to ${fmt(left.hi)})</text><text x="${labelW + PLOT_W + 40}" y="14">difference from the baseline (axis ${fmt(right.lo)} to ${fmt(right.hi)})</text>`;
  return `<svg role="img" aria-label="${escapeXml(`${metric} of ${service}`)}" width="${labelW + 2 * PLOT_W + 160}" height="${h + 8}">${heads}${zero}${body.join("")}</svg>`;
}

interface Interval {
  mid: number;
  lo: number;
  hi: number;
  /** Whether it has a confidence interval (not from one run). */
  ci: boolean;
}

/**
 * The mean's interval, cut at what the metric can be (`bounds`): Student's t interval is
 * symmetric, so a share near 100% read "99.991 to 100.001" and a count near 0 went below it.
 * sweep-summary.csv keeps the symmetric half-width; the plot and its tooltip show the cut one.
 */
function interval(mean: number | null, ci: number | null, bounds: readonly [number, number] = [-Infinity, Infinity]): Interval | null {
  if (mean === null) return null;
  const half = ci ?? 0;
  return { mid: mean, lo: Math.max(bounds[0], mean - half), hi: Math.min(bounds[1], mean + half), ci: ci !== null };
}

/** What a metric's mean can be: a share in % (`_pct`) lies in 0..100; every other metric (a latency, a time, a count) is never below 0. */
function boundsOf(metric: string): readonly [number, number] {
  return metric.endsWith("_pct") ? [0, 100] : [0, Infinity];
}

/** Maps a value to x within a plot; the range covers every interval (and 0 for differences). */
function scale(items: readonly (Interval | null)[], withZero: boolean): { lo: number; hi: number; ok: boolean; x: (v: number) => number } {
  const present = items.filter((i): i is Interval => i !== null);
  let lo = Math.min(...present.map((i) => i.lo), ...(withZero ? [0] : []));
  let hi = Math.max(...present.map((i) => i.hi), ...(withZero ? [0] : []));
  const ok = present.length > 0;
  if (!ok) [lo, hi] = [0, 1];
  if (hi === lo) [lo, hi] = [lo - 1, hi + 1];
  return { lo, hi, ok, x: (v) => ((v - lo) / (hi - lo)) * PLOT_W };
}

function mark(i: Interval | null, s: ReturnType<typeof scale>, x0: number, y: number, cls: string, show: (x: number) => string = fmt): string {
  if (i === null) return `<text x="${x0}" y="${y + 4}" class="muted">no value</text>`;
  const [a, m, b] = [i.lo, i.mid, i.hi].map((v) => x0 + s.x(v));
  return `<line class="ci" x1="${a}" x2="${b}" y1="${y}" y2="${y}"/><circle class="${cls}" cx="${m}" cy="${y}" r="5"><title>${escapeXml(`${show(i.mid)} ${i.ci ? `(${show(i.lo)} to ${show(i.hi)})` : "(one run: no interval)"}`)}</title></circle>`;
}

function fmt(x: number): string {
  return Number.isFinite(x) ? String(Math.round(x * 1000) / 1000) : "-";
}
