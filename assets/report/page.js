// report.html's page: draws the run's data (the JSON in #data) with uPlot, and the node heatmaps
// on canvases. Plain browser JavaScript, no build step; it runs offline.
/* global uPlot */
"use strict";

const data = JSON.parse(document.getElementById("data").textContent);
const MARKER_COLORS = { fault: "#d62728", leader: "#9467bd", autoscale: "#2ca02c", update: "#ff7f0e", nodes: "#8c564b" };
const LINE_COLORS = ["#1f77b4", "#ff7f0e", "#d62728", "#2ca02c", "#9467bd", "#8c564b"];

function css(name) {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim();
}

function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  for (const c of children) e.append(c);
  return e;
}

function table(header, rows) {
  const t = el("table");
  t.append(el("tr", {}, ...header.map((h) => el("th", {}, h))));
  for (const r of rows) t.append(el("tr", {}, ...r.map((c) => (c instanceof Node ? el("td", {}, c) : el("td", {}, String(c))))));
  return t;
}

/** A share in percent that reads 100 (or a missed SLO's percentile) only when it is: src/metrics/fmt.ts pctText, as the terminal says it. */
function pctText(pct, digits, below = 100) {
  const text = pct.toFixed(digits);
  if (below < 100 && pct < below && Number(text) >= below) return `<${below.toFixed(digits)}`;
  if (pct < 100 && Number(text) >= 100) return `>${(100 - 10 ** -digits).toFixed(digits)}`;
  if (pct > 0 && Number(text) <= 0) return `<${(10 ** -digits).toFixed(digits)}`;
  return text;
}

function num(x, digits = 1) {
  return x === null || x === undefined ? "-" : Number(x).toLocaleString("en-US", { maximumFractionDigits: digits });
}

/** Vertical lines at the run's faults, elections, autoscaler decisions and update steps. */
function markersPlugin() {
  return {
    hooks: {
      draw: (u) => {
        const ctx = u.ctx;
        ctx.save();
        ctx.lineWidth = 1.5 * devicePixelRatio;
        for (const m of data.markers) {
          const x = u.valToPos(m.t, "x", true);
          if (x < u.bbox.left || x > u.bbox.left + u.bbox.width) continue;
          ctx.strokeStyle = MARKER_COLORS[m.kind];
          ctx.setLineDash(m.kind === "fault" ? [] : [4 * devicePixelRatio, 3 * devicePixelRatio]);
          ctx.beginPath();
          ctx.moveTo(x, u.bbox.top);
          ctx.lineTo(x, u.bbox.top + u.bbox.height);
          ctx.stroke();
        }
        ctx.restore();
      },
    },
  };
}

const charts = [];

function chart(title, t, series, opts = {}) {
  const width = Math.min(560, Math.max(320, (document.body.clientWidth - 80) / 2));
  const axis = { stroke: css("--fg"), grid: { stroke: css("--grid") }, ticks: { stroke: css("--grid") } };
  const u = new uPlot(
    {
      title,
      width,
      height: 220,
      scales: { x: { time: false }, y: opts.y ?? {} },
      series: [{ label: "t (s)" }, ...series.map((s, i) => ({ label: s.label, stroke: s.color ?? LINE_COLORS[i % LINE_COLORS.length], width: 1.5, dash: s.dash, points: { show: false } }))],
      axes: [{ ...axis, label: "t (s)" }, { ...axis, label: opts.unit ?? "" }],
      plugins: [markersPlugin()],
    },
    [t, ...series.map((s) => s.values)],
  );
  charts.push(u);
  return u.root;
}

/**
 * Nodes x time from 0 to the last row, one pixel row per group of nodes (their maximum), so that
 * 1,000 nodes still read. A column shows the row that covers its time: a row covers the time since
 * the one before (a window, or metrics.nodeInterval's several; the last may be shorter).
 */
function heatmap(title, grid, values) {
  const rows = grid.nodes.length;
  const cols = grid.t.length;
  const height = Math.max(40, Math.min(480, rows * 8));
  const width = Math.max(600, Math.min(1100, cols * 4));
  const canvas = el("canvas", { width: String(width), height: String(height), "aria-label": title });
  const ctx = canvas.getContext("2d");
  const img = ctx.createImageData(width, height);
  const t1 = Math.max(1e-9, grid.t[cols - 1] ?? 1);
  const column = [];
  for (let x = 0, j = 0; x < width; x++) {
    const t = ((x + 0.5) / width) * t1;
    while (j < cols - 1 && grid.t[j] < t) j++;
    column.push(j);
  }
  for (let y = 0; y < height; y++) {
    const from = Math.floor((y * rows) / height);
    const to = Math.max(from + 1, Math.floor(((y + 1) * rows) / height));
    for (let x = 0; x < width; x++) {
      const j = column[x];
      // null: no nodes.csv row, the node not in the swarm then (one addNodes brought later): grey, not 0%.
      let v = null;
      for (let i = from; i < to; i++) if (values[i][j] !== null) v = Math.max(v ?? 0, values[i][j]);
      const [r, g, b] = v === null ? NO_ROW : heat(v);
      const k = (y * width + x) * 4;
      img.data[k] = r;
      img.data[k + 1] = g;
      img.data[k + 2] = b;
      img.data[k + 3] = 255;
    }
  }
  ctx.putImageData(img, 0, 0);
  for (const m of data.markers) {
    const x = (m.t / t1) * width;
    ctx.fillStyle = MARKER_COLORS[m.kind];
    ctx.fillRect(Math.round(x), 0, 2, height);
  }
  // Axes: node names beside their rows when each row is tall enough to read, time below.
  const rowPx = height / rows;
  const names = el("div", { class: "names", style: `height:${height}px` }, ...(rowPx >= 8 ? grid.nodes.map((n) => el("div", { style: `height:${rowPx}px;line-height:${rowPx}px` }, n)) : [el("div", {}, grid.nodes[0] ?? ""), el("div", { style: "margin-top:auto" }, grid.nodes[rows - 1] ?? "")]));
  const ticks = el("div", { class: "ticks", style: `width:${width}px` }, ...[0, 1, 2, 3, 4].map((k) => el("span", {}, `${Math.round((t1 * k) / 4)} s`)));
  const label = rowPx >= 8 ? "" : `${rows} nodes, ${grid.nodes[0]} at the top to ${grid.nodes[rows - 1]} at the bottom; each pixel row shows the busiest of its nodes; `;
  return el("div", { class: "heatmap" }, el("h3", {}, title), el("div", { class: "plot" }, names, el("div", {}, canvas, ticks)), el("div", { class: "muted" }, `${label}0% pale to 100% dark red${values.some((row) => row.includes(null)) ? "; grey: not in the swarm then" : ""}`));
}

/** A cell without a row: mid grey, apart from the scale's pale yellow in both themes. */
const NO_ROW = [150, 150, 150];

/** 0 -> pale yellow, 1 -> dark red. */
function heat(v) {
  const x = Math.max(0, Math.min(1, v));
  return [Math.round(255 - 90 * x), Math.round(245 - 225 * x), Math.round(200 - 180 * x)];
}

function summaryTables() {
  const out = [];
  const s = data.summary;
  const about = s.description ? `${s.description.trim().replace(/\.?$/, ".")} ` : "";
  out.push(el("p", { class: "muted" }, `${about}${s.duration_s} s simulated, ${num(s.events, 0)} events, ${s.elections} leader election(s).`));
  out.push(
    table(
      ["service", "requests", "errors", "timeouts", "rejected", "p50 ms", "p99 ms", "SLO", "restarts", "OOM", "unhealthy", "pending"],
      Object.entries(s.services).map(([name, v]) => {
        const target = `p${v.slo.percentile} <= ${v.slo.latency_ms} ms`;
        const verdict = !v.desired_reached ? "not judged: never ran all its tasks" : v.slo.met === null ? "-" : v.slo.met ? "met" : "MISSED";
        // As the terminal says it: the share of the requests that ended within the SLO latency.
        const within = v.desired_reached && v.slo.met !== null ? `: ${pctText(v.slo.attained * 100, 2, v.slo.met === false ? v.slo.percentile : 100)}% within` : "";
        // What plan --recover-within judges, when its verdict differs from the whole run's (as the terminal says it).
        const outside = data.outside[name] ? `; outside the faults' disruptions ${data.outside[name]}` : "";
        const cell = el("span", { class: v.slo.met === true ? "" : "bad" }, `${verdict} (${target}${within})${outside}`);
        return [name, num(v.arrivals, 0), num(v.errors, 0), num(v.timeouts, 0), num(v.rejected, 0), num(v.latency_ms?.p50), num(v.latency_ms?.p99), cell, v.restarts, v.oom_kills, v.unhealthy, v.tasks_pending];
      }),
    ),
  );
  if (s.faults.length > 0) {
    out.push(el("h3", {}, "Faults"));
    out.push(
      table(
        ["t (s)", "fault", "target", "dead to memberlist (s)", "detected (s)", "first DOWN (s)", "tasks back (s)", "recovered (s)", "last", "requests lost", "worst window"],
        s.faults.map((f) => [f.t_s, f.fault, f.target ?? "", num(f.memberlist_dead_s), num(f.detected_s), num(f.down_s), f.tasks_restored_s === null ? el("span", { class: "bad" }, "never") : num(f.tasks_restored_s), f.recovered_s === null ? el("span", { class: "bad" }, "never") : num(f.recovered_s), f.last_to_recover ?? "", num(f.requests_lost, 0), f.worst_window ? `${f.worst_window.service} at ${f.worst_window.t_s} s: p99 ${num(f.worst_window.p99_ms)} ms, ${f.worst_window.errors} errors` : ""]),
      ),
    );
  }
  if (data.compare) out.push(el("h3", {}, `Compared with ${data.compare.name}`), el("pre", { class: "compare" }, data.compare.text));
  if (data.warnings.length > 0) out.push(el("ul", { class: "warnings" }, ...data.warnings.map((w) => el("li", {}, w))));
  if (data.markers.length > 0) {
    const legend = Object.entries(MARKER_COLORS).filter(([k]) => data.markers.some((m) => m.kind === k)).map(([k, c]) => el("span", { style: `color:${c};margin-right:12px` }, `| ${k}`));
    out.push(el("details", {}, el("summary", {}, `${data.markers.length} marked events: `, ...legend), table(["t (s)", "event"], data.markers.map((m) => [Math.round(m.t * 10) / 10, m.label]))));
  }
  return out;
}

function render() {
  charts.splice(0).forEach((u) => u.destroy());
  const root = document.getElementById("report");
  root.replaceChildren();
  root.append(el("h2", {}, "Summary"), ...summaryTables());
  for (const [name, s] of Object.entries(data.services)) {
    const slo = s.t.map(() => data.sloMs[name]);
    // Log scale: a collapse is 100x the baseline, and the SLO line must stay readable. A window
    // where nothing completed has no latency (a gap, not 0).
    const gaps = (values) => values.map((v, i) => (s.completed[i] === 0 ? null : Math.max(v, 0.001)));
    // The other run's p99 at the same window ends, when a comparison was asked for.
    const other = data.compare ? new Map(data.compare.p99[name] ?? []) : null;
    const otherP99 = other ? [{ label: "p99 (other run)", values: s.t.map((t) => (other.has(t) ? Math.max(other.get(t), 0.001) : null)), color: "#9467bd", dash: [2, 3] }] : [];
    root.append(
      el("h2", {}, `Service ${name}`),
      el(
        "div",
        { class: "row" },
        chart(`${name}: latency (ms)`, s.t, [{ label: "p50", values: gaps(s.p50) }, { label: "p95", values: gaps(s.p95) }, { label: "p99", values: gaps(s.p99), color: "#d62728" }, { label: "SLO", values: slo, color: css("--muted"), dash: [6, 4] }, ...otherP99], { unit: "ms (log)", y: { distr: 3 } }),
        chart(`${name}: failed requests per window`, s.t, [{ label: "errors", values: s.errors, color: "#d62728" }, { label: "timeouts", values: s.timeouts }, { label: "rejected", values: s.rejected }]),
        chart(`${name}: tasks`, s.t, [{ label: "desired", values: s.desired, dash: [6, 4] }, { label: "running", values: s.running, color: "#2ca02c" }, { label: "starting", values: s.starting, color: "#ff7f0e" }, { label: "pending", values: s.pending, color: "#d62728" }]),
      ),
    );
  }
  root.append(el("h2", {}, "Nodes"), el("div", { class: "row" }, heatmap("CPU use", data.nodes, data.nodes.cpu), heatmap("memory use", data.nodes, data.nodes.mem)));
  window.__report = { charts: charts.length, points: charts.reduce((n, u) => n + u.data.slice(1).reduce((m, d) => m + d.length, 0), 0), heatmaps: document.querySelectorAll(".heatmap canvas").length };
}

document.getElementById("theme").addEventListener("click", () => {
  const dark = document.documentElement.dataset.theme === "dark" || (!document.documentElement.dataset.theme && matchMedia("(prefers-color-scheme: dark)").matches);
  document.documentElement.dataset.theme = dark ? "light" : "dark";
  render();
});
render();
