import { TaskState } from "../../api/task-state.js";
import type { ServiceRecord, StoreCommand, TaskRecord } from "../store.js";
import { isLive, slotsOf, type TaskFactory } from "./tasks.js";
import type { LiveSlots } from "./live-slots.js";

/**
 * The replicated orchestrator (swarmkit manager/orchestrator/replicated): keeps `replicas` slots
 * with a live task each. Missing slots get new tasks (lowest free slot numbers first); extra
 * slots are removed in swarmkit's order (slotsToRemove: the most loaded nodes first).
 */
export class ReplicatedOrchestrator {
  constructor(
    private readonly factory: TaskFactory,
    private readonly leaving: (t: TaskRecord) => boolean,
    private readonly live: LiveSlots,
  ) {}

  reconcile(service: ServiceRecord): StoreCommand[] {
    // Most reconciles follow a change the restart supervisor has already answered: nothing to do.
    if (this.live.count(service.name, () => this.factory.tasksOf(service.name)) === service.replicas) return [];
    const slots = slotsOf(this.factory.tasksOf(service.name), (t) => (t.pinnedNode === null && isLive(t, this.leaving) ? t.slot : null));
    const cmds: StoreCommand[] = [];
    let missing = service.replicas - slots.size;
    for (let slot = 1; missing > 0; slot++) {
      if (slots.has(slot)) continue;
      cmds.push({ type: "CreateTask", task: this.factory.create(service, { slot }, TaskState.RUNNING) });
      missing--;
    }
    if (missing < 0) {
      for (const slot of slotsToRemove(slots, service.replicas)) {
        for (const t of slots.get(slot)!) cmds.push({ type: "SetTaskDesiredState", id: t.id, desiredState: TaskState.REMOVE });
      }
    }
    return cmds;
  }

  /** A replacement for a task of the slot (the restart supervisor asks). */
  replacement(service: ServiceRecord, old: TaskRecord): TaskRecord | null {
    if (service.spec.mode !== "replicated") return null;
    return this.factory.create(service, { slot: old.slot }, TaskState.READY);
  }
}

/**
 * The slots a scale-down to `keep` removes, as swarmkit's replicated orchestrator chooses them
 * (manager/orchestrator/replicated/services.go, reconcile; slot.go):
 * 1. slots whose task has RUNNING as observed state come before the others (slotsByRunningState);
 * 2. each slot holding one task with a node is numbered as the 1st, 2nd, ... copy of the service
 *    on that node, in that order, non-running copies included; an unassigned slot, or one with
 *    more than one task, gets no number (slotsByIndex puts it last);
 * 3. sorted by that number, the first `keep` slots stay and the rest are removed.
 * So the most loaded nodes shed tasks first, an unassigned slot goes before any, and a
 * non-running task goes first only when node balance is otherwise equal. swarmkit starts from
 * a Go map (an unspecified order) and sorts with sort.Sort (not stable); here both sorts are
 * stable from slot-number order, so equal candidates keep the lower slot.
 */
export function slotsToRemove(slots: ReadonlyMap<number, readonly TaskRecord[]>, keep: number): number[] {
  const running = (tasks: readonly TaskRecord[]): boolean => tasks.some((t) => t.state === TaskState.RUNNING);
  const ordered = [...slots.entries()].sort(([a], [b]) => a - b);
  ordered.sort(([, a], [, b]) => Number(running(b)) - Number(running(a)));
  const copies = new Map<string, number>();
  const numbered = ordered.map(([slot, tasks]) => {
    const only = tasks.length === 1 ? tasks[0]! : undefined;
    if (only?.nodeId == null) return { slot, copy: Infinity };
    const copy = (copies.get(only.nodeId) ?? 0) + 1;
    copies.set(only.nodeId, copy);
    return { slot, copy };
  });
  numbered.sort((a, b) => (a.copy === b.copy ? 0 : a.copy < b.copy ? -1 : 1));
  return numbered.slice(Math.max(0, keep)).map((n) => n.slot);
}
