import type { Simulation, ScheduledEvent } from "../../kernel/index.js";
import { TaskState, isTerminal } from "../../api/task-state.js";
import type { ServiceSpec, UpdateSpec } from "../../scenario/types.js";
import type { ServiceRecord, Store, StoreCommand, TaskRecord } from "../store.js";
import { slotsOf, taskStopped, type TaskFactory } from "./tasks.js";

export interface UpdaterOptions {
  sim: Simulation;
  store: Store;
  propose: (cmds: StoreCommand[]) => void;
  factory: TaskFactory;
}

/** One slot being replaced: its old tasks and the new one. */
interface SlotUpdate {
  key: string;
  old: TaskRecord[];
  fresh: TaskRecord;
  running: boolean;
  monitor: ScheduledEvent | null;
}

/** One rolling update (or rollback) of a service towards `target`. */
interface Rollout {
  service: string;
  target: ServiceSpec;
  config: UpdateSpec;
  rollback: boolean;
  /** Slots of the current batch, until their new task runs or fails. */
  batch: Map<string, SlotUpdate>;
  /** The batch's slots by the id of each of their tasks, old and new. */
  byTask: Map<string, SlotUpdate>;
  /** New tasks still inside their monitor period, by task id. */
  watched: Map<string, SlotUpdate>;
  started: number;
  failures: number;
  /** Slots this rollout has already replaced (their old tasks may not have stopped yet). */
  replaced: Set<string>;
  timer: ScheduledEvent | null;
  done: boolean;
}

/**
 * Swarm's rolling updater (swarmkit manager/orchestrator/update): when a service's spec changes,
 * its tasks are replaced `parallelism` slots at a time (0 = all), `delay` apart; stop-first stops
 * the old task before the new one may run, start-first runs both until the new one runs. A new
 * task that stops before running, or within `monitor` of running, is a failure; when failures
 * exceed `maxFailureRatio` of the tasks updated so far, `failureAction` pauses the update, goes
 * on, or rolls back to the previous spec (with the `rollback` settings).
 */
export class Updater {
  private readonly rollouts = new Map<string, Rollout>();
  private stopped = false;

  constructor(private readonly o: UpdaterOptions) {
    for (const s of o.store.services.values()) {
      if (s.updateState === "updating" || s.updateState === "rollback_started") this.serviceChanged(s);
    }
  }

  stop(): void {
    this.stopped = true;
    for (const r of this.rollouts.values()) this.cancel(r);
  }

  /** A service changed: a new spec starts a rollout, replacing any unfinished one. */
  serviceChanged(s: ServiceRecord): void {
    const current = this.rollouts.get(s.name);
    if (current && current.target === s.spec) return;
    if (current) this.cancel(current);
    if (s.updateState !== "updating" && s.updateState !== "rollback_started") return;
    const rollback = s.updateState === "rollback_started";
    const r: Rollout = {
      service: s.name, target: s.spec, config: rollback ? s.spec.rollback : s.spec.update, rollback,
      batch: new Map(), byTask: new Map(), watched: new Map(), started: 0, failures: 0, replaced: new Set(), timer: null, done: false,
    };
    this.rollouts.set(s.name, r);
    this.o.sim.after(0, () => this.nextBatch(r));
  }

  taskChanged(task: TaskRecord): void {
    if (this.stopped) return;
    const r = this.rollouts.get(task.service);
    if (!r || r.done) return;
    const u = r.byTask.get(task.id);
    if (u && u.fresh.id === task.id) this.freshChanged(r, u, task);
    else if (u) this.oldChanged(r, u);
    const w = r.watched.get(task.id);
    if (w && isTerminal(task.state)) this.failed(r, w);
  }

  private nextBatch(r: Rollout): void {
    r.timer = null;
    if (this.stopped || r.done) return;
    const service = this.o.store.services.get(r.service);
    if (!service || service.spec !== r.target) return;
    const dirty = this.dirtySlots(r);
    if (dirty.size === 0) {
      if (r.watched.size === 0) this.finish(r, r.rollback ? "rollback_completed" : "completed");
      return;
    }
    const n = r.config.parallelism === 0 ? dirty.size : r.config.parallelism;
    const cmds: StoreCommand[] = [];
    for (const [key, old] of [...dirty.entries()].slice(0, n)) {
      const where = old[0]!.pinnedNode !== null ? { node: old[0]!.pinnedNode } : { slot: old[0]!.slot };
      const startFirst = r.config.order === "start-first";
      const fresh = this.o.factory.create(service, where, startFirst ? TaskState.RUNNING : TaskState.READY);
      const u: SlotUpdate = { key, old, fresh, running: false, monitor: null };
      r.batch.set(key, u);
      for (const t of [...old, fresh]) r.byTask.set(t.id, u);
      r.replaced.add(key);
      r.started++;
      if (!startFirst) for (const t of old) cmds.push({ type: "SetTaskDesiredState", id: t.id, desiredState: TaskState.SHUTDOWN });
      cmds.push({ type: "CreateTask", task: fresh });
    }
    this.o.propose(cmds);
  }

  /** Slots whose live tasks run another spec than the target, by slot (or node), in slot order. */
  private dirtySlots(r: Rollout): Map<string, TaskRecord[]> {
    const slots = slotsOf(this.o.store.tasksOfService(r.service), (t) => {
      if (t.desiredState > TaskState.RUNNING || t.spec === r.target || r.byTask.has(t.id)) return null;
      const key = t.pinnedNode ?? String(t.slot);
      return r.replaced.has(key) ? null : key;
    });
    return new Map([...slots.entries()].sort(([, a], [, b]) => a[0]!.slot - b[0]!.slot || codeOrder(a[0]!.id, b[0]!.id)));
  }

  /** stop-first: the new task may run once every old task of its slot has stopped. */
  private oldChanged(r: Rollout, u: SlotUpdate): void {
    if (r.config.order !== "stop-first") return;
    const allStopped = u.old.every((t) => taskStopped(this.o.store, t.id));
    const fresh = this.o.store.tasks.get(u.fresh.id);
    if (allStopped && fresh && fresh.desiredState === TaskState.READY) {
      this.o.propose([{ type: "SetTaskDesiredState", id: fresh.id, desiredState: TaskState.RUNNING }]);
    }
  }

  private freshChanged(r: Rollout, u: SlotUpdate, task: TaskRecord): void {
    // The old tasks may have stopped before the new one was even committed.
    if (task.desiredState === TaskState.READY) this.oldChanged(r, u);
    if (task.state === TaskState.RUNNING && !u.running) {
      u.running = true;
      if (r.config.order === "start-first") {
        this.o.propose(u.old.map((t): StoreCommand => ({ type: "SetTaskDesiredState", id: t.id, desiredState: TaskState.SHUTDOWN })));
      }
      r.watched.set(task.id, u);
      u.monitor = this.o.sim.after(r.config.monitorUs, () => this.monitored(r, u));
      this.slotDone(r, u);
    } else if (isTerminal(task.state) && !u.running) {
      this.failed(r, u);
      this.slotDone(r, u);
    }
  }

  private monitored(r: Rollout, u: SlotUpdate): void {
    u.monitor = null;
    r.watched.delete(u.fresh.id);
    if (r.batch.size === 0 && r.timer === null) this.nextBatch(r);
  }

  private slotDone(r: Rollout, u: SlotUpdate): void {
    if (r.batch.get(u.key) !== u) return;
    r.batch.delete(u.key);
    for (const t of [...u.old, u.fresh]) r.byTask.delete(t.id);
    if (r.batch.size === 0 && !r.done) r.timer = this.o.sim.after(r.config.delayUs, () => this.nextBatch(r));
  }

  private failed(r: Rollout, u: SlotUpdate): void {
    r.watched.delete(u.fresh.id);
    this.o.sim.cancel(u.monitor);
    r.failures++;
    if (r.config.failureAction === "continue" || r.failures / Math.max(1, r.started) <= r.config.maxFailureRatio) return;
    const service = this.o.store.services.get(r.service);
    if (r.config.failureAction === "rollback" && !r.rollback && service?.previousSpec) {
      this.finish(r, null);
      this.o.propose([{ type: "UpdateService", name: r.service, spec: service.previousSpec, rollback: true, updateState: "rollback_started" }]);
      return;
    }
    this.finish(r, r.rollback ? "rollback_paused" : "paused");
  }

  private finish(r: Rollout, state: ServiceRecord["updateState"]): void {
    r.done = true;
    this.cancel(r);
    if (state) this.o.propose([{ type: "UpdateService", name: r.service, updateState: state }]);
  }

  private cancel(r: Rollout): void {
    this.o.sim.cancel(r.timer);
    for (const u of [...r.batch.values(), ...r.watched.values()]) this.o.sim.cancel(u.monitor);
  }
}

/** Strings by their UTF-16 code units: the same order on every machine (localeCompare's follows the ICU data of the Node build). */
function codeOrder(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
