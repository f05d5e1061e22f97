// story.md's leader changes in a fault's span: each loss and election, and why a partition cost
// the swarm its leader (cut off in a minority, or deposed by a cut-off manager's higher term
// once it healed), as far as the event log tells it.

import type { FaultSummary } from "../metrics/rows.js";
import type { LoggedEvent, Step } from "./story-parts.js";

/** The shown leader changes of a span: each loss and election, the first few of a long run of them. */
const LEADER_STEPS = 6;

/** A leader lost this soon after a partition heals, to a higher term than the next one's, was deposed by it. */
const DEPOSED_WITHIN_S = 10;
/** A leader a partition names, lost this soon after it struck (an election timeout and more), stepped down for want of a quorum. */
const CUT_OFF_WITHIN_S = 30;

/** Every loss of the leader and every election in the span (after a partition heals there may be several). */
export function leadership(events: readonly LoggedEvent[], changes: readonly LoggedEvent[], heals: readonly LoggedEvent[], f: FaultSummary): Step[] {
  const shown = changes.length <= LEADER_STEPS ? changes : changes.slice(0, LEADER_STEPS - 2);
  const why = (x: LoggedEvent) => (x === changes[0] ? cutOff(x, f, events) : "") || deposed(x, changes, heals);
  const said = (x: LoggedEvent) => (x.e["leader"] === null ? `the swarm has no leader${why(x)}` : `${String(x.e["leader"])} is elected leader (term ${String(x.e["term"])})`);
  const steps = shown.map((x) => ({ t: x.t, text: said(x), ref: `events.jsonl:${x.line}` }));
  const last = changes[changes.length - 1];
  if (last && shown.length < changes.length) steps.push({ t: last.t, text: `after ${changes.length - shown.length - 1} more leader changes, ${said(last).replace(/^the swarm/, "the swarm again")}`, ref: `events.jsonl:${last.line}` });
  return steps;
}

/**
 * Why the leader was lost, when it is the span's first change, soon after a partition that
 * named the leader of the time: cut off from most of the managers, it stepped down (Raft's
 * CheckQuorum: a leader that has not heard from a majority for an election timeout). Had its
 * group held most of them, it would have stayed the leader. "" otherwise.
 */
function cutOff(loss: LoggedEvent, f: FaultSummary, events: readonly LoggedEvent[]): string {
  if (f.fault !== "partition" || loss.e["leader"] !== null || loss.t - f.t_s > CUT_OFF_WITHIN_S) return "";
  // The leader when the partition struck: the last elected before it.
  const leader = events.filter((x) => x.e["kind"] === "leader" && x.t < f.t_s).at(-1)?.e["leader"];
  if (typeof leader !== "string" || !(f.target ?? "").split(/[|+]/).includes(leader)) return "";
  return `: the partition cut ${leader}, the leader, off from most of the managers, and it stepped down (Raft's CheckQuorum)`;
}

/**
 * Why the leader was lost, when a partition healed just before and the next leader's term is
 * more than one above its own: a manager the partition cut off from the majority campaigned on
 * its own, raising its term, and once heard again its higher term makes the leader step down
 * (Raft: a node that sees a higher term reverts to follower). "" otherwise.
 */
function deposed(loss: LoggedEvent, changes: readonly LoggedEvent[], heals: readonly LoggedEvent[]): string {
  const heal = heals.filter((h) => h.t <= loss.t).at(-1);
  if (heal === undefined || loss.t - heal.t > DEPOSED_WITHIN_S || changes.some((c) => c.t >= heal.t && c.line < loss.line)) return "";
  const next = changes.find((c) => c.line > loss.line && c.e["leader"] !== null);
  const term = Number(loss.e["term"]);
  if (next === undefined || !(Number(next.e["term"]) > term + 1)) return "";
  return `: a manager the partition cut off campaigned on its own, and once heard again its higher term makes the leader of term ${term} step down (the next is elected in term ${String(next.e["term"])})`;
}
