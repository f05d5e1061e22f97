// story.md: the incident narrative of a run, told from its outputs alone (summary.json,
// events.jsonl, timeseries.csv, nodes.csv) by rules that know nothing of any scenario. For each
// fault it follows the causal chain: the fault, the managers noticing it, the new tasks and
// where they went, autoscaler decisions, saturated nodes, failing health checks and OOM kills,
// the first failed requests, the first new task serving, and the outcome: recovery, or the loop
// that prevented it. Each step names the output line it comes from (file:line, 1-based, the
// header being line 1 of a CSV).

import { sloColumn, type FaultSummary } from "../metrics/rows.js";
import { HOT_CPU } from "../metrics/warnings.js";
import { byNumberedName, groupDigits, nameRanges, shortTarget } from "../metrics/fmt.js";
import { alreadyOutside, apiFailure, carriedOver, lostCount, OUTSIDE_FAULTS_RULE, outsideFaultsList, spansOf, stillOutside, updateOutcome } from "../metrics/faults-text.js";

import { fmt, healPhrase, healsByFault, list, isPartitionHeal, quantileMs, slowerThanSlo, statusChanges, windowOf, type LoggedEvent, type Step, type StoryInput } from "./story-parts.js";
import { backWithin, returned, tasksOver, tasksShort } from "./story-back.js";
import { leadership } from "./story-leaders.js";

export type { LoggedEvent, StoryInput } from "./story-parts.js";

/**
 * The faults story.md tells one by one. A run with more (an `every` schedule: a kill every 5 s
 * for a day is 17,279) has the rest summed up in one paragraph: each is in summary.json, and
 * telling them all took minutes (each fault's steps read the whole run's files).
 */
export const TOLD_FAULTS = 100;

export function storyMarkdown(input: StoryInput): string {
  const s = input.summary;
  const out = [`# What happened in ${s.scenario} (seed ${s.seed})`, ""];
  if (s.description) out.push(s.description.trim(), "");
  if (s.faults.length === 0) out.push("No fault or event was injected: see the summary for the run's figures.");
  const faultLines = input.events.filter((x) => x.e["kind"] === "fault");
  const changes = statusChanges(input.events);
  const spans = spansOf(s.faults);
  const heals = healsByFault(input.events, s.faults);
  s.faults.slice(0, TOLD_FAULTS).forEach((f, i) => {
    const { prev, next } = spans[i]!;
    const endT = next?.t_s ?? s.duration_s;
    out.push(`## ${i + 1}. ${f.fault} at t = ${f.t_s} s${f.target ? ` (${shortTarget(f.target)})` : ""}`, "");
    const shared = sameInstant(s.faults, spans[i]!.peers);
    if (shared !== "") out.push(shared, "");
    const steps = chain(input, f, endT, faultLines[i], changes, heals.get(f)!).sort((a, b) => a.t - b.t);
    for (const st of steps) out.push(`- **t = ${fmt(st.t)} s**: ${st.text} (${st.ref})`);
    out.push("", outcome(input, f, endT, prev), "");
  });
  if (s.faults.length > TOLD_FAULTS) out.push(untold(s.faults.slice(TOLD_FAULTS)), "");
  if (s.faults.length > 0) out.push(shortAtEnd(input), "");
  const outside = outsideFaultsList(s);
  if (outside.length > 0) out.push(`Outside the faults' disruptions (${OUTSIDE_FAULTS_RULE}), the SLO's verdict is not the whole run's: ${outside.join(", ")}.`, "");
  return out.join("\n").replace(/\n{3,}/g, "\n\n").trimEnd() + "\n";
}

/**
 * Faults of one instant share their span (metrics/faults.ts): said under each, as the steps and
 * the outcome that follow are the span's, the same under each ("" for a fault alone at its instant).
 */
function sameInstant(faults: readonly FaultSummary[], peers: readonly number[]): string {
  if (peers.length === 0) return "";
  const others = peers.map((k) => `${k + 1} (${faults[k]!.fault})`);
  return `At the same instant as fault${others.length > 1 ? "s" : ""} ${list(others)}: they share this span, so what follows is told under each of them (each one's end, if it has one, under it alone).`;
}

/** The faults past TOLD_FAULTS in one paragraph: how many of each kind, and how their spans ended. */
function untold(rest: readonly FaultSummary[]): string {
  const kinds = new Map<string, number>();
  for (const f of rest) kinds.set(f.fault, (kinds.get(f.fault) ?? 0) + 1);
  const count = (test: (f: FaultSummary) => boolean): number => rest.filter(test).length;
  const ended = [
    [count((f) => f.recovered_s === 0), "absorbed"],
    [count((f) => f.recovered_s !== null && f.recovered_s > 0), "recovered"],
    [count((f) => f.recovered_s === null), "not recovered when the next came or the run ended"],
  ].flatMap(([n, what]) => (n === 0 ? [] : [`${groupDigits(n as number)} ${what as string}`]));
  const first = TOLD_FAULTS + 1;
  return `## ${first} to ${groupDigits(TOLD_FAULTS + rest.length)}. ${groupDigits(rest.length)} more faults (${[...kinds].map(([k, n]) => `${k} ${groupDigits(n)}`).join(", ")}), from t = ${rest[0]!.t_s} s\n\nNot told one by one: summary.json's \`faults\` has each one's figures. Of them, ${ended.join(", ")}.`;
}

/**
 * The steps between a fault and the next at a later instant, in the order the rules find them
 * (sorted later). `fault`: its line in events.jsonl (the faults' lines are in their order);
 * `changes`: the node events that change a node's status.
 */
function chain(input: StoryInput, f: FaultSummary, endT: number, fault: LoggedEvent | undefined, changes: ReadonlySet<LoggedEvent>, heals: readonly LoggedEvent[]): Step[] {
  const ev = input.events.filter((x) => x.t >= f.t_s && x.t < endT);
  const of = (kind: string, test: (e: Record<string, unknown>) => boolean = () => true) => ev.filter((x) => x.e["kind"] === kind && test(x.e));
  const steps: Step[] = [];
  steps.push({ t: f.t_s, text: `${f.fault} ${f.target ? `hits ${shortTarget(f.target)}` : "starts"}`, ref: fault ? `events.jsonl:${fault.line}` : "summary.json" });
  // Its own end, told here however late it comes (as its nodes back READY are, in returned()).
  for (const h of heals) steps.push({ t: h.t, text: healPhrase(String(h.e["fault"]), h.e["target"] ? shortTarget(String(h.e["target"])) : ""), ref: `events.jsonl:${h.line}` });
  const leaders = of("leader");
  steps.push(...leadership(input.events, leaders, of("heal").filter(isPartitionHeal), f));
  const down = ev.filter((x) => x.e["kind"] === "node" && x.e["status"] === "down" && changes.has(x));
  steps.push(...nodeStatus(of("node"), leaders.filter((x) => x.e["leader"] !== null), down, f.t_s));
  steps.push(...returned(input.events, down));
  steps.push(...balancer(of("balancer"), f.t_s));
  // A verdict belongs to the span of its node's crash, though it may come after the next fault.
  // (Both times are whole microseconds in events.jsonl: their difference is rounded back to one.)
  const crashedAt = (x: LoggedEvent): number => Math.round((x.t - Number(x.e["after_s"])) * 1e6) / 1e6;
  steps.push(...declaredDead(input.events.filter((x) => x.e["kind"] === "memberlist" && x.e["state"] === "dead" && crashedAt(x) >= f.t_s && crashedAt(x) < endT)));
  steps.push(...autoscale(of("autoscale")));
  steps.push(...newTasks(ev, down));
  steps.push(...saturation(input, f.t_s, endT));
  steps.push(...killed(of("task", (e) => e["state"] === "failed" && /unhealthy/.test(String(e["reason"]))), "fails its health checks and is killed as unhealthy", "found unhealthy"));
  steps.push(...killed(of("task", (e) => e["state"] === "failed" && /OOM/.test(String(e["reason"]))), "is OOM-killed", "OOM-killed"));
  const rejected = of("task", (e) => e["state"] === "rejected");
  steps.push(...killed(rejected, `is rejected by its node's engine (${String(rejected[0]?.e["reason"])})`, "rejected", "tasks"));
  steps.push(...symptoms(input, f.t_s, endT));
  steps.push(...tasksShort(input, f.t_s, endT));
  steps.push(...tasksOver(input, f, endT, heals[0]?.t));
  steps.push(...backWithin(input, f));
  return steps;
}

/**
 * Nodes marked UNKNOWN (each new leader's dispatcher: until each re-registers), one step per
 * election, and DOWN: by missed heartbeats, or, for a node marked UNKNOWN first, because it
 * never re-registered.
 */
function nodeStatus(nodes: readonly LoggedEvent[], elections: readonly LoggedEvent[], down: readonly LoggedEvent[], faultT: number): Step[] {
  const steps: Step[] = [];
  const unknown = nodes.filter((x) => x.e["status"] === "unknown");
  // The marks of one leader: from its election to the next (those before any election in the span, with the first).
  const starts = elections.map((e) => e.t);
  const groups = new Map<number, LoggedEvent[]>();
  for (const u of unknown) {
    const i = Math.max(0, starts.filter((t) => t <= u.t).length - 1);
    groups.set(i, [...(groups.get(i) ?? []), u]);
  }
  for (const marks of groups.values()) {
    const first = marks[0]!;
    const names = new Set(marks.map((u) => String(u.e["node"])));
    const next = (u: LoggedEvent) => nodes.find((x) => x.t >= u.t && x !== u && x.e["node"] === u.e["node"]);
    const back = [...new Map(marks.map((u) => [String(u.e["node"]), next(u)])).values()].filter((x): x is LoggedEvent => x?.e["status"] === "ready").sort((a, b) => a.t - b.t);
    const ready = back.length > 0 ? `; ${back.length} are READY again by ${fmt(back[back.length - 1]!.t)} s` : "";
    steps.push({ t: first.t, text: `the new leader marks ${names.size} nodes UNKNOWN until they re-register${ready}`, ref: `events.jsonl:${first.line}` });
  }
  if (down.length > 0) {
    const names = down.map((d) => String(d.e["node"]));
    const last = down[down.length - 1]!;
    const more = down.length > 1 ? `; by ${fmt(last.t)} s also ${list(names.slice(1))}` : "";
    const why = unknown.some((u) => u.e["node"] === names[0] && u.t <= down[0]!.t) ? "it did not re-register with the new leader" : "missed heartbeats";
    steps.push({ t: down[0]!.t, text: `the managers mark ${names[0]} DOWN, ${fmt(down[0]!.t - faultT)} s after the fault (${why})${more}`, ref: `events.jsonl:${down[0]!.line}` });
  }
  return steps;
}

/**
 * A health-checking balancer's view of its nodes (workload[].entryHealthcheck): the nodes it took
 * out, or put in service, per workload, from the first of them. Until then it sent them new
 * connections (or none). A change the other way ends a group: a node out, back and out again is
 * two steps out.
 */
function balancer(changes: readonly LoggedEvent[], faultT: number): Step[] {
  const groups: LoggedEvent[][] = [];
  const open = new Map<string, LoggedEvent[]>();
  for (const c of changes) {
    const workload = String(c.e["workload"]);
    const state = String(c.e["state"]);
    open.delete(`${workload}\u0000${state === "out" ? "in" : "out"}`);
    const key = `${workload}\u0000${state}`;
    const g = open.get(key);
    if (g) g.push(c);
    else {
      open.set(key, [c]);
      groups.push(open.get(key)!);
    }
  }
  return groups.map((g) => {
    const first = g[0]!;
    const last = g[g.length - 1]!;
    const out = first.e["state"] === "out";
    const nodes = list(nameRanges([...new Set(g.map((c) => String(c.e["node"])))].sort(byNumberedName)).split(","));
    const until = last.t > first.t ? ` (the last at ${fmt(last.t)} s)` : "";
    const lb = `the load balancer of workload ${String(first.e["workload"])}`;
    const text = out
      ? `${lb} takes ${nodes} out, ${fmt(first.t - faultT)} s after the fault${until}: their probes failed, and until then it sent them new connections`
      : `${lb} puts ${nodes} in service${until}: their probes pass`;
    return { t: first.t, text, ref: `events.jsonl:${first.line}` };
  });
}

/**
 * Crashed nodes memberlist declared dead (the data plane's failure detector, not Swarm's
 * heartbeats): only then do the other nodes drop their tasks from their tables.
 */
function declaredDead(dead: readonly LoggedEvent[]): Step[] {
  const first = dead[0];
  if (first === undefined) return [];
  const last = dead[dead.length - 1]!;
  const names = [...new Set(dead.map((d) => String(d.e["node"])))].sort(byNumberedName);
  const until = last.t > first.t ? ` (the last at ${fmt(last.t)} s)` : "";
  const they = names.length === 1 ? "it" : "they";
  // Each node's verdict follows its own first probe (gossip.ts firstProbeUs): from the soonest to the latest.
  const afters = dead.map((d) => Number(d.e["after_s"]));
  const [soonest, latest] = [fmt(Math.min(...afters)), fmt(Math.max(...afters))];
  const after = soonest === latest ? soonest : `${soonest} to ${latest}`;
  const text = `memberlist declares ${list(nameRanges(names).split(","))} dead, ${after} s after ${they} crashed${until}: the other nodes drop ${names.length === 1 ? "its" : "their"} tasks, if any, from their load balancers' tables as the news spreads, and until then may route requests there`;
  return [{ t: first.t, text, ref: `events.jsonl:${first.line}` }];
}

/** The first window in which requests failed, and the first in which a p99 rose above its SLO. */
function symptoms(input: StoryInput, fromT: number, endT: number): Step[] {
  const interval = windowOf(input.timeseries);
  const inSpan = (r: { t_s: number }) => r.t_s > fromT && r.t_s <= endT;
  const steps: Step[] = [];
  // A service already failing before the fault (summary.json: not judged) is not its symptom.
  const failed = input.timeseries.findIndex((r) => inSpan(r) && r.errors > 0 && !already(input, fromT, r.service));
  if (failed >= 0) {
    const r = input.timeseries[failed]!;
    steps.push({ t: Math.max(fromT, r.t_s - interval), text: `requests fail: ${groupDigits(r.errors)} of ${r.service}'s in the window to ${r.t_s} s`, ref: `timeseries.csv:${failed + 2}` });
  }
  const slow = input.timeseries.findIndex((r) => {
    const slo = input.summary.services[r.service]?.slo;
    return inSpan(r) && slo !== undefined && slowerThanSlo(r, slo) && !already(input, fromT, r.service);
  });
  if (slow >= 0) {
    const r = input.timeseries[slow]!;
    const slo = input.summary.services[r.service]!.slo;
    const q = sloColumn(slo.percentile);
    steps.push({ t: Math.max(fromT, r.t_s - interval), text: `${r.service}'s ${q} rises to ${fmt(quantileMs(r, slo.percentile))} ms, above its ${slo.latency_ms} ms SLO (p${slo.percentile}), in the window to ${r.t_s} s`, ref: `timeseries.csv:${slow + 2}` });
  }
  return steps;
}

function autoscale(decisions: readonly LoggedEvent[]): Step[] {
  const steps = decisions.slice(0, 3).map((d) => ({
    t: d.t,
    text: `the autoscaler asks for ${String(d.e["to"])} replicas of ${String(d.e["service"])} (was ${String(d.e["from"])}; CPU ${Math.round(100 * Number(d.e["cpu"]))}% of the limit)`,
    ref: `events.jsonl:${d.line}`,
  }));
  const last = decisions[decisions.length - 1];
  if (decisions.length > 3 && last) steps.push({ t: last.t, text: `after ${decisions.length - 3} more decisions the autoscaler is at ${String(last.e["to"])}`, ref: `events.jsonl:${last.line}` });
  return steps;
}

/** New tasks (replacements and scale-ups), where they went, those placed on nodes not yet known dead, and the first to serve. */
function newTasks(ev: readonly LoggedEvent[], down: readonly LoggedEvent[]): Step[] {
  const created = ev.filter((x) => x.e["kind"] === "task" && x.e["state"] === "new");
  if (created.length === 0) return [];
  const ids = new Set(created.map((c) => String(c.e["task"])));
  const assigned = ev.filter((x) => x.e["kind"] === "task" && x.e["state"] === "assigned" && ids.has(String(x.e["task"])));
  const nodes = [...new Set(assigned.map((a) => String(a.e["node"])))];
  const where = nodes.length > 0 ? `, placed on ${list(nodes)}` : ", none placed yet";
  const steps: Step[] = [{ t: created[0]!.t, text: `the orchestrator creates new tasks: ${created.length} by the end of this span${perService(created)}${where}`, ref: `events.jsonl:${created[0]!.line}` }];
  const downAt = new Map(down.map((d) => [String(d.e["node"]), d.t]));
  const blind = assigned.filter((a) => (downAt.get(String(a.e["node"])) ?? -Infinity) > a.t);
  if (blind.length > 0) {
    const where = [...new Set(blind.map((b) => String(b.e["node"])))];
    steps.push({ t: blind[0]!.t, text: `${blind.length} of them ${blind.length === 1 ? "is" : "are"} placed on ${list(where)}, already lost (down or cut off) but not yet marked DOWN, and will have to be replaced again`, ref: `events.jsonl:${blind[0]!.line}` });
  }
  const running = ev.find((x) => x.e["kind"] === "task" && x.e["state"] === "running" && ids.has(String(x.e["task"])));
  if (running) steps.push({ t: running.t, text: `the first new task runs (${String(running.e["task"])} on ${String(running.e["node"])}), ${fmt(running.t - created[0]!.t)} s after the first was created`, ref: `events.jsonl:${running.line}` });
  return steps;
}

/** Nodes above 95% CPU in the span: when the first got there, and how long each stayed. */
function saturation(input: StoryInput, fromT: number, endT: number): Step[] {
  // A row covers the time since the rows before it (a window, or metrics.nodeInterval's several),
  // cut here to the span.
  const times = [...new Set(input.nodes.map((r) => r.t_s))];
  const startOf = new Map(times.map((t, i) => [t, i === 0 ? 0 : times[i - 1]!]));
  const rows = input.nodes.map((r, i) => ({ r, line: i + 2, from: Math.max(fromT, startOf.get(r.t_s)!) })).filter(({ r }) => r.t_s > fromT && r.t_s <= endT && r.cpu_util > HOT_CPU);
  if (rows.length === 0) return [];
  const byNode = new Map<string, number>();
  for (const { r, from } of rows) byNode.set(r.node, (byNode.get(r.node) ?? 0) + (r.t_s - from));
  const first = rows[0]!;
  // In all over the span: the terminal's warning names the longest stretch instead, with its bounds.
  // Nodes hot for what reads as the same time share one item ("a-1..a-8,b-1..b-8 for 20 s each"),
  // as the warnings do. A span that ends just after a row begins covers a sliver of it: "0 s"
  // would read as never.
  const seconds = (s: number): string => (fmt(s) === "0" ? "under 0.1 s" : `${fmt(s)} s`);
  const bySeconds = new Map<string, string[]>();
  for (const [n, s] of byNode) {
    const text = seconds(s);
    const same = bySeconds.get(text);
    if (same) same.push(n);
    else bySeconds.set(text, [n]);
  }
  const detail = [...bySeconds].map(([s, ns]) => `${nameRanges(ns)} for ${s}${ns.length > 1 ? " each" : ""}`).join(", ");
  return [{ t: first.from, text: `nodes run above 95% CPU, so every container on them, starting or serving, gets less; in all, ${detail}`, ref: `nodes.csv:${first.line}` }];
}

function killed(failed: readonly LoggedEvent[], one: string, many: string, noun = "containers"): Step[] {
  const first = failed[0];
  if (!first) return [];
  const more = failed.length > 1 ? `; ${failed.length} ${noun} are ${many} before the span ends${perService(failed)}` : "";
  return [{ t: first.t, text: `${String(first.e["task"])} on ${String(first.e["node"])} ${one}${more}`, ref: `events.jsonl:${first.line}` }];
}

/** How the span ended: recovered (and when, which service last), or the loop that kept it down. */
function outcome(input: StoryInput, f: FaultSummary, endT: number, prev: FaultSummary | undefined): string {
  const count = lostCount(f);
  const lost = f.requests_lost > 0 ? ` ${count} failed, counted at each service (one failing through two services counts twice).` : ` N${count.slice(1)} failed.`;
  const w = f.worst_window;
  const p99 = w?.p99_ms == null ? "nothing completed" : `p99 ${fmt(w.p99_ms)} ms`;
  const worst = w && f.recovered_s !== 0 ? ` The worst window ended at ${w.t_s} s: ${w.service} with ${p99} and ${w.errors} errors.` : "";
  // A rolling update's own outcome first: a rollback within the SLO is "absorbed" otherwise.
  const said = f.update !== undefined ? updateOutcome(f.update) : "";
  const api = apiFailure(f);
  const update = [said, api].filter((x) => x !== "").map((x) => `${x[0]!.toUpperCase()}${x.slice(1)}. `).join("");
  const already = alreadyOutside(f);
  if (f.recovered_s === 0 && already.text !== "") {
    const others = already.others ? "; no other service left its SLO" : "";
    return `${update}**Not judged**: ${already.text}${already.own !== "" ? ` (${already.own})` : ""}${others}.${lost}`;
  }
  if (f.recovered_s === 0) return `${update}**Absorbed**: no service left its SLO.${lost}`;
  const tasks = f.tasks_restored_s !== null && f.tasks_restored_s > 0 ? `, with every task back ${f.tasks_restored_s} s after it` : "";
  // Say they were not judged, and that their failures are not the fault's, as the terminal does.
  const notJudged = already.text !== "" ? ` Not judged: ${already.text}${already.own !== "" ? ` (${already.own})` : ""}.` : "";
  // A breach the fault before left: counted here, but not caused here.
  const carried = carriedOver(prev, f);
  const inherited = carried !== "" ? ` When it struck, ${carried}: that breach is counted here, but was not caused here.` : "";
  if (f.recovered_s !== null) return `${update}**Recovered** ${f.recovered_s} s after the fault (${f.last_to_recover} last)${tasks}.${inherited}${notJudged}${lost}${worst}`;
  const ended = endT === input.summary.duration_s ? "**Never recovered** before the run ended" : "**Not recovered** when the next fault came";
  return `${update}${ended}: ${stillOutside(f)}.${inherited}${notJudged}${lost}${worst}${loop(input, f.t_s, endT)}`;
}

/**
 * After the last fault's outcome: the services that end the run short of their desired tasks,
 * with what keeps the others from running (the last reason a task of it was left pending). A
 * recovery within the SLO says nothing of tasks that never found a node.
 */
function shortAtEnd(input: StoryInput): string {
  const short = Object.entries(input.summary.services).filter(([, s]) => s.tasks_running < s.tasks_desired);
  if (short.length === 0) return "";
  const said = short.map(([name, s]) => {
    const why = [...input.events].reverse().find((x) => x.e["kind"] === "task" && x.e["service"] === name && x.e["state"] === "pending" && x.e["reason"] != null);
    const parts = [...(s.tasks_starting > 0 ? [`${s.tasks_starting} starting`] : []), ...(s.tasks_pending > 0 ? [`${s.tasks_pending} pending${why ? `: ${String(why.e["reason"])} (events.jsonl:${why.line})` : ""}`] : [])];
    return `${name} runs ${s.tasks_running} of its ${s.tasks_desired} desired tasks${parts.length > 0 ? `, ${parts.join(", ")}` : ""}`;
  });
  return `At the end of the run ${said.join("; ")}.`;
}

/** The loop that prevented recovery, from what kept happening in the span's last third. */
function loop(input: StoryInput, fromT: number, endT: number): string {
  const lateT = endT - (endT - fromT) / 3;
  const ev = input.events.filter((x) => x.t >= fromT && x.t < endT && x.e["kind"] === "task");
  const starts = ev.filter((x) => x.e["state"] === "starting");
  // Of those starts: a task that started before the span and runs in it is not one of them.
  const started = new Set(starts.map((x) => String(x.e["task"])));
  const ran = ev.filter((x) => x.e["state"] === "running" && started.has(String(x.e["task"])));
  const late = ev.filter((x) => x.t >= lateT && x.e["state"] === "failed");
  const unhealthy = late.filter((x) => /unhealthy/.test(String(x.e["reason"])));
  const oom = late.filter((x) => /OOM/.test(String(x.e["reason"])));
  const refused = ev.filter((x) => x.t >= lateT && x.e["state"] === "rejected");
  const hot = input.nodes.some((r) => r.t_s > lateT && r.t_s <= endT && r.cpu_util > HOT_CPU);
  const parts: string[] = [];
  const counted = (xs: readonly LoggedEvent[]) => `${xs.length}${byService(xs) === "" ? "" : `: ${byService(xs)}`}`;
  if (unhealthy.length > 0) parts.push(`containers were still failing their health checks in the last third of it (${counted(unhealthy)})`);
  if (oom.length > 0) parts.push(`containers were still OOM-killed (${counted(oom)})`);
  if (refused.length > 0) parts.push(`tasks were still rejected by their nodes' engines (${counted(refused)})`);
  // A start's last state in the span: running (it served), starting (still, at the span's end), or an end while starting.
  const lastOf = new Map(ev.filter((x) => started.has(String(x.e["task"]))).map((x) => [String(x.e["task"]), String(x.e["state"])]));
  const servedTasks = new Set(ran.map((x) => String(x.e["task"])));
  const killedStarting = starts.filter((x) => !servedTasks.has(String(x.e["task"])) && lastOf.get(String(x.e["task"])) !== "starting");
  if (killedStarting.length > 0) {
    const each = servicesOf(starts).length < 2 ? "" : ` (${servicesOf(starts).map((sv) => `${sv} ${ran.filter((x) => x.e["service"] === sv).length} of ${starts.filter((x) => x.e["service"] === sv).length}`).join(", ")})`;
    const still = starts.length - ran.length - killedStarting.length;
    const stillText = still > 0 ? `, ${still} still starting when it ended` : "";
    parts.push(`of ${starts.length} container starts ${ran.length === 0 ? "none" : `only ${ran.length}`} ever served${each}: ${killedStarting.length} were killed while starting${stillText}, and each replacement started over`);
  }
  if (hot) parts.push("nodes stayed above 95% CPU, so starting and serving containers kept starving each other");
  return parts.length === 0 ? "" : ` The loop that kept it down: ${parts.join("; ")}.`;
}

/** The services of task events, in the order each first appears. */
function servicesOf(events: readonly LoggedEvent[]): string[] {
  return [...new Set(events.map((x) => String(x.e["service"])))];
}

/**
 * How many of the task events counted are each service's, as "web 300, api 24", when they are of
 * more than one ("" otherwise): a count of every service's starts beside one service's outcome
 * read as its own.
 */
function byService(events: readonly LoggedEvent[]): string {
  const services = servicesOf(events);
  if (services.length < 2) return "";
  return services.map((sv) => `${sv} ${events.filter((x) => String(x.e["service"]) === sv).length}`).join(", ");
}

/** byService in brackets after a count: " (web 300, api 24)", or "". */
function perService(events: readonly LoggedEvent[]): string {
  const each = byService(events);
  return each === "" ? "" : ` (${each})`;
}

/** The fault found the service already outside its SLO (summary.json says so). */
function already(input: StoryInput, faultT: number, service: string): boolean {
  return input.summary.faults.find((f) => f.t_s === faultT)?.services[service]?.already_unhealthy === true;
}
