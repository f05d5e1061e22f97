// The state of one Raft node (Figure 2 plus etcd's timers and outbox), and the role transitions
// every role shares. The role-specific rules live in election.ts, follower.ts and leader.ts and
// operate on this object; RaftNode (raft.ts) is the only thing the host sees.

import { RaftLog } from "./log.js";
import type { Progress } from "./progress.js";
import { majority } from "./quorum.js";
import type { NodeId, PersistentState, RaftConfig, RaftMessage, RaftRole } from "./types.js";

// SIMPLIFICATION: etcd tracks a changeable configuration (joint consensus, learners that
// replicate without voting). Swarm's manager set changes only by operator action, which no
// orchsim scenario models, so the voters are fixed for the node's lifetime.
export class RaftState<T> {
  readonly id: NodeId;
  readonly peers: readonly NodeId[];
  /** The peers without this node, in config order: the addressees of every broadcast. */
  readonly others: readonly NodeId[];
  readonly quorum: number;
  readonly electionTicks: number;
  readonly electionRandomTicks: number;
  readonly heartbeatTicks: number;
  readonly checkQuorum: boolean;
  readonly maxEntriesPerMsg: number;
  readonly maxBytesPerMsg: number;
  readonly entryBytes: ((data: T | null) => number) | null;
  readonly maxInflightMsgs: number;
  readonly log: RaftLog<T>;

  role: RaftRole = "follower";
  term = 0;
  votedFor: NodeId | null = null;
  leader: NodeId | null = null;
  commitIndex = 0;
  /** How far committed entries have been handed to the host through Ready. */
  appliedIndex = 0;

  /** Followers and candidates: ticks since the timer was reset. Leaders: ticks in this CheckQuorum window. */
  electionElapsed = 0;
  heartbeatElapsed = 0;
  randomizedElectionTimeout: number;

  /** Candidate only: who answered, and how. */
  readonly votes = new Map<NodeId, boolean>();
  /** Leader only: one entry per other peer. */
  readonly progress = new Map<NodeId, Progress>();
  outbox: RaftMessage<T>[] = [];

  private readonly random: () => number;

  constructor(config: RaftConfig<T>, random: () => number, restored?: PersistentState<T>) {
    validateConfig(config);
    this.id = config.id;
    this.peers = [...config.peers];
    this.others = this.peers.filter((p) => p !== config.id);
    this.quorum = majority(this.peers.length);
    this.electionTicks = config.electionTicks;
    this.electionRandomTicks = config.electionRandomTicks;
    this.heartbeatTicks = config.heartbeatTicks;
    this.checkQuorum = config.checkQuorum;
    this.maxEntriesPerMsg = config.maxEntriesPerMsg ?? Infinity;
    this.maxBytesPerMsg = config.maxBytesPerMsg ?? Infinity;
    this.entryBytes = config.entryBytes ?? null;
    this.maxInflightMsgs = config.maxInflightMsgs ?? Infinity;
    this.random = random;
    this.log = new RaftLog(restored?.entries ?? [], restored?.adopted === true);
    if (restored) this.restore(restored);
    this.randomizedElectionTimeout = this.drawElectionTimeout();
  }

  send(msg: RaftMessage<T>): void {
    this.outbox.push(msg);
  }

  /**
   * Restarts the election timer with a fresh random timeout (§5.2: randomised timeouts make
   * split votes rare). Drawn at every reset, not once, so two nodes that collided once are
   * unlikely to collide again.
   */
  resetElectionTimer(): void {
    this.electionElapsed = 0;
    this.randomizedElectionTimeout = this.drawElectionTimeout();
  }

  /** §5.1: a node that sees a later term, or a leader of its own term, follows. */
  becomeFollower(term: number, leader: NodeId | null): void {
    this.reset(term);
    this.role = "follower";
    this.leader = leader;
  }

  /** §5.2: a new term, a vote for itself. */
  becomeCandidate(): void {
    if (this.role === "leader") throw new Error(`raft ${this.id}: leader cannot become candidate`);
    this.reset(this.term + 1);
    this.role = "candidate";
    this.votedFor = this.id;
    this.votes.set(this.id, true);
  }

  /** Clears what belongs to one term and one role; the vote survives only within the same term. */
  reset(term: number): void {
    if (term !== this.term) {
      this.term = term;
      this.votedFor = null;
    }
    this.leader = null;
    this.heartbeatElapsed = 0;
    this.votes.clear();
    this.progress.clear();
    this.resetElectionTimer();
  }

  private drawElectionTimeout(): number {
    const u = this.random();
    if (!(u >= 0 && u < 1)) throw new Error(`raft ${this.id}: random() returned ${u}, not in [0, 1)`);
    return this.electionTicks + Math.floor(u * this.electionRandomTicks);
  }

  private restore(s: PersistentState<T>): void {
    const commitIndex = s.commitIndex ?? 0;
    const appliedIndex = s.appliedIndex ?? 0;
    const ok = Number.isInteger(s.term) && s.term >= this.log.lastTerm &&
      (s.votedFor === null || this.peers.includes(s.votedFor)) &&
      appliedIndex >= 0 && appliedIndex <= commitIndex && commitIndex <= this.log.lastIndex;
    if (!ok) {
      throw new Error(`raft ${this.id}: inconsistent persistent state (term ${s.term}, vote ` +
        `${s.votedFor}, commit ${commitIndex}, applied ${appliedIndex}, last index ${this.log.lastIndex})`);
    }
    this.term = s.term;
    this.votedFor = s.votedFor;
    this.commitIndex = commitIndex;
    this.appliedIndex = appliedIndex;
  }
}

/** A bad config is a bug in the host (the scenario validator should have caught it): throw. */
function validateConfig<T>(c: RaftConfig<T>): void {
  const problems: string[] = [];
  if (!c.peers.includes(c.id)) problems.push(`id ${c.id} is not among the peers`);
  if (new Set(c.peers).size !== c.peers.length) problems.push("peers repeat an id");
  if (!Number.isInteger(c.heartbeatTicks) || c.heartbeatTicks < 1) problems.push("heartbeatTicks must be an integer >= 1");
  // As in etcd: a heartbeat interval as long as the election timeout would let followers time
  // out under a healthy leader.
  if (!Number.isInteger(c.electionTicks) || c.electionTicks <= c.heartbeatTicks) {
    problems.push("electionTicks must be an integer > heartbeatTicks");
  }
  if (!Number.isInteger(c.electionRandomTicks) || c.electionRandomTicks < 0) {
    problems.push("electionRandomTicks must be an integer >= 0");
  }
  for (const [name, v] of [["maxEntriesPerMsg", c.maxEntriesPerMsg], ["maxInflightMsgs", c.maxInflightMsgs]] as const) {
    if (v !== undefined && !(v === Infinity || (Number.isInteger(v) && v >= 1))) problems.push(`${name} must be an integer >= 1`);
  }
  if (c.maxBytesPerMsg !== undefined && !(c.maxBytesPerMsg > 0)) problems.push("maxBytesPerMsg must be > 0");
  if (c.maxBytesPerMsg !== undefined && c.maxBytesPerMsg !== Infinity && c.entryBytes === undefined) problems.push("maxBytesPerMsg needs entryBytes");
  if (problems.length > 0) throw new Error(`raft config: ${problems.join("; ")}`);
}
