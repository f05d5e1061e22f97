import { grownTo, type Simulation } from "../kernel/index.js";
import { HEARTBEAT_ANSWER_TIMEOUT_US, HEARTBEAT_BYTES, HeartbeatEvent, heartbeatKey, type HeartbeatMessage, type HeartbeatResponseMessage, type QuietSession, type QuietTicket } from "../api/messages.js";
import type { NodeHost } from "./control-plane.js";

/** What the ledger needs of the network, for one manager: the control path (network/delivery.ts sendControl). */
export interface QuietNet {
  /** Rounded one-way time of a heartbeat-sized message from `from` to `to`. */
  delayUs(from: NodeHost, to: NodeHost, bytes: number): number;
  /** Counts `times` heartbeats' bytes on the NICs of hosts `from` and `to` (by index), as sendControl does when it sends each. */
  count(from: number, to: number, bytes: number, times: number): void;
  /** A heartbeat sent while held arrives at the manager at `atUs` (checked for reachability then). */
  heartbeatArrivesAt(atUs: number, from: NodeHost, msg: HeartbeatMessage): void;
  /** An answer sent while held arrives at the agent at `atUs`. */
  answerArrivesAt(atUs: number, to: NodeHost, msg: HeartbeatResponseMessage): void;
  /** Whether nothing may be held now: a partition is in force (paths may break at any time). */
  blocked(): boolean;
  /** The host of a node, by name. */
  host(node: string): NodeHost | undefined;
}

export interface QuietSessionsDeps {
  sim: Simulation;
  /** The manager this dispatcher runs on. */
  manager: NodeHost;
  net: QuietNet;
  /** The node's jitter counter: which answer to it comes next (a held session moves it on, and writes it back when woken). */
  jitterCounter(node: string): JitterCounter;
  /** The period the dispatcher names in its answer number `count` (from 0) to the node whose jitter key is `key`. */
  periodAt(key: number, count: number): number;
  /** The shortest period the dispatcher may name (its jitter at the bottom). */
  shortestPeriodUs: number;
  /** The node is READY in the store with no status change of the dispatcher's on its way. */
  steady(node: string): boolean;
  /** Takes over the node's DOWN deadline: returns when it is due and stops the dispatcher's timer. */
  takeExpiry(node: string): number | null;
  /** Hands the deadline back: the dispatcher's timer for `node` fires at `atUs`. */
  armExpiryAt(node: string, atUs: number): void;
}

/** The dispatcher's count of its answers to one node, and the key of that node's jitter sequence. */
export interface JitterCounter {
  key: number;
  count: number;
}

/**
 * The leader's dispatcher holding, in aggregate, the sessions of nodes that only confirm they are
 * alive. Such a node's heartbeats change nothing but three things: when the dispatcher would mark
 * it DOWN, its jitter counter, and the bytes on two NICs. All three follow from the cycle
 * (heartbeat up, answer naming a jittered period down, wait that period), so a held session
 * costs no event: the cycle is computed when something needs it, and only up to then. That is
 * when its node reports (a task changed), crashes, or changes in the store; when this dispatcher
 * stops (its manager lost the lead or crashed); when a partition starts (paths may break); and
 * when a metrics window closes (the bytes). Waking puts the session back on the full path in the
 * state it would be in: a heartbeat or an answer in flight arrives when it would have, the
 * timeouts run from when they would have started. The jitter is counter-based
 * (kernel counterUniform), so computing a period early gives the number the full path draws.
 * test/engine/quiet-sessions.test.ts runs scenarios both ways and compares every output byte.
 * Ties in one microsecond: every event of the cycle (the beat, the heartbeat's arrival, the
 * answer's arrival, the response timeout, the DOWN deadline) has a fixed place in its instant on
 * both paths, after the ordinary events and by node (kernel atKeyed, api heartbeatKey), whenever
 * it was scheduled; window closes and faults come after them (kernel lastAt). A send at the
 * wake's very microsecond is taken as done if the instant has reached its place (kernel
 * keyedDone): for a window close or a fault, all of them; for a report or a store change, none,
 * and the restored event runs later in the instant, as on the full path. A review found both
 * ties this settles (a report in the microsecond of a held beat; sessions woken together
 * resuming in another order); test/engine/quiet-sessions.test.ts holds the first.
 */
export class QuietSessions {
  /**
   * The held sessions' cycles, by their node's host index, one typed array per field: a
   * window's settle() walks every held session (about 20,000 at 20,001 workers, every 10 s), and
   * a walk of flat arrays in index order reads each session's state from memory next to the last
   * one's, where an object per session had each in its own place in V8's heap (most reads a cache
   * miss: 0.5 us a session, 10 ms a window at 20,001 workers; 1.8 ms a window now). Slots are
   * made for the highest index held so far.
   */
  private isHeld = new Uint8Array(0);
  /** The next send: a heartbeat at `nextUs` (phase 0) or, the heartbeat having arrived, the answer at `nextUs` (phase 1). */
  private phase = new Uint8Array(0);
  private nextUs = new Float64Array(0);
  /** When the last heartbeat left the agent, when its answer reaches it, and the period it named. */
  private sentUs = new Float64Array(0);
  private answerUs = new Float64Array(0);
  private periodUs = new Float64Array(0);
  /** When the dispatcher would mark the node DOWN: HEARTBEAT_GRACE periods after the last heartbeat it got. */
  private expiryUs = new Float64Array(0);
  /** One-way delays agent -> manager and back. */
  private upUs = new Float64Array(0);
  private downUs = new Float64Array(0);
  /**
   * The node's jitter counter while held: its key, and its count, which the held cycle moves on
   * and wake() writes back to the dispatcher's record. Nothing else reads that record meanwhile:
   * a held node sends no heartbeat of its own, and one that reached the dispatcher all the same
   * would wake it first (Dispatcher.heartbeat), as would a second park.
   */
  private jitterKey = new Float64Array(0);
  private jitterCount = new Float64Array(0);
  /** The host index of each held node, by name (park and wake are rare; settle never reads it). */
  private readonly heldAt = new Map<string, number>();
  private readonly sessions: (QuietSession | undefined)[] = [];
  private readonly agents: (NodeHost | undefined)[] = [];
  private readonly counters: (JitterCounter | undefined)[] = [];

  constructor(private readonly d: QuietSessionsDeps) {}

  /** Takes the session if its node is steady and nothing may break its path; null if not. */
  park(session: QuietSession, periodUs: number): QuietTicket | null {
    const d = this.d;
    const agent = d.net.host(session.node);
    if (!agent || !agent.up || !d.manager.up || d.net.blocked() || !d.steady(session.node)) return null;
    const upUs = d.net.delayUs(agent, d.manager, HEARTBEAT_BYTES);
    const downUs = d.net.delayUs(d.manager, agent, HEARTBEAT_BYTES);
    // The cycle computed here assumes each answer arrives before the agent gives up on it, and
    // each heartbeat before the node's DOWN deadline: the next one arrives a round trip and a
    // period after the last, the deadline is HEARTBEAT_GRACE periods after it.
    const roundTripUs = upUs + downUs;
    if (roundTripUs >= HEARTBEAT_ANSWER_TIMEOUT_US || roundTripUs >= (HEARTBEAT_GRACE - 1) * d.shortestPeriodUs) return null;
    // Held already (no path parks a held session): its state is written back before it is taken again.
    this.wake(session.node);
    const expiryUs = d.takeExpiry(session.node);
    if (expiryUs === null) return null;
    const i = agent.index;
    this.makeRoom(i);
    const jitter = d.jitterCounter(session.node);
    this.heldAt.set(session.node, i);
    this.isHeld[i] = 1;
    this.sessions[i] = session;
    this.agents[i] = agent;
    this.counters[i] = jitter;
    this.jitterKey[i] = jitter.key;
    this.jitterCount[i] = jitter.count;
    this.upUs[i] = upUs;
    this.downUs[i] = downUs;
    // answerUs -1: the answer that parks it has arrived, whichever path it came by (a large one,
    // acking many reports, comes by the ordinary path, outside the heartbeat's place in the instant).
    this.phase[i] = 0;
    this.nextUs[i] = d.sim.now() + periodUs;
    this.sentUs[i] = -1;
    this.answerUs[i] = -1;
    this.periodUs[i] = periodUs;
    this.expiryUs[i] = expiryUs;
    const node = session.node;
    return { wake: () => this.wake(node) };
  }

  /** Back to the full path now, if held. */
  wake(node: string): void {
    const i = this.heldAt.get(node);
    if (i === undefined) return;
    this.heldAt.delete(node);
    this.isHeld[i] = 0;
    this.advance(i);
    const session = this.sessions[i]!;
    const agent = this.agents[i]!;
    this.counters[i]!.count = this.jitterCount[i]!;
    this.sessions[i] = undefined;
    this.agents[i] = undefined;
    this.counters[i] = undefined;
    const d = this.d;
    d.armExpiryAt(node, this.expiryUs[i]!);
    if (this.phase[i] === 1) {
      d.net.heartbeatArrivesAt(this.nextUs[i]!, agent, { type: "Heartbeat", node, newSession: false, statuses: [], description: null });
      session.resumeAwaiting(this.sentUs[i]!);
    } else if (!d.sim.keyedDone(this.answerUs[i]!, heartbeatKey(i, HeartbeatEvent.AT_AGENT))) {
      d.net.answerArrivesAt(this.answerUs[i]!, agent, { type: "HeartbeatResponse", manager: d.manager.name, periodUs: this.periodUs[i]!, acked: [] });
      session.resumeAwaiting(this.sentUs[i]!);
    } else {
      session.resumeBeatAt(this.nextUs[i]!);
    }
  }

  /** Every held session back to the full path, in node order. */
  wakeAll(): void {
    for (const node of [...this.heldAt.keys()].sort()) this.wake(node);
  }

  /**
   * Computes every held cycle up to now (their bytes are then on the NICs' counts). In index
   * order: what a cycle computes is its own node's, and its bytes are whole numbers, whose sum on
   * the manager's NIC does not depend on the order they are added in.
   */
  settle(): void {
    const held = this.isHeld;
    for (let i = 0; i < held.length; i++) if (held[i] === 1) this.advance(i);
  }

  /**
   * Runs the cycle's sends that the full path would have run by now: heartbeats up, answers down
   * with the period each names. In this very microsecond, those whose place (heartbeatKey) comes
   * before the event now running (kernel keyedDone): all of them for a window close or a fault,
   * which come last in their instant; none for a report or a store change, which come first.
   */
  private advance(i: number): void {
    const d = this.d;
    // Bytes are counted once per direction at the end: nothing reads the NICs' counts in between,
    // the held path counts them at settle rather than when sent in any case, and a heartbeat's
    // wire bytes are a whole number, so one product is the sum of the adds it replaces.
    let up = 0;
    let down = 0;
    let phase = this.phase[i]!;
    let next = this.nextUs[i]!;
    // The next send's place: the agent's beat (phase 0) or the heartbeat's arrival, which sends the answer.
    while (d.sim.keyedDone(next, heartbeatKey(i, phase === 0 ? HeartbeatEvent.BEAT : HeartbeatEvent.AT_MANAGER))) {
      if (phase === 0) {
        up++;
        this.sentUs[i] = next;
        next += this.upUs[i]!;
        phase = 1;
      } else {
        const period = d.periodAt(this.jitterKey[i]!, this.jitterCount[i]!);
        this.jitterCount[i]!++;
        down++;
        this.expiryUs[i] = next + HEARTBEAT_GRACE * period;
        const answer = next + this.downUs[i]!;
        this.answerUs[i] = answer;
        this.periodUs[i] = period;
        next = answer + period;
        phase = 0;
      }
    }
    this.phase[i] = phase;
    this.nextUs[i] = next;
    if (up > 0) d.net.count(i, d.manager.index, HEARTBEAT_BYTES, up);
    if (down > 0) d.net.count(d.manager.index, i, HEARTBEAT_BYTES, down);
  }

  /** Slots up to host index `i`: every array grown alike (kernel grownTo). */
  private makeRoom(i: number): void {
    if (i < this.isHeld.length) return;
    const n = i + 1;
    this.isHeld = grownTo(this.isHeld, n);
    this.phase = grownTo(this.phase, n);
    this.nextUs = grownTo(this.nextUs, n);
    this.sentUs = grownTo(this.sentUs, n);
    this.answerUs = grownTo(this.answerUs, n);
    this.periodUs = grownTo(this.periodUs, n);
    this.expiryUs = grownTo(this.expiryUs, n);
    this.upUs = grownTo(this.upUs, n);
    this.downUs = grownTo(this.downUs, n);
    this.jitterKey = grownTo(this.jitterKey, n);
    this.jitterCount = grownTo(this.jitterCount, n);
    // The object arrays too, filled in order: a first write far past an array's end would make it a dictionary.
    while (this.sessions.length < this.isHeld.length) {
      this.sessions.push(undefined);
      this.agents.push(undefined);
      this.counters.push(undefined);
    }
  }
}

/** A node is DOWN after this many heartbeat periods without a heartbeat (the dispatcher's rule). */
export const HEARTBEAT_GRACE = 3;
