import type { Simulation } from "../kernel/index.js";
import { TaskState, isTerminal } from "../cluster/task-state.js";
import type { ServiceSpec } from "../scenario/types.js";
import type { NodeRecord, ServiceRecord, Store, StoreCommand, StoreEvent, TaskRecord } from "./store.js";
import { RestartSupervisor } from "./restart.js";

export interface OrchestratorOptions {
  sim: Simulation;
  store: Store;
  propose: (cmds: StoreCommand[]) => void;
  /** Told of every replacement created because a task failed or its node went away. */
  onRestart: (service: string) => void;
}

/**
 * The replicated orchestrator (swarmkit manager/orchestrator/replicated): keeps one live task
 * per slot 1..replicas, removes extra slots on scale-down, and hands failed tasks and tasks on
 * lost or drained nodes to the restart supervisor. It reconciles at the end of the instant in
 * which something changed, and remembers what it proposed until the store shows it committed,
 * so that a second look before the commit does not create a slot twice.
 */
export class Orchestrator {
  private readonly dirty = new Set<string>();
  private reconcileScheduled = false;
  private stopped = false;
  private readonly restarts: RestartSupervisor;
  /** Tasks proposed but not yet seen in the store, by service. */
  private readonly inflight = new Map<string, TaskRecord>();

  constructor(private readonly o: OrchestratorOptions) {
    this.restarts = new RestartSupervisor(o.sim, o.store, o.propose, (t) => this.createReplacement(t));
    // A new leader picks up where its predecessor stopped: failed tasks, tasks on lost nodes,
    // and replacements still waiting in READY (their restart history is gone, so they wait the
    // restart delay again, as in swarmkit).
    for (const s of o.store.services.values()) this.markDirty(s.name);
    for (const t of o.store.tasks.values()) this.checkTask(t, null);
    for (const n of o.store.nodes.values()) this.checkNode(n);
    for (const t of o.store.tasks.values()) if (t.desiredState === TaskState.READY) this.restarts.resume(t);
  }

  stop(): void {
    this.stopped = true;
    this.restarts.stop();
  }

  handle(event: StoreEvent): void {
    if (this.stopped) return;
    switch (event.type) {
      case "service":
        this.markDirty(event.service.name);
        break;
      case "task":
        this.inflight.delete(event.task.id);
        if (!event.removed) this.checkTask(event.task, event.prevState);
        this.restarts.taskChanged(event.task);
        this.markDirty(event.task.service);
        break;
      case "node":
        if (!event.removed) this.checkNode(event.node);
        break;
    }
  }

  private checkTask(task: TaskRecord, prevState: TaskState | null): void {
    if (!isTerminal(task.state) || (prevState !== null && isTerminal(prevState))) return;
    if (task.desiredState > TaskState.RUNNING) return;
    this.restarts.restart(task, { delay: true, failed: task.state !== TaskState.COMPLETE });
  }

  /** Tasks on a node that went DOWN are restarted elsewhere (after the delay); drained ones at once. */
  private checkNode(node: NodeRecord): void {
    const down = node.status === "down";
    const drained = node.availability === "drain";
    if (!down && !drained) return;
    for (const task of this.o.store.tasks.values()) {
      if (task.nodeId !== node.id || task.desiredState > TaskState.RUNNING || isTerminal(task.state)) continue;
      this.restarts.restart(task, { delay: !drained, failed: down });
    }
  }

  private markDirty(service: string): void {
    this.dirty.add(service);
    if (this.reconcileScheduled) return;
    this.reconcileScheduled = true;
    this.o.sim.after(0, () => this.reconcileAll());
  }

  private reconcileAll(): void {
    this.reconcileScheduled = false;
    if (this.stopped) return;
    const names = [...this.dirty];
    this.dirty.clear();
    for (const name of names) {
      const service = this.o.store.services.get(name);
      if (service && service.spec.mode === "replicated") this.reconcile(service);
    }
  }

  /** Live tasks (desired to run) per slot, including proposals not yet committed. */
  private slotsOf(service: string): Map<number, TaskRecord[]> {
    const slots = new Map<number, TaskRecord[]>();
    const add = (t: TaskRecord): void => {
      if (t.service !== service || t.desiredState > TaskState.RUNNING || this.restarts.isRestarting(t.id)) return;
      const list = slots.get(t.slot);
      if (list) list.push(t);
      else slots.set(t.slot, [t]);
    };
    for (const t of this.o.store.tasks.values()) add(t);
    for (const t of this.inflight.values()) add(t);
    return slots;
  }

  private reconcile(service: ServiceRecord): void {
    const slots = this.slotsOf(service.name);
    const cmds: StoreCommand[] = [];
    for (let slot = 1; slot <= service.replicas; slot++) {
      if (!slots.has(slot)) cmds.push(this.createTaskCommand(service, slot, TaskState.RUNNING));
    }
    const extra = [...slots.entries()].filter(([slot]) => slot > service.replicas);
    for (const t of this.scaleDownOrder(extra.flatMap(([, ts]) => ts))) {
      cmds.push({ type: "SetTaskDesiredState", id: t.id, desiredState: TaskState.REMOVE });
    }
    if (cmds.length > 0) this.o.propose(cmds);
  }

  /**
   * SIMPLIFICATION: Swarm picks which slots to remove (non-running first, then from the most
   * loaded nodes) and renumbers nothing; we always remove the highest slots, in that order.
   */
  private scaleDownOrder(tasks: TaskRecord[]): TaskRecord[] {
    return tasks.sort((a, b) => Number(a.state === TaskState.RUNNING) - Number(b.state === TaskState.RUNNING));
  }

  private nextAttempt(service: string, slot: number): number {
    let max = 0;
    for (const t of this.o.store.tasks.values()) if (t.service === service && t.slot === slot) max = Math.max(max, t.attempt);
    for (const t of this.inflight.values()) if (t.service === service && t.slot === slot) max = Math.max(max, t.attempt);
    return max + 1;
  }

  private createTaskCommand(service: ServiceRecord, slot: number, desired: TaskState): StoreCommand {
    const attempt = this.nextAttempt(service.name, slot);
    const task = newTask(service.spec, service.version, slot, attempt, desired, this.o.sim.now());
    this.inflight.set(task.id, task);
    return { type: "CreateTask", task };
  }

  /** The restart supervisor's request: a new task in the same slot, desired READY. */
  private createReplacement(old: TaskRecord): TaskRecord | null {
    const service = this.o.store.services.get(old.service);
    if (!service || old.slot > service.replicas) return null;
    const cmd = this.createTaskCommand(service, old.slot, TaskState.READY);
    this.o.onRestart(service.name);
    return cmd.type === "CreateTask" ? cmd.task : null;
  }
}

export function newTask(
  spec: ServiceSpec,
  version: number,
  slot: number,
  attempt: number,
  desiredState: TaskState,
  nowUs: number,
): TaskRecord {
  return {
    id: `${spec.name}.${slot}.${attempt}`,
    service: spec.name,
    slot,
    attempt,
    specVersion: version,
    spec,
    nodeId: null,
    pinnedNode: null,
    desiredState,
    state: TaskState.NEW,
    reason: null,
    createdUs: nowUs,
  };
}
