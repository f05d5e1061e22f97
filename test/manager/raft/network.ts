// A small in-memory network for Raft tests, after etcd's raft_test.go `network`: messages are
// delivered one at a time, in the order they were sent, until no node has anything left to say.
// Links can be cut, nodes isolated, and a fraction of messages dropped, all driven by a seeded
// PRNG so that every run of a test sees the same losses. Disk writes are instantaneous here.

import { RaftNode } from "../../../src/manager/raft/index.js";
import type { Entry, PersistentState, RaftConfig, RaftMessage } from "../../../src/manager/raft/index.js";
import { mulberry32 } from "../../seeded.js";

export { mulberry32 };

export interface NodeOptions {
  electionTicks?: number;
  electionRandomTicks?: number;
  heartbeatTicks?: number;
  checkQuorum?: boolean;
  maxEntriesPerMsg?: number;
  maxInflightMsgs?: number;
  /** With entries sized by their payload's length (a string's characters). */
  maxBytesPerMsg?: number;
}

/** "n1".."nN". */
export function nodeIds(count: number): string[] {
  return Array.from({ length: count }, (_, i) => `n${i + 1}`);
}

export function raftConfig(id: string, peers: readonly string[], opts: NodeOptions = {}): RaftConfig {
  return {
    id,
    peers,
    electionTicks: opts.electionTicks ?? 10,
    electionRandomTicks: opts.electionRandomTicks ?? 0,
    heartbeatTicks: opts.heartbeatTicks ?? 1,
    checkQuorum: opts.checkQuorum ?? false,
    ...(opts.maxEntriesPerMsg !== undefined ? { maxEntriesPerMsg: opts.maxEntriesPerMsg } : {}),
    ...(opts.maxInflightMsgs !== undefined ? { maxInflightMsgs: opts.maxInflightMsgs } : {}),
    ...(opts.maxBytesPerMsg !== undefined ? { maxBytesPerMsg: opts.maxBytesPerMsg, entryBytes: (d: unknown) => (typeof d === "string" ? d.length : 0) } : {}),
  };
}

/** A node with its own seeded random stream; fixed timeouts unless electionRandomTicks is set. */
export function newNode<T = string>(
  id: string, peers: readonly string[], opts: NodeOptions = {}, restored?: PersistentState<T>, seed = 1,
): RaftNode<T> {
  return new RaftNode<T>(raftConfig(id, peers, opts), mulberry32(seed * 7919 + peers.indexOf(id)), restored);
}

/** A log of the given terms, one entry per term, with payloads "e<index>". */
export function entriesOfTerms(terms: readonly number[]): Entry<string>[] {
  return terms.map((term, i) => ({ term, index: i + 1, data: `e${i + 1}` }));
}

export class Network<T = string> {
  readonly nodes = new Map<string, RaftNode<T>>();
  /** Committed entries each node handed to its host, in the order handed out. */
  readonly applied = new Map<string, Entry<T>[]>();
  /** Every message delivered, in order: the trace two runs of one seed must share. */
  readonly delivered: RaftMessage<T>[] = [];
  /** The leader each term had, as reported by softState; a second one is a violation. */
  readonly leaders = new Map<number, string>();
  readonly violations: string[] = [];
  /** Optional hook: return false to drop a message before delivery. */
  filter: ((m: RaftMessage<T>) => boolean) | null = null;

  private queue: RaftMessage<T>[] = [];
  private readonly dropRates = new Map<string, number>();
  private readonly random: () => number;

  constructor(nodes: readonly RaftNode<T>[], seed = 1) {
    for (const n of nodes) {
      this.nodes.set(n.id, n);
      this.applied.set(n.id, []);
    }
    this.random = mulberry32(seed);
  }

  /** `count` nodes n1..nN that all know each other. */
  static of<T = string>(count: number, opts: NodeOptions = {}, seed = 1): Network<T> {
    const ids = nodeIds(count);
    return new Network<T>(ids.map((id) => newNode<T>(id, ids, opts, undefined, seed)), seed);
  }

  node(id: string): RaftNode<T> {
    const n = this.nodes.get(id);
    if (n === undefined) throw new Error(`no node ${id}`);
    return n;
  }

  /** Replaces a node (e.g. by one restarted from its persistent state). */
  replace(node: RaftNode<T>): void {
    this.nodes.set(node.id, node);
  }

  /** Drops `fraction` of the messages from `from` to `to` (one direction). */
  drop(from: string, to: string, fraction: number): void {
    this.dropRates.set(`${from}>${to}`, fraction);
  }

  cut(a: string, b: string): void {
    this.drop(a, b, 1);
    this.drop(b, a, 1);
  }

  isolate(id: string): void {
    for (const other of this.nodes.keys()) if (other !== id) this.cut(id, other);
  }

  /** Cuts every link between different groups. */
  partition(...groups: string[][]): void {
    for (const [i, g] of groups.entries()) {
      for (const h of groups.slice(i + 1)) for (const a of g) for (const b of h) this.cut(a, b);
    }
  }

  recover(): void {
    this.dropRates.clear();
  }

  /** Injects messages as if some peer had sent them, then runs to quiescence. */
  send(...msgs: RaftMessage<T>[]): void {
    this.queue.push(...msgs);
    this.stabilize();
  }

  /** Ticks the given nodes (all by default) `times` times, running to quiescence after each round. */
  tick(times = 1, ids: readonly string[] = [...this.nodes.keys()]): void {
    for (let i = 0; i < times; i++) {
      for (const id of ids) this.node(id).tick();
      this.stabilize();
    }
  }

  /** Ticks everyone until `done` holds; throws after `maxTicks` so a livelock fails the test. */
  tickUntil(done: () => boolean, maxTicks = 1000): number {
    for (let t = 0; t < maxTicks; t++) {
      if (done()) return t;
      this.tick();
    }
    if (done()) return maxTicks;
    throw new Error(`condition not reached in ${maxTicks} ticks`);
  }

  /** The nodes that currently believe they lead. */
  leaderIds(): string[] {
    return [...this.nodes.values()].filter((n) => n.role === "leader").map((n) => n.id);
  }

  stabilize(maxSteps = 200_000): void {
    for (let steps = 0; steps < maxSteps; steps++) {
      this.collect();
      const m = this.queue.shift();
      if (m === undefined) return;
      if (!this.passes(m)) continue;
      const target = this.nodes.get(m.to);
      if (target === undefined) continue; // a peer that exists only in the config: a black hole
      this.delivered.push(m);
      target.step(m);
    }
    throw new Error(`network did not quiesce in ${maxSteps} steps`);
  }

  private collect(): void {
    for (const [id, n] of this.nodes) {
      if (!n.hasReady()) continue;
      const rd = n.ready();
      this.queue.push(...rd.messages);
      this.applied.get(id)?.push(...rd.committed);
      const s = rd.softState;
      if (s?.role === "leader") {
        const prior = this.leaders.get(s.term);
        if (prior !== undefined && prior !== id) this.violations.push(`term ${s.term}: ${prior} and ${id}`);
        this.leaders.set(s.term, id);
      }
    }
  }

  private passes(m: RaftMessage<T>): boolean {
    if (this.filter !== null && !this.filter(m)) return false;
    const rate = this.dropRates.get(`${m.from}>${m.to}`) ?? 0;
    if (rate >= 1) return false;
    // Draw only for lossy links, so adding a lossless link does not shift the losses elsewhere.
    return rate <= 0 || this.random() >= rate;
  }
}

/**
 * State Machine Safety (§5.4.3, Figure 3), checked from outside: every node applied entries
 * 1, 2, 3... each once, and any two nodes applied the same entry at the same index.
 */
export function safetyViolations<T>(net: Network<T>): string[] {
  const problems: string[] = [...net.violations];
  const longest: Entry<T>[] = [];
  for (const [id, entries] of net.applied) {
    entries.forEach((e, i) => {
      if (e.index !== i + 1) problems.push(`${id} applied index ${e.index} at position ${i + 1}`);
      const other = longest[i];
      if (other === undefined) longest[i] = e;
      else if (other.term !== e.term || other.data !== e.data) {
        problems.push(`${id} applied {term ${e.term}} at ${i + 1}, another node {term ${other.term}}`);
      }
    });
  }
  return problems;
}
