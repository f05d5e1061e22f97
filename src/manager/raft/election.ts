// Leader election (§5.2) with the election restriction (§5.4.1): the follower's and candidate's
// clock, the campaign, the voter's rule and the candidate's tally.

// SIMPLIFICATION: etcd can run a pre-vote round (§9.6 of Ongaro's thesis) so that a node that
// was partitioned away does not bump everyone's term when it returns. We model Swarm's setting,
// CheckQuorum without pre-vote; CheckQuorum's lease (the term rules in raft.ts) is what limits
// that disruption here.

import { handleAppendEntries } from "./follower.js";
import { becomeLeader } from "./leader.js";
import { voteResult } from "./quorum.js";
import type { RaftState } from "./state.js";
import type { RaftMessage, RequestVote } from "./types.js";

/** Followers and candidates: campaign once the randomised election timeout has passed. */
export function tickElection<T>(r: RaftState<T>): void {
  r.electionElapsed++;
  if (r.electionElapsed >= r.randomizedElectionTimeout) campaign(r);
}

/**
 * §5.2: increment the term, vote for ourselves, ask every other voter. A candidate whose
 * election times out campaigns again in a new term, which is how split votes are resolved.
 */
export function campaign<T>(r: RaftState<T>): void {
  r.becomeCandidate();
  if (voteResult(r.peers, r.votes) === "won") {
    // A single voter is a majority of one.
    becomeLeader(r);
    return;
  }
  for (const to of r.others) {
    r.send({
      type: "RequestVote", term: r.term, from: r.id, to,
      lastLogIndex: r.log.lastIndex, lastLogTerm: r.log.lastTerm,
    });
  }
}

/**
 * The RequestVote receiver rule of Figure 2, for a request of our own term: at most one vote per
 * term, first come first served (§5.2), and only for a log at least as up-to-date as ours (§5.4.1).
 * A node that already knows this term's leader refuses too, as in etcd: it can only be a
 * candidate that has not heard of the leader yet.
 */
export function handleRequestVote<T>(r: RaftState<T>, m: RequestVote): void {
  const canVote = r.votedFor === m.from || (r.votedFor === null && r.leader === null);
  const voteGranted = canVote && r.log.isUpToDate(m.lastLogIndex, m.lastLogTerm);
  if (voteGranted) {
    r.votedFor = m.from;
    // Granting a vote is hearing from a likely leader: do not compete with it right away.
    r.resetElectionTimer();
  }
  r.send({ type: "RequestVoteResponse", term: r.term, from: r.id, to: m.from, voteGranted });
}

/** Messages of the candidate's own term (the term rules in raft.ts ran first). */
export function stepCandidate<T>(r: RaftState<T>, m: RaftMessage<T>): void {
  switch (m.type) {
    case "AppendEntries":
      // §5.2: another candidate won this term; recognise it and take its entries.
      r.becomeFollower(r.term, m.from);
      handleAppendEntries(r, m);
      return;
    case "RequestVoteResponse": {
      // Only the first answer of each voter counts: a duplicated message must not count twice.
      if (!r.votes.has(m.from)) r.votes.set(m.from, m.voteGranted);
      const result = voteResult(r.peers, r.votes);
      if (result === "won") becomeLeader(r);
      else if (result === "lost") r.becomeFollower(r.term, null);
      return;
    }
    default:
      return;
  }
}
