// The plain data that crosses the boundary of a RaftNode: its configuration, the messages it
// exchanges with its peers (through the host's simulated network) and the Ready batch the host
// drains. Everything here is serialisable data; no behaviour.

/** A Raft voter's name, e.g. "manager-1". */
export type NodeId = string;

export type RaftRole = "follower" | "candidate" | "leader";

/**
 * One log entry. `data` is the host's payload (a store command). `null` marks the empty entry a
 * new leader appends to commit the entries of earlier terms (§5.4.2, §8); the host skips it when
 * applying. For that reason a proposal may never carry `null` itself.
 */
export interface Entry<T> {
  readonly term: number;
  /** 1-based position in the log. */
  readonly index: number;
  readonly data: T | null;
}

/** A candidate asks for a vote (§5.2). lastLog* let the voter apply the election restriction (§5.4.1). */
export interface RequestVote {
  readonly type: "RequestVote";
  readonly term: number;
  readonly from: NodeId;
  readonly to: NodeId;
  readonly lastLogIndex: number;
  readonly lastLogTerm: number;
}

export interface RequestVoteResponse {
  readonly type: "RequestVoteResponse";
  readonly term: number;
  readonly from: NodeId;
  readonly to: NodeId;
  readonly voteGranted: boolean;
}

/** Replication and heartbeat in one message: a heartbeat is an AppendEntries with no entries (§5.3). */
export interface AppendEntries<T> {
  readonly type: "AppendEntries";
  readonly term: number;
  readonly from: NodeId;
  readonly to: NodeId;
  readonly prevLogIndex: number;
  readonly prevLogTerm: number;
  readonly entries: readonly Entry<T>[];
  readonly leaderCommit: number;
}

export interface AppendEntriesResponse {
  readonly type: "AppendEntriesResponse";
  readonly term: number;
  readonly from: NodeId;
  readonly to: NodeId;
  readonly success: boolean;
  /**
   * On success, the last index known to match the leader's log. On reject, a hint: the highest
   * index that may still match, always below the rejected prevLogIndex, so the leader's nextIndex
   * strictly decreases and the probe ends.
   */
  readonly matchIndex: number;
}

export type RaftMessage<T> =
  | RequestVote
  | RequestVoteResponse
  | AppendEntries<T>
  | AppendEntriesResponse;

export interface RaftConfig<T = unknown> {
  readonly id: NodeId;
  /** All voters, this node included. Messages go out in this order. */
  readonly peers: readonly NodeId[];
  /** Minimum election timeout, in ticks; also the CheckQuorum window of a leader. */
  readonly electionTicks: number;
  /** The timeout is drawn in [electionTicks, electionTicks + electionRandomTicks); 0 = fixed. */
  readonly electionRandomTicks: number;
  readonly heartbeatTicks: number;
  /** A leader that has not heard from a majority within electionTicks steps down (etcd CheckQuorum). */
  readonly checkQuorum: boolean;
  /** At most this many entries in one AppendEntries; default unlimited. */
  readonly maxEntriesPerMsg?: number;
  /**
   * etcd's MaxSizePerMsg: the entries of one AppendEntries add up to at most this many bytes, as
   * `entryBytes` sizes them, except that one always goes however large; default unlimited.
   */
  readonly maxBytesPerMsg?: number;
  /** An entry's size for maxBytesPerMsg (its data; null for a new leader's empty entry). */
  readonly entryBytes?: (data: T | null) => number;
  /** At most this many AppendEntries with entries in flight to one follower (etcd MaxInflightMsgs); default unlimited. */
  readonly maxInflightMsgs?: number;
}

/** State that is observable from outside but needs no disk write. Reported when it changed. */
export interface SoftState {
  readonly role: RaftRole;
  readonly leader: NodeId | null;
  readonly term: number;
}

/**
 * What the host must do after feeding a node input, in this order: if `mustPersist`, wait the
 * disk-write latency; then send `messages` and apply `committed`.
 */
export interface Ready<T> {
  messages: RaftMessage<T>[];
  /** Entries newly committed since the previous Ready, in log order, each exactly once. */
  committed: Entry<T>[];
  /** Term, vote or log changed since the previous Ready: they must be on disk before sending. */
  mustPersist: boolean;
  /** Present only when role, leader or term changed since the previous Ready. */
  softState?: SoftState;
}

/**
 * What survives a crash: Figure 2's persistent state (currentTerm, votedFor, log[]), plus the
 * commit index (etcd keeps it in its HardState) and how far the host has applied (etcd's
 * Config.Applied), so a restarted node does not hand the host entries it already applied.
 */
export interface PersistentState<T> {
  readonly term: number;
  readonly votedFor: NodeId | null;
  readonly entries: readonly Entry<T>[];
  readonly commitIndex?: number;
  readonly appliedIndex?: number;
  /**
   * Set by persistentState(): `entries` is the dropped node's own log array, taken over as is
   * by the restarted node (no copy, no check). Hand-made states leave it unset and are checked.
   */
  readonly adopted?: boolean;
}
