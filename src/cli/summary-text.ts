import { sloColumn, type FaultSummary, type ServiceSummary, type Summary } from "../metrics/rows.js";
import { groupDigits, round1, shortTarget, sloShareText } from "../metrics/fmt.js";
import { warnings, type NodeCpuWatch } from "../metrics/warnings.js";
import { alreadyOutside, apiFailure, carriedOver, lostCount, OUTSIDE_FAULTS_RULE, outsideFaultsList, spansOf, updateOutcome } from "../metrics/faults-text.js";
import { textTable } from "../report/text-table.js";

/**
 * The short human summary printed after a run: per service what users saw and what the cluster
 * went through, each fault's course, and warnings in words for what a table hides. `shown`: the
 * notes already printed before the run (each is said once on the terminal).
 */
export function summaryText(summary: Summary, cpu: NodeCpuWatch, outDir: string | null, wallS: number, shown: readonly string[] = []): string {
  const lines: string[] = [];
  const speed = wallS > 0 ? `${Math.round(summary.duration_s / wallS)}x real time` : "";
  lines.push(`${summary.scenario} (seed ${summary.seed}): ${summary.duration_s} s simulated in ${wallS.toFixed(2)} s (${speed}), ${groupDigits(summary.events)} events`);
  const header = ["service", "requests", "errors", "timeouts", "rejected", "p50 ms", "p99 ms", "max ms", "SLO", "restarts", "OOM", "unhealthy", "pending"];
  const rows = Object.entries(summary.services).map(([name, s]) => [
    name,
    String(s.arrivals),
    String(s.errors),
    String(s.timeouts),
    String(s.rejected),
    s.latency_ms?.p50.toFixed(1) ?? "-",
    s.latency_ms?.p99.toFixed(1) ?? "-",
    s.latency_ms?.max.toFixed(1) ?? "-",
    sloText(s),
    String(s.restarts),
    String(s.oom_kills),
    String(s.unhealthy),
    String(s.tasks_pending),
  ]);
  lines.push(...textTable([header, ...rows]));
  const unreached = Object.values(summary.services).some((s) => s.desired_reached && s.slo.met === null) ? "; SLO - : no request reached the service" : "";
  // A missed SLO beside a latency within it: the failed requests missed it.
  const byErrors = Object.values(summary.services).some(missedByErrors) ? "; the SLO counts a failed request as a miss, so a service whose completed requests are within it can still miss it" : "";
  lines.push(`(timeouts and rejected are included in errors; latencies are of completed requests; restarts, OOM and unhealthy are counts over the run; pending is at the end${unreached}${byErrors})`);
  const outside = outsideFaultsText(summary);
  if (outside !== "") lines.push(outside);
  const peak = cpu.peak;
  if (peak && peak.cpu_util > 0) lines.push(`peak CPU: ${(peak.cpu_util * 100).toFixed(1)}% on ${peak.node} from ${peak.fromS} s to ${peak.t_s} s`);
  if (summary.elections > 0) lines.push(`leader elections: ${summary.elections}`);
  const spans = spansOf(summary.faults);
  summary.faults.forEach((f, i) => lines.push(faultText(f, spans[i]!.prev, spans[i]!.next === undefined, sharing(summary.faults, spans[i]!.peers))));
  lines.push(...warnings(summary, cpu).map((w) => `warning: ${w}`));
  for (const note of summary.notes) if (!shown.includes(note)) lines.push(`note: ${note}`);
  if (outDir) lines.push(`outputs: ${outDir}`);
  return lines.join("\n");
}

/** The SLO outside the faults' disruptions, when some service's verdict there differs from the whole run's, or "". */
function outsideFaultsText(summary: Summary): string {
  const said = outsideFaultsList(summary);
  if (said.length === 0) return "";
  return `SLO outside the faults' disruptions (${OUTSIDE_FAULTS_RULE}): ${said.join(", ")}`;
}

/** Missed its SLO though its completed requests' latency at the SLO percentile is within it. */
function missedByErrors(s: ServiceSummary): boolean {
  if (s.slo.met !== false || s.errors === 0 || s.latency_ms === null) return false;
  return s.latency_ms[sloColumn(s.slo.percentile)] <= s.slo.latency_ms;
}

function sloText(s: ServiceSummary): string {
  const target = `p${s.slo.percentile} <= ${s.slo.latency_ms} ms`;
  if (!s.desired_reached) return `not judged (${target}): never ran all its tasks`;
  if (s.slo.met === null) return `- (${target})`;
  return `${s.slo.met ? "met" : "MISSED"} (${target}: ${sloShareText(s.slo.attained, s.slo.met, s.slo.percentile)}% within)`;
}

/** "5 s", or "5 s (the last after 7.4 s)" when its nodes' verdicts came apart (walkthrough: 5.03 to 7.43 s read "5 s"). */
function memberlistSpan(firstS: number, lastS: number | null): string {
  const first = round1(firstS);
  const last = typeof lastS === "number" ? round1(lastS) : first; // a summary.json of an earlier version has none
  return last === first ? `${first} s` : `${first} s (the last after ${last} s)`;
}

/**
 * ", its span shared with the drain at 120 s" for a fault whose instant has others (`peers`: their
 * recovery, tasks and losses are the shared span's, the same on each line), or "".
 */
function sharing(faults: readonly FaultSummary[], peers: readonly number[]): string {
  if (peers.length === 0) return "";
  return `, its span shared with the ${peers.map((k) => faults[k]!.fault).join(" and the ")} at ${faults[peers[0]!]!.t_s} s`;
}

/** One line per fault: when it was noticed, when the tasks and the service levels came back, and what it cost. */
function faultText(f: FaultSummary, prev: FaultSummary | undefined, last: boolean, shared: string): string {
  const parts = [`fault ${f.fault} at ${f.t_s} s${f.target ? ` (${shortTarget(f.target)})` : ""}${shared}:`];
  if (f.update !== undefined) parts.push(`${updateOutcome(f.update)},`);
  if (f.api_error !== undefined) parts.push(`${apiFailure(f)},`);
  // The data plane's own verdict (as a rule before the managers'): until then the routing mesh still sends the nodes their share.
  if (f.memberlist_dead_s !== null) parts.push(`declared dead by memberlist after ${memberlistSpan(f.memberlist_dead_s, f.memberlist_last_dead_s)},`);
  if (f.detected_s !== null) parts.push(`detected after ${round1(f.detected_s)} s (${f.detected_by}),`);
  // An election noticed it first: the DOWN that starts the replacements comes later (the new leader waits out the heartbeats).
  if (f.down_s !== null && f.down_s !== f.detected_s) parts.push(`first node DOWN after ${round1(f.down_s)} s,`);
  if (f.tasks_restored_s === null) parts.push(last ? "tasks never all back," : "tasks not all back when the next fault came,");
  else if (f.tasks_restored_s > 0) parts.push(`tasks restored after ${f.tasks_restored_s} s,`);
  // A service already outside its SLO before the fault is not judged by it (faults.ts): say so,
  // or "absorbed" would stand beside the requests that service kept losing.
  const already = alreadyOutside(f);
  // A breach the fault before left is counted in this one's recovery: say whose it was.
  const carried = carriedOver(prev, f);
  if (carried !== "") parts.push(`${carried},`);
  if (f.recovered_s === null) parts.push(`${last ? "never recovered" : "not recovered when the next fault came"}${f.last_to_recover ? ` (${f.last_to_recover})` : ""},`);
  else if (f.recovered_s === 0 && already.text === "") parts.push("absorbed (no service left its SLO),");
  else if (f.recovered_s !== 0) parts.push(`recovered after ${f.recovered_s} s (${f.last_to_recover} last),`);
  if (already.text !== "") parts.push(`${already.text} (not judged${already.own !== "" ? `; ${already.own}` : ""}),`);
  if (f.recovered_s === 0 && already.text !== "" && already.others) parts.push("no other service left its SLO,");
  const w = f.worst_window;
  const p99 = w?.p99_ms == null ? "nothing completed" : `p99 ${w.p99_ms.toFixed(1)} ms`;
  const worst = f.recovered_s !== 0 && w ? `; worst window ending ${w.t_s} s: ${w.service} ${p99}, ${w.errors} errors` : "";
  parts.push(`${lostCount(f)} lost${f.requests_lost === 0 ? "" : ", counted at each service (one failing through two services counts twice)"}${worst}`);
  return parts.join(" ");
}
