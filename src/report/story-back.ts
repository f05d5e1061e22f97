// story.md's steps of a span's way back: the tasks a service ran short of and when all ran again,
// when each service was back within its SLO (first, and for good), and the nodes DOWN that came
// back. Recovery as summary.json defines it: the end of the last window outside the SLO.

import { sloColumn, type FaultSummary } from "../metrics/rows.js";
import { byNumberedName, groupDigits, nameRanges } from "../metrics/fmt.js";
import { fmt, list, quantileMs, slowerThanSlo, windowOf, type LoggedEvent, type Step, type StoryInput, type StoryWindow } from "./story-parts.js";

/** Nodes READY again within this many seconds of the first of them are one step. */
const RETURN_GROUP_S = 10;

/**
 * Each service that ran fewer tasks than it wanted in the span (having run them all before it):
 * how many, the fewest, and when all ran again. What the survivors lacked while they did.
 */
export function tasksShort(input: StoryInput, fromT: number, endT: number): Step[] {
  const interval = windowOf(input.timeseries);
  const steps: Step[] = [];
  const before = new Map<string, StoryWindow>();
  const open = new Map<string, { line: number; row: StoryWindow; fewest: number }>();
  const said = new Set<string>();
  // The step cites the row short of tasks and, when they all ran again, that row too (walkthrough: only the first was cited).
  const say = (service: string, back: { t: number; line: number } | null) => {
    const o = open.get(service)!;
    const fewest = o.fewest < o.row.tasks_running ? `, ${o.fewest} at the fewest` : "";
    const again = back === null ? `; not all ran again before ${endT === input.summary.duration_s ? "the run ended" : "the next fault"}` : `; all ${o.row.tasks_desired} run again at ${back.t} s`;
    steps.push({ t: Math.max(fromT, o.row.t_s - interval), text: `${service} runs ${o.row.tasks_running} of its ${o.row.tasks_desired} desired tasks at ${o.row.t_s} s${fewest}${again}`, ref: `timeseries.csv:${o.line}${back === null ? "" : `, ${back.line}`}` });
    open.delete(service);
    said.add(service);
  };
  input.timeseries.forEach((r, i) => {
    if (r.t_s <= fromT) before.set(r.service, r);
    if (r.t_s <= fromT || r.t_s > endT || said.has(r.service)) return;
    const o = open.get(r.service);
    if (o && r.tasks_running >= r.tasks_desired) say(r.service, { t: r.t_s, line: i + 2 });
    else if (o) o.fewest = Math.min(o.fewest, r.tasks_running);
    else if (r.tasks_running < r.tasks_desired && (before.get(r.service)?.tasks_running ?? r.tasks_desired) >= (before.get(r.service)?.tasks_desired ?? 0)) open.set(r.service, { line: i + 2, row: r, fewest: r.tasks_running });
  });
  for (const service of [...open.keys()]) say(service, null);
  return steps;
}

/**
 * In a partition's span, each service that ran more tasks than it desires (not already before
 * it): the nodes cut off from the leader keep running theirs (a worker does not stop its tasks
 * when it loses its managers) while the leader replaces them on the nodes it reaches; those nodes
 * stop the old ones when they re-register after the heal. The window most over (its first),
 * and when it was back. Counts are the windows' ends' (timeseries.csv): the step is dated there.
 * `healT`: when this partition healed (its own heal line's time), if it did.
 */
export function tasksOver(input: StoryInput, f: FaultSummary, endT: number, healT: number | undefined): Step[] {
  if (f.fault !== "partition") return [];
  const over = new Map<string, { line: number; most: StoryWindow; backT: number | null }>();
  const before = new Set<string>();
  const extra = (r: StoryWindow): number => r.tasks_running - r.tasks_desired;
  input.timeseries.forEach((r, i) => {
    if (r.t_s <= f.t_s) {
      if (extra(r) > 0) before.add(r.service);
      else before.delete(r.service);
    }
    if (r.t_s <= f.t_s || r.t_s > endT || before.has(r.service)) return;
    const o = over.get(r.service);
    if (o === undefined) {
      if (extra(r) > 0) over.set(r.service, { line: i + 2, most: r, backT: null });
    } else if (o.backT === null) {
      if (extra(r) <= 0) o.backT = r.t_s;
      else if (extra(r) > extra(o.most)) [o.most, o.line] = [r, i + 2];
    }
  });
  return [...over].map(([service, o]) => {
    const end = endT === input.summary.duration_s ? "the run ended" : "the next fault came";
    const reregistered = healT !== undefined && o.backT !== null && healT <= o.backT ? ", once they re-registered after the heal" : "";
    const back = o.backT === null ? `; still over when ${end}` : `; back to ${o.most.tasks_desired} at ${o.backT} s${reregistered}`;
    return {
      t: o.most.t_s,
      text: `${service} runs ${o.most.tasks_running} tasks at ${o.most.t_s} s, ${extra(o.most)} more than its ${o.most.tasks_desired} desired: the nodes the partition cut off keep running theirs (a worker does not stop its tasks when it loses its managers) while the leader replaces them${back}`,
      ref: `timeseries.csv:${o.line}`,
    };
  });
}

/**
 * Each service that left its SLO in the span and came back: the end of its last window outside
 * the SLO is its recovery (summary.json), which one slow window can put long after the errors
 * stopped; when it was back within the SLO before that, when first, and how often out again.
 */
export function backWithin(input: StoryInput, f: FaultSummary): Step[] {
  const interval = windowOf(input.timeseries);
  const steps: Step[] = [];
  for (const [name, s] of Object.entries(f.services)) {
    const slo = input.summary.services[name]?.slo;
    if (s.already_unhealthy || s.recovered_s === null || s.recovered_s === 0 || slo === undefined) continue;
    const end = f.t_s + s.recovered_s;
    const rows = input.timeseries.map((r, i) => ({ r, i })).filter(({ r }) => r.service === name && r.t_s > f.t_s && r.t_s <= end + 1e-6);
    const last = rows[rows.length - 1];
    if (last === undefined || Math.abs(last.r.t_s - end) > 1e-6) continue;
    const healthy = (r: StoryWindow) => r.errors === 0 && !slowerThanSlo(r, slo);
    const had = [last.r.completed > 0 ? `${sloColumn(slo.percentile)} ${fmt(quantileMs(last.r, slo.percentile))} ms` : "nothing completed", ...(last.r.errors > 0 ? [`${groupDigits(last.r.errors)} failed requests`] : [])].join(" and ");
    const firstBad = rows.findIndex(({ r }) => !healthy(r));
    const firstBack = firstBad < 0 ? -1 : rows.findIndex(({ r }, k) => k > firstBad && healthy(r));
    const again = firstBack < 0 ? 0 : rows.slice(firstBack).filter(({ r }) => !healthy(r)).length;
    const before = again > 0 ? `; it was first back at ${fmt(rows[firstBack]!.r.t_s - interval)} s, then outside it again in ${again} window${again === 1 ? "" : "s"}` : "";
    steps.push({ t: last.r.t_s, text: `${name} is back within its SLO, ${s.recovered_s} s after the fault: its last window outside it, to ${last.r.t_s} s, had ${had}${before}`, ref: `timeseries.csv:${last.i + 2}` });
  }
  return steps;
}

/**
 * The nodes marked DOWN in the span that are READY again, whenever that is (in a later fault's
 * span too, as memberlist's verdicts are told in their crash's): each node once, from its last
 * DOWN in the span; nodes back within RETURN_GROUP_S of each other in one step.
 */
export function returned(events: readonly LoggedEvent[], down: readonly LoggedEvent[]): Step[] {
  const lastDown = new Map<string, LoggedEvent>();
  for (const d of down) lastDown.set(String(d.e["node"]), d);
  if (lastDown.size === 0) return [];
  const from = Math.min(...[...lastDown.values()].map((d) => d.line));
  const back: LoggedEvent[] = [];
  const seen = new Set<string>();
  for (const x of events) {
    if (x.line <= from || x.e["kind"] !== "node" || x.e["status"] !== "ready") continue;
    const node = String(x.e["node"]);
    const d = lastDown.get(node);
    if (d === undefined || x.line < d.line || seen.has(node)) continue;
    seen.add(node);
    back.push(x);
  }
  const steps: Step[] = [];
  let group: LoggedEvent[] = [];
  const flush = () => {
    if (group.length === 0) return;
    const first = group[0]!;
    const last = group[group.length - 1]!;
    const names = group.map((x) => String(x.e["node"])).sort(byNumberedName);
    const by = last.t > first.t ? ` (the last at ${fmt(last.t)} s)` : "";
    const them = group.length === 1 ? "it" : "them";
    steps.push({ t: first.t, text: `${list(nameRanges(names).split(","))} ${group.length === 1 ? "is" : "are"} READY again${by}: Swarm does not move running tasks back to ${them}`, ref: `events.jsonl:${first.line}` });
    group = [];
  };
  for (const x of back) {
    if (group.length > 0 && x.t - group[0]!.t > RETURN_GROUP_S) flush();
    group.push(x);
  }
  flush();
  return steps;
}
