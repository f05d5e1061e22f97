import type { Simulation } from "../kernel/index.js";
import { HEARTBEAT_ANSWER_TIMEOUT_US, HEARTBEAT_BYTES, HeartbeatEvent, heartbeatKey, type HeartbeatMessage, type HeartbeatResponseMessage, type QuietSession, type QuietTicket } from "../api/messages.js";
import type { NodeHost } from "./control-plane.js";

/** What the ledger needs of the network, for one manager: the control path (network/delivery.ts sendControl). */
export interface QuietNet {
  /** Rounded one-way time of a heartbeat-sized message from `from` to `to`. */
  delayUs(from: NodeHost, to: NodeHost, bytes: number): number;
  /** Counts `times` heartbeats' bytes on the NICs, as sendControl does when it sends each. */
  count(from: NodeHost, to: NodeHost, bytes: number, times: number): void;
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
  /** The node's jitter counter: which answer to it comes next (a held session keeps it at hand). */
  jitterCounter(node: string): JitterCounter;
  /** The period the dispatcher names in its next answer to the counter's node (the counter moves on). */
  nextPeriodUs(counter: JitterCounter): number;
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

/** One held session: where its heartbeat cycle stands, as computed so far. */
interface Held extends QuietTicket {
  session: QuietSession;
  agent: NodeHost;
  /** The dispatcher's counter for this node: the very record in its map of answers. */
  jitter: JitterCounter;
  /** One-way delays agent -> manager and back. */
  upUs: number;
  downUs: number;
  /** The next send: a heartbeat at `nextUs` (phase 0) or, the heartbeat having arrived, the answer at `nextUs` (phase 1). */
  phase: 0 | 1;
  nextUs: number;
  /** When the last heartbeat left the agent, when its answer reaches it, and the period it named. */
  sentUs: number;
  answerUs: number;
  periodUs: number;
  /** When the dispatcher would mark the node DOWN: HEARTBEAT_GRACE periods after the last heartbeat it got. */
  expiryUs: number;
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
  private readonly held = new Map<string, Held>();

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
    const expiryUs = d.takeExpiry(session.node);
    if (expiryUs === null) return null;
    const now = d.sim.now();
    const h: Held = {
      session, agent,
      jitter: d.jitterCounter(session.node),
      upUs,
      downUs,
      // answerUs -1: the answer that parks it has arrived, whichever path it came by (a large one,
      // acking many reports, comes by the ordinary path, outside the heartbeat's place in the instant).
      phase: 0, nextUs: now + periodUs, sentUs: -1, answerUs: -1, periodUs, expiryUs,
      wake: () => this.wake(session.node),
    };
    this.held.set(session.node, h);
    return h;
  }

  /** Back to the full path now, if held. */
  wake(node: string): void {
    const h = this.held.get(node);
    if (!h) return;
    this.held.delete(node);
    this.advance(h);
    const d = this.d;
    d.armExpiryAt(node, h.expiryUs);
    if (h.phase === 1) {
      d.net.heartbeatArrivesAt(h.nextUs, h.agent, { type: "Heartbeat", node, newSession: false, statuses: [], description: null });
      h.session.resumeAwaiting(h.sentUs);
    } else if (!d.sim.keyedDone(h.answerUs, heartbeatKey(h.agent.index, HeartbeatEvent.AT_AGENT))) {
      d.net.answerArrivesAt(h.answerUs, h.agent, { type: "HeartbeatResponse", manager: d.manager.name, periodUs: h.periodUs, acked: [] });
      h.session.resumeAwaiting(h.sentUs);
    } else {
      h.session.resumeBeatAt(h.nextUs);
    }
  }

  /** Every held session back to the full path, in node order. */
  wakeAll(): void {
    for (const node of [...this.held.keys()].sort()) this.wake(node);
  }

  /** Computes every held cycle up to now (their bytes are then on the NICs' counts). */
  settle(): void {
    for (const h of this.held.values()) this.advance(h);
  }

  /**
   * Runs the cycle's sends that the full path would have run by now: heartbeats up, answers down
   * with the period each names. In this very microsecond, those whose place (heartbeatKey) comes
   * before the event now running (kernel keyedDone): all of them for a window close or a fault,
   * which come last in their instant; none for a report or a store change, which come first.
   */
  private advance(h: Held): void {
    const d = this.d;
    // Bytes are counted once per direction at the end: nothing reads the NICs' counts in between,
    // the held path counts them at settle rather than when sent in any case, and a heartbeat's
    // wire bytes are a whole number, so one product is the sum of the adds it replaces.
    let up = 0;
    let down = 0;
    // The next send's place: the agent's beat (phase 0) or the heartbeat's arrival, which sends the answer.
    while (d.sim.keyedDone(h.nextUs, heartbeatKey(h.agent.index, h.phase === 0 ? HeartbeatEvent.BEAT : HeartbeatEvent.AT_MANAGER))) {
      if (h.phase === 0) {
        up++;
        h.sentUs = h.nextUs;
        h.nextUs += h.upUs;
        h.phase = 1;
      } else {
        const period = d.nextPeriodUs(h.jitter);
        down++;
        h.expiryUs = h.nextUs + HEARTBEAT_GRACE * period;
        h.answerUs = h.nextUs + h.downUs;
        h.periodUs = period;
        h.nextUs = h.answerUs + period;
        h.phase = 0;
      }
    }
    if (up > 0) d.net.count(h.agent, d.manager, HEARTBEAT_BYTES, up);
    if (down > 0) d.net.count(d.manager, h.agent, HEARTBEAT_BYTES, down);
  }
}

/** A node is DOWN after this many heartbeat periods without a heartbeat (the dispatcher's rule). */
export const HEARTBEAT_GRACE = 3;
