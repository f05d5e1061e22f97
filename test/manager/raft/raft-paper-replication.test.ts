// Tests of log replication and commitment against the Raft paper (Ongaro & Ousterhout, "In
// Search of an Understandable Consensus Algorithm", extended version), after etcd's
// raft_paper_test.go. Each test names the section whose rule it checks.

import { describe, expect, it } from "vitest";
import { RaftNode, type AppendEntries } from "../../../src/manager/raft/index.js";
import { Network, entriesOfTerms, newNode, nodeIds, safetyViolations } from "./network.js";
import {
  appendEntries, appendResponse, elect, logTerms, sent, tickUntilCandidate, voteResponse,
} from "./messages.js";

const ids3 = nodeIds(3);

describe("§5.3 log replication", () => {
  it("the leader sends a heartbeat (an AppendEntries without new entries) every heartbeatTicks", () => {
    const n = newNode("n1", ids3, { heartbeatTicks: 2 });
    elect(n, ids3);
    for (const p of ["n2", "n3"]) n.step(appendResponse(p, "n1", 1, true, 1));
    n.ready();
    n.tick();
    expect(n.hasReady()).toBe(false);
    n.tick();
    const beats = sent(n);
    expect(beats).toEqual(["n2", "n3"].map((to) => appendEntries("n1", to, 1, { index: 1, term: 1 }, [], 1)));
  });

  it.each([
    { size: 1, acks: [], committed: true },
    { size: 3, acks: [], committed: false },
    { size: 3, acks: ["n2"], committed: true },
    { size: 5, acks: ["n2"], committed: false },
    { size: 5, acks: ["n2", "n3"], committed: true },
    { size: 5, acks: ["n2", "n3", "n4", "n5"], committed: true },
  ])("of $size voters, with acknowledgements from $acks, the entry is committed: $committed", (c) => {
    const ids = nodeIds(c.size);
    const n = newNode("n1", ids);
    elect(n, ids);
    expect(n.propose("x")).toBe(true);
    for (const p of c.acks) n.step(appendResponse(p, "n1", 1, true, 2));
    expect(n.commitIndex).toBe(c.committed ? 2 : 0);
    expect(n.ready().committed.map((e) => e.data)).toEqual(c.committed ? [null, "x"] : []);
  });

  it("replicates proposals to every follower, which all apply them in the same order", () => {
    const net = Network.of(3, { electionRandomTicks: 10 });
    net.tickUntil(() => net.leaderIds().length === 1);
    const leader = net.node(net.leaderIds()[0] ?? "");
    for (const d of ["a", "b", "c"]) leader.propose(d);
    net.stabilize();
    for (const id of ids3) {
      expect(net.applied.get(id)?.map((e) => e.data), id).toEqual([null, "a", "b", "c"]);
      expect(net.node(id).entriesFrom(1)).toEqual(leader.entriesFrom(1));
    }
  });

  it("with etcd's flow control (2 entries a message, 3 in flight) a follower 20 entries behind gets them all, 2 at a time", () => {
    const net = Network.of(3, { electionRandomTicks: 10, maxEntriesPerMsg: 2, maxInflightMsgs: 3 });
    net.tickUntil(() => net.leaderIds().length === 1);
    const leader = net.node(net.leaderIds()[0] ?? "");
    const lagging = ids3.find((id) => id !== leader.id)!;
    net.isolate(lagging);
    for (let i = 0; i < 20; i++) leader.propose(`p${i}`);
    net.stabilize();
    expect(net.applied.get(lagging)?.length ?? 0).toBeLessThan(2);
    net.recover();
    net.tick(5);
    net.stabilize();
    for (const id of ids3) expect(net.applied.get(id)?.map((e) => e.data)).toEqual([null, ...Array.from({ length: 20 }, (_, i) => `p${i}`)]);
    const appends = net.delivered.filter((m) => m.type === "AppendEntries");
    expect(Math.max(...appends.map((m) => (m.type === "AppendEntries" ? m.entries.length : 0)))).toBe(2);
  });

  it("with etcd's MaxSizePerMsg (10 bytes) a lagging follower gets entries up to 10 bytes a message, and one larger entry alone", () => {
    const net = Network.of(3, { electionRandomTicks: 10, maxBytesPerMsg: 10 });
    net.tickUntil(() => net.leaderIds().length === 1);
    const leader = net.node(net.leaderIds()[0] ?? "");
    const lagging = ids3.find((id) => id !== leader.id)!;
    net.isolate(lagging);
    const data = ["aaaa", "bbbb", "cc", "dddddddddddddddd", "e", "ffffffffff"];
    for (const d of data) leader.propose(d);
    net.stabilize();
    net.recover();
    net.delivered.length = 0;
    net.tick(5);
    net.stabilize();
    for (const id of ids3) expect(net.applied.get(id)?.map((e) => e.data)).toEqual([null, ...data]);
    const sent = net.delivered.filter((m) => m.type === "AppendEntries" && m.to === lagging && m.entries.length > 0);
    expect(sent.map((m) => (m.type === "AppendEntries" ? m.entries.map((e) => e.data) : []))).toEqual([
      ["aaaa", "bbbb", "cc"], ["dddddddddddddddd"], ["e"], ["ffffffffff"],
    ]);
  });

  it("a byte limit needs a size for entries, and must be positive", () => {
    const config = { id: "n1", peers: ids3, electionTicks: 10, electionRandomTicks: 0, heartbeatTicks: 1, checkQuorum: false };
    expect(() => new RaftNode<string>({ ...config, maxBytesPerMsg: 100 }, () => 0.5)).toThrow(/maxBytesPerMsg needs entryBytes/);
    expect(() => new RaftNode<string>({ ...config, maxBytesPerMsg: 0, entryBytes: () => 1 }, () => 0.5)).toThrow(/maxBytesPerMsg must be > 0/);
  });

  it("flow control limits below one are refused (an append of no entries would never move next on)", () => {
    expect(() => newNode("n1", ids3, { maxEntriesPerMsg: 0 })).toThrow(/maxEntriesPerMsg must be an integer >= 1/);
    expect(() => newNode("n1", ids3, { maxInflightMsgs: 0.5 })).toThrow(/maxInflightMsgs must be an integer >= 1/);
  });

  it("a follower commits up to leaderCommit, but never past what the message proved it shares", () => {
    const n = newNode("n2", ids3, {}, { term: 1, votedFor: null, entries: entriesOfTerms([1, 1, 1, 1]) });
    n.step(appendEntries("n1", "n2", 1, { index: 1, term: 1 }, entriesOfTerms([1, 1]).slice(1), 4));
    expect(n.commitIndex).toBe(2); // entries 3 and 4 were not vouched for by this message
    expect(n.ready().committed.map((e) => e.index)).toEqual([1, 2]);
    n.step(appendEntries("n1", "n2", 1, { index: 4, term: 1 }, [], 4));
    expect(n.commitIndex).toBe(4);
    expect(n.ready().committed.map((e) => e.index)).toEqual([3, 4]);
  });

  it.each([
    { prev: { index: 0, term: 0 }, success: true, matchIndex: 0 },
    { prev: { index: 1, term: 1 }, success: true, matchIndex: 1 },
    { prev: { index: 2, term: 2 }, success: true, matchIndex: 2 },
    { prev: { index: 2, term: 1 }, success: false, matchIndex: 1 }, // wrong term at 2
    { prev: { index: 3, term: 3 }, success: false, matchIndex: 2 }, // nothing at 3
  ])("a follower with log [1,2] answers prev $prev with success $success", (c) => {
    const n = newNode("n2", ids3, {}, { term: 2, votedFor: null, entries: entriesOfTerms([1, 2]) });
    n.step(appendEntries("n1", "n2", 2, c.prev));
    expect(sent(n)).toEqual([appendResponse("n2", "n1", 2, c.success, c.matchIndex)]);
  });

  it.each([
    { prev: { index: 2, term: 2 }, entries: [[3, 3]], terms: [1, 2, 3] },
    { prev: { index: 1, term: 1 }, entries: [[2, 3], [3, 4]], terms: [1, 3, 4] },
    { prev: { index: 0, term: 0 }, entries: [[1, 1]], terms: [1, 2] },  // already there: keep the rest
    { prev: { index: 0, term: 0 }, entries: [[1, 3]], terms: [3] },
  ])("a follower with log [1,2] given $entries after $prev ends with terms $terms", (c) => {
    const n = newNode("n2", ids3, {}, { term: 2, votedFor: null, entries: entriesOfTerms([1, 2]) });
    const entries = c.entries.map(([index, term]) => ({ index: index ?? 0, term: term ?? 0, data: "new" }));
    n.step(appendEntries("n1", "n2", 4, c.prev, entries));
    expect(logTerms(n)).toEqual(c.terms);
    expect(n.ready().mustPersist).toBe(true); // term 4 is new in every case
  });

  it("a delayed AppendEntries does not cut off entries a later one appended", () => {
    const n = newNode("n2", ids3, {}, { term: 1, votedFor: null, entries: [] });
    const old = appendEntries("n1", "n2", 1, { index: 0, term: 0 }, entriesOfTerms([1]));
    n.step(appendEntries("n1", "n2", 1, { index: 0, term: 0 }, entriesOfTerms([1, 1, 1])));
    n.step(old);
    expect(n.lastIndex).toBe(3);
    expect(sent(n).at(-1)).toEqual(appendResponse("n2", "n1", 1, true, 1));
  });

  // Figure 7: the leader of term 8 and six possible follower logs, some missing entries, some
  // with extra uncommitted ones, some both. The leader must bring each to its own log.
  const leaderLog = [1, 1, 1, 4, 4, 5, 5, 6, 6, 6];
  it.each([
    { name: "(a) missing one", log: [1, 1, 1, 4, 4, 5, 5, 6, 6] },
    { name: "(b) missing many", log: [1, 1, 1, 4] },
    { name: "(c) one extra", log: [1, 1, 1, 4, 4, 5, 5, 6, 6, 6, 6] },
    { name: "(d) extra of a later term", log: [1, 1, 1, 4, 4, 5, 5, 6, 6, 6, 7, 7] },
    { name: "(e) missing and extra", log: [1, 1, 1, 4, 4, 4, 4] },
    { name: "(f) many extra of other terms", log: [1, 1, 1, 2, 2, 2, 3, 3, 3, 3, 3] },
  ])("Figure 7 $name: the leader repairs the follower's log to its own", ({ log }) => {
    const leader = newNode("n1", ids3, {}, { term: 7, votedFor: null, entries: entriesOfTerms(leaderLog) });
    const follower = newNode("n2", ids3, {}, { term: 7, votedFor: null, entries: entriesOfTerms(log) });
    const net = new Network([leader, follower]); // n3 exists only as a voter that grants its vote
    net.tick(10, ["n1"]);
    net.send(voteResponse("n3", "n1", 8, true));
    expect([leader.role, leader.term]).toEqual(["leader", 8]);
    expect(follower.entriesFrom(1)).toEqual(leader.entriesFrom(1));
    expect([follower.commitIndex, leader.commitIndex]).toEqual([11, 11]);
  });

  it("a leader cut off with a minority cannot commit; the majority's leader overwrites its entry", () => {
    const net = Network.of(5, { electionRandomTicks: 10 }, 3);
    net.tickUntil(() => net.leaderIds().length === 1);
    const old = net.leaderIds()[0] ?? "";
    const buddy = old === "n1" ? "n2" : "n1";
    net.partition([old, buddy], nodeIds(5).filter((id) => id !== old && id !== buddy));
    expect(net.node(old).propose("lost")).toBe(true);
    const lostIndex = net.node(old).lastIndex;
    net.tickUntil(() => net.leaderIds().length === 2, 100);
    const fresh = net.leaderIds().find((id) => id !== old) ?? "";
    net.node(fresh).propose("kept");
    net.tick(30);
    expect(net.node(old).commitIndex).toBeLessThan(lostIndex);
    expect(net.node(old).role).toBe("leader"); // without CheckQuorum it never finds out
    net.recover();
    net.tickUntil(() => [...net.applied.values()].every((a) => a.some((e) => e.data === "kept")), 100);
    for (const id of nodeIds(5)) {
      expect(net.node(id).entriesFrom(1).map((e) => e.data), id).not.toContain("lost");
    }
    expect(net.node(old).role).toBe("follower");
    expect(safetyViolations(net)).toEqual([]);
  });

  it("propose is refused by followers and candidates", () => {
    const n = newNode("n1", ids3);
    expect(n.propose("x")).toBe(false);
    tickUntilCandidate(n);
    expect(n.propose("x")).toBe(false);
    expect(n.lastIndex).toBe(0);
  });
});

describe("§5.4.2 committing entries from previous terms", () => {
  it("a new leader appends an empty entry of its term, marked by null data", () => {
    const n = newNode("n1", ids3, {}, { term: 2, votedFor: null, entries: entriesOfTerms([1, 2]) });
    elect(n, ids3);
    expect(n.entriesFrom(3)).toEqual([{ term: 3, index: 3, data: null }]);
    const probes = sent(n).filter((m): m is AppendEntries<string> => m.type === "AppendEntries");
    // Followers' positions are unknown yet: the first probe checks the entry before the new one
    // and carries it.
    expect(probes.map((m) => [m.to, m.prevLogIndex, m.entries.map((e) => e.data)]))
      .toEqual([["n2", 2, [null]], ["n3", 2, [null]]]);
  });

  it("an earlier-term entry on a majority is not committed by counting; it commits with a current-term entry", () => {
    const n = newNode("n1", ids3, {}, { term: 2, votedFor: null, entries: entriesOfTerms([1, 2]) });
    elect(n, ids3); // term 3; its empty entry is index 3
    n.ready();
    n.step(appendResponse("n2", "n1", 3, true, 2));
    expect(n.commitIndex).toBe(0);
    expect(n.ready().committed).toEqual([]);
    n.step(appendResponse("n2", "n1", 3, true, 3));
    expect(n.commitIndex).toBe(3);
    expect(n.ready().committed.map((e) => [e.index, e.term])).toEqual([[1, 1], [2, 2], [3, 3]]);
  });
});
