// RaftNode: the host's handle on one Raft voter (etcd's RawNode and the term rules of raft.go's
// Step). Input is a tick, a message or a proposal; output is the Ready batch the host drains.
// Nothing here sends, schedules or reads a clock: the host does all of that.

import { campaign, stepCandidate, handleRequestVote, tickElection } from "./election.js";
import { stepFollower } from "./follower.js";
import { appendProposal, stepLeader, tickHeartbeat } from "./leader.js";
import { RaftState } from "./state.js";
import type {
  Entry, NodeId, PersistentState, RaftConfig, RaftMessage, RaftRole, Ready, SoftState,
} from "./types.js";

/**
 * The host's loop, per node: after every tick(), step() or propose(), if hasReady(), take
 * ready(); if it says mustPersist, hold it for the disk-write latency and take no other Ready
 * until then (etcd's Ready/Advance loop: what accumulates meanwhile goes to disk in one write
 * with the next); then send its messages and apply its committed entries
 * (skipping data === null). Holding messages until the write is done is what makes a vote or an
 * acknowledged entry count only once it is on disk. Messages may be lost, duplicated or
 * reordered by the network; Raft tolerates all three.
 */
export class RaftNode<T> {
  private readonly r: RaftState<T>;
  /** What the previous Ready reported, to tell what changed since. */
  private reportedSoft: SoftState;
  private reportedTerm: number;
  private reportedVote: NodeId | null;
  private reportedLogVersion: number;

  /**
   * `random` is a seeded [0, 1) stream owned by the host (one per node). `restored` is what a
   * crashed node had on disk; without it the node starts empty at term 0.
   */
  constructor(config: RaftConfig<T>, random: () => number, restored?: PersistentState<T>) {
    this.r = new RaftState<T>(config, random, restored);
    this.reportedSoft = this.softState();
    this.reportedTerm = this.r.term;
    this.reportedVote = this.r.votedFor;
    this.reportedLogVersion = this.r.log.version;
  }

  get id(): NodeId { return this.r.id; }
  get role(): RaftRole { return this.r.role; }
  get term(): number { return this.r.term; }
  /** The leader this node follows in its current term (itself when leading), or null. */
  get leader(): NodeId | null { return this.r.leader; }
  get commitIndex(): number { return this.r.commitIndex; }
  get votedFor(): NodeId | null { return this.r.votedFor; }
  get lastIndex(): number { return this.r.log.lastIndex; }

  /**
   * A leader with no other voter: its ticks change nothing but their own counters (a heartbeat to
   * nobody, a quorum of itself), and no message can reach it, so the host may stop ticking it.
   */
  get alone(): boolean {
    return this.r.role === "leader" && this.soleVoter;
  }

  /**
   * Campaigns now, without waiting out an election timeout, if swarmkit's campaignWhenAble would:
   * the first manager of a new swarm (`docker swarm init`: a follower that has seen no term), or
   * the only voter back from its log (JoinAndStart sets it; the Run loop campaigns when the node
   * is the only member). Anything else is an ordinary election.
   */
  campaignWhenAble(): void {
    if (this.r.role === "follower" && (this.r.term === 0 || this.r.others.length === 0)) campaign(this.r);
  }

  /** The only voter of its cluster. */
  get soleVoter(): boolean {
    return this.r.others.length === 0;
  }

  /** One logical clock tick. The host calls it every `raft.tick` of simulated time. */
  tick(): void {
    if (this.r.role === "leader") tickHeartbeat(this.r);
    else tickElection(this.r);
  }

  /** Feeds one message from a peer. */
  step(msg: RaftMessage<T>): void {
    const r = this.r;
    if (msg.to !== r.id || msg.from === r.id || !r.peers.includes(msg.from)) {
      throw new Error(`raft ${r.id}: misrouted message ${msg.type} from ${msg.from} to ${msg.to}`);
    }
    if (msg.term > r.term) {
      if (msg.type === "RequestVote" && this.inLease()) {
        // etcd's leader lease (CheckQuorum): we heard from a live leader less than an election
        // timeout ago, so this candidate was cut off from it, not the other way round; letting
        // it bump our term would depose a healthy leader. §6 of the paper suggests the same.
        return;
      }
      // §5.1: a later term makes us a follower of it; an AppendEntries also names its leader.
      r.becomeFollower(msg.term, msg.type === "AppendEntries" ? msg.from : null);
    } else if (msg.term < r.term) {
      this.answerStaleTerm(msg);
      return;
    }
    if (msg.type === "RequestVote") {
      handleRequestVote(r, msg);
      return;
    }
    switch (r.role) {
      case "leader": stepLeader(r, msg); return;
      case "candidate": stepCandidate(r, msg); return;
      case "follower": stepFollower(r, msg); return;
    }
  }

  // SIMPLIFICATION: etcd also refuses proposals during a leadership transfer and offers
  // linearizable reads (ReadIndex, lease reads). orchsim never transfers leadership and the
  // host's store is read locally by the leader's control loops, as in Swarm.
  /**
   * Appends `data` to the log if this node leads; false otherwise (the host retries through the
   * new leader, or waits for one). `null` is reserved for the leader's own empty entries.
   */
  propose(data: T): boolean {
    if (data === null) throw new Error(`raft ${this.r.id}: null is reserved for the leader's empty entry`);
    if (this.r.role !== "leader") return false;
    appendProposal(this.r, data);
    return true;
  }

  /** True if ready() would return anything: messages, committed entries, or a state change. */
  hasReady(): boolean {
    const r = this.r;
    return r.outbox.length > 0 || r.commitIndex > r.appliedIndex || this.mustPersist() || this.softChanged();
  }

  /** Takes everything produced since the previous call. See Ready for what the host must do. */
  ready(): Ready<T> {
    const r = this.r;
    const rd: Ready<T> = {
      messages: r.outbox,
      committed: r.log.slice(r.appliedIndex + 1, r.commitIndex + 1),
      mustPersist: this.mustPersist(),
    };
    r.outbox = [];
    r.appliedIndex = r.commitIndex;
    this.reportedTerm = r.term;
    this.reportedVote = r.votedFor;
    this.reportedLogVersion = r.log.version;
    if (this.softChanged()) {
      rd.softState = this.softState();
      this.reportedSoft = rd.softState;
    }
    return rd;
  }

  /** Log entries from `index` on (1-based), as a new array. */
  /** The term of the entry at `index` (0 for index 0; undefined beyond the end). */
  termAt(index: number): number | undefined {
    return this.r.log.term(index);
  }

  entriesFrom(index: number): Entry<T>[] {
    return this.r.log.slice(index);
  }

  /**
   * What this node would have on disk now. Take it right after ready(): it is durable once the
   * host's disk write for that Ready completes, and is what to restart the node from.
   */
  persistentState(): PersistentState<T> {
    const r = this.r;
    return {
      // The log's own array, not a copy: the host keeps this for a restart and drops this node.
      term: r.term, votedFor: r.votedFor, entries: r.log.all(), adopted: true,
      commitIndex: r.commitIndex, appliedIndex: r.appliedIndex,
    };
  }

  /** Whether role, leader or term moved since the last Ready (asked after every tick and step: no object for it). */
  private softChanged(): boolean {
    const r = this.r, was = this.reportedSoft;
    return r.role !== was.role || r.leader !== was.leader || r.term !== was.term;
  }

  private softState(): SoftState {
    return { role: this.r.role, leader: this.r.leader, term: this.r.term };
  }

  private mustPersist(): boolean {
    const r = this.r;
    return r.term !== this.reportedTerm || r.votedFor !== this.reportedVote ||
      r.log.version !== this.reportedLogVersion;
  }

  private inLease(): boolean {
    const r = this.r;
    return r.checkQuorum && r.leader !== null && r.electionElapsed < r.electionTicks;
  }

  /**
   * §5.1: a request with a stale term is rejected. An AppendEntries gets an answer carrying our
   * term, so a deposed leader learns it is one (with CheckQuorum this is also what lets a node
   * whose term ran ahead in a partition rejoin: etcd answers for the same reason). A stale
   * RequestVote is dropped as in etcd: its candidate's own timer moves it to a later term. Stale
   * replies answer a question from a term we have left, and are dropped.
   */
  private answerStaleTerm(msg: RaftMessage<T>): void {
    const r = this.r;
    if (msg.type !== "AppendEntries") return;
    r.send({
      type: "AppendEntriesResponse", term: r.term, from: r.id, to: msg.from,
      success: false, matchIndex: r.log.lastIndex,
    });
  }
}

