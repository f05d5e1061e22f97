import type { Store, TaskRecord } from "../store.js";
import { isLive } from "./tasks.js";

/**
 * How many distinct slots of each replicated service hold a live task (isLive: desired to run
 * and not leaving), among the store's tasks and those proposed but not committed. It is kept as
 * tasks change, so that a reconcile with nothing to do (the count is the replica count) costs
 * nothing: after a zone failure at 1,000 workers, 6,500 reconciles each walked a service's
 * thousand tasks and found nothing to do, and the walk grows with tasks x reconciles.
 * Whoever changes what isLive answers for a task calls `refresh` with its id.
 */
export class LiveSlots {
  /** The tasks counted live, with the record that says where they count (a task's service and slot never change). */
  private readonly counted = new Map<string, Pick<TaskRecord, "service" | "slot">>();
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
    private readonly leaving: (taskId: string) => boolean,
  ) {}

  /**
   * The task `id` may have changed in the store or in flight, or started or stopped leaving.
   * `stored`: its record in the store, when the caller has it (null: the store deleted it), which
   * spares a lookup in a map of every task (the store's events carry it).
   */
  refresh(id: string, stored?: TaskRecord | null): void {
    const t = this.inflight.get(id) ?? (stored === undefined ? this.store.tasks.get(id) : (stored ?? undefined));
    const live = t !== undefined && t.pinnedNode === null && isLive(t, this.leaving);
    const was = this.counted.get(id);
    if (live === (was !== undefined)) return;
    if (live) {
      this.counted.set(id, t);
      this.add(t.service, t.slot, 1);
    } else {
      this.counted.delete(id);
      this.add(was!.service, was!.slot, -1);
    }
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
