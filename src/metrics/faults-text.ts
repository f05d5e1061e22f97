// Faults in words, from summary.json's figures (faults.ts computes them): what the terminal,
// story.md and report.html say of a fault's course, in one place so that they say it alike.

import { groupDigits, round1, sloShareText } from "./fmt.js";
import type { FaultSummary, Summary } from "./rows.js";
import { DEMAND_FAULTS } from "./faults.js";

/**
 * The services a fault found already outside their SLO (not judged by it), in words, or "" when
 * none: "web already outside its SLO before it". A fault that no other service felt
 * is not "absorbed" then: the requests those services kept losing count in its losses.
 */
export function alreadyOutside(f: FaultSummary): { text: string; others: boolean; own: string } {
  const already = Object.entries(f.services).filter(([, s]) => s.already_unhealthy);
  const names = already.map(([name]) => name);
  if (names.length === 0) return { text: "", others: true, own: "" };
  const text = `${names.join(", ")} already outside ${names.length === 1 ? "its" : "their"} SLO before it`;
  const lost = already.reduce((n, [, s]) => n + s.requests_lost, 0);
  // Their failures are their own: left out of the fault's requests_lost, and said so.
  const own = lost === 0 ? "" : `${names.length === 1 ? "its" : "their"} ${groupDigits(lost)} failed request${lost === 1 ? "" : "s"} since are not counted as the fault's`;
  return { text, others: names.length < Object.keys(f.services).length, own };
}

/**
 * The fault's failed requests as a count, "2,881 requests" or "no request": "other" ones beside a
 * service already outside its SLO, whose own failures are not counted (alreadyOutside; walkthrough:
 * "not judged; its 2,452 failed requests since are not counted as the fault's), no request lost"
 * read as a contradiction).
 */
export function lostCount(f: FaultSummary): string {
  const other = alreadyOutside(f).text !== "" ? "other " : "";
  const n = f.requests_lost;
  return n === 0 ? `no ${other}request` : `${groupDigits(n)} ${other}request${n === 1 ? "" : "s"}`;
}

/** A fault's neighbours (spansOf). */
export interface FaultSpanOf {
  /** The last fault at an earlier instant, whose breach it may carry over. */
  prev: FaultSummary | undefined;
  /** The first fault at a later instant, where its span ends (none: the run's end). */
  next: FaultSummary | undefined;
  /** The indices of the other faults of its instant, which share its span. */
  peers: number[];
}

/** Each fault's neighbours, in one pass. Faults of one instant share their span (faults.ts). */
export function spansOf(faults: readonly FaultSummary[]): FaultSpanOf[] {
  const out: FaultSpanOf[] = [];
  let prev: FaultSummary | undefined;
  for (let i = 0; i < faults.length; ) {
    let j = i;
    while (j < faults.length && faults[j]!.t_s === faults[i]!.t_s) j++;
    for (let k = i; k < j; k++) out.push({ prev, next: faults[j], peers: Array.from({ length: j - i }, (_, n) => i + n).filter((n) => n !== k) });
    prev = faults[j - 1];
    i = j;
  }
  return out;
}

/**
 * The services still outside their SLO from the fault before when this one struck (in the last
 * window that ended before it), in words, or "": their recovery is counted in this fault's,
 * though this fault did not cause their breach. "edge still outside its SLO from the loadSpike at 300 s".
 */
export function carriedOver(prev: FaultSummary | undefined, f: FaultSummary): string {
  if (!prev) return "";
  const names = Object.keys(f.services).filter((name) => f.services[name]!.carried_over);
  if (names.length === 0) return "";
  return `${names.join(", ")} still outside ${names.length === 1 ? "its" : "their"} SLO from the ${prev.fault} at ${prev.t_s} s`;
}

/**
 * What was still not back when a span ended: "web was still outside its SLO", or, when the
 * leader was last, "the swarm was without a leader in its last window": recovery needs a leader
 * all through a window (faults.ts), and a leader elected a moment before the span ended does
 * not make one; "still had no leader" said so of a swarm that had one again (a review, thirty-seventh session).
 */
export function stillOutside(f: FaultSummary): string {
  if (f.last_to_recover === "leader") return "the swarm was without a leader in its last window";
  return `${f.last_to_recover ?? "the cluster"} was still outside its SLO`;
}

/**
 * An API call the fault made that failed, in words, or "": without a leader nothing changed; a
 * call that timed out may still take effect, as in Swarm.
 */
export function apiFailure(f: FaultSummary): string {
  if (f.api_error === undefined) return "";
  if (f.api_error === "context deadline exceeded") return `its API call timed out (${f.api_error}): the change may still have been made`;
  return `its API call failed (${f.api_error}): nothing changed`;
}

/** A rolling update's outcome, which its SLO alone does not tell (a rollback can be "absorbed"). */
export function updateOutcome(u: FaultSummary["update"]): string {
  if (!u) return "the update never started";
  const after = `after ${round1(u.t_s)} s`;
  switch (u.state) {
    case "updating":
      return "the update was still under way at the end";
    case "rollback_started":
      return `rolling back since ${round1(u.t_s)} s, not done at the end`;
    case "superseded":
      return `replaced by the next rollingUpdate after ${round1(u.t_s)} s, still under way`;
    case "rollback_completed":
      return `rolled back ${after}`;
    case "rollback_paused":
      return `rollback paused ${after}`;
    default:
      return `update ${u.state} ${after}`;
  }
}

/** How the SLO outside the faults' disruptions is judged, as the terminal and story.md say it. */
export const OUTSIDE_FAULTS_RULE = "each fault's windows until the service recovered left out, all the rest of the run when it never did, a load spike's never; plan --recover-within judges it with the recovery times";

/**
 * The services whose SLO verdict outside the faults' disruptions (summary.json's
 * slo.outside_faults, what `plan --recover-within` judges) differs from the whole run's, in the
 * scenario's order: the verdict ("met", or "met before the loadSpike at 300 s, from which it
 * never recovered") and the share within ("99.80%"); none when the run had no fault. The
 * terminal, story.md and report.html each word them from here.
 */
export function outsideFaultsVerdicts(summary: Summary): { service: string; verdict: string; within: string }[] {
  const differ = Object.entries(summary.services).filter(([, s]) => s.desired_reached && s.slo.outside_faults?.met != null && s.slo.outside_faults.met !== s.slo.met);
  return differ.map(([name, s]) => {
    const never = neverBack(summary.faults, name);
    const where = never === undefined ? "" : ` before the ${never.fault} at ${never.t_s} s, from which it never recovered`;
    return { service: name, verdict: `${s.slo.outside_faults!.met ? "met" : "MISSED"}${where}`, within: `${sloShareText(s.slo.outside_faults!.attained, s.slo.outside_faults!.met, s.slo.percentile)}%` };
  });
}

/**
 * The fault from which `service` never recovered, or undefined: the first of the run's last
 * faults that each ended with it still outside its SLO, not already outside before them. A
 * fault it was still outside from when the next came, and then recovered in that one's span,
 * is not it (the breach carried over and ended). A service never back has the rest of the run
 * left out: its verdict is on the windows before that fault. A load spike's windows are judged,
 * so its own non-recovery leaves nothing out and it is never the one named.
 */
function neverBack(faults: readonly FaultSummary[], service: string): FaultSummary | undefined {
  let never: FaultSummary | undefined;
  for (let i = faults.length - 1; i >= 0; i--) {
    const s = faults[i]!.services[service];
    if (s === undefined || s.recovered_s !== null || s.already_unhealthy) break;
    if (!DEMAND_FAULTS.has(faults[i]!.fault)) never = faults[i];
  }
  return never;
}

/** outsideFaultsVerdicts as the terminal and story.md list them: "shop met (99.80% within)". */
export function outsideFaultsList(summary: Summary): string[] {
  return outsideFaultsVerdicts(summary).map((v) => `${v.service} ${v.verdict} (${v.within} within)`);
}
