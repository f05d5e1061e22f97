// Majority arithmetic, kept apart from the node so the rules of §5.2 (votes) and §5.3 (commit)
// read as what they are: counting over the voters.

import type { NodeId } from "./types.js";

/** floor(n/2)+1: any two majorities of the same voters share at least one member. */
export function majority(voters: number): number {
  return Math.floor(voters / 2) + 1;
}

/**
 * The highest index stored on a majority, given each voter's match index (the leader's own last
 * index included; indexes are never negative): the largest value that at least a majority of the
 * values reach, which is the majority-th of them sorted descending. Found by counting rather than
 * by sorting a copy: a leader asks at every append answer (a million times in a 20,000-node
 * deployment and zone failure), and the copies were 0.2 GB of garbage; voters are a handful.
 */
export function quorumMatchIndex(matchIndexes: readonly number[]): number {
  const needed = majority(matchIndexes.length);
  let best = 0;
  for (const v of matchIndexes) {
    if (v <= best) continue;
    let reached = 0;
    for (const w of matchIndexes) if (w >= v) reached++;
    if (reached >= needed) best = v;
  }
  return best;
}

export type VoteResult = "won" | "lost" | "pending";

/**
 * Tally of an election. A candidate also gives up once a majority has refused (etcd does the
 * same): it can no longer win this term, and as a follower it may vote for someone who can.
 */
export function voteResult(voters: readonly NodeId[], votes: ReadonlyMap<NodeId, boolean>): VoteResult {
  let granted = 0;
  let rejected = 0;
  for (const id of voters) {
    const vote = votes.get(id);
    if (vote === true) granted++;
    else if (vote === false) rejected++;
  }
  const needed = majority(voters.length);
  if (granted >= needed) return "won";
  if (rejected >= needed) return "lost";
  return "pending";
}
