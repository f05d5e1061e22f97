// The contract between RaftNode and its host: what Ready reports and when, restarting from
// persistent state, determinism, and refusing misuse.

import { describe, expect, it } from "vitest";
import { RaftNode } from "../../../src/manager/raft/index.js";
import type { RaftConfig, RaftMessage } from "../../../src/manager/raft/index.js";
import { chaosRun } from "./chaos.js";
import { Network, entriesOfTerms, mulberry32, newNode, nodeIds, raftConfig, safetyViolations } from "./network.js";
import {
  appendEntries, appendResponse, elect, requestVote, tickUntilCandidate, voteResponse,
} from "./messages.js";

const ids3 = nodeIds(3);

describe("Ready", () => {
  it("hands out each committed entry exactly once, in log order", () => {
    const n = newNode("n1", ["n1"]);
    tickUntilCandidate(n);
    expect(n.ready().committed.map((e) => e.index)).toEqual([1]);
    n.propose("a");
    n.propose("b");
    expect(n.ready().committed.map((e) => [e.index, e.data])).toEqual([[2, "a"], [3, "b"]]);
    expect(n.ready().committed).toEqual([]);
    expect(n.hasReady()).toBe(false);
  });

  it("every node of a long faulty run applied 1, 2, 3... once each, the same entries everywhere", () => {
    const net = chaosRun(99);
    expect(safetyViolations(net)).toEqual([]);
    const counts = [...net.applied.values()].map((a) => a.length);
    expect(new Set(counts).size).toBe(1);
    expect(counts[0]).toBeGreaterThan(50);
  });

  type Case = { name: string; setup: () => RaftNode<string>; act: (n: RaftNode<string>) => void; mustPersist: boolean };
  const follower = (): RaftNode<string> => {
    const n = newNode("n2", ids3, {}, { term: 1, votedFor: null, entries: entriesOfTerms([1]) });
    n.step(appendEntries("n1", "n2", 1, { index: 1, term: 1 }));
    n.ready();
    return n;
  };
  const leader = (): RaftNode<string> => {
    const n = newNode("n1", ids3);
    elect(n, ids3);
    n.ready();
    return n;
  };
  it.each<Case>([
    { name: "campaigning (term and vote)", setup: () => newNode("n1", ids3), act: (n) => { tickUntilCandidate(n); }, mustPersist: true },
    { name: "granting a vote in the current term", setup: () => newNode("n2", ids3, {}, { term: 1, votedFor: null, entries: [] }),
      act: (n) => n.step(requestVote("n3", "n2", 1, 0, 0)), mustPersist: true },
    { name: "refusing a vote", setup: follower, act: (n) => n.step(requestVote("n3", "n2", 1, 0, 0)), mustPersist: false },
    { name: "an empty heartbeat", setup: follower, act: (n) => n.step(appendEntries("n1", "n2", 1, { index: 1, term: 1 }, [], 1)), mustPersist: false },
    { name: "receiving entries", setup: follower,
      act: (n) => n.step(appendEntries("n1", "n2", 1, { index: 1, term: 1 }, [{ term: 1, index: 2, data: "x" }])), mustPersist: true },
    { name: "a heartbeat of a later term", setup: follower, act: (n) => n.step(appendEntries("n1", "n2", 2, { index: 1, term: 1 })), mustPersist: true },
    { name: "a proposal", setup: leader, act: (n) => { n.propose("x"); }, mustPersist: true },
    { name: "acknowledgements that commit", setup: leader,
      act: (n) => n.step(appendResponse("n2", "n1", 1, true, 1)), mustPersist: false },
    { name: "sending heartbeats", setup: leader, act: (n) => n.tick(), mustPersist: false },
  ])("mustPersist after $name: $mustPersist", ({ setup, act, mustPersist }) => {
    const n = setup();
    act(n);
    expect(n.hasReady()).toBe(true);
    expect(n.ready().mustPersist).toBe(mustPersist);
    expect(n.hasReady()).toBe(false);
  });

  it("reports softState only when role, leader or term changed", () => {
    const n = newNode("n1", ids3);
    tickUntilCandidate(n);
    expect(n.ready().softState).toEqual({ role: "candidate", leader: null, term: 1 });
    n.step(voteResponse("n2", "n1", 1, false));
    expect(n.hasReady()).toBe(false);
    n.step(voteResponse("n3", "n1", 1, true));
    expect(n.ready().softState).toEqual({ role: "leader", leader: "n1", term: 1 });
    n.tick();
    expect(n.ready().softState).toBeUndefined();
  });

  it("reports softState when only the leader changed: a follower hears from its term's leader", () => {
    const n = newNode("n1", ids3);
    n.step(requestVote("n2", "n1", 2, 0, 0)); // a vote in term 2, its leader not yet known
    expect(n.ready().softState).toEqual({ role: "follower", leader: null, term: 2 });
    n.step(appendEntries("n2", "n1", 2, { index: 0, term: 0 }));
    expect(n.hasReady()).toBe(true);
    expect(n.ready().softState).toEqual({ role: "follower", leader: "n2", term: 2 });
  });

  it("has nothing ready before any input, and nothing after a refused proposal", () => {
    const n = newNode("n1", ids3);
    expect(n.hasReady()).toBe(false);
    expect(n.propose("x")).toBe(false);
    expect(n.hasReady()).toBe(false);
  });
});

describe("restart from persistent state", () => {
  it("keeps term, vote, log and commit; comes back a follower; re-delivers nothing already applied", () => {
    const net = Network.of(3, { electionRandomTicks: 10 }, 4);
    net.tickUntil(() => net.leaderIds().length === 1);
    const leader = net.node(net.leaderIds()[0] ?? "");
    leader.propose("a");
    leader.propose("b");
    net.stabilize();
    const old = net.node(ids3.find((id) => id !== leader.id) ?? "");
    const saved = old.persistentState();
    const restarted = newNode(old.id, ids3, { electionRandomTicks: 10 }, saved, 4);
    expect([restarted.role, restarted.leader]).toEqual(["follower", null]);
    expect([restarted.term, restarted.votedFor, restarted.lastIndex, restarted.commitIndex])
      .toEqual([old.term, old.votedFor, old.lastIndex, old.commitIndex]);
    expect(restarted.hasReady()).toBe(false);
    net.replace(restarted);
    leader.propose("c");
    net.stabilize();
    expect(net.applied.get(old.id)?.map((e) => e.data)).toEqual([null, "a", "b", "c"]);
    expect(restarted.leader).toBe(leader.id);
  });

  it("re-delivers committed entries the host had not applied", () => {
    const n = newNode("n1", ids3, {}, { term: 2, votedFor: "n1", entries: entriesOfTerms([1, 2, 2]), commitIndex: 2, appliedIndex: 1 });
    expect(n.ready().committed.map((e) => e.index)).toEqual([2]);
  });

  it.each([
    { term: 1, votedFor: null, entries: entriesOfTerms([1, 2]) },                    // term behind the log
    { term: 2, votedFor: "n9", entries: [] },                                          // vote for a stranger
    { term: 2, votedFor: null, entries: entriesOfTerms([1]), commitIndex: 2 },        // commit past the log
    { term: 2, votedFor: null, entries: entriesOfTerms([1]), commitIndex: 0, appliedIndex: 1 },
  ])("refuses inconsistent persistent state %#", (state) => {
    expect(() => newNode("n1", ids3, {}, state)).toThrow(/persistent state/);
  });
});

describe("campaignWhenAble (docker swarm init, or the only voter back from its log)", () => {
  it("the first node campaigns at once and leads term 1, before any election timeout", () => {
    const net = Network.of(3, { electionRandomTicks: 10 }, 4);
    net.node("n1").campaignWhenAble();
    net.stabilize();
    expect(net.leaderIds()).toEqual(["n1"]);
    expect(net.node("n2").leader).toBe("n1");
    expect(net.node("n1").term).toBe(1);
  });

  it("a node of several that has seen a term waits out its timeout as usual: it does not campaign", () => {
    const n = newNode("n1", ids3, {}, { term: 2, votedFor: null, entries: [] });
    n.campaignWhenAble();
    expect([n.role, n.term, n.hasReady()]).toEqual(["follower", 2, false]);
  });

  it("the only voter back from its log campaigns at once, and leads", () => {
    const n = newNode("n1", ["n1"], {}, { term: 2, votedFor: "n1", entries: entriesOfTerms([1, 2]) });
    n.campaignWhenAble();
    expect([n.role, n.term]).toEqual(["leader", 3]);
  });
});

describe("determinism", () => {
  it("the same seed gives the same messages in the same order; another seed does not", () => {
    const trace = (seed: number): string => JSON.stringify(chaosRun(seed).delivered);
    expect(trace(17)).toBe(trace(17));
    expect(trace(17)).not.toBe(trace(18));
  });
});

describe("misuse is a bug in the host and throws", () => {
  const base: RaftConfig = raftConfig("n1", ids3);
  it.each<[string, Partial<RaftConfig>, RegExp]>([
    ["id not among peers", { peers: ["n2", "n3"] }, /not among the peers/],
    ["duplicate peers", { peers: ["n1", "n2", "n2"] }, /repeat/],
    ["heartbeat as long as the election timeout", { electionTicks: 1, heartbeatTicks: 1 }, /electionTicks/],
    ["zero heartbeat", { heartbeatTicks: 0 }, /heartbeatTicks/],
    ["negative randomness", { electionRandomTicks: -1 }, /electionRandomTicks/],
  ])("config with %s", (_, patch, message) => {
    expect(() => new RaftNode({ ...base, ...patch }, mulberry32(1))).toThrow(message);
  });

  it.each<[string, RaftMessage<string>]>([
    ["addressed to another node", voteResponse("n2", "n3", 1, true)],
    ["from a stranger", voteResponse("n9", "n1", 1, true)],
    ["from itself", voteResponse("n1", "n1", 1, true)],
  ])("a message %s", (_, msg) => {
    expect(() => newNode("n1", ids3).step(msg)).toThrow(/misrouted/);
  });

  it("a proposal of null, which marks the leader's empty entries", () => {
    const n = newNode<string | null>("n1", ["n1"]);
    tickUntilCandidate(n);
    expect(() => n.propose(null)).toThrow(/reserved/);
  });

  it("a second leader in the same term", () => {
    const n = newNode("n1", ids3);
    elect(n, ids3);
    expect(() => n.step(appendEntries("n2", "n1", 1, { index: 0, term: 0 }))).toThrow(/same term/);
    const f = newNode("n3", ids3, {}, { term: 1, votedFor: null, entries: [] });
    f.step(appendEntries("n1", "n3", 1, { index: 0, term: 0 }));
    expect(() => f.step(appendEntries("n2", "n3", 1, { index: 0, term: 0 }))).toThrow(/two leaders/);
  });
});
