// What report.html shows, read back from a run's output directory (the files are the contract:
// `orchsim report OUTDIR` works on any run's outputs, not on the simulation's memory).
// Series are columnar (one array per column) so that the page hands them to uPlot as they are.

import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "csv-parse/sync";
import type { Summary } from "../metrics/rows.js";
import { byNumberedName, nameRanges } from "../metrics/fmt.js";
import { NodeCpuWatch, warnings } from "../metrics/warnings.js";
import { outsideFaultsVerdicts } from "../metrics/faults-text.js";
import type { LoggedEvent, StoryInput } from "./story.js";
import { healPhrase, statusChanges } from "./story-parts.js";
import { compareText } from "./compare.js";

/** One service's windows, a column per field. */
export interface ServiceSeries {
  t: number[];
  p50: number[];
  p95: number[];
  p99: number[];
  errors: number[];
  timeouts: number[];
  rejected: number[];
  completed: number[];
  desired: number[];
  running: number[];
  starting: number[];
  pending: number[];
}

/** Per node, per nodes.csv row (a window, or metrics.nodeInterval): CPU and memory use as shares (0..1), for the heatmaps. */
export interface NodeGrid {
  nodes: string[];
  t: number[];
  /** cpu[i][j]: node i in the row ending at t[j]; null where nodes.csv has no row (the node was not in the swarm yet, or any more). */
  cpu: (number | null)[][];
  mem: (number | null)[][];
}

/** A moment to mark on every time axis. */
export interface Marker {
  t: number;
  kind: "fault" | "leader" | "autoscale" | "update" | "nodes";
  label: string;
}

/** Another run to compare with (`orchsim report A --compare B`): what changed, and its p99 per window. */
export interface Comparison {
  name: string;
  text: string;
  /** Per service: window end -> p99 (ms), for the windows where something completed. */
  p99: Record<string, [number, number][]>;
}

export interface ReportData {
  summary: Summary;
  compare: Comparison | null;
  sloMs: Record<string, number>;
  services: Record<string, ServiceSeries>;
  nodes: NodeGrid;
  markers: Marker[];
  warnings: string[];
  /** Per service whose SLO verdict outside the faults' disruptions differs from the whole run's: it, as the SLO cell says it. */
  outside: Record<string, string>;
}

type Row = Record<string, string>;

/** A run's output files, each read and parsed once: what the report and the story are drawn from. */
export interface RunFiles {
  summary: Summary;
  timeseries: Row[];
  nodes: Row[];
  /** events.jsonl, with line numbers; empty when the run wrote none. */
  events: LoggedEvent[];
}

function readCsv(dir: string, name: string): Row[] {
  return parse(fs.readFileSync(path.join(dir, name), "utf8"), { columns: true, skip_empty_lines: true }) as Row[];
}

/** Reads the outputs of one run; throws with the file's name when one is missing or unreadable. */
export function readRunFiles(dir: string): RunFiles {
  const summary = JSON.parse(fs.readFileSync(path.join(dir, "summary.json"), "utf8")) as Summary;
  const events: LoggedEvent[] = [];
  const file = path.join(dir, "events.jsonl");
  if (fs.existsSync(file)) {
    fs.readFileSync(file, "utf8").split("\n").forEach((text, i) => {
      if (text === "") return;
      const e = parseEvent(file, text, i + 1);
      events.push({ line: i + 1, t: e["t_s"] as number, e });
    });
  }
  return { summary, timeseries: readCsv(dir, "timeseries.csv"), nodes: readCsv(dir, "nodes.csv"), events };
}

/** What report.html shows. */
export function reportData(o: RunFiles): ReportData {
  const summary = o.summary;
  const services: Record<string, ServiceSeries> = {};
  const sloMs: Record<string, number> = {};
  for (const [name, s] of Object.entries(summary.services)) {
    services[name] = { t: [], p50: [], p95: [], p99: [], errors: [], timeouts: [], rejected: [], completed: [], desired: [], running: [], starting: [], pending: [] };
    sloMs[name] = s.slo.latency_ms;
  }
  for (const r of o.timeseries) {
    const s = services[r["service"]!];
    if (!s) continue;
    s.t.push(+r["t_s"]!);
    s.p50.push(+r["p50_ms"]!);
    s.p95.push(+r["p95_ms"]!);
    s.p99.push(+r["p99_ms"]!);
    s.errors.push(+r["errors"]!);
    s.timeouts.push(+r["timeouts"]!);
    s.rejected.push(+r["rejected"]!);
    s.completed.push(+r["completed"]!);
    s.desired.push(+r["tasks_desired"]!);
    s.running.push(+r["tasks_running"]!);
    s.starting.push(+r["tasks_starting"]!);
    s.pending.push(+r["tasks_pending"]!);
  }
  return { summary, compare: null, sloMs, services, nodes: nodeGrid(o.nodes), markers: markers(o.events), warnings: warnings(summary, NodeCpuWatch.of(nodeCpu(o.nodes), joinTimes(o.events))), outside: outsideCells(summary) };
}

/** The SLO cell's words outside the faults' disruptions, where its verdict there differs: "met, 99.80% within". */
function outsideCells(summary: Summary): Record<string, string> {
  return Object.fromEntries(outsideFaultsVerdicts(summary).map((v) => [v.service, `${v.verdict}, ${v.within} within`]));
}

function nodeCpu(rows: readonly Row[]): StoryInput["nodes"][number][] {
  return rows.map((r) => ({ t_s: +r["t_s"]!, node: r["node"]!, cpu_util: +r["cpu_util"]! }));
}

/** When each node that an addNodes fault brought joined (events.jsonl names them all). */
function joinTimes(events: readonly LoggedEvent[]): Map<string, number> {
  const joined = new Map<string, number>();
  for (const { t, e } of events) {
    if (e["kind"] !== "fault" || e["fault"] !== "addNodes" || typeof e["target"] !== "string") continue;
    for (const node of e["target"].split(",")) joined.set(node, t);
  }
  return joined;
}

function nodeGrid(rows: Row[]): NodeGrid {
  const nodes: string[] = [];
  const index = new Map<string, number>();
  const times: number[] = [];
  const col = new Map<number, number>();
  for (const r of rows) {
    const node = r["node"]!;
    if (!index.has(node)) index.set(node, nodes.push(node) - 1);
    const t = +r["t_s"]!;
    if (!col.has(t)) col.set(t, times.push(t) - 1);
  }
  const cpu: (number | null)[][] = nodes.map(() => times.map(() => null));
  const mem: (number | null)[][] = nodes.map(() => times.map(() => null));
  for (const r of rows) {
    const i = index.get(r["node"]!)!;
    const j = col.get(+r["t_s"]!)!;
    cpu[i]![j] = +r["cpu_util"]!;
    const capacity = +r["mem_capacity_bytes"]!;
    mem[i]![j] = capacity > 0 ? +r["mem_used_bytes"]! / capacity : 0;
  }
  return { nodes, t: times, cpu, mem };
}

/**
 * Faults, elections, autoscaler decisions, rolling-update steps and nodes lost and back (nodeMarkers)
 * after t = 0, from events.jsonl, in time order.
 */
function markers(events: readonly LoggedEvent[]): Marker[] {
  const out: Marker[] = [];
  for (const { t, e } of events) {
    if (t < 0) continue;
    const m = marker(e);
    if (m) out.push({ t, ...m });
  }
  return [...out, ...nodeMarkers(events)].sort((a, b) => a.t - b.t);
}

/**
 * Node events of one kind within this many seconds of the first are one marker (a small zone is
 * one; memberlist's verdicts on a zone of thousands spread over several markers).
 */
const NODE_MARK_GROUP_S = 5;

/** memberlist's verdicts on crashed nodes, nodes marked DOWN, and nodes READY after being DOWN. */
function nodeMarkers(events: readonly LoggedEvent[]): Marker[] {
  const out: Marker[] = [];
  const open = new Map<string, { t: number; names: string[] }>();
  const close = (what: string, g: { t: number; names: string[] }) => out.push({ t: g.t, kind: "nodes", label: `${nameRanges([...g.names].sort(byNumberedName))} ${what}` });
  const downed = new Set<string>();
  // A node event that changes only its availability (a drain of a node DOWN) marks nothing.
  const changes = statusChanges(events);
  for (const x of events) {
    const { t, e } = x;
    const node = String(e["node"]);
    let what: string | null = null;
    if (e["kind"] === "memberlist" && e["state"] === "dead") what = "dead (memberlist)";
    else if (e["kind"] === "node" && !changes.has(x)) continue;
    else if (e["kind"] === "node" && e["status"] === "down") {
      what = "DOWN";
      downed.add(node);
    } else if (e["kind"] === "node" && e["status"] === "ready" && downed.delete(node)) what = "READY again";
    if (what === null || t < 0) continue;
    const g = open.get(what);
    if (g !== undefined && t - g.t <= NODE_MARK_GROUP_S) g.names.push(node);
    else {
      if (g !== undefined) close(what, g);
      open.set(what, { t, names: [node] });
    }
  }
  for (const [what, g] of open) close(what, g);
  return out;
}

function marker(e: Record<string, unknown>): Omit<Marker, "t"> | null {
  switch (e["kind"]) {
    case "fault":
      return { kind: "fault", label: `${String(e["fault"])}${e["target"] ? ` ${String(e["target"])}` : ""}` };
    case "heal":
      return { kind: "fault", label: healPhrase(String(e["fault"]), e["target"] ? String(e["target"]) : "") };
    case "leader":
      return { kind: "leader", label: e["leader"] === null ? "leader lost" : `leader ${String(e["leader"])} (term ${String(e["term"])})` };
    case "autoscale":
      return { kind: "autoscale", label: `autoscale ${String(e["service"])} ${String(e["from"])}→${String(e["to"])} (CPU ${Math.round(100 * (e["cpu"] as number))}%)` };
    case "service":
      return { kind: "update", label: `${String(e["service"])} update ${String(e["update"])}` };
    default:
      return null;
  }
}

/** A latency cell: empty when the window completed nothing. */
function ms(cell: string | undefined): number | null {
  return cell === undefined || cell === "" ? null : +cell;
}

/** What story.md is told from. */
export function storyInput(o: RunFiles): StoryInput {
  const timeseries = o.timeseries.map((r) => ({ t_s: +r["t_s"]!, service: r["service"]!, errors: +r["errors"]!, completed: +r["completed"]!, p50_ms: ms(r["p50_ms"]), p95_ms: ms(r["p95_ms"]), p99_ms: ms(r["p99_ms"]), max_ms: ms(r["max_ms"]), tasks_desired: +r["tasks_desired"]!, tasks_running: +r["tasks_running"]! }));
  return { summary: o.summary, events: o.events, timeseries, nodes: nodeCpu(o.nodes) };
}

/** Run B's side of a comparison with run A (whose summary is `a`), read from B's outputs. */
export function readComparison(a: Summary, aName: string, bDir: string): Comparison {
  const b = JSON.parse(fs.readFileSync(path.join(bDir, "summary.json"), "utf8")) as Summary;
  const p99: Record<string, [number, number][]> = {};
  for (const r of readCsv(bDir, "timeseries.csv")) {
    if (+r["completed"]! === 0) continue;
    (p99[r["service"]!] ??= []).push([+r["t_s"]!, +r["p99_ms"]!]);
  }
  return { name: bDir, text: compareText(a, b, aName, bDir), p99 };
}

/** One line of events.jsonl; a line that is not JSON is named by file and line. */
function parseEvent(file: string, text: string, line: number): Record<string, unknown> {
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch (err) {
    throw new Error(`${file}:${line}: not a JSON event (${err instanceof Error ? err.message : String(err)})`);
  }
}
