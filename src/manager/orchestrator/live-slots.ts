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
  /** The tasks counted live, with where they count. */
  private readonly counted = new Map<string, { service: string; slot: number }>();
  /** Live tasks per slot, by service. */
  private readonly perSlot = new Map<string, Map<number, number>>();
  /** Set in tests: every answer is checked against a walk of the service's tasks. */
  static audit = false;

  constructor(
    private readonly store: Store,
    private readonly inflight: ReadonlyMap<string, TaskRecord>,
    private readonly leaving: (taskId: string) => boolean,
  ) {}

  /** The task `id` may have changed in the store or in flight, or started or stopped leaving. */
  refresh(id: string): void {
    const t = this.inflight.get(id) ?? this.store.tasks.get(id);
    const live = t !== undefined && t.pinnedNode === null && isLive(t, this.leaving);
    const was = this.counted.get(id);
    if (live === (was !== undefined)) return;
    if (live) {
      this.counted.set(id, { service: t.service, slot: t.slot });
      this.add(t.service, t.slot, 1);
    } else {
      this.counted.delete(id);
      this.add(was!.service, was!.slot, -1);
    }
  }

  /** Slots of `service` with a live task; `walk` (every task of the service) is read only under audit. */
  count(service: string, walk: () => Iterable<TaskRecord>): number {
    const n = this.perSlot.get(service)?.size ?? 0;
    if (LiveSlots.audit) {
      const slots = new Set<number>();
      for (const t of walk()) if (t.pinnedNode === null && isLive(t, this.leaving)) slots.add(t.slot);
      if (slots.size !== n) throw new Error(`LiveSlots: ${service} has ${slots.size} live slots, the index says ${n}`);
    }
    return n;
  }

  private add(service: string, slot: number, by: number): void {
    let slots = this.perSlot.get(service);
    if (!slots) this.perSlot.set(service, (slots = new Map()));
    const n = (slots.get(slot) ?? 0) + by;
    if (n === 0) slots.delete(slot);
    else slots.set(slot, n);
  }
}
