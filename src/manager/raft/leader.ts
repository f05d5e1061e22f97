// The leader: replicates its log (§5.3), commits by counting replicas of current-term entries
// (§5.4.2), sends heartbeats, and steps down when it has lost touch with a majority (CheckQuorum).

import { Progress } from "./progress.js";
import { quorumMatchIndex } from "./quorum.js";
import type { RaftState } from "./state.js";
import type { AppendEntriesResponse, RaftMessage } from "./types.js";

/**
 * Takes office: every follower starts in probe mode just past our last entry (§5.3: nextIndex
 * initialised to the leader's last log index + 1), and an empty entry of the new term is
 * appended, because entries of earlier terms may only be committed indirectly, through a
 * current-term entry (§5.4.2); without it a leader that receives no proposals would never learn
 * what is committed.
 */
export function becomeLeader<T>(r: RaftState<T>): void {
  if (r.role !== "candidate") throw new Error(`raft ${r.id}: only a candidate can become leader`);
  r.reset(r.term);
  r.role = "leader";
  r.leader = r.id;
  for (const id of r.others) r.progress.set(id, new Progress(r.log.lastIndex + 1, r.maxInflightMsgs));
  r.log.append([{ term: r.term, index: r.log.lastIndex + 1, data: null }]);
  maybeCommit(r);
  bcastAppend(r);
}

/** A proposal from the host; the caller has checked that we lead. */
export function appendProposal<T>(r: RaftState<T>, data: T): void {
  r.log.append([{ term: r.term, index: r.log.lastIndex + 1, data }]);
  // With a single voter the entry is on a majority the moment it is in our log.
  maybeCommit(r);
  bcastAppend(r);
}

/**
 * The leader's clock: a CheckQuorum round every electionTicks ticks and a heartbeat every
 * heartbeatTicks ticks.
 */
export function tickHeartbeat<T>(r: RaftState<T>): void {
  r.heartbeatElapsed++;
  r.electionElapsed++;
  if (r.electionElapsed >= r.electionTicks) {
    r.electionElapsed = 0;
    if (r.checkQuorum && !quorumActive(r)) {
      // A leader cut off from a majority cannot commit anything, yet clients (and the host's
      // control loops) would keep treating it as the leader; stepping down makes "no leader"
      // visible within one election timeout.
      r.becomeFollower(r.term, null);
      return;
    }
  }
  if (r.heartbeatElapsed >= r.heartbeatTicks) {
    r.heartbeatElapsed = 0;
    bcastHeartbeat(r);
  }
}

/** Messages of the leader's own term (the term rules in raft.ts ran first). */
export function stepLeader<T>(r: RaftState<T>, m: RaftMessage<T>): void {
  switch (m.type) {
    case "AppendEntries":
      throw new Error(`raft ${r.id}: leader of term ${r.term} received AppendEntries from ${m.from} of the same term`);
    case "AppendEntriesResponse":
      handleAppendResponse(r, m);
      return;
    default:
      // Late votes of the election we already won.
      return;
  }
}

function handleAppendResponse<T>(r: RaftState<T>, m: AppendEntriesResponse): void {
  const pr = progressOf(r, m.from);
  pr.recentActive = true;
  if (!m.success) {
    if (pr.maybeDecrTo(m.matchIndex)) sendAppend(r, m.from);
    return;
  }
  if (m.matchIndex > r.log.lastIndex) {
    throw new Error(`raft ${r.id}: ${m.from} claims to match index ${m.matchIndex} beyond our last ${r.log.lastIndex}`);
  }
  if (!pr.maybeUpdate(m.matchIndex)) return;
  if (pr.state === "probe") pr.becomeReplicate();
  if (maybeCommit(r)) {
    // Tell everyone at once rather than at the next heartbeat, so followers' stores (and the
    // host's view of them) do not trail the leader by a tick.
    bcastAppend(r);
  } else if (pr.next <= r.log.lastIndex) {
    sendAppend(r, m.from);
  }
}

/**
 * maybeCommit's list of match indexes, filled again at each call rather than made (it runs at
 * every append answer). One for the module is safe: it is filled and read within one call that
 * calls nothing else, whichever simulation of the thread makes it.
 */
const MATCHES: number[] = [];

/**
 * §5.3/§5.4.2: the highest index on a majority becomes committed, but only if it belongs to the
 * current term; earlier entries are then committed with it by the Log Matching property.
 */
export function maybeCommit<T>(r: RaftState<T>): boolean {
  const matches = MATCHES;
  matches.length = r.peers.length;
  for (let i = 0; i < r.peers.length; i++) {
    const id = r.peers[i]!;
    matches[i] = id === r.id ? r.log.lastIndex : progressOf(r, id).match;
  }
  const index = quorumMatchIndex(matches);
  if (index <= r.commitIndex || r.log.term(index) !== r.term) return false;
  r.commitIndex = index;
  return true;
}

export function bcastAppend<T>(r: RaftState<T>): void {
  for (const id of r.others) sendAppend(r, id);
}

/**
 * A heartbeat is an AppendEntries like any other (§5.2), so it also re-opens a paused probe and
 * carries whatever the follower has not been sent yet.
 */
function bcastHeartbeat<T>(r: RaftState<T>): void {
  for (const id of r.others) {
    progressOf(r, id).heartbeat();
    sendAppend(r, id);
  }
}

// SIMPLIFICATION: etcd sends separate MsgHeartbeat messages (no log check, commit capped at the
// follower's match) besides MsgApp. One message type is enough for the paper's algorithm and
// keeps the messages the network carries to four kinds.
// Each message carries at most maxEntriesPerMsg entries and maxBytesPerMsg bytes (but at least
// one entry, as etcd's limitSize); in replicate mode more follow at once, until the follower has
// them all or is paused (etcd's maybeSendAppend loop).
function sendAppend<T>(r: RaftState<T>, to: string): void {
  const pr = progressOf(r, to);
  do {
    if (pr.paused) return;
    const prevLogIndex = pr.next - 1;
    const prevLogTerm = r.log.term(prevLogIndex);
    if (prevLogTerm === undefined) {
      throw new Error(`raft ${r.id}: nextIndex ${pr.next} of ${to} is past our last index ${r.log.lastIndex}`);
    }
    const entries = r.log.slice(pr.next, lastToSend(r, pr.next, Math.min(r.log.lastIndex, prevLogIndex + r.maxEntriesPerMsg)) + 1);
    r.send({
      type: "AppendEntries", term: r.term, from: r.id, to,
      prevLogIndex, prevLogTerm, entries, leaderCommit: r.commitIndex,
    });
    pr.sentEntries(prevLogIndex + entries.length, entries.length);
  } while (pr.state === "replicate" && pr.next <= r.log.lastIndex);
}

/**
 * The last index of a message that starts at `next` and may go up to `last`: the longest run
 * within maxBytesPerMsg, and never less than one entry (etcd's limitSize). Found before the
 * entries are copied.
 */
function lastToSend<T>(r: RaftState<T>, next: number, last: number): number {
  const sizeOf = r.entryBytes;
  if (sizeOf === null || r.maxBytesPerMsg === Infinity) return last;
  let bytes = 0;
  for (let i = next; i <= last; i++) {
    bytes += sizeOf(r.log.at(i)!.data);
    if (bytes > r.maxBytesPerMsg && i > next) return i - 1;
  }
  return last;
}

/**
 * CheckQuorum: were a majority (counting ourselves) heard from in this window? Clears the marks
 * for the next window.
 */
function quorumActive<T>(r: RaftState<T>): boolean {
  let active = 1;
  for (const pr of r.progress.values()) {
    if (pr.recentActive) active++;
    pr.recentActive = false;
  }
  return active >= r.quorum;
}

function progressOf<T>(r: RaftState<T>, id: string): Progress {
  const pr = r.progress.get(id);
  if (pr === undefined) throw new Error(`raft ${r.id}: no progress for ${id}`);
  return pr;
}
