// Message builders and small drivers shared by the Raft tests, so each test states only what it
// checks.

import { expect } from "vitest";
import type {
  AppendEntries, AppendEntriesResponse, Entry, RaftMessage, RaftNode, RequestVote, RequestVoteResponse,
} from "../../../src/manager/raft/index.js";

export function appendEntries<T = string>(
  from: string, to: string, term: number,
  prev: { index: number; term: number }, entries: Entry<T>[] = [], leaderCommit = 0,
): AppendEntries<T> {
  return {
    type: "AppendEntries", term, from, to,
    prevLogIndex: prev.index, prevLogTerm: prev.term, entries, leaderCommit,
  };
}

export function appendResponse(
  from: string, to: string, term: number, success: boolean, matchIndex: number,
): AppendEntriesResponse {
  return { type: "AppendEntriesResponse", term, from, to, success, matchIndex };
}

export function requestVote(
  from: string, to: string, term: number, lastLogIndex: number, lastLogTerm: number,
): RequestVote {
  return { type: "RequestVote", term, from, to, lastLogIndex, lastLogTerm };
}

export function voteResponse(from: string, to: string, term: number, voteGranted: boolean): RequestVoteResponse {
  return { type: "RequestVoteResponse", term, from, to, voteGranted };
}

/** Ticks a follower until it campaigns (fixed or random timeout), at most 1000 ticks. */
export function tickUntilCandidate<T>(n: RaftNode<T>): number {
  for (let t = 1; t <= 1000; t++) {
    n.tick();
    if (n.role !== "follower") return t;
  }
  throw new Error(`${n.id} never campaigned`);
}

/** Makes `n` leader by timing it out and granting it every peer's vote. */
export function elect<T>(n: RaftNode<T>, peers: readonly string[]): void {
  tickUntilCandidate(n);
  for (const p of peers) {
    if (p !== n.id && n.role === "candidate") n.step(voteResponse(p, n.id, n.term, true));
  }
  expect(n.role).toBe("leader");
}

/** The messages in a node's next Ready (which is consumed). */
export function sent<T>(n: RaftNode<T>): RaftMessage<T>[] {
  return n.ready().messages;
}

/** Terms of a node's whole log. */
export function logTerms<T>(n: RaftNode<T>): number[] {
  return n.entriesFrom(1).map((e) => e.term);
}
