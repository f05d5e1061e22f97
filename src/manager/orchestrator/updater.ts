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

/**
 * A task held at READY until the tasks it replaces have stopped, or a minute has passed (swarmkit's
 * DelayStart, which belongs to the restart supervisor: it outlives a paused or replaced rollout).
 */
interface Hold {
  task: TaskRecord;
  old: TaskRecord[];
  timer: ScheduledEvent;
}

/** One rolling update (or rollback) of a service towards `target`. */
interface Rollout {
  service: string;
  target: ServiceSpec;
  /** The replicas it began with: a scale is a new spec version in Swarm, so a new rollout. */
  replicas: number;
  config: UpdateSpec;
  rollback: boolean;
  /** The slots to update, as they were when the rollout began (swarmkit's dirtySlots): key and live tasks, in slot order. */
  slots: [string, TaskRecord[]][];
  /** The next slot a free worker takes. */
  next: number;
  /** Workers that have not yet run out of slots. */
  workers: number;
  /** Slots a worker is on, until their new task runs or fails. */
  inFlight: Map<string, SlotUpdate>;
  /** The slots in flight by the id of their new task. */
  byFresh: Map<string, SlotUpdate>;
  /** New tasks whose failure counts: from their creation until `monitor` after they run. */
  watched: Map<string, SlotUpdate>;
  failures: number;
  /** The workers' delays and the final monitoring. */
  timers: Set<ScheduledEvent>;
  /** Paused, rolled back or completed: no slot is taken any more and no failure counts; slots in flight still finish. */
  done: boolean;
}

/** How long a new task waits for the tasks it replaces to stop before it starts anyway (swarmkit restart.defaultOldTaskTimeout). */
const OLD_TASK_TIMEOUT_US = 60_000_000;
/** What the final monitoring adds to a `delay` that is not shorter than `monitor` (swarmkit updater.go). */
const FINAL_MONITOR_EXTRA_US = 1_000_000;

/**
 * Swarm's rolling updater (swarmkit manager/orchestrator/update): when a service's spec changes,
 * the slots to update (a task of another spec, or more than one task) are listed once, in slot
 * order, and `parallelism` workers (0 = one per slot) take them one after another. A worker
 * whose slot already has a task of the new spec keeps it and stops the others; otherwise it
 * replaces the slot (stop-first: the old task stops before the new one may run, or a minute
 * passes; start-first: both run until the new one does) and waits until the new task runs or
 * fails. Either way it then waits `delay` and takes the next slot. A new task that fails before
 * it runs, or within `monitor` of running, is a failure; when failures exceed `maxFailureRatio`
 * of the slots listed, `failureAction` pauses the update (slots in flight still finish), goes
 * on, or rolls back to the previous spec (with the `rollback` settings). Once every worker is
 * done, the update completes after one more `monitor` (or `delay` + 1 s, if `delay` is not shorter).
 */
export class Updater {
  private readonly rollouts = new Map<string, Rollout>();
  /** New tasks held at READY, by their id and by the id of each task they wait for. */
  private readonly holds = new Map<string, Hold>();
  private stopped = false;

  constructor(private readonly o: UpdaterOptions) {
    for (const s of o.store.services.values()) {
      if (s.updateState === "updating" || s.updateState === "rollback_started") this.serviceChanged(s);
    }
  }

  stop(): void {
    this.stopped = true;
    for (const r of this.rollouts.values()) this.cancel(r);
    for (const h of new Set(this.holds.values())) this.o.sim.cancel(h.timer);
    this.holds.clear();
  }

  /** A service changed: a new spec (or a scale, a new spec version in Swarm) starts a rollout, replacing any unfinished one. */
  serviceChanged(s: ServiceRecord): void {
    const current = this.rollouts.get(s.name);
    if (current && current.target === s.spec && (current.done || current.replicas === s.replicas)) return;
    if (current) this.cancel(current);
    this.rollouts.delete(s.name);
    if (s.updateState !== "updating" && s.updateState !== "rollback_started") return;
    const rollback = s.updateState === "rollback_started";
    const r: Rollout = {
      service: s.name, target: s.spec, replicas: s.replicas, config: rollback ? s.spec.rollback : s.spec.update, rollback, slots: [], next: 0, workers: 0,
      inFlight: new Map(), byFresh: new Map(), watched: new Map(), failures: 0, timers: new Set(), done: false,
    };
    this.rollouts.set(s.name, r);
    this.o.sim.after(0, () => this.begin(r));
  }

  taskChanged(task: TaskRecord): void {
    if (this.stopped) return;
    const h = this.holds.get(task.id);
    if (h) this.holdChanged(h);
    const r = this.rollouts.get(task.service);
    if (!r) return;
    const u = r.byFresh.get(task.id);
    if (u) this.freshChanged(r, u, task);
    const w = r.watched.get(task.id);
    if (w && endedByItself(task)) this.failed(r, w);
  }

  /** Lists the slots to update and starts the workers; with none, the update is complete. */
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

  /** Whether the rollout still takes slots: not stopped, not done, and still the service's. */
  private current(r: Rollout): boolean {
    return !this.stopped && !r.done && this.rollouts.get(r.service) === r;
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
    // As they are now: the restart supervisor or a scale may have stopped some since the listing.
    const live = listed.map((t) => this.o.store.tasks.get(t.id)).filter((t): t is TaskRecord => t !== undefined && t.desiredState <= TaskState.RUNNING);
    const clean = live.find((t) => t.spec === r.target);
    if (clean) this.keep(clean, live);
    else if (live.length > 0) this.replace(r, key, live);
    if (!r.inFlight.has(key)) this.rest(r);
  }

  /** The slot already has a task of the new spec: it stays (started if held) and the others stop (swarmkit useExistingTask). */
  private keep(clean: TaskRecord, live: readonly TaskRecord[]): void {
    const others = live.filter((t) => t !== clean);
    if (others.length > 0) this.o.propose(others.map((t): StoreCommand => ({ type: "SetTaskDesiredState", id: t.id, desiredState: TaskState.SHUTDOWN })));
    if (clean.desiredState === TaskState.READY && !this.holds.has(clean.id)) this.hold(clean, others);
  }

  /** A new task for the slot: stop-first holds it until the old ones stop; start-first stops them once it runs. */
  private replace(r: Rollout, key: string, old: TaskRecord[]): void {
    const service = this.o.store.services.get(r.service)!;
    const where = old[0]!.pinnedNode !== null ? { node: old[0]!.pinnedNode } : { slot: old[0]!.slot };
    const startFirst = r.config.order === "start-first";
    const fresh = this.o.factory.create(service, where, startFirst ? TaskState.RUNNING : TaskState.READY);
    const u: SlotUpdate = { key, old, fresh, running: false, monitor: null };
    r.inFlight.set(key, u);
    r.byFresh.set(fresh.id, u);
    r.watched.set(fresh.id, u);
    const cmds: StoreCommand[] = [];
    if (!startFirst) for (const t of old) cmds.push({ type: "SetTaskDesiredState", id: t.id, desiredState: TaskState.SHUTDOWN });
    cmds.push({ type: "CreateTask", task: fresh });
    this.o.propose(cmds);
    if (!startFirst) this.hold(fresh, old);
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

  /** Slots to update: those with a live task of another spec, or more than one live task (swarmkit isSlotDirty), in slot order. */
  private dirtySlots(r: Rollout): Map<string, TaskRecord[]> {
    const slots = slotsOf(this.o.store.tasksOfService(r.service), (t) => (t.desiredState > TaskState.RUNNING ? null : (t.pinnedNode ?? String(t.slot))));
    const dirty = [...slots.entries()].filter(([, tasks]) => tasks.length > 1 || tasks.some((t) => t.spec !== r.target));
    return new Map(dirty.sort(([, a], [, b]) => a[0]!.slot - b[0]!.slot || codeOrder(a[0]!.id, b[0]!.id)));
  }

  /** `task` waits at READY for `old` to stop, or a minute; then it may run. */
  private hold(task: TaskRecord, old: readonly TaskRecord[]): void {
    const h: Hold = { task, old: [...old], timer: this.o.sim.after(OLD_TASK_TIMEOUT_US, () => this.release(h)) };
    for (const t of [task, ...old]) this.holds.set(t.id, h);
    this.holdChanged(h);
  }

  /**
   * A task of a hold changed: once every old task has stopped (or its node is DOWN), the held one
   * may run. Until its creation commits the held task is not in the store yet: it waits.
   */
  private holdChanged(h: Hold): void {
    const held = this.o.store.tasks.get(h.task.id);
    if (held === undefined) return;
    if (held.desiredState !== TaskState.READY) this.drop(h);
    else if (h.old.every((t) => taskStopped(this.o.store, t.id))) this.release(h);
  }

  private release(h: Hold): void {
    this.drop(h);
    const held = this.o.store.tasks.get(h.task.id);
    if (held && held.desiredState === TaskState.READY) {
      this.o.propose([{ type: "SetTaskDesiredState", id: held.id, desiredState: TaskState.RUNNING }]);
    }
  }

  private drop(h: Hold): void {
    this.o.sim.cancel(h.timer);
    for (const t of [h.task, ...h.old]) if (this.holds.get(t.id) === h) this.holds.delete(t.id);
  }

  /** The worker waits for its new task to run, or to fail first (swarmkit: a state at or past RUNNING). */
  private freshChanged(r: Rollout, u: SlotUpdate, task: TaskRecord): void {
    if (task.state === TaskState.RUNNING && !u.running) {
      u.running = true;
      if (r.config.order === "start-first") {
        this.o.propose(u.old.map((t): StoreCommand => ({ type: "SetTaskDesiredState", id: t.id, desiredState: TaskState.SHUTDOWN })));
      }
      if (!r.done) u.monitor = this.o.sim.after(r.config.monitorUs, () => this.monitored(r, u));
      this.slotDone(r, u);
    } else if (isTerminal(task.state) && !u.running) {
      if (endedByItself(task)) this.failed(r, u);
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
    r.byFresh.delete(u.fresh.id);
    if (!r.done) this.rest(r);
  }

  /** A new task failed: past `maxFailureRatio` of the slots listed, the failure action. */
  private failed(r: Rollout, u: SlotUpdate): void {
    if (!r.watched.delete(u.fresh.id) || r.done) return;
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

  /** No slot is taken any more; those in flight finish (their new tasks run, start-first's old ones stop). */
  private finish(r: Rollout, state: ServiceRecord["updateState"]): void {
    r.done = true;
    for (const ev of r.timers) this.o.sim.cancel(ev);
    r.timers.clear();
    for (const u of r.watched.values()) this.o.sim.cancel(u.monitor);
    r.watched.clear();
    if (state) this.o.propose([{ type: "UpdateService", name: r.service, updateState: state }]);
  }

  /** Replaced by another rollout: its workers stop waiting (swarmkit's stopChan); held tasks still start when their old ones stop. */
  private cancel(r: Rollout): void {
    this.finish(r, null);
    r.inFlight.clear();
    r.byFresh.clear();
  }
}

/**
 * A task that ended while still meant to run: a failure of its spec. One the managers told to stop
 * (a scale-down, a drain) did not fail. SIMPLIFICATION: swarmkit's updater counts any end past
 * RUNNING, but its orchestrator hands it only the slots a scale keeps, and a drain during an
 * update is rare enough not to model its counting.
 */
function endedByItself(t: TaskRecord): boolean {
  return isTerminal(t.state) && t.desiredState <= TaskState.RUNNING;
}

/** Strings by their UTF-16 code units: the same order on every machine (localeCompare's follows the ICU data of the Node build). */
function codeOrder(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
