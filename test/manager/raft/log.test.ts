import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { RaftLog } from "../../../src/manager/raft/log.js";
import { Progress } from "../../../src/manager/raft/progress.js";
import { majority, quorumMatchIndex, voteResult } from "../../../src/manager/raft/quorum.js";
import { entriesOfTerms } from "./network.js";

const terms = (log: RaftLog<string>): number[] => log.slice(1).map((e) => e.term);

describe("RaftLog", () => {
  it("is 1-based, with term 0 at index 0 and nothing beyond the end", () => {
    const log = new RaftLog(entriesOfTerms([1, 1, 2]));
    expect([log.term(0), log.term(1), log.term(3), log.term(4)]).toEqual([0, 1, 2, undefined]);
    expect([log.lastIndex, log.lastTerm]).toEqual([3, 2]);
    expect([new RaftLog().lastIndex, new RaftLog().lastTerm]).toEqual([0, 0]);
  });

  it("refuses initial entries with gaps or decreasing terms", () => {
    expect(() => new RaftLog([{ term: 1, index: 2, data: "x" }])).toThrow(/expected index 1/);
    expect(() => new RaftLog(entriesOfTerms([2, 1]))).toThrow(/term/);
  });

  it("slices half-open ranges of 1-based indexes", () => {
    const log = new RaftLog(entriesOfTerms([1, 1, 2, 3]));
    expect(log.slice(2, 4).map((e) => e.index)).toEqual([2, 3]);
    expect(log.slice(3).map((e) => e.index)).toEqual([3, 4]);
    expect(log.slice(5)).toEqual([]);
    expect(log.slice(0).length).toBe(4);
  });

  // §5.4.1: compare last terms first, then lengths.
  it.each([
    { lastTerm: 3, lastIndex: 1, upToDate: true },  // later last term wins however short
    { lastTerm: 2, lastIndex: 3, upToDate: true },  // same term, same length
    { lastTerm: 2, lastIndex: 4, upToDate: true },  // same term, longer
    { lastTerm: 2, lastIndex: 2, upToDate: false }, // same term, shorter
    { lastTerm: 1, lastIndex: 9, upToDate: false }, // earlier last term loses however long
  ])("isUpToDate(lastIndex $lastIndex, lastTerm $lastTerm) = $upToDate against [1,1,2]", (c) => {
    const log = new RaftLog(entriesOfTerms([1, 1, 2]));
    expect(log.isUpToDate(c.lastIndex, c.lastTerm)).toBe(c.upToDate);
  });

  it.each([
    { incoming: [], conflict: 0 },
    { incoming: [[1, 1], [2, 2]], conflict: 0 },            // all present
    { incoming: [[2, 2], [3, 3]], conflict: 0 },
    { incoming: [[3, 3], [4, 4]], conflict: 4 },            // new entries start at 4
    { incoming: [[2, 2], [3, 4], [4, 4]], conflict: 3 },    // index 3 has another term
    { incoming: [[1, 4], [2, 4]], conflict: 1 },
  ])("findConflict finds the first missing or conflicting entry ($conflict)", (c) => {
    const log = new RaftLog(entriesOfTerms([1, 2, 3]));
    const incoming = c.incoming.map(([index, term]) => ({ index: index ?? 0, term: term ?? 0, data: "x" }));
    expect(log.findConflict(incoming)).toBe(c.conflict);
  });

  it.each([
    { index: 6, term: 5, expected: 6 },
    { index: 6, term: 4, expected: 4 },  // skips the term-5 entries at 5 and 6
    { index: 6, term: 2, expected: 3 },
    { index: 6, term: 1, expected: 1 },
    { index: 6, term: 0, expected: 0 },
    { index: 9, term: 9, expected: 6 },  // capped at the last index
  ])("findConflictByTerm($index, $term) = $expected on [1,2,2,4,5,5]", (c) => {
    const log = new RaftLog(entriesOfTerms([1, 2, 2, 4, 5, 5]));
    expect(log.findConflictByTerm(c.index, c.term)).toBe(c.expected);
  });

  it("appends only right after the last entry, and bumps its version", () => {
    const log = new RaftLog(entriesOfTerms([1]));
    const v = log.version;
    log.append([{ term: 1, index: 2, data: "b" }]);
    expect(log.version).toBeGreaterThan(v);
    expect(() => log.append([{ term: 1, index: 4, data: "d" }])).toThrow(/append at 4/);
    expect(() => log.append([{ term: 0, index: 3, data: "d" }])).toThrow(/cannot follow/);
    expect(log.lastIndex).toBe(2);
  });

  it("truncateAndAppend drops the conflicting suffix and keeps the prefix", () => {
    const log = new RaftLog(entriesOfTerms([1, 1, 2, 2]));
    log.truncateAndAppend([{ term: 3, index: 3, data: "new" }]);
    expect(terms(log)).toEqual([1, 1, 3]);
    expect(log.slice(3)[0]?.data).toBe("new");
    expect(() => log.truncateAndAppend([{ term: 3, index: 6, data: "gap" }])).toThrow(/truncate-and-append at 6/);
  });
});

describe("quorum", () => {
  it.each([[1, 1], [2, 2], [3, 2], [4, 3], [5, 3], [7, 4]])("majority of %i voters is %i", (n, q) => {
    expect(majority(n)).toBe(q);
  });

  it.each([
    { matches: [5], expected: 5 },
    { matches: [5, 3, 1], expected: 3 },
    { matches: [1, 5, 3], expected: 3 },
    { matches: [7, 7, 2, 2], expected: 2 },  // 4 voters need 3
    { matches: [9, 8, 1, 1, 1], expected: 1 },
    { matches: [9, 8, 7, 1, 1], expected: 7 },
  ])("quorumMatchIndex($matches) = $expected", ({ matches, expected }) => {
    expect(quorumMatchIndex(matches)).toBe(expected);
  });

  it("quorumMatchIndex is the majority-th match index sorted descending, for any voters' indexes", () => {
    fc.assert(
      fc.property(fc.array(fc.nat({ max: 20 }), { minLength: 1, maxLength: 9 }), (matches) => {
        const sorted = [...matches].sort((a, b) => b - a);
        expect(quorumMatchIndex(matches)).toBe(sorted[Math.floor(matches.length / 2)]);
      }),
      { numRuns: 2000 },
    );
  });

  it("a vote is won or lost by a majority of the voters, else pending", () => {
    const voters = ["a", "b", "c", "d", "e"];
    const tally = (entries: [string, boolean][]): string => voteResult(voters, new Map(entries));
    expect(tally([["a", true], ["b", true]])).toBe("pending");
    expect(tally([["a", true], ["b", true], ["c", true]])).toBe("won");
    expect(tally([["b", false], ["c", false], ["d", false]])).toBe("lost");
    expect(tally([["a", true], ["x", true], ["y", true]])).toBe("pending"); // non-voters do not count
  });
});

describe("Progress", () => {
  it("probes one message at a time and moves next back on a reject, never below match+1", () => {
    const pr = new Progress(11);
    pr.sentEntries(10, 0);
    expect(pr.paused).toBe(true);
    expect(pr.maybeDecrTo(6)).toBe(true);
    expect([pr.next, pr.paused]).toEqual([7, false]);
    pr.maybeUpdate(4);
    expect(pr.maybeDecrTo(2)).toBe(false); // hint below match: a stale reject
    expect(pr.next).toBe(7);
  });

  it("in replicate mode advances next optimistically and falls back to probe on a reject", () => {
    const pr = new Progress(5);
    pr.maybeUpdate(4);
    pr.becomeReplicate();
    pr.sentEntries(9, 5);
    expect([pr.state, pr.next, pr.paused]).toEqual(["replicate", 10, false]);
    pr.maybeDecrTo(6);
    expect([pr.state, pr.next]).toEqual(["probe", 7]);
  });

  it("in replicate mode pauses with maxInflight messages out; a success frees those it covers, a heartbeat the oldest", () => {
    const pr = new Progress(1, 3);
    pr.maybeUpdate(0);
    pr.becomeReplicate();
    pr.sentEntries(2, 2);
    pr.sentEntries(4, 2);
    expect(pr.paused).toBe(false);
    pr.sentEntries(6, 2);
    expect(pr.paused).toBe(true);
    pr.maybeUpdate(4); // covers the first two
    expect(pr.paused).toBe(false);
    pr.sentEntries(8, 2);
    pr.sentEntries(10, 2);
    expect(pr.paused).toBe(true);
    pr.heartbeat();
    expect(pr.paused).toBe(false);
    // An empty message (a heartbeat with nothing new) is not in flight.
    pr.sentEntries(10, 0);
    expect(pr.paused).toBe(false);
  });
});
