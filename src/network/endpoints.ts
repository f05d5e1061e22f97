// The service endpoint tables of one overlay network: what IPVS and the embedded DNS server on
// each node know of each service's backends. A backend joins when its task runs and leaves when
// it stops; each node learns both by networkdb gossip among the network's nodes, at its own time,
// and keeps its own round-robin position. A crashed node's backends leave only once memberlist
// has declared it dead and the news has spread.
//
// The tables are one list per service, not one per node: which backends a node holds at a time
// is a pure function of the node, the time and the hashed gossip draws (learnedAtUs), so it is
// asked of the list when a node picks, and a node that is idle, or a change that has reached
// every node, costs nothing per node. Per-node tables cost O(nodes x changes): at 20,000 nodes a
// zone failure's leaves and replacements made the routing mesh most of a run.
// SIMPLIFICATION: every node's table lists the backends in the order they joined the service;
// Linux IPVS on a node lists them in the order that node learned them, which gossip reorders for
// backends that start within a second or two of each other. A node's first pick starts at a
// hashed place in the list, so nodes do not walk it in step.

import { grownTo } from "../kernel/index.js";
import { GOSSIP_ROUND_US, hashUnit, roundOf, roundsToAll } from "./gossip.js";

/** How a join or a leave spreads from the node where it happened. */
export interface Spread {
  readonly atUs: number;
  /** Node that knows at once (-1 for a crash: the node is gone). */
  readonly originIndex: number;
  /** When the spread starts: the origin's next gossip round, or after failure detection. */
  readonly spreadFromUs: number;
  /** The spread over the network's peers at the time (see gossip.ts). */
  readonly cdf: Float64Array;
  /** Identifies the change in every node's hash draw; joins are recorded in increasing order. */
  readonly seq: number;
}

/**
 * One backend of a service on this network: a task's container. It is its own join's Spread
 * (set when the join is recorded) rather than holding one: at 200,000 tasks a separate object
 * per join was 10 MB.
 */
export interface Backend<C> extends Spread {
  readonly container: C;
  /** The node it runs on (host index): that node knows of it at once. */
  readonly nodeIndex: number;
  atUs: number;
  originIndex: number;
  spreadFromUs: number;
  cdf: Float64Array;
  seq: number;
  /** Its leave, once it has left; a node that learns the leave before the join ignores the join. */
  leave: Spread | null;
  /** When every node has learned the join (Infinity until it is recorded). */
  knownUs: number;
  /** When every node has learned the leave (Infinity while it has not left). */
  goneUs: number;
}

/**
 * The spread of a backend whose join is not recorded yet: seq -1 marks it, and learnedAtUs
 * refuses it (only recorded backends enter a service's list; a connection's backend is never read
 * for its spread).
 */
const NOT_SPREAD = new Float64Array(0);

/** A backend of `container` on node `nodeIndex`, not yet joined. */
export function newBackend<C>(container: C, nodeIndex: number): Backend<C> {
  return { container, nodeIndex, atUs: 0, originIndex: -1, spreadFromUs: 0, cdf: NOT_SPREAD, seq: -1, leave: null, knownUs: Infinity, goneUs: Infinity };
}

/** A join or a leave of `backend`, spreading from the node where it happened. */
export interface Change<C> extends Spread {
  readonly join: boolean;
  readonly backend: Backend<C>;
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
export function learnedAtUs(change: Spread, node: number, key: number): number {
  if (change.seq < 0) throw new Error("endpoints: a backend's join is read before it was recorded");
  if (node === change.originIndex) return change.atUs;
  const round = roundOf(change.cdf, hashUnit(key, change.seq, node));
  return change.spreadFromUs + (round - 1) * GOSSIP_ROUND_US;
}

/** When the last node learns `change`. */
export function settledAtUs(change: Spread): number {
  return change.spreadFromUs + (roundsToAll(change.cdf) - 1) * GOSSIP_ROUND_US;
}

/** Backends whose leave every node knows are dropped from the list at most this often. */
const SWEEP_GAP_US = 1_000_000;

/**
 * The backends of one service on one network, in the order they joined, and each node's
 * round-robin position: the backend it picked last (IPVS's rr scheduler keeps a pointer to its
 * last destination; when that one is removed, the next pick is the one after it).
 */
export class ServiceEndpoints<C> {
  /** Every backend that joined and that some node may still hold, by join order. */
  private list: Backend<C>[] = [];
  /** The containers of `list`, place by place: a pick of the fast path reads no backend. */
  private containers: C[] = [];
  /** The nodes of `list`'s backends, place by place (entries past list.length are stale). */
  private nodes = new Int32Array(0);
  /**
   * Each node's round-robin position, plus one: where in `list` its next pick starts (0 before
   * its first pick, or after it restarted). A sweep moves every position with the list, so a
   * pick reads one number for its node. (Two lists and the backend of the last pick, which a
   * pick compared with the list's entry to detect a sweep, were three cache misses a request at
   * 20,000 nodes, where each node's turn comes a few times a minute.)
   */
  private nextAt = new Int32Array(0);
  private readonly salt: number;
  private nextSweepUs = Infinity;
  private lastSweepUs = -Infinity;
  /** Backends in `list` that have left (until a sweep drops them). */
  private leftInList = 0;
  /** When every node will have learned every change so far. */
  settledUs = 0;

  constructor(
    readonly service: string,
    private readonly key: number,
    private readonly reach: Reach | null = null,
  ) {
    this.salt = nameHash(service);
  }

  record(change: Change<C>): void {
    const b = change.backend;
    const settled = settledAtUs(change);
    if (change.join) {
      b.atUs = change.atUs;
      b.originIndex = change.originIndex;
      b.spreadFromUs = change.spreadFromUs;
      b.cdf = change.cdf;
      b.seq = change.seq;
      b.knownUs = settled;
      const at = this.list.length;
      if (at === this.nodes.length) this.nodes = grownTo(this.nodes, at + 1);
      this.nodes[at] = b.nodeIndex;
      this.list.push(b);
      this.containers.push(b.container);
    } else {
      b.leave = change;
      b.goneUs = settled;
      this.leftInList++;
      this.nextSweepUs = Math.min(this.nextSweepUs, Math.max(settled, this.lastSweepUs + SWEEP_GAP_US));
    }
    this.settledUs = Math.max(this.settledUs, settled);
  }

  /** The node restarted: its IPVS state is gone; its position starts afresh. */
  forget(node: number): void {
    if (node < this.nextAt.length) this.nextAt[node] = 0;
  }

  /** The next backend by IPVS round-robin on `node`, or null when it holds none. */
  pick(node: number, nowUs: number): Backend<C> | null {
    const i = this.pickPlace(node, nowUs);
    return i < 0 ? null : this.list[i]!;
  }

  /**
   * pick()'s backend as its place in the list, or -1: its container and node are read by place
   * (containerAt, nodeAt) until the next pickPlace, pick or visible (a sweep may move places). A
   * request's pick on a big cluster reads no backend, and its container and node are read side
   * by side rather than one through the other.
   */
  pickPlace(node: number, nowUs: number): number {
    if (nowUs >= this.nextSweepUs) this.sweep(nowUs);
    const list = this.list;
    const n = list.length;
    if (n === 0) return -1;
    const plain = this.reach === null || !this.reach.partitioned;
    if (node >= this.nextAt.length) this.nextAt = grownTo(this.nextAt, node + 1);
    const next = this.nextAt[node]!;
    let i = next === 0 ? Math.floor(hashUnit(this.key, this.salt, node) * n) : next - 1;
    if (i >= n) i = 0;
    // Every change so far has reached every node and none is a leave: every node holds every
    // backend of the list, so the next one is the pick, and no backend is read to know it.
    if (plain && this.leftInList === 0 && nowUs >= this.settledUs) {
      this.nextAt[node] = i + 2;
      return i;
    }
    for (let k = 0; k < n; k++, i++) {
      if (i >= n) i = 0;
      const b = list[i]!;
      // The hot path: a backend every node knows, that has not left.
      if ((plain && b.leave === null && nowUs >= b.knownUs) || this.sees(b, node, nowUs)) {
        this.nextAt[node] = i + 2;
        return i;
      }
    }
    return -1;
  }

  /** The container of the backend at `place` (pickPlace). */
  containerAt(place: number): C {
    return this.containers[place]!;
  }

  /** The node (host index) of the backend at `place` (pickPlace). */
  nodeAt(place: number): number {
    return this.nodes[place]!;
  }

  /** The backends `node` holds now, in its table's order. */
  visible(node: number, nowUs: number): Backend<C>[] {
    if (nowUs >= this.nextSweepUs) this.sweep(nowUs);
    return this.list.filter((b) => this.sees(b, node, nowUs));
  }

  /** Whether `node` holds `b` now: it has learned the join, not the leave, and can still reach b's node. */
  private sees(b: Backend<C>, node: number, nowUs: number): boolean {
    if (nowUs < b.knownUs && learnedAtUs(b, node, this.key) > nowUs) return false;
    const leave = b.leave;
    if (leave !== null && (nowUs >= b.goneUs || learnedAtUs(leave, node, this.key) <= nowUs)) return false;
    const reach = this.reach;
    return reach === null || !reach.partitioned || !reach.cutOff(node, b.nodeIndex, nowUs);
  }

  /**
   * Drops the backends whose leave every node knows (they are invisible already: this saves
   * scanning them), and moves every node's position with the list (at most once a second, for
   * the nodes that have picked).
   */
  private sweep(nowUs: number): void {
    this.lastSweepUs = nowUs;
    let next = Infinity;
    let left = 0;
    const old = this.list;
    // kept[j]: how many backends before place j stay, which is where a position at j moves.
    const kept = new Int32Array(old.length + 1);
    const list: Backend<C>[] = [];
    const containers: C[] = [];
    const nodes = this.nodes;
    for (let j = 0; j < old.length; j++) {
      const b = old[j]!;
      kept[j] = list.length;
      if (b.goneUs <= nowUs) continue;
      if (b.goneUs < next) next = b.goneUs;
      if (b.leave !== null) left++;
      nodes[list.length] = b.nodeIndex;
      list.push(b);
      containers.push(b.container);
    }
    kept[old.length] = list.length;
    this.list = list;
    this.containers = containers;
    // A node's next pick starts at the first backend that stays from where it started before
    // (past the end: the list's start, as the pick wraps).
    const at = this.nextAt;
    for (let node = 0; node < at.length; node++) {
      const start1 = at[node]!;
      if (start1 > 0) at[node] = kept[Math.min(start1 - 1, old.length)]! + 1;
    }
    this.leftInList = left;
    this.nextSweepUs = next === Infinity ? Infinity : Math.max(next, nowUs + SWEEP_GAP_US);
  }
}

/** A stable number for a service name (FNV-1a), to salt each service's starting places. */
function nameHash(name: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193);
  return h >>> 0;
}
