import type { Store, TaskRecord } from "../store.js";
import { TaskFlags, isLive } from "./tasks.js";

/**
 * How many distinct slots of each replicated service hold a live task (isLive: desired to run
 * and not leaving), among the store's tasks and those proposed but not committed. It is kept as
 * tasks change, so that a reconcile with nothing to do (the count is the replica count) costs
 * nothing: after a zone failure at 1,000 workers, 6,500 reconciles each walked a service's
 * thousand tasks and found nothing to do, and the walk grows with tasks x reconciles.
 * Whoever changes what isLive answers for a task calls `refresh` with it.
 */
export class LiveSlots {
  /** The tasks counted live (by number; a task's service and slot, where it counts, never change). */
  private readonly counted = new TaskFlags();
  /**
   * By service: live tasks per slot number, and how many slots hold any. Slot numbers start at 1
   * and stay below the largest replica count the service had (a new task takes the lowest free
   * one), so an array costs a tenth of a Map's entry per slot.
   */
  private readonly perSlot = new Map<string, { tasks: number[]; slots: number }>();
  /** Set in tests: every answer is checked against a walk of the service's tasks. */
  static audit = false;

  constructor(
    private readonly store: Store,
    private readonly inflight: ReadonlyMap<string, TaskRecord>,
    private readonly leaving: (t: TaskRecord) => boolean,
  ) {}

  /**
   * The task `task` (any record of it) may have changed in the store or in flight, or started or
   * stopped leaving. `stored`: its record in the store, from a store event (null: the store
   * deleted it), which spares two lookups in maps of every task: the task is not in flight any
   * more once the store has it (the orchestrator tells the factory first).
   */
  refresh(task: TaskRecord, stored?: TaskRecord | null): void {
    const t = stored === undefined ? (this.inflight.get(task.id) ?? this.store.tasks.get(task.id)) : (stored ?? undefined);
    const live = t !== undefined && t.pinnedNode === null && isLive(t, this.leaving);
    if (live === this.counted.has(task)) return;
    if (live) this.counted.add(task);
    else this.counted.delete(task);
    this.add(task.service, task.slot, live ? 1 : -1);
  }

  /** Slots of `service` with a live task; `walk` (every task of the service) is read only under audit. */
  count(service: string, walk: () => Iterable<TaskRecord>): number {
    const n = this.perSlot.get(service)?.slots ?? 0;
    if (LiveSlots.audit) {
      const slots = new Set<number>();
      for (const t of walk()) if (t.pinnedNode === null && isLive(t, this.leaving)) slots.add(t.slot);
      if (slots.size !== n) throw new Error(`LiveSlots: ${service} has ${slots.size} live slots, the index says ${n}`);
    }
    return n;
  }

  private add(service: string, slot: number, by: number): void {
    let s = this.perSlot.get(service);
    if (!s) this.perSlot.set(service, (s = { tasks: [], slots: 0 }));
    const was = s.tasks[slot] ?? 0;
    s.tasks[slot] = was + by;
    if (was === 0) s.slots++;
    else if (was + by === 0) s.slots--;
  }
}
