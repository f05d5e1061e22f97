import type { Simulation } from "../../kernel/index.js";
import { TaskState, isTerminal } from "../../api/task-state.js";
import type { NodeRecord, Store, StoreCommand, StoreEvent, TaskRecord } from "../store.js";
import { RestartSupervisor } from "./restart.js";
import { TaskFactory, TaskFlags, type TaskNumbers } from "./tasks.js";
import { ReplicatedOrchestrator } from "./replicated.js";
import { GlobalOrchestrator } from "./global.js";
import { TaskReaper } from "./reaper.js";
import { Updater } from "./updater.js";
import { LiveSlots } from "./live-slots.js";

export interface OrchestratorOptions {
  sim: Simulation;
  store: Store;
  propose: (cmds: StoreCommand[]) => void;
  /** Told of every replacement created because a task failed or its node went away. */
  onRestart: (service: string) => void;
  /** The control plane's task numbers (every leader's orchestrator shares them); when absent, a numbering that goes on from the store's tasks. */
  numbers?: TaskNumbers;
}

/**
 * The leader's orchestration (swarmkit manager/orchestrator): the replicated and global
 * orchestrators, the restart supervisor, the rolling updater and the task reaper. It reconciles
 * at the end of the instant in which something changed, so a burst of changes costs one pass.
 */
export class Orchestrator {
  private readonly dirty = new Set<string>();
  /**
   * Tasks the orchestrators told to stop (scale-down, a global task off its node) by a proposal
   * not yet committed: a reconcile in between must not count them, or it removes another.
   */
  private readonly stopping = new TaskFlags();
  private reconcileScheduled = false;
  private stopped = false;
  readonly factory: TaskFactory;
  readonly restarts: RestartSupervisor;
  private readonly replicated: ReplicatedOrchestrator;
  private readonly global: GlobalOrchestrator;
  private readonly reaper: TaskReaper;
  readonly updater: Updater;
  private readonly live: LiveSlots;

  constructor(private readonly o: OrchestratorOptions) {
    this.factory = new TaskFactory(o.store, () => o.sim.now(), (t) => this.live.refresh(t), o.numbers);
    this.restarts = new RestartSupervisor(o.sim, o.store, o.propose, (t) => this.createReplacement(t), (t) => this.live.refresh(t));
    const leaving = (t: TaskRecord): boolean => this.restarts.isRestarting(t) || this.stopping.has(t);
    this.live = new LiveSlots(o.store, this.factory.inflight, leaving);
    for (const t of o.store.tasks.values()) this.live.refresh(t);
    this.replicated = new ReplicatedOrchestrator(this.factory, leaving, this.live);
    this.global = new GlobalOrchestrator(o.store, this.factory, leaving);
    this.reaper = new TaskReaper(o.store, o.propose);
    this.updater = new Updater({ sim: o.sim, store: o.store, propose: o.propose, factory: this.factory });
    // A new leader picks up where its predecessor stopped: failed tasks, tasks on lost nodes,
    // replacements still waiting in READY (they wait what is left of their restart delay, as
    // swarmkit's taskinit does; their restart history is gone), and unfinished updates.
    // Its restarts go in one batch, as swarmkit's initTasks commits them.
    for (const s of o.store.services.values()) this.markDirty(s.name);
    this.restarts.together(() => {
      for (const t of o.store.tasks.values()) this.checkTask(t, null);
      for (const n of o.store.nodes.values()) this.checkNode(n, false);
    });
    for (const t of o.store.tasks.values()) if (t.desiredState === TaskState.READY) this.restarts.resume(t);
  }

  stop(): void {
    this.stopped = true;
    this.restarts.stop();
    this.updater.stop();
  }

  handle(event: StoreEvent): void {
    if (this.stopped) return;
    switch (event.type) {
      case "service":
        this.updater.serviceChanged(event.service);
        this.markDirty(event.service.name);
        break;
      case "task":
        this.factory.seen(event.task);
        if (event.removed || event.task.desiredState > TaskState.RUNNING) this.stopping.delete(event.task);
        if (event.removed) this.restarts.forget(event.task);
        if (!event.removed) this.checkTask(event.task, event.prevState);
        this.restarts.taskChanged(event.task);
        this.updater.taskChanged(event.task);
        this.reaper.taskChanged(event.task, event.removed);
        this.live.refresh(event.task, event.removed ? null : event.task);
        if (changesSlots(event)) this.markDirty(event.task.service);
        break;
      case "node":
        this.checkNode(event.node, event.removed);
        for (const s of this.o.store.services.values()) if (s.spec.mode === "global") this.markDirty(s.name);
        break;
    }
  }

  /**
   * A task that stopped is restarted; so is one whose node is no longer valid (DOWN, drained or
   * gone), as swarmkit's handleTaskChange does (orchestrator.InvalidNode): an assignment decided
   * before its node went DOWN may commit after, and no node event would come for it again.
   */
  private checkTask(task: TaskRecord, prevState: TaskState | null): void {
    if (task.desiredState > TaskState.RUNNING || (prevState !== null && isTerminal(prevState))) return;
    const node = task.nodeId === null ? undefined : this.o.store.nodes.get(task.nodeId);
    if (isTerminal(task.state)) {
      this.restarts.restart(task, { delay: delayed(node), moving: false });
      return;
    }
    if (task.nodeId !== null && (node === undefined || node.status === "down" || node.availability === "drain")) {
      this.restarts.restart(task, { delay: delayed(node), moving: true });
      this.markDirty(task.service);
    }
  }

  /** Tasks on a node that went DOWN or was removed are restarted elsewhere after the delay; a drained node's at once, DOWN or not. */
  private checkNode(node: NodeRecord, removed: boolean): void {
    const lost = removed || node.status === "down";
    const drained = node.availability === "drain";
    if (!lost && !drained) return;
    const orphaned: StoreCommand[] = [];
    this.restarts.together(() => {
      for (const task of this.o.store.tasksOnNode(node.id)) {
        if (isTerminal(task.state)) continue;
        // A removed node will never report its tasks again: the managers write them off.
        if (removed) orphaned.push({ type: "UpdateTaskStatus", id: task.id, state: TaskState.ORPHANED, reason: "node removed" });
        if (task.desiredState <= TaskState.RUNNING) {
          this.restarts.restart(task, { delay: delayed(removed ? undefined : node), moving: true });
          this.markDirty(task.service);
        }
      }
    });
    if (orphaned.length > 0) this.o.propose(orphaned);
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
    const cmds: StoreCommand[] = [];
    for (const name of names) {
      const service = this.o.store.services.get(name);
      if (!service) continue;
      cmds.push(...(service.spec.mode === "global" ? this.global : this.replicated).reconcile(service));
    }
    for (const c of cmds) {
      if (c.type !== "SetTaskDesiredState" || c.desiredState <= TaskState.RUNNING) continue;
      const t = this.factory.inflight.get(c.id) ?? this.o.store.tasks.get(c.id);
      if (t === undefined) throw new Error(`orchestrator: ${c.id}, told to stop, is neither in the store nor in flight`);
      this.stopping.add(t);
      this.live.refresh(t);
    }
    if (cmds.length > 0) this.o.propose(cmds);
  }

  /** The restart supervisor's request: a new task in the same slot (or on the same node), desired READY. */
  private createReplacement(old: TaskRecord): TaskRecord | null {
    const service = this.o.store.services.get(old.service);
    if (!service) return null;
    const task = (service.spec.mode === "global" ? this.global : this.replicated).replacement(service, old);
    if (task) this.o.onRestart(service.name);
    return task;
  }
}

/**
 * Whether a task event can change what the orchestrators count: a task created or removed, its
 * desired state changed, or it stopped (the restart supervisor takes it over). A status report
 * on the way to RUNNING changes no slot, and reconciling a service walks all its tasks: at
 * thousands of tasks, reconciling on every report made a deployment cost O(tasks^2).
 */
function changesSlots(event: Extract<StoreEvent, { type: "task" }>): boolean {
  const { task, prevState, prevDesired } = event;
  if (event.removed || prevState === null || prevDesired !== task.desiredState) return true;
  return isTerminal(task.state) && !isTerminal(prevState);
}

/**
 * Whether a task's replacement waits out the restart delay: always, except off a drained node
 * (swarmkit's Supervisor.Restart: "restart delay is not applied to drained nodes"), whether that
 * node is also DOWN or not; a node no longer in the store gets the delay.
 */
function delayed(node: NodeRecord | undefined): boolean {
  return node === undefined || node.availability !== "drain";
}
