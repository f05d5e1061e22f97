// A follower answers the leader (§5.3) and otherwise waits; tickElection (election.ts) is what
// ends its patience.

import type { RaftState } from "./state.js";
import type { AppendEntries, RaftMessage } from "./types.js";

/** Messages of the follower's own term (the term rules in raft.ts ran first). */
export function stepFollower<T>(r: RaftState<T>, m: RaftMessage<T>): void {
  if (m.type !== "AppendEntries") {
    // Vote replies and append replies of our own term are late answers to a candidacy or a
    // leadership we have already left: nothing to do.
    return;
  }
  if (r.leader !== null && r.leader !== m.from) {
    // Election Safety (§5.2, Figure 3) says this cannot happen; if it does, the run is invalid.
    throw new Error(`raft ${r.id}: two leaders in term ${r.term}: ${r.leader} and ${m.from}`);
  }
  r.leader = m.from;
  r.resetElectionTimer();
  handleAppendEntries(r, m);
}

/**
 * The AppendEntries receiver rules of Figure 2: reject unless our log holds prevLogIndex with
 * prevLogTerm; otherwise drop conflicting entries, append the new ones and advance the commit
 * index to what the message proves we share with the leader.
 */
export function handleAppendEntries<T>(r: RaftState<T>, m: AppendEntries<T>): void {
  if (m.prevLogIndex < r.commitIndex) {
    // Everything up to our commit index already matches the leader's log (Log Matching), so a
    // message this old carries nothing we may act on; tell the leader where we are instead (etcd
    // does the same). Acting on it could only risk truncating committed entries.
    reply(r, m, true, r.commitIndex);
    return;
  }
  if (!r.log.matchTerm(m.prevLogIndex, m.prevLogTerm)) {
    const hint = r.log.findConflictByTerm(Math.min(m.prevLogIndex - 1, r.log.lastIndex), m.prevLogTerm);
    reply(r, m, false, hint);
    return;
  }
  const conflict = r.log.findConflict(m.entries);
  if (conflict !== 0) {
    if (conflict <= r.commitIndex) {
      throw new Error(`raft ${r.id}: leader ${m.from} would overwrite committed entry ${conflict}`);
    }
    r.log.truncateAndAppend(m.entries.slice(conflict - m.prevLogIndex - 1));
  }
  const lastNewIndex = m.prevLogIndex + m.entries.length;
  // Only up to lastNewIndex: beyond it our log may still hold entries of a deposed leader.
  const commit = Math.min(m.leaderCommit, lastNewIndex);
  if (commit > r.commitIndex) r.commitIndex = commit;
  reply(r, m, true, lastNewIndex);
}

function reply<T>(r: RaftState<T>, m: AppendEntries<T>, success: boolean, matchIndex: number): void {
  r.send({ type: "AppendEntriesResponse", term: r.term, from: r.id, to: m.from, success, matchIndex });
}
