import { TaskState } from "../../cluster/task-state.js";
import type { ServiceRecord, StoreCommand, TaskRecord } from "../store.js";
import { isLive, type TaskFactory } from "./tasks.js";

/**
 * The replicated orchestrator (swarmkit manager/orchestrator/replicated): keeps `replicas` slots
 * with a live task each. Missing slots get new tasks (lowest free slot numbers first); extra
 * slots are removed in Swarm's order: slots without a running task first, then running ones on
 * the nodes holding the most tasks of the service.
 */
export class ReplicatedOrchestrator {
  constructor(
    private readonly factory: TaskFactory,
    private readonly leaving: (taskId: string) => boolean,
  ) {}

  reconcile(service: ServiceRecord): StoreCommand[] {
    const slots = new Map<number, TaskRecord[]>();
    for (const t of this.factory.tasksOf(service.name)) {
      if (t.pinnedNode !== null || !isLive(t, this.leaving)) continue;
      const list = slots.get(t.slot);
      if (list) list.push(t);
      else slots.set(t.slot, [t]);
    }
    const cmds: StoreCommand[] = [];
    let missing = service.replicas - slots.size;
    for (let slot = 1; missing > 0; slot++) {
      if (slots.has(slot)) continue;
      cmds.push({ type: "CreateTask", task: this.factory.create(service, { slot }, TaskState.RUNNING) });
      missing--;
    }
    if (missing < 0) {
      for (const slot of this.removalOrder(slots).slice(0, -missing)) {
        for (const t of slots.get(slot)!) cmds.push({ type: "SetTaskDesiredState", id: t.id, desiredState: TaskState.REMOVE });
      }
    }
    return cmds;
  }

  /**
   * Swarm's scale-down order: slots with no running task go first; then each running task is
   * numbered as the 1st, 2nd, ... copy of the service on its node, and higher copies go first,
   * so the most loaded nodes shed tasks until the service is even. Ties: higher slot first.
   */
  private removalOrder(slots: Map<number, TaskRecord[]>): number[] {
    const copies = new Map<string, number>();
    const keyed = [...slots.entries()]
      .sort(([a], [b]) => a - b)
      .map(([slot, tasks]) => {
        const running = tasks.find((t) => t.state === TaskState.RUNNING && t.nodeId !== null);
        if (!running) return { slot, dead: true, copy: 0 };
        const copy = (copies.get(running.nodeId!) ?? 0) + 1;
        copies.set(running.nodeId!, copy);
        return { slot, dead: false, copy };
      });
    keyed.sort((a, b) => Number(b.dead) - Number(a.dead) || b.copy - a.copy || b.slot - a.slot);
    return keyed.map((k) => k.slot);
  }

  /** A replacement for a task of the slot (the restart supervisor asks). */
  replacement(service: ServiceRecord, old: TaskRecord): TaskRecord | null {
    if (service.spec.mode !== "replicated") return null;
    return this.factory.create(service, { slot: old.slot }, TaskState.READY);
  }
}
