// Tests of terms and leader election against the Raft paper (Ongaro & Ousterhout, "In Search of
// an Understandable Consensus Algorithm", extended version), after etcd's raft_paper_test.go.
// Each test names the section whose rule it checks.

import { describe, expect, it } from "vitest";
import { RaftNode } from "../../../src/manager/raft/index.js";
import type { RaftMessage } from "../../../src/manager/raft/index.js";
import {
  Network, entriesOfTerms, mulberry32, newNode, nodeIds, raftConfig, safetyViolations,
} from "./network.js";
import {
  appendEntries, appendResponse, elect, requestVote, sent, tickUntilCandidate, voteResponse,
} from "./messages.js";
import { chaosRun } from "./chaos.js";

const ids3 = nodeIds(3);

describe("§5.1 terms", () => {
  type Role = "follower" | "candidate" | "leader";
  const nodeInRole = (role: Role): RaftNode<string> => {
    // All three start at term 1: a follower restored at term 1, a candidate that campaigned
    // once, a leader elected once.
    if (role === "follower") return newNode("n1", ids3, {}, { term: 1, votedFor: null, entries: [] });
    const n = newNode("n1", ids3);
    if (role === "candidate") tickUntilCandidate(n);
    else elect(n, ids3);
    n.ready();
    return n;
  };
  const higherTerm: { name: string; msg: RaftMessage<string>; leader: string | null; votedFor: string | null }[] = [
    { name: "AppendEntries", msg: appendEntries("n2", "n1", 2, { index: 0, term: 0 }), leader: "n2", votedFor: null },
    { name: "RequestVote", msg: requestVote("n2", "n1", 2, 5, 5), leader: null, votedFor: "n2" },
    { name: "RequestVoteResponse", msg: voteResponse("n2", "n1", 2, false), leader: null, votedFor: null },
    { name: "AppendEntriesResponse", msg: appendResponse("n2", "n1", 2, false, 0), leader: null, votedFor: null },
  ];
  for (const role of ["follower", "candidate", "leader"] as const) {
    it.each(higherTerm)(`a ${role} that receives a later-term $name becomes a follower of that term`, (c) => {
      const n = nodeInRole(role);
      n.step(c.msg);
      expect({ role: n.role, term: n.term, leader: n.leader, votedFor: n.votedFor })
        .toEqual({ role: "follower", term: 2, leader: c.leader, votedFor: c.votedFor });
    });
  }

  it("rejects a stale-term AppendEntries, answering with its own term and leaving its log alone", () => {
    const n = newNode("n1", ids3, {}, { term: 3, votedFor: null, entries: entriesOfTerms([1, 2]) });
    n.step(appendEntries("n2", "n1", 2, { index: 2, term: 2 }, [{ term: 2, index: 3, data: "x" }], 2));
    expect(sent(n)).toEqual([appendResponse("n1", "n2", 3, false, 2)]);
    expect([n.lastIndex, n.commitIndex, n.leader, n.term]).toEqual([2, 0, null, 3]);
  });

  it("ignores a stale-term RequestVote: no vote, no reply", () => {
    const n = newNode("n1", ids3, {}, { term: 3, votedFor: null, entries: [] });
    n.step(requestVote("n2", "n1", 2, 10, 2));
    expect(n.votedFor).toBeNull();
    expect(n.hasReady()).toBe(false);
  });

  it("a leader ignores a stale-term acknowledgement, but counts the same one of its own term", () => {
    const n = newNode("n1", ids3, {}, { term: 2, votedFor: null, entries: [] });
    elect(n, ids3); // term 3, empty entry at index 1
    n.step(appendResponse("n2", "n1", 2, true, 1));
    expect(n.commitIndex).toBe(0);
    n.step(appendResponse("n2", "n1", 3, true, 1));
    expect(n.commitIndex).toBe(1);
  });
});

describe("§5.2 leader election", () => {
  it("a follower that hears nothing for an election timeout campaigns: new term, own vote, RequestVote to all", () => {
    const n = newNode("n1", ids3, { electionTicks: 10 });
    for (let t = 0; t < 9; t++) n.tick();
    expect([n.role, n.hasReady()]).toEqual(["follower", false]);
    n.tick();
    expect([n.role, n.term, n.votedFor]).toEqual(["candidate", 1, "n1"]);
    expect(sent(n)).toEqual([requestVote("n1", "n2", 1, 0, 0), requestVote("n1", "n3", 1, 0, 0)]);
  });

  it("an AppendEntries from the leader restarts the follower's election timer", () => {
    const n = newNode("n1", ids3, { electionTicks: 10 });
    for (let t = 0; t < 9; t++) n.tick();
    n.step(appendEntries("n2", "n1", 1, { index: 0, term: 0 }));
    for (let t = 0; t < 9; t++) n.tick();
    expect([n.role, n.leader]).toEqual(["follower", "n2"]);
    n.tick();
    expect([n.role, n.term]).toEqual(["candidate", 2]);
  });

  it.each([
    { size: 1, votes: {}, role: "leader" },
    { size: 3, votes: { n2: true, n3: true }, role: "leader" },
    { size: 3, votes: { n2: true }, role: "leader" },
    { size: 5, votes: { n2: true, n3: true, n4: true, n5: true }, role: "leader" },
    { size: 5, votes: { n2: true, n3: true }, role: "leader" },
    { size: 5, votes: { n2: true }, role: "candidate" },
    { size: 5, votes: { n2: true, n3: false, n4: false }, role: "candidate" },
    { size: 3, votes: { n2: false, n3: false }, role: "follower" },
    { size: 5, votes: { n2: false, n3: false, n4: false }, role: "follower" },
  ])("a candidate of $size voters with votes $votes ends up $role", ({ size, votes, role }) => {
    const ids = nodeIds(size);
    const n = newNode("n1", ids);
    tickUntilCandidate(n);
    for (const [from, granted] of Object.entries(votes)) n.step(voteResponse(from, "n1", 1, granted));
    expect(n.role).toBe(role);
    expect(n.term).toBe(1);
  });

  it("counts each voter once, however often its answer arrives", () => {
    const ids = nodeIds(5);
    const n = newNode("n1", ids);
    tickUntilCandidate(n);
    for (let i = 0; i < 3; i++) n.step(voteResponse("n2", "n1", 1, true));
    expect(n.role).toBe("candidate");
    n.step(voteResponse("n3", "n1", 1, true));
    expect(n.role).toBe("leader");
  });

  it("keeps a voter's first answer, as etcd does, if a contradicting one follows", () => {
    const n = newNode("n1", nodeIds(5));
    tickUntilCandidate(n);
    n.step(voteResponse("n2", "n1", 1, false));
    n.step(voteResponse("n2", "n1", 1, true));
    n.step(voteResponse("n3", "n1", 1, true));
    expect(n.role).toBe("candidate"); // n1 and n3 for, n2 against: 2 of the 3 needed
  });

  it.each([
    { votedFor: null, candidate: "n2", granted: true },
    { votedFor: null, candidate: "n3", granted: true },
    { votedFor: "n2", candidate: "n2", granted: true },  // a repeated request gets the same answer
    { votedFor: "n3", candidate: "n3", granted: true },
    { votedFor: "n2", candidate: "n3", granted: false }, // one vote per term
    { votedFor: "n3", candidate: "n2", granted: false },
  ])("a voter that voted for $votedFor answers $candidate with $granted (first come, first served)", (c) => {
    const n = newNode("n1", ids3, {}, { term: 1, votedFor: c.votedFor, entries: [] });
    n.step(requestVote(c.candidate, "n1", 1, 0, 0));
    expect(sent(n)).toEqual([voteResponse("n1", c.candidate, 1, c.granted)]);
    expect(n.votedFor).toBe(c.granted ? c.candidate : c.votedFor);
  });

  it("a candidate that hears from a leader of its own term becomes its follower", () => {
    const n = newNode("n1", ids3);
    tickUntilCandidate(n);
    n.ready();
    n.step(appendEntries("n2", "n1", 1, { index: 0, term: 0 }));
    expect([n.role, n.leader, n.term]).toEqual(["follower", "n2", 1]);
    expect(sent(n)).toEqual([appendResponse("n1", "n2", 1, true, 0)]);
  });

  it("a split vote leaves the candidate waiting; at its next timeout it campaigns in a later term", () => {
    const ids = nodeIds(4);
    const n = newNode("n1", ids, { electionTicks: 10 });
    tickUntilCandidate(n);
    n.step(voteResponse("n2", "n1", 1, true));
    n.step(voteResponse("n3", "n1", 1, false));
    n.step(voteResponse("n4", "n1", 1, false)); // 2 for, 2 against: nobody wins term 1
    n.ready();
    for (let t = 0; t < 9; t++) n.tick();
    expect([n.role, n.term]).toEqual(["candidate", 1]);
    n.tick();
    expect([n.role, n.term]).toEqual(["candidate", 2]);
    expect(sent(n).map((m) => [m.type, m.to, m.term])).toEqual([
      ["RequestVote", "n2", 2], ["RequestVote", "n3", 2], ["RequestVote", "n4", 2],
    ]);
  });

  it("without randomised timeouts simultaneous candidates split the vote forever; with them a leader emerges", () => {
    const fixed = Network.of(3, { electionTicks: 10, electionRandomTicks: 0 });
    fixed.tick(200);
    expect(fixed.leaderIds()).toEqual([]);
    expect(fixed.node("n1").term).toBe(20);
    const randomised = Network.of(3, { electionTicks: 10, electionRandomTicks: 10 });
    const ticks = randomised.tickUntil(() => randomised.leaderIds().length === 1, 200);
    expect(ticks).toBeLessThan(100);
  });

  it.each([
    { u: 0, timeout: 10 },
    { u: 0.5, timeout: 15 },
    { u: 0.9999, timeout: 19 },
  ])("the timeout is electionTicks + floor(random() * electionRandomTicks): $u -> $timeout", ({ u, timeout }) => {
    const n = new RaftNode<string>(raftConfig("n1", ids3, { electionTicks: 10, electionRandomTicks: 10 }), () => u);
    expect(tickUntilCandidate(n)).toBe(timeout);
  });

  it("draws every timeout in [electionTicks, electionTicks + electionRandomTicks), covering the range", () => {
    const random = mulberry32(42);
    const seen = new Set<number>();
    for (let i = 0; i < 500; i++) {
      seen.add(tickUntilCandidate(new RaftNode<string>(
        raftConfig("n1", ids3, { electionTicks: 10, electionRandomTicks: 10 }), random)));
    }
    expect([...seen].sort((a, b) => a - b)).toEqual([10, 11, 12, 13, 14, 15, 16, 17, 18, 19]);
    const fixed = new RaftNode<string>(raftConfig("n1", ids3, { electionTicks: 7, electionRandomTicks: 0 }), random);
    expect(tickUntilCandidate(fixed)).toBe(7);
  });

  it("re-draws the timeout at every reset (here, on becoming candidate)", () => {
    const draws = [0, 0.95];
    let i = 0;
    const n = new RaftNode<string>(raftConfig("n1", ids3, { electionTicks: 10, electionRandomTicks: 10 }),
      () => draws[Math.min(i++, draws.length - 1)] ?? 0);
    expect(tickUntilCandidate(n)).toBe(10);
    for (let t = 0; t < 18; t++) n.tick();
    expect(n.term).toBe(1);
    n.tick();
    expect(n.term).toBe(2);
  });

  it("refuses a random source outside [0, 1)", () => {
    expect(() => new RaftNode(raftConfig("n1", ids3, { electionRandomTicks: 10 }), () => 1)).toThrow(/random/);
  });

  it("a single-node cluster elects itself at its first election timeout and commits at once", () => {
    const n = newNode("n1", ["n1"], { electionTicks: 5 });
    for (let t = 0; t < 4; t++) n.tick();
    expect(n.role).toBe("follower");
    n.tick();
    expect([n.role, n.leader, n.term, n.commitIndex]).toEqual(["leader", "n1", 1, 1]);
    expect(n.propose("a")).toBe(true);
    expect(n.ready().committed.map((e) => e.data)).toEqual([null, "a"]);
  });

  it("elects at most one leader per term and never diverges, over many seeded runs with loss and partitions", () => {
    let elections = 0;
    for (let seed = 1; seed <= 30; seed++) {
      const net = chaosRun(seed);
      expect(safetyViolations(net), `seed ${seed}`).toEqual([]);
      elections += net.leaders.size;
    }
    expect(elections).toBeGreaterThan(60);
  });
});

describe("§5.4.1 election restriction", () => {
  it.each([
    { log: [1], cand: { index: 1, term: 1 }, granted: true },
    { log: [1], cand: { index: 2, term: 1 }, granted: true },
    { log: [1, 1], cand: { index: 1, term: 1 }, granted: false }, // same last term, shorter
    { log: [1], cand: { index: 1, term: 2 }, granted: true },    // later last term
    { log: [2], cand: { index: 1, term: 1 }, granted: false },   // earlier last term
    { log: [2], cand: { index: 5, term: 1 }, granted: false },   // however long
    { log: [1, 2], cand: { index: 2, term: 2 }, granted: true },
  ])("a voter with log terms $log answers a candidate at $cand with $granted", (c) => {
    const n = newNode("n1", ids3, {}, { term: 2, votedFor: null, entries: entriesOfTerms(c.log) });
    n.step(requestVote("n2", "n1", 3, c.cand.index, c.cand.term));
    expect(sent(n)).toEqual([voteResponse("n1", "n2", 3, c.granted)]);
    expect(n.term).toBe(3);
  });

  it("a node missing committed entries cannot win; one that has them does", () => {
    const net = Network.of(3, { electionTicks: 10, electionRandomTicks: 10 }, 5);
    net.tick(30, ["n1"]); // only n1's clock runs: it campaigns first and wins
    expect(net.leaderIds()).toEqual(["n1"]);
    net.isolate("n3");
    net.node("n1").propose("a");
    net.stabilize();
    expect(net.node("n2").commitIndex).toBe(2);
    net.recover();
    net.isolate("n1"); // the leader dies; n3 lacks entry 2, n2 has it
    tickUntilCandidate(net.node("n3"));
    net.stabilize();
    expect(net.node("n3").role).toBe("candidate");
    expect(net.node("n2").votedFor).toBeNull();
    net.tickUntil(() => net.node("n2").role === "leader", 500);
    net.tick(2);
    expect([...net.leaders.values()]).not.toContain("n3");
    expect(net.node("n3").leader).toBe("n2");
    expect(net.applied.get("n3")?.map((e) => e.data)).toEqual([null, "a", null]);
  });
});
