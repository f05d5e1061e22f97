// Majority arithmetic, kept apart from the node so the rules of §5.2 (votes) and §5.3 (commit)
// read as what they are: counting over the voters.

import type { NodeId } from "./types.js";

/** floor(n/2)+1: any two majorities of the same voters share at least one member. */
export function majority(voters: number): number {
  return Math.floor(voters / 2) + 1;
}

/**
 * The highest index stored on a majority, given each voter's match index (the leader's own last
 * index included). Sorting descending, the majority-th value is held by at least that many voters.
 */
export function quorumMatchIndex(matchIndexes: readonly number[]): number {
  const sorted = [...matchIndexes].sort((a, b) => b - a);
  return sorted[majority(matchIndexes.length) - 1] ?? 0;
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
