import type { Simulation, RandomStream } from "../kernel/index.js";
import type { AssignmentMessage, HeartbeatResponseMessage } from "../api/messages.js";
import type { Store, StoreCommand, StoreEvent } from "./store.js";
import { Allocator } from "./allocator.js";
import { Orchestrator } from "./orchestrator/index.js";
import type { TaskNumbers } from "./orchestrator/tasks.js";
import { Scheduler } from "./scheduler/scheduler.js";
import { Dispatcher } from "./dispatcher.js";
import type { PlacementStrategy } from "./scheduler/strategy.js";
import type { OverlayNetwork } from "../network/overlay.js";
import type { NodeHost } from "./control-plane.js";
import type { QuietNet } from "./quiet-sessions.js";

export interface LeaderRoleOptions {
  sim: Simulation;
  store: Store;
  propose: (cmds: StoreCommand[]) => void;
  strategies: ReadonlyMap<string, PlacementStrategy>;
  defaultStrategy: string;
  retryIntervalUs: number;
  schedulerRng: RandomStream;
  dispatcherRng: RandomStream;
  heartbeatPeriodUs: number;
  /** The place in an instant of this manager's DOWN deadline for a node (api expiryKey). */
  expiryKey(node: string): number;
  sendToAgent(node: string, msg: AssignmentMessage | HeartbeatResponseMessage): void;
  /** The dispatcher may hold steady nodes' sessions (quiet-sessions.ts); null: every heartbeat is sent. */
  quiet: { manager: NodeHost; net: QuietNet } | null;
  onRestart(service: string): void;
  /** The cluster's overlay networks, for the allocator's address spaces. */
  networks: readonly OverlayNetwork[];
  emit(event: { kind: string } & Record<string, unknown>): void;
  /** The control plane's task numbers, shared by every manager's orchestrator. */
  taskNumbers: TaskNumbers;
}

/**
 * The control loops that run on the leader only: orchestrator, allocator, scheduler and
 * dispatcher. They start from the committed store and never call each other; each reacts to
 * the store's change events. A leader that steps down stops them all.
 */
export class LeaderRoles {
  readonly orchestrator: Orchestrator;
  readonly allocator: Allocator;
  readonly scheduler: Scheduler;
  readonly dispatcher: Dispatcher;

  /** No allocator pass or scheduling batch is due: what they last decided has been proposed. */
  get settled(): boolean {
    return !this.allocator.passDue && !this.scheduler.batchDue;
  }

  constructor(o: LeaderRoleOptions) {
    this.allocator = new Allocator({ sim: o.sim, store: o.store, propose: o.propose, networks: o.networks, emit: o.emit });
    this.orchestrator = new Orchestrator({ sim: o.sim, store: o.store, propose: o.propose, onRestart: o.onRestart, numbers: o.taskNumbers });
    this.scheduler = new Scheduler({
      sim: o.sim,
      store: o.store,
      propose: o.propose,
      strategies: o.strategies,
      defaultStrategy: o.defaultStrategy,
      rng: o.schedulerRng,
      retryIntervalUs: o.retryIntervalUs,
    });
    this.dispatcher = new Dispatcher({
      sim: o.sim,
      store: o.store,
      propose: o.propose,
      heartbeatPeriodUs: o.heartbeatPeriodUs,
      expiryKey: o.expiryKey,
      rng: o.dispatcherRng,
      sendToAgent: o.sendToAgent,
      quiet: o.quiet,
    });
  }

  handle(event: StoreEvent): void {
    this.allocator.handle(event);
    this.orchestrator.handle(event);
    this.scheduler.handle(event);
    this.dispatcher.handle(event);
  }

  stop(): void {
    this.allocator.stop();
    this.orchestrator.stop();
    this.scheduler.stop();
    this.dispatcher.stop();
  }
}
