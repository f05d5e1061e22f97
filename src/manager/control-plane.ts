import type { Simulation, RandomStreams } from "../kernel/index.js";
import type { Scenario } from "../scenario/types.js";
import {
  HEARTBEAT_BYTES, STATUS_UPDATE_BYTES, ASSIGNMENT_BYTES, HeartbeatEvent, expiryKey, heartbeatKey,
  type AgentToManager, type ManagerToAgent, type QuietSession, type QuietTicket, type SessionParking,
} from "../api/messages.js";
import type { QuietNet } from "./quiet-sessions.js";
import type { Delivery, NetHost } from "../network/delivery.js";
import type { Store, StoreCommand, StoreEvent } from "./store.js";
import { ManagerNode } from "./manager-node.js";
import { ElectionTracker } from "./elections.js";
import { TaskNumbers } from "./orchestrator/tasks.js";
import type { PlacementStrategy } from "./scheduler/strategy.js";
import type { OverlayNetwork } from "../network/overlay.js";

/**
 * What the managers know of a machine: its name, whether it is up, where it is on the network,
 * and its agent's inbox. The managers talk to nodes only through this and the api/ messages.
 */
export interface NodeHost extends NetHost {
  readonly name: string;
  readonly up: boolean;
  readonly agent: { receive(msg: ManagerToAgent): void } | null;
}

export interface ControlPlaneOptions {
  sim: Simulation;
  /** The delivery path: managers and agents talk over the underlay. */
  net: Delivery;
  rng: RandomStreams;
  scenario: Scenario;
  hosts: ReadonlyMap<string, NodeHost>;
  managers: readonly NodeHost[];
  bootstrap: readonly StoreCommand[];
  strategies: ReadonlyMap<string, PlacementStrategy>;
  networks: readonly OverlayNetwork[];
  onRestart(service: string): void;
  /** A change applied by a manager running the control loops (or the leader), with that manager's store. */
  observe(event: StoreEvent, store: Store): void;
  emit(event: { kind: string } & Record<string, unknown>): void;
  /** Let the leader hold steady nodes' sessions in aggregate (manager/quiet-sessions.ts). */
  quietSessions: boolean;
}

/** How long an API call waits for its change to commit before it fails. */
export const API_TIMEOUT_US = 20_000_000;

/**
 * The managers: Raft voters with their replicas of the store, the leader's control loops, and
 * the routing of agents' messages to them. Desired state changes only through entries the
 * leader proposes and a majority commits.
 */
export class ControlPlane implements SessionParking {
  readonly managers: ManagerNode[];
  readonly elections: ElectionTracker;
  private readonly byName = new Map<string, ManagerNode>();

  constructor(private readonly o: ControlPlaneOptions) {
    const s = o.scenario;
    const peers = o.managers.map((h) => h.name);
    // One numbering of tasks for every leader there will be (TaskRecord.num).
    const taskNumbers = new TaskNumbers();
    this.elections = new ElectionTracker(
      () => o.sim.now(),
      () => this.managers.map((m) => ({ name: m.name, up: m.host.up, term: m.raft.term, leader: m.raft.leader })),
      o.emit,
    );
    this.managers = o.managers.map(
      (host, ordinal) =>
        new ManagerNode(host, {
          sim: o.sim,
          net: o.net,
          raft: s.cluster.managers.raft,
          peers,
          rng: o.rng.stream(`raft/${host.name}`),
          bootstrap: o.bootstrap,
          roles: {
            strategies: o.strategies,
            defaultStrategy: s.cluster.scheduler.strategy,
            retryIntervalUs: s.cluster.scheduler.retryIntervalUs,
            schedulerRng: o.rng.stream(`scheduler/${host.name}`),
            dispatcherRng: o.rng.stream(`dispatcher/${host.name}`),
            heartbeatPeriodUs: s.cluster.dispatcher.heartbeatPeriodUs,
            expiryKey: (node) => {
              const target = o.hosts.get(node);
              if (!target) throw new Error(`dispatcher: no host named ${node}`);
              return expiryKey(target.index, ordinal);
            },
            sendToAgent: (node, msg) => this.toAgent(host, node, msg),
            quiet: o.quietSessions ? { manager: host, net: this.quietNet(host) } : null,
            onRestart: o.onRestart,
            networks: o.networks,
            emit: o.emit,
            taskNumbers,
          },
          peer: (name) => this.byName.get(name)!,
          onSoftState: (m, soft) => this.elections.softState(m.name, soft),
          onApply: (m, e) => {
            if (m.roles !== null || m === this.leader()) o.observe(e, m.store);
          },
        }),
    );
    for (const m of this.managers) this.byName.set(m.name, m);
  }

  /** A session offers itself to the dispatcher of the manager that answered it. */
  park(session: QuietSession, manager: string, periodUs: number): QuietTicket | null {
    return this.byName.get(manager)?.roles?.dispatcher.quiet?.park(session, periodUs) ?? null;
  }

  /** Every held session back on the full path (a partition is about to start). */
  wakeQuietSessions(): void {
    for (const m of this.managers) m.roles?.dispatcher.quiet?.wakeAll();
  }

  /** Held sessions' cycles computed up to now: their heartbeats' bytes are on the NICs' counts. */
  settleQuietSessions(): void {
    for (const m of this.managers) m.roles?.dispatcher.quiet?.settle();
  }

  private quietNet(manager: NodeHost): QuietNet {
    const net = this.o.net;
    return {
      delayUs: (from, to, bytes) => net.controlDelayUs(from, to, bytes),
      count: (from, to, bytes, times) => net.countHeldControl(from, to, bytes, times),
      heartbeatArrivesAt: (atUs, from, msg) => {
        const m = this.byName.get(manager.name)!;
        net.controlArrivesAt(atUs, heartbeatKey(from.index, HeartbeatEvent.AT_MANAGER), from, manager, (x: AgentToManager) => this.handleAgent(m, from, x), msg);
      },
      answerArrivesAt: (atUs, to, msg) => net.controlArrivesAt(atUs, heartbeatKey(to.index, HeartbeatEvent.AT_AGENT), manager, to, (x: ManagerToAgent) => to.agent?.receive(x), msg),
      blocked: () => net.fabric.partitioned,
      host: (node) => this.o.hosts.get(node),
    };
  }

  /** `docker swarm init` on the first manager, which campaigns at once, and the others' joins. */
  start(): void {
    this.managers.forEach((m, i) => m.start(i === 0));
  }

  /** The manager running the control loops in the highest term, if any is up. */
  leader(): ManagerNode | null {
    let best: ManagerNode | null = null;
    for (const m of this.managers) if (m.host.up && m.roles && (!best || m.raft.term > best.raft.term)) best = m;
    return best;
  }

  /** The freshest replica a user could read: the leader's, else the live one that committed most. */
  viewStore(): Store {
    const l = this.leader();
    if (l) return l.store;
    let best = this.managers[0]!;
    for (const m of this.managers) if (m.host.up && (!best.host.up || m.raft.commitIndex > best.raft.commitIndex)) best = m;
    return best.store;
  }

  manager(name: string): ManagerNode | undefined {
    return this.byName.get(name);
  }

  /**
   * An API call (docker service scale and the like). Without a leader it fails, as Swarm's
   * "The swarm does not have a leader" does; the caller logs that.
   */
  submit(cmds: StoreCommand[], onTimeout?: () => void): boolean {
    const l = this.leader();
    const at = l?.propose(cmds) ?? null;
    if (at === null) return false;
    // A leader that lost its quorum accepts the call but never commits it: the caller's request
    // times out (the docker CLI reports "context deadline exceeded").
    if (onTimeout) {
      this.o.sim.after(API_TIMEOUT_US, () => {
        if (!this.managers.some((m) => m.host.up && m.committed(at))) onTimeout();
      });
    }
    return true;
  }

  /** An agent sends to a manager over the underlay. */
  fromAgent(from: NodeHost, managerName: string, msg: AgentToManager, bytes: number): void {
    const m = this.byName.get(managerName);
    if (!m) return;
    const handler = (x: AgentToManager): void => this.handleAgent(m, from, x);
    if (msg.type === "Heartbeat") this.o.net.sendControl(from, m.host, bytes, heartbeatKey(from.index, HeartbeatEvent.AT_MANAGER), handler, msg);
    else this.o.net.sendHost(from, m.host, bytes, handler, msg);
  }

  private handleAgent(m: ManagerNode, from: NodeHost, msg: AgentToManager): void {
    const d = m.roles?.dispatcher;
    if (msg.type === "TaskStatus") {
      d?.receiveStatus(msg);
      return;
    }
    if (!d) {
      this.toAgent(m.host, from.name, { type: "NotLeader", manager: m.name, leader: m.raft.leader === m.name ? null : m.raft.leader });
      return;
    }
    const resp = d.heartbeat(msg);
    if (resp) this.toAgent(m.host, from.name, { ...resp, manager: m.name });
  }

  private toAgent(from: NodeHost, node: string, msg: ManagerToAgent): void {
    const to = this.o.hosts.get(node);
    if (!to) return;
    const bytes = msg.type === "Assignment" ? ASSIGNMENT_BYTES : msg.type === "HeartbeatResponse" ? HEARTBEAT_BYTES + STATUS_UPDATE_BYTES * msg.acked.length : HEARTBEAT_BYTES;
    const handler = (x: ManagerToAgent): void => to.agent?.receive(x);
    if (msg.type === "HeartbeatResponse") this.o.net.sendControl(from, to, bytes, heartbeatKey(to.index, HeartbeatEvent.AT_AGENT), handler, msg);
    else this.o.net.sendHost(from, to, bytes, handler, msg);
  }
}
