import type { Simulation, ScheduledEvent } from "../kernel/index.js";
import {
  HEARTBEAT_ANSWER_TIMEOUT_US, HEARTBEAT_BYTES, HeartbeatEvent, STATUS_UPDATE_BYTES, heartbeatKey,
  type AgentToManager, type HeartbeatResponseMessage, type NodeDescription, type NotLeaderMessage, type QuietSession, type QuietTicket, type SessionParking, type TaskStatusUpdate,
} from "../api/messages.js";

export interface SessionDeps {
  sim: Simulation;
  /** The node's index among the hosts: the place of its heartbeat events in an instant (heartbeatKey). */
  nodeIndex: number;
  /** Every manager, in order; the agent starts with the first and moves on when one fails it. */
  managers: readonly string[];
  /** Sends to a manager over the fabric. */
  send(manager: string, msg: AgentToManager, bytes: number): void;
  /** Every task's latest state: a new session reports them all (the new leader must learn them). */
  allStatuses(): TaskStatusUpdate[];
  description: NodeDescription;
  /** Where a session with nothing to report may be held between heartbeats; none: always the full path. */
  parking: SessionParking | null;
  /** Uniform in [0, 1): the delay before a new session after a failed one. */
  random(): number;
}

/**
 * swarmkit's agent after a failed session (no leader, or no answer in time): a new one after a
 * random delay below a backoff that starts at 100 ms and grows to 100 ms plus twice the last, up
 * to 8 s; a session that registers, or the agent's restart, resets it (agent.go:
 * initialSessionFailureBackoff, maxSessionFailureBackoff).
 */
const INITIAL_BACKOFF_US = 100_000;
const MAX_BACKOFF_US = 8_000_000;

/**
 * The agent's session with the managers (swarmkit agent/session.go): heartbeats at the period
 * the dispatcher names, status reports that are kept until acknowledged, and finding the
 * leader: a manager that does not lead names the leader it knows, and one that does not answer
 * in time is given up for the next.
 * SIMPLIFICATION: Swarm's agent talks to any manager, which proxies to the leader; ours goes to
 * the leader directly once it knows it, so a partition between agent and leader breaks the
 * session even when another manager could have relayed.
 */
export class AgentSession implements QuietSession {
  private target = 0;
  private newSession = true;
  private readonly unacked = new Map<string, TaskStatusUpdate>();
  private beatTimer: ScheduledEvent | null = null;
  private timeout: ScheduledEvent | null = null;
  private running = false;
  private backoffUs = 0;
  /** Held by the leader's dispatcher (its heartbeats computed, not sent) until woken. */
  private held: QuietTicket | null = null;
  private readonly beatFn = (): void => this.beat();
  private readonly timeoutFn = (): void => this.switchTo(null);

  constructor(
    readonly node: string,
    private readonly d: SessionDeps,
  ) {}

  get manager(): string {
    return this.d.managers[this.target]!;
  }

  start(): void {
    this.running = true;
    this.newSession = true;
    this.backoffUs = 0; // a restarted agent starts afresh, as swarmkit's does
    this.beat();
  }

  /** The host crashed: the session and its unsent reports die with it. */
  stop(): void {
    this.held?.wake();
    this.running = false;
    this.d.sim.cancel(this.beatTimer);
    this.d.sim.cancel(this.timeout);
    this.unacked.clear();
  }

  /** A task changed: report it now, and keep it until a heartbeat answer acknowledges it. */
  report(update: TaskStatusUpdate): void {
    if (!this.running) return;
    this.held?.wake();
    this.unacked.set(update.taskId, update);
    this.d.send(this.manager, { type: "TaskStatus", node: this.node, updates: [update] }, STATUS_UPDATE_BYTES);
  }

  /** Whether a report of the task waits for its acknowledgement. */
  reporting(taskId: string): boolean {
    return this.unacked.has(taskId);
  }

  receive(msg: HeartbeatResponseMessage | NotLeaderMessage): void {
    if (!this.running || msg.manager !== this.manager) return;
    this.d.sim.cancel(this.timeout);
    this.timeout = null;
    if (msg.type === "NotLeader") {
      this.switchTo(msg.leader);
      return;
    }
    this.newSession = false;
    this.backoffUs = 0;
    for (const a of msg.acked) {
      const u = this.unacked.get(a.taskId);
      if (u && u.state <= a.state) this.unacked.delete(a.taskId);
    }
    this.d.sim.cancel(this.beatTimer);
    this.beatTimer = null;
    if (this.unacked.size === 0) this.held = this.d.parking?.park(this, this.manager, msg.periodUs) ?? null;
    if (this.held === null) this.beatAt(this.d.sim.now() + msg.periodUs);
  }

  resumeBeatAt(beatAtUs: number): void {
    this.held = null;
    this.beatAt(beatAtUs);
  }

  resumeAwaiting(sentAtUs: number): void {
    this.held = null;
    this.timeoutAt(sentAtUs + HEARTBEAT_ANSWER_TIMEOUT_US);
  }

  // The cycle's timers take their place in the instant by node (heartbeatKey), not by when they
  // were set: a held session restores them long after the full path would have set them.
  private beatAt(atUs: number): void {
    this.beatTimer = this.d.sim.atKeyed(atUs, heartbeatKey(this.d.nodeIndex, HeartbeatEvent.BEAT), this.beatFn);
  }

  private timeoutAt(atUs: number): void {
    this.timeout = this.d.sim.atKeyed(atUs, heartbeatKey(this.d.nodeIndex, HeartbeatEvent.TIMEOUT), this.timeoutFn);
  }

  private beat(): void {
    this.beatTimer = null;
    if (!this.running) return;
    if (this.newSession) for (const u of this.d.allStatuses()) this.unacked.set(u.taskId, u);
    const statuses = [...this.unacked.values()];
    const description = this.newSession ? this.d.description : null;
    this.d.send(this.manager, { type: "Heartbeat", node: this.node, newSession: this.newSession, statuses, description }, HEARTBEAT_BYTES + STATUS_UPDATE_BYTES * statuses.length);
    this.d.sim.cancel(this.timeout);
    this.timeoutAt(this.d.sim.now() + HEARTBEAT_ANSWER_TIMEOUT_US);
  }

  /** Moves to the named leader at once, or to the next manager after the backoff's delay; the next beat opens a new session. */
  private switchTo(leader: string | null): void {
    this.timeout = null;
    this.newSession = true;
    const i = leader === null ? -1 : this.d.managers.indexOf(leader);
    this.d.sim.cancel(this.beatTimer);
    if (i >= 0 && i !== this.target) {
      this.target = i;
      this.beat();
      return;
    }
    this.target = (this.target + 1) % this.d.managers.length;
    this.backoffUs = Math.min(MAX_BACKOFF_US, INITIAL_BACKOFF_US + 2 * this.backoffUs);
    this.beatAt(this.d.sim.now() + Math.floor(this.d.random() * this.backoffUs));
  }
}
