import { counterKey, counterUniform, type Simulation, type ScheduledEvent, type RandomStream } from "../kernel/index.js";
import { TaskState } from "../api/task-state.js";
import type { AssignmentMessage, HeartbeatMessage, HeartbeatResponseMessage, TaskStatusMessage, TaskStatusUpdate } from "../api/messages.js";
import { nodeRecordFrom, type Store, type StoreCommand, type StoreEvent, type TaskRecord } from "./store.js";
import { HEARTBEAT_GRACE, QuietSessions, type JitterCounter, type QuietNet } from "./quiet-sessions.js";
import type { NodeHost } from "./control-plane.js";

/** Swarm's dispatcher commits workers' status updates (and nodes found READY) in batches this often. */
export const STATUS_BATCH_US = 100_000;
export { HEARTBEAT_GRACE };
/**
 * A node DOWN this long, from when this leader saw it go DOWN or found it DOWN, has its tasks that
 * might still run marked ORPHANED (swarmkit's defaultNodeDownPeriod): their addresses are freed.
 */
export const NODE_DOWN_PERIOD_US = 24 * 3600 * 1_000_000;
/** The farthest ahead the orphaning timer is set at a time (see Dispatcher.orphanAt): 10 minutes. */
const ORPHAN_HOP_US = 600_000_000;
/** After a leader change, a node has this many periods to re-register before it is DOWN. */
export const REGISTER_GRACE = 6;
/**
 * Heartbeat periods are jittered by +-500 ms (swarmkit's HeartbeatEpsilon: 5 s -> 4.5..5.5 s,
 * 20 s -> 19.5..20.5 s). SIMPLIFICATION: a period under 5 s gets +-10% of it instead: Swarm's
 * fixed 500 ms would take a period of 500 ms or less to zero (a stress test's 10 ms heartbeats).
 */
const JITTER_US = 500_000;
const JITTER_SHARE = 0.1;

export interface DispatcherOptions {
  sim: Simulation;
  store: Store;
  propose: (cmds: StoreCommand[]) => void;
  heartbeatPeriodUs: number;
  /** The place in an instant of this dispatcher's DOWN deadline for a node (api expiryKey). */
  expiryKey(node: string): number;
  rng: RandomStream;
  /** Sends to a node's agent over the fabric, from the leader. */
  sendToAgent(node: string, msg: AssignmentMessage | HeartbeatResponseMessage): void;
  /** Hold steady nodes' sessions in aggregate (quiet-sessions.ts) on this manager's control path; null: never. */
  quiet: { manager: NodeHost; net: QuietNet } | null;
}

/**
 * The leader's dispatcher (swarmkit manager/dispatcher): keeps a session with every node by
 * heartbeat and marks a node DOWN when its heartbeats stop; after a leader change every node
 * not DOWN is UNKNOWN until it re-registers. It tells each agent which tasks should run there
 * and with what desired state, and commits the agents' status reports in batches.
 */
export class Dispatcher {
  private readonly sentDesired = new Map<string, TaskState>();
  private readonly updates = new Map<string, TaskStatusUpdate>();
  private readonly expiry = new Map<string, ScheduledEvent>();
  /** Nodes DOWN, each with the pending event of its NODE_DOWN_PERIOD_US timer (swarmkit's downNodes; see orphanAt). */
  private readonly downNodes = new Map<string, ScheduledEvent>();
  /** Node status this leader has proposed, so it does not propose it again before the commit. */
  private readonly proposedStatus = new Map<string, string>();
  /** Nodes found alive again, to be marked READY with the next batch (in the order they were found). */
  private readonly readyNodes: string[] = [];
  private flushTimer: ScheduledEvent | null = null;
  private stopped = false;
  /**
   * Heartbeats answered per node, and the key of its jitter sequence: the n-th answer's period is
   * counter-based. A record is never replaced or deleted: a held session keeps its node's (quiet-sessions.ts).
   */
  private readonly answered = new Map<string, JitterCounter>();
  private readonly jitterBase: number;
  /** Sessions held while their nodes only confirm they are alive; null when disabled. */
  readonly quiet: QuietSessions | null;

  constructor(private readonly o: DispatcherOptions) {
    this.jitterBase = Math.floor(o.rng.next() * 4294967296);
    const q = o.quiet;
    this.quiet = q && new QuietSessions({
      sim: o.sim,
      manager: q.manager,
      net: q.net,
      jitterCounter: (node) => this.counterOf(node),
      periodAt: (key, count) => this.periodAt(key, count),
      shortestPeriodUs: this.jittered(0),
      steady: (node) => !this.stopped && o.store.nodes.get(node)?.status === "ready" && !this.proposedStatus.has(node),
      takeExpiry: (node) => this.takeExpiry(node),
      armExpiryAt: (node, atUs) => this.armExpiryAt(node, atUs),
    });
    const cmds: StoreCommand[] = [];
    for (const node of o.store.nodes.values()) {
      if (node.status === "down") {
        this.armOrphaning(node.id);
        continue;
      }
      cmds.push({ type: "UpdateNode", id: node.id, status: "unknown" });
      this.proposedStatus.set(node.id, "unknown");
      this.armExpiry(node.id, REGISTER_GRACE * this.jittered(o.rng.next()));
    }
    if (cmds.length > 0) o.propose(cmds);
    for (const task of o.store.tasks.values()) this.maybeSend(task);
  }

  stop(): void {
    this.quiet?.wakeAll();
    this.stopped = true;
    this.o.sim.cancel(this.flushTimer);
    for (const t of this.expiry.values()) this.o.sim.cancel(t);
    for (const t of this.downNodes.values()) this.o.sim.cancel(t);
  }

  handle(event: StoreEvent): void {
    if (this.stopped) return;
    if (event.type === "node") {
      this.quiet?.wake(event.node.id);
      if (this.proposedStatus.get(event.node.id) === event.node.status) this.proposedStatus.delete(event.node.id);
      return;
    }
    if (event.type !== "task") return;
    if (event.removed) this.sentDesired.delete(event.task.id);
    else this.maybeSend(event.task);
  }

  heartbeat(msg: HeartbeatMessage): HeartbeatResponseMessage | null {
    if (this.stopped) return null;
    // A held node sends none (its session is computed, quiet-sessions.ts); were one to come all
    // the same, the held cycle is put back on the full path first, with its jitter count.
    this.quiet?.wake(msg.node);
    const node = this.o.store.nodes.get(msg.node);
    if (!node && !this.register(msg)) return null;
    const periodUs = this.periodFor(msg.node);
    this.armExpiry(msg.node, HEARTBEAT_GRACE * periodUs);
    if (!node) return { type: "HeartbeatResponse", manager: "", periodUs, acked: [] };
    // A heartbeat to a session this dispatcher ended (the node was marked DOWN) starts a new one:
    // swarmkit answers it "node not registered", and the agent opens a session at once.
    const fresh = msg.newSession || this.sessionless(node.id, node);
    if (node.status !== "ready" && this.proposedStatus.get(node.id) !== "ready") {
      // swarmkit's markNodeReady: the node joins the next status batch, not a proposal of its own.
      // SIMPLIFICATION: swarmkit holds the registering node's answer until that batch is written.
      this.proposedStatus.set(node.id, "ready");
      this.readyNodes.push(node.id);
      this.o.sim.cancel(this.downNodes.get(node.id));
      this.downNodes.delete(node.id);
      this.armFlush();
    }
    if (fresh) this.resync(node.id);
    this.receiveStatus({ type: "TaskStatus", node: msg.node, updates: msg.statuses });
    return { type: "HeartbeatResponse", manager: "", periodUs, acked: msg.statuses };
  }

  /** The heartbeat period with Swarm's +-500 ms jitter, drawn from `u` in [0, 1). */
  private jittered(u: number): number {
    const period = this.o.heartbeatPeriodUs;
    const epsilon = Math.min(JITTER_US, period * JITTER_SHARE);
    return Math.round(period - epsilon + 2 * epsilon * u);
  }

  /** The period of this dispatcher's next answer to `node`: the n-th of the node's own counter-based sequence. */
  private periodFor(node: string): number {
    return this.nextPeriod(this.counterOf(node));
  }

  /** The node's record of answers, made at its first. */
  private counterOf(node: string): JitterCounter {
    let a = this.answered.get(node);
    if (!a) {
      a = { key: counterKey(this.jitterBase, node), count: 0 };
      this.answered.set(node, a);
    }
    return a;
  }

  /** The period of the next answer counted by `a`; its count moves on. */
  private nextPeriod(a: JitterCounter): number {
    return this.periodAt(a.key, a.count++);
  }

  /** The period named in answer number `count` (from 0) of the jitter sequence `key`. */
  private periodAt(key: number, count: number): number {
    return this.jittered(counterUniform(key, count));
  }

  /** A held session takes over the node's DOWN deadline: when it was due; the timer stops. */
  private takeExpiry(nodeId: string): number | null {
    const ev = this.expiry.get(nodeId);
    if (!ev || !ev.pending) return null;
    this.o.sim.cancel(ev);
    this.expiry.delete(nodeId);
    return ev.timeUs;
  }

  /** A node joining the swarm: the leader adds it to the store, READY. False if it cannot (no description). */
  private register(msg: HeartbeatMessage): boolean {
    const d = msg.description;
    if (!d) return false;
    if (this.proposedStatus.get(d.id) === "ready") return true;
    this.proposedStatus.set(d.id, "ready");
    this.o.propose([{ type: "CreateNode", node: nodeRecordFrom(d) }]);
    return true;
  }

  private armExpiry(nodeId: string, afterUs: number): void {
    this.armExpiryAt(nodeId, this.o.sim.now() + afterUs);
  }

  /** The DOWN deadline is a heartbeat-cycle event: its place in the instant is the node's, then this manager's. */
  private armExpiryAt(nodeId: string, atUs: number): void {
    this.o.sim.cancel(this.expiry.get(nodeId));
    this.expiry.set(nodeId, this.o.sim.atKeyed(atUs, this.o.expiryKey(nodeId), () => this.expire(nodeId)));
  }

  private expire(nodeId: string): void {
    this.expiry.delete(nodeId);
    if (this.stopped) return;
    const node = this.o.store.nodes.get(nodeId);
    if (!node || node.status === "down" || this.proposedStatus.get(nodeId) === "down") return;
    this.proposedStatus.set(nodeId, "down");
    this.o.propose([{ type: "UpdateNode", id: nodeId, status: "down" }]);
    this.armOrphaning(nodeId);
  }

  private armOrphaning(nodeId: string): void {
    this.o.sim.cancel(this.downNodes.get(nodeId));
    this.orphanAt(nodeId, this.o.sim.now() + NODE_DOWN_PERIOD_US);
  }

  /**
   * The timer is set at most ORPHAN_HOP_US ahead and set again when it fires early: a time 24 h
   * ahead is past 2^31 us, beyond the small integers V8 keeps unboxed on this Node, and the one
   * event holding it made the kernel's code, optimized for small times, deoptimize mid-run and
   * the runs that lose a node slower (bench/README.md, thirty-second session); a run whose clock
   * passes 2^31 us (35.8 simulated minutes) crosses anyway. The hops do nothing but count in
   * summary.json's events (one each 10 minutes a node stays DOWN), and the orphaning, at the same
   * microsecond as before, takes its place in that instant from when the last hop was set: after
   * an ordinary event scheduled for that microsecond in its last 10 minutes, not before it.
   */
  private orphanAt(nodeId: string, deadlineUs: number): void {
    const now = this.o.sim.now();
    const fire = (): void => {
      if (this.o.sim.now() < deadlineUs) this.orphanAt(nodeId, deadlineUs);
      else this.orphan(nodeId);
    };
    this.downNodes.set(nodeId, this.o.sim.after(Math.min(deadlineUs - now, ORPHAN_HOP_US), fire));
  }

  /** swarmkit's moveTasksToOrphaned: whether the node's tasks still run is unknown, and they may never be heard of again. */
  private orphan(nodeId: string): void {
    this.downNodes.delete(nodeId);
    if (this.stopped) return;
    const cmds: StoreCommand[] = [];
    for (const t of this.o.store.tasksOnNode(nodeId)) {
      if (t.state >= TaskState.ASSIGNED && t.state <= TaskState.RUNNING) cmds.push({ type: "UpdateTaskStatus", id: t.id, state: TaskState.ORPHANED, reason: "node down for 24 h" });
    }
    if (cmds.length > 0) this.o.propose(cmds);
  }

  /** A new session: send the node every task the store assigns to it. */
  private resync(nodeId: string): void {
    for (const task of this.o.store.tasksOnNode(nodeId)) {
      this.sentDesired.delete(task.id);
      this.maybeSend(task, true);
    }
  }

  private maybeSend(task: TaskRecord, resync = false): void {
    if (task.nodeId === null || task.state < TaskState.ASSIGNED) return;
    const sent = this.sentDesired.get(task.id);
    if (sent !== undefined && sent >= task.desiredState) return;
    if (!resync && sent === undefined && task.state > TaskState.RUNNING) return;
    if (this.sessionless(task.nodeId)) return;
    this.sentDesired.set(task.id, task.desiredState);
    this.o.sendToAgent(task.nodeId, {
      type: "Assignment",
      node: task.nodeId,
      taskId: task.id,
      service: task.service,
      slot: task.slot,
      spec: task.spec,
      desiredState: task.desiredState,
      state: task.state,
    });
  }

  /**
   * A node DOWN (committed, or proposed by this dispatcher) that has not registered since: its
   * session has ended, so nothing is sent to it. swarmkit's dispatcher sends assignments only
   * over a node's session stream, which ends when the node is marked DOWN. The node's next
   * heartbeat, a new session's or one to the ended session (its answers came, but too late for
   * the DOWN deadline), makes it a new session, which is sent every task of the node (resync).
   */
  private sessionless(nodeId: string, node = this.o.store.nodes.get(nodeId)): boolean {
    const proposed = this.proposedStatus.get(nodeId);
    if (proposed !== undefined) return proposed === "down";
    return node?.status === "down";
  }

  /** Status reports from an agent; the newest state per task is committed with the next batch. */
  receiveStatus(msg: TaskStatusMessage): void {
    if (this.stopped || msg.updates.length === 0) return;
    for (const u of msg.updates) {
      const prev = this.updates.get(u.taskId);
      if (!prev || u.state >= prev.state) this.updates.set(u.taskId, u);
    }
    this.armFlush();
  }

  /** flush, made once: the batch is armed hundreds of thousands of times in a big cluster's deployment. */
  private readonly flushFn = (): void => this.flush();

  private armFlush(): void {
    if (this.flushTimer === null) this.flushTimer = this.o.sim.after(STATUS_BATCH_US, this.flushFn);
  }

  /** One proposal: the nodes that became READY, then the newest state of each task reported. */
  private flush(): void {
    this.flushTimer = null;
    const cmds: StoreCommand[] = this.readyNodes.map((id) => ({ type: "UpdateNode" as const, id, status: "ready" }));
    this.readyNodes.length = 0;
    for (const u of this.updates.values()) {
      const task = this.o.store.tasks.get(u.taskId);
      if (task && u.state > task.state) cmds.push({ type: "UpdateTaskStatus", id: u.taskId, state: u.state, reason: u.reason });
    }
    this.updates.clear();
    if (cmds.length > 0) this.o.propose(cmds);
  }
}
