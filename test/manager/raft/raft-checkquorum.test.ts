// CheckQuorum and the leader lease, which Swarm turns on: Ongaro's thesis §6.2 (a leader steps
// down when an election timeout passes without hearing from a majority) and the paper's §6 (a
// server that heard from a leader within the minimum election timeout disregards RequestVote).

import { describe, expect, it } from "vitest";
import { Network, nodeIds, safetyViolations } from "./network.js";
import { requestVote, sent } from "./messages.js";

const opts = { electionTicks: 10, electionRandomTicks: 10 };

function electedNetwork(checkQuorum: boolean, seed = 7): { net: Network<string>; leader: string } {
  const net = Network.of(3, { ...opts, checkQuorum }, seed);
  net.tickUntil(() => net.leaderIds().length === 1);
  net.tick(3);
  return { net, leader: net.leaderIds()[0] ?? "" };
}

describe("CheckQuorum (thesis §6.2)", () => {
  it("an isolated leader steps down, no sooner than one election timeout and within two", () => {
    const { net, leader } = electedNetwork(true);
    const term = net.node(leader).term;
    net.isolate(leader);
    net.tick(10);
    // The window that was running when the link went down still saw the followers' replies.
    expect(net.node(leader).role).toBe("leader");
    net.tick(10);
    expect(net.node(leader).role).not.toBe("leader");
    expect(net.node(leader).leader).toBeNull();
    const others = net.leaderIds();
    expect(others).toHaveLength(1);
    expect(net.node(others[0] ?? "").term).toBeGreaterThan(term);
  });

  it("without CheckQuorum an isolated leader goes on believing it leads", () => {
    const { net, leader } = electedNetwork(false);
    net.isolate(leader);
    net.tick(100);
    expect(net.node(leader).role).toBe("leader");
  });

  it("a leader that hears from a majority keeps its office for as long as that lasts", () => {
    const { net, leader } = electedNetwork(true);
    const term = net.node(leader).term;
    const minority = nodeIds(3).find((id) => id !== leader) ?? "";
    net.isolate(minority);
    net.tick(200);
    expect(net.node(leader).role).toBe("leader");
    expect(net.node(leader).term).toBe(term);
  });

  it("after a partition heals, the cluster settles on one leader that everyone follows and catches up", () => {
    const { net, leader } = electedNetwork(true, 11);
    net.isolate(leader);
    net.node(leader).propose("stranded");
    net.tick(40);
    const during = net.leaderIds().filter((id) => id !== leader);
    expect(during).toHaveLength(1);
    net.node(during[0] ?? "").propose("while-apart");
    net.recover();
    net.tickUntil(() => {
      const leaders = net.leaderIds();
      const l = leaders[0];
      return leaders.length === 1 && l !== undefined &&
        nodeIds(3).every((id) => net.node(id).leader === l && net.node(id).term === net.node(l).term);
    }, 300);
    const final = net.node(net.leaderIds()[0] ?? "");
    final.propose("after");
    net.stabilize();
    for (const id of nodeIds(3)) {
      const data = net.applied.get(id)?.map((e) => e.data) ?? [];
      expect(data, id).toContain("while-apart");
      expect(data, id).toContain("after");
      expect(data, id).not.toContain("stranded");
    }
    expect(safetyViolations(net)).toEqual([]);
  });
});

describe("leader lease (§6)", () => {
  it("with CheckQuorum, a follower that hears from its leader ignores a later-term RequestVote", () => {
    const { net, leader } = electedNetwork(true);
    const [follower, other] = nodeIds(3).filter((id) => id !== leader) as [string, string];
    const f = net.node(follower);
    const [term, vote] = [f.term, f.votedFor];
    f.step(requestVote(other, follower, term + 5, 100, term));
    expect([f.term, f.votedFor, f.leader]).toEqual([term, vote, leader]);
    expect(sent(f)).toEqual([]);
  });

  it("without CheckQuorum the same request moves the follower to the later term and wins its vote", () => {
    const { net, leader } = electedNetwork(false);
    const [follower, other] = nodeIds(3).filter((id) => id !== leader) as [string, string];
    const f = net.node(follower);
    const term = f.term;
    f.step(requestVote(other, follower, term + 5, 100, term));
    expect([f.term, f.votedFor, f.leader]).toEqual([term + 5, other, null]);
  });

  it("a leader is in its own lease: a later-term RequestVote does not depose it", () => {
    const { net, leader } = electedNetwork(true);
    const l = net.node(leader);
    const term = l.term;
    const other = nodeIds(3).find((id) => id !== leader) ?? "";
    l.step(requestVote(other, leader, term + 1, 100, term));
    expect([l.role, l.term]).toEqual(["leader", term]);
  });
});
