// What story.md's rules share: its input (a run's outputs, read back), a step of the narrative,
// and the few ways a step words numbers and names.

import { sloColumn, type FaultSummary, type NodeRow, type Summary, type TimeseriesRow } from "../metrics/rows.js";
import { NodeStatuses } from "../metrics/faults.js";
import { round1 } from "../metrics/fmt.js";

/** One line of events.jsonl, with its line number. */
export interface LoggedEvent {
  line: number;
  t: number;
  e: Record<string, unknown>;
}

export type StoryWindow = Pick<TimeseriesRow, "t_s" | "service" | "errors" | "completed" | "p50_ms" | "p95_ms" | "p99_ms" | "max_ms" | "tasks_desired" | "tasks_running">;

export interface StoryInput {
  summary: Summary;
  events: readonly LoggedEvent[];
  timeseries: readonly StoryWindow[];
  nodes: readonly Pick<NodeRow, "t_s" | "node" | "cpu_util">[];
}

/** One item of a fault's narrative: when, what, and the output line it comes from. */
export interface Step {
  t: number;
  text: string;
  ref: string;
}

/** The node events of `events` that change their node's status (NodeStatuses), each once; the log's others are availability changes. */
export function statusChanges(events: readonly LoggedEvent[]): ReadonlySet<LoggedEvent> {
  const statuses = new NodeStatuses();
  return new Set(events.filter((x) => x.e["kind"] === "node" && statuses.changes(x.e)));
}

/** The metrics window's length in seconds, from the rows' times. */
export function windowOf(rows: readonly { t_s: number }[]): number {
  const times = [...new Set(rows.map((r) => r.t_s))];
  return times.length > 1 ? times[1]! - times[0]! : (times[0] ?? 0);
}

export function list(names: readonly string[]): string {
  if (names.length <= 6) return names.join(", ");
  return `${names.slice(0, 5).join(", ")} and ${names.length - 5} more`;
}

export function fmt(x: number): string {
  return String(round1(x));
}

/** Read only of windows where something completed (the others have no latency). */
export function quantileMs(r: StoryWindow, percentile: number): number {
  return r[`${sloColumn(percentile)}_ms`] ?? 0;
}

/** The window's latency at the SLO's percentile is above the SLO's (a window where nothing completed has none). */
export function slowerThanSlo(r: StoryWindow, slo: { latency_ms: number; percentile: number }): boolean {
  return r.completed > 0 && quantileMs(r, slo.percentile) > slo.latency_ms;
}

/**
 * A `heal` line of events.jsonl in words: the end a fault scheduled (a partition's `duration`, a
 * nodeFailure's `recoverAfter`, a killed manager's `restartAfter`). `target` as it is to be shown.
 */
export function healPhrase(fault: string, target: string): string {
  if (fault === "nodeFailure") return `the nodeFailure ends: ${target} ${target.includes(",") ? "are" : "is"} back up`;
  if (fault === "killLeader" || fault === "killManager") return `the ${fault} ends: ${target} restarts`;
  return `the ${fault}${target ? ` (${target})` : ""} heals`;
}

/** A heal that ends a partition: only such a heal lets cut-off managers and nodes be heard again. */
export function isPartitionHeal(x: LoggedEvent): boolean {
  return x.e["kind"] === "heal" && x.e["fault"] === "partition";
}

/**
 * Each fault's heals: the ends it scheduled, whenever they came. A heal goes to the first fault
 * of its kind that struck `after_s` before it and names what it names (a nodeFailure's heal names
 * those of its nodes that came back, and of two failures at one instant the first that names a
 * node took it down). One without `after_s` (an older orchsim's) goes to the last fault before it.
 */
export function healsByFault(events: readonly LoggedEvent[], faults: readonly FaultSummary[]): Map<FaultSummary, LoggedEvent[]> {
  const out = new Map(faults.map((f) => [f, [] as LoggedEvent[]]));
  // Faults by kind and time: an election storm's 17,279 kills each heal (faults are in time order).
  const at = new Map<string, FaultSummary[]>();
  for (const f of faults) {
    const key = `${f.fault}@${f.t_s}`;
    const same = at.get(key);
    if (same) same.push(f);
    else at.set(key, [f]);
  }
  const names = (f: FaultSummary, x: LoggedEvent): boolean => {
    if (f.fault !== "nodeFailure") return x.e["target"] === f.target;
    const hit = new Set((f.target ?? "").split(","));
    return String(x.e["target"]).split(",").every((n) => hit.has(n));
  };
  let before = 0; // the faults struck by the heal's time (heals are in time order too)
  for (const x of events) {
    if (x.e["kind"] !== "heal") continue;
    while (before < faults.length && faults[before]!.t_s <= x.t) before++;
    const struck = Math.round((x.t - Number(x.e["after_s"])) * 1e6) / 1e6;
    const f = x.e["after_s"] === undefined ? faults[before - 1] : at.get(`${String(x.e["fault"])}@${struck}`)?.find((g) => names(g, x));
    if (f !== undefined) out.get(f)!.push(x);
  }
  return out;
}
