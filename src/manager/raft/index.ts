// Raft consensus (leader election and log replication, Ongaro & Ousterhout, "In Search of an
// Understandable Consensus Algorithm", extended version) as a pure state machine in the manner
// of etcd-io/raft, which Swarm's managers run.
//
// A RaftNode changes only itself: the host feeds it ticks, messages and proposals, then drains
// a Ready (messages to send, entries committed, whether state must reach disk first, role or
// leader changes). The host owns time (when to tick), the network (how messages travel, or are
// lost) and the disk (how long a write takes).
//
// Imports: nothing outside this folder, not even the kernel; randomness comes in as a
// `() => number` the host forks from the run seed.
//
// Left out, each marked `SIMPLIFICATION:` where etcd has it: snapshots and log compaction,
// pre-vote, learners and membership changes, leadership transfer, flow-control windows,
// separate heartbeat messages, read-index / lease reads.

export { RaftNode } from "./raft.js";
export { majority } from "./quorum.js";
export type {
  AppendEntries,
  AppendEntriesResponse,
  Entry,
  NodeId,
  PersistentState,
  RaftConfig,
  RaftMessage,
  RaftRole,
  Ready,
  RequestVote,
  RequestVoteResponse,
  SoftState,
} from "./types.js";
