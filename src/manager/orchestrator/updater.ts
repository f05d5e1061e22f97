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
  /** The slots to replace, as they were when the rollout began (swarmkit's dirtySlots): key and old tasks, in slot order. */
  slots: [string, TaskRecord[]][];
  /** The next slot a free worker takes. */
  next: number;
  /** Workers that have not yet run out of slots. */
  workers: number;
  /** Slots a worker is on, until their new task runs or fails. */
  inFlight: Map<string, SlotUpdate>;
  /** The slots in flight by the id of each of their tasks, old and new. */
  byTask: Map<string, SlotUpdate>;
  /** New tasks whose failure counts: from their creation until `monitor` after they run. */
  watched: Map<string, SlotUpdate>;
  failures: number;
  /** The workers' delays, stop-first's waits for an old task, the final monitoring. */
  timers: Set<ScheduledEvent>;
  done: boolean;
}

/** How long stop-first waits for an old task to stop before it starts the new one anyway (swarmkit restart.defaultOldTaskTimeout). */
const OLD_TASK_TIMEOUT_US = 60_000_000;
/** What the final monitoring adds to a `delay` that is not shorter than `monitor` (swarmkit updater.go). */
const FINAL_MONITOR_EXTRA_US = 1_000_000;

/**
 * Swarm's rolling updater (swarmkit manager/orchestrator/update): when a service's spec changes,
 * the slots running another spec are listed once, in slot order, and `parallelism` workers (0 =
 * one per slot) take them one after another. A worker replaces its slot (stop-first: the old task
 * stops before the new one may run, or a minute passes; start-first: both run until the new one
 * does), waits until the new task runs or fails, waits `delay`, and takes the next slot. A new
 * task that fails before it runs, or within `monitor` of running, is a failure; when failures
 * exceed `maxFailureRatio` of the slots listed, `failureAction` pauses the update, goes on, or
 * rolls back to the previous spec (with the `rollback` settings). Once every worker is done, the
 * update completes after one more `monitor` (or `delay` + 1 s, if that is longer).
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
      service: s.name, target: s.spec, config: rollback ? s.spec.rollback : s.spec.update, rollback, slots: [], next: 0, workers: 0,
      inFlight: new Map(), byTask: new Map(), watched: new Map(), failures: 0, timers: new Set(), done: false,
    };
    this.rollouts.set(s.name, r);
    this.o.sim.after(0, () => this.begin(r));
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

  /** Lists the slots to replace and starts the workers; with none, the update is complete. */
  private begin(r: Rollout): void {
    if (!this.current(r)) return;
    r.slots = [...this.dirtySlots(r).entries()];
    if (r.slots.length === 0) {
      this.finish(r, r.rollback ? "rollback_completed" : "completed");
      return;
    }
    r.workers = r.config.parallelism === 0 ? r.slots.length : Math.min(r.config.parallelism, r.slots.length);
    for (let i = 0; i < r.workers; i++) this.work(r);
  }

  /** Whether the rollout still has work: not stopped, not done, and its spec still the service's. */
  private current(r: Rollout): boolean {
    return !this.stopped && !r.done && this.o.store.services.get(r.service)?.spec === r.target;
  }

  /** A free worker takes the next slot; once none is left, and no worker holds one, the final monitoring. */
  private work(r: Rollout): void {
    if (!this.current(r)) return;
    if (r.next === r.slots.length) {
      if (--r.workers === 0) {
        const { delayUs, monitorUs } = r.config;
        this.timer(r, delayUs >= monitorUs ? delayUs + FINAL_MONITOR_EXTRA_US : monitorUs, () => this.finish(r, r.rollback ? "rollback_completed" : "completed"));
      }
      return;
    }
    const [key, listed] = r.slots[r.next++]!;
    // Those of its old tasks that still run or are meant to: the restart supervisor may have replaced one with the new spec meanwhile.
    const old = listed.filter((t) => (this.o.store.tasks.get(t.id)?.desiredState ?? TaskState.REMOVE) <= TaskState.RUNNING);
    if (old.length === 0) {
      this.rest(r);
      return;
    }
    const service = this.o.store.services.get(r.service)!;
    const where = old[0]!.pinnedNode !== null ? { node: old[0]!.pinnedNode } : { slot: old[0]!.slot };
    const startFirst = r.config.order === "start-first";
    const fresh = this.o.factory.create(service, where, startFirst ? TaskState.RUNNING : TaskState.READY);
    const u: SlotUpdate = { key, old, fresh, running: false, monitor: null };
    r.inFlight.set(key, u);
    for (const t of [...old, fresh]) r.byTask.set(t.id, u);
    r.watched.set(fresh.id, u);
    const cmds: StoreCommand[] = [];
    if (!startFirst) {
      for (const t of old) cmds.push({ type: "SetTaskDesiredState", id: t.id, desiredState: TaskState.SHUTDOWN });
      this.timer(r, OLD_TASK_TIMEOUT_US, () => this.release(u));
    }
    cmds.push({ type: "CreateTask", task: fresh });
    this.o.propose(cmds);
  }

  /** The worker's slot is done: it waits `delay`, then takes the next. */
  private rest(r: Rollout): void {
    this.timer(r, r.config.delayUs, () => this.work(r));
  }

  private timer(r: Rollout, delayUs: number, action: () => void): void {
    const ev = this.o.sim.after(delayUs, () => {
      r.timers.delete(ev);
      action();
    });
    r.timers.add(ev);
  }

  /** Live tasks that run another spec than the target, by slot (or node), in slot order. */
  private dirtySlots(r: Rollout): Map<string, TaskRecord[]> {
    const slots = slotsOf(this.o.store.tasksOfService(r.service), (t) => (t.desiredState > TaskState.RUNNING || t.spec === r.target ? null : (t.pinnedNode ?? String(t.slot))));
    return new Map([...slots.entries()].sort(([, a], [, b]) => a[0]!.slot - b[0]!.slot || codeOrder(a[0]!.id, b[0]!.id)));
  }

  /** stop-first: the new task may run once every old task of its slot has stopped. */
  private oldChanged(r: Rollout, u: SlotUpdate): void {
    if (r.config.order === "stop-first" && u.old.every((t) => taskStopped(this.o.store, t.id))) this.release(u);
  }

  /** stop-first: the new task, held at READY, may run now. */
  private release(u: SlotUpdate): void {
    const fresh = this.o.store.tasks.get(u.fresh.id);
    if (fresh && fresh.desiredState === TaskState.READY) {
      this.o.propose([{ type: "SetTaskDesiredState", id: fresh.id, desiredState: TaskState.RUNNING }]);
    }
  }

  /** The worker waits for its new task to run, or to fail first (swarmkit: a state at or past RUNNING). */
  private freshChanged(r: Rollout, u: SlotUpdate, task: TaskRecord): void {
    // The old tasks may have stopped before the new one was even committed.
    if (task.desiredState === TaskState.READY) this.oldChanged(r, u);
    if (task.state === TaskState.RUNNING && !u.running) {
      u.running = true;
      if (r.config.order === "start-first") {
        this.o.propose(u.old.map((t): StoreCommand => ({ type: "SetTaskDesiredState", id: t.id, desiredState: TaskState.SHUTDOWN })));
      }
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
  }

  private slotDone(r: Rollout, u: SlotUpdate): void {
    if (r.inFlight.get(u.key) !== u) return;
    r.inFlight.delete(u.key);
    for (const t of [...u.old, u.fresh]) r.byTask.delete(t.id);
    if (!r.done) this.rest(r);
  }

  /** A new task failed: past `maxFailureRatio` of the slots listed, the failure action. */
  private failed(r: Rollout, u: SlotUpdate): void {
    r.watched.delete(u.fresh.id);
    this.o.sim.cancel(u.monitor);
    r.failures++;
    if (r.config.failureAction === "continue" || r.failures / r.slots.length <= r.config.maxFailureRatio) return;
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
    for (const ev of r.timers) this.o.sim.cancel(ev);
    r.timers.clear();
    for (const u of [...r.inFlight.values(), ...r.watched.values()]) this.o.sim.cancel(u.monitor);
  }
}

/** Strings by their UTF-16 code units: the same order on every machine (localeCompare's follows the ICU data of the Node build). */
function codeOrder(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
