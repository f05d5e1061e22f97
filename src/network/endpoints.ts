// The service endpoint tables of one overlay network, node by node: what IPVS and the embedded
// DNS server on each node know of each service's backends. A backend joins when its task runs
// and leaves when it stops; each node learns both by networkdb gossip among the network's
// nodes, at its own time, and keeps its table in the order it learned the backends, with its own
// round-robin position. A crashed node's backends leave only once memberlist has declared it
// dead and the news has spread.

import { GOSSIP_ROUND_US, hashUnit, roundOf, roundsToAll } from "./gossip.js";

/** One backend of a service on this network: a task's container. */
export interface Backend<C> {
  readonly container: C;
  /** The node it runs on (host index): that node knows of it at once. */
  readonly nodeIndex: number;
  /** Its leave, once it has left; a node that learns the leave before the join ignores the join. */
  leave: Change<C> | null;
}

/** A join or a leave, spreading from the node where it happened. */
export interface Change<C> {
  readonly join: boolean;
  readonly backend: Backend<C>;
  readonly atUs: number;
  /** Node that knows at once (-1 for a crash: the node is gone). */
  readonly originIndex: number;
  /** When the spread starts: the origin's next gossip round, or after failure detection. */
  readonly spreadFromUs: number;
  /** The spread over the network's peers at the time (see gossip.ts). */
  readonly cdf: Float64Array;
  /** Identifies the change in every node's hash draw. */
  readonly seq: number;
}

/** One node's IPVS table (and DNS answer) for one service on this network. */
export interface NodeTable<C> {
  readonly backends: Backend<C>[];
  /** IPVS round-robin: the index of the next backend to use. */
  cursor: number;
  /** Changes of the service's log this node has already considered. */
  seen: number;
  /** Changes it has considered that have not reached it yet, by the time they will. */
  waiting: { atUs: number; change: Change<C> }[];
  /** The earliest time in `waiting` (Infinity when none). */
  nextUs: number;
}

/**
 * Who a node can no longer see: memberlist on each side of a partition declares the other side's
 * nodes dead after failure detection, and networkdb drops their entries there.
 */
export interface Reach {
  /** Some partition is in force (a plain field: it is read on every pick). */
  readonly partitioned: boolean;
  /** Whether node `from` has given up on node `to` by now. */
  cutOff(from: number, to: number, nowUs: number): boolean;
}

/** When node `node` learns `change`. */
export function learnedAtUs<C>(change: Change<C>, node: number, key: number): number {
  if (node === change.originIndex) return change.atUs;
  const round = roundOf(change.cdf, hashUnit(key, change.seq, node));
  return change.spreadFromUs + (round - 1) * GOSSIP_ROUND_US;
}

/** When the last node learns `change`. */
export function settledAtUs<C>(change: Change<C>): number {
  return change.spreadFromUs + (roundsToAll(change.cdf) - 1) * GOSSIP_ROUND_US;
}

/**
 * The backends of one service on one network: the log of joins and leaves, and each node's
 * table, built on first use and brought up to date whenever the node looks (a node's draws are
 * hashed, so when it looks does not change what it sees).
 */
export class ServiceEndpoints<C> {
  private readonly log: Change<C>[] = [];
  private readonly tables: (NodeTable<C> | undefined)[] = [];
  /** When every node will have learned every change so far. */
  settledUs = 0;

  constructor(
    readonly service: string,
    private readonly key: number,
    private readonly reach: Reach | null = null,
  ) {}

  record(change: Change<C>): void {
    this.log.push(change);
    if (!change.join) change.backend.leave = change;
    this.settledUs = Math.max(this.settledUs, settledAtUs(change));
  }

  /** Node `node`'s table at `nowUs`. */
  table(node: number, nowUs: number): NodeTable<C> {
    let t = this.tables[node];
    if (t === undefined) {
      t = { backends: [], cursor: 0, seen: 0, waiting: [], nextUs: Infinity };
      this.tables[node] = t;
    }
    if (t.seen < this.log.length || nowUs >= t.nextUs) this.catchUp(t, node, nowUs);
    return t;
  }

  /** The node restarted: its tables are gone; it builds them again when it next looks. */
  forget(node: number): void {
    this.tables[node] = undefined;
  }

  /** The next backend by IPVS round-robin on `node`, or null when its table is empty. */
  pick(node: number, nowUs: number): Backend<C> | null {
    let t = this.tables[node];
    // The hot path: the node's table exists and nothing new has reached it.
    if (t === undefined || t.seen < this.log.length || nowUs >= t.nextUs) t = this.table(node, nowUs);
    const n = t.backends.length;
    if (n === 0) return null;
    if (this.reach?.partitioned) return this.pickSeen(t, node, nowUs);
    const i = t.cursor % n;
    t.cursor = i + 1;
    return t.backends[i]!;
  }

  /** The backends `node` sees: during a partition, not those it has declared dead. */
  visible(node: number, nowUs: number): readonly Backend<C>[] {
    const all = this.table(node, nowUs).backends;
    const reach = this.reach;
    return reach?.partitioned ? all.filter((b) => !reach.cutOff(node, b.nodeIndex, nowUs)) : all;
  }

  /** Round-robin over the backends `node` still sees. */
  private pickSeen(t: NodeTable<C>, node: number, nowUs: number): Backend<C> | null {
    const n = t.backends.length;
    for (let k = 0; k < n; k++) {
      const i = (t.cursor + k) % n;
      const b = t.backends[i]!;
      if (this.reach!.cutOff(node, b.nodeIndex, nowUs)) continue;
      t.cursor = i + 1;
      return b;
    }
    return null;
  }

  private catchUp(t: NodeTable<C>, node: number, nowUs: number): void {
    for (; t.seen < this.log.length; t.seen++) {
      const change = this.log[t.seen]!;
      insertByTime(t.waiting, { atUs: learnedAtUs(change, node, this.key), change });
    }
    let done = 0;
    let gone: Set<Backend<C>> | null = null;
    while (done < t.waiting.length && t.waiting[done]!.atUs <= nowUs) {
      const { atUs, change } = t.waiting[done]!;
      const b = change.backend;
      // networkdb orders events per entry: a leave it already knows wins over an older join.
      if (!change.join) (gone ??= new Set()).add(b);
      else if (b.leave === null || learnedAtUs(b.leave, node, this.key) > atUs) t.backends.push(b);
      done++;
    }
    if (gone !== null) removeAll(t, gone);
    if (done > 0) t.waiting.splice(0, done);
    t.nextUs = t.waiting[0]?.atUs ?? Infinity;
  }
}

/**
 * Removes the backends that left, in one pass (a zone's worth of leaves reaches a node together:
 * one indexOf and splice each made that O(backends x leaves) per node). IPVS keeps its place in
 * the list when a destination before it is removed: the cursor moves back once for each. Joins
 * learned in the same catch-up were appended after every backend that left, so they never count.
 */
function removeAll<C>(t: NodeTable<C>, gone: ReadonlySet<Backend<C>>): void {
  const cursor = t.cursor;
  let kept = 0;
  for (let i = 0; i < t.backends.length; i++) {
    const b = t.backends[i]!;
    if (gone.has(b)) {
      if (i < cursor) t.cursor--;
    } else t.backends[kept++] = b;
  }
  t.backends.length = kept;
}

/** Inserts keeping `list` sorted by time, after entries with the same time (learned in log order). */
function insertByTime<T extends { atUs: number }>(list: T[], item: T): void {
  let i = list.length;
  while (i > 0 && list[i - 1]!.atUs > item.atUs) i--;
  if (i === list.length) list.push(item);
  else list.splice(i, 0, item);
}
