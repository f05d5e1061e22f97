import { isTerminal, TASK_HISTORY_PER_SLOT, TaskState } from "../../api/task-state.js";
import { slotKey, type Store, type StoreCommand, type TaskRecord } from "../store.js";

/**
 * The task reaper (swarmkit manager/orchestrator/taskreaper): ends tasks that are no longer
 * wanted before any node got them, deletes tasks that stopped with desired REMOVE (scaled
 * down), and keeps at most five tasks per slot, deleting the oldest stopped ones.
 */
export class TaskReaper {
  /** Task ids per slot (or per node, for global services), so history is counted without a scan. */
  private readonly slots = new Map<string, Set<string>>();
  /** Removals proposed and not yet committed. */
  private readonly removing = new Set<string>();

  constructor(
    private readonly store: Store,
    private readonly propose: (cmds: StoreCommand[]) => void,
  ) {
    for (const t of store.tasks.values()) this.slotOf(t).add(t.id);
  }

  private slotOf(t: TaskRecord): Set<string> {
    const key = slotKey(t);
    let s = this.slots.get(key);
    if (!s) {
      s = new Set();
      this.slots.set(key, s);
    }
    return s;
  }

  taskChanged(task: TaskRecord, removed: boolean): void {
    const slot = this.slotOf(task);
    if (removed) {
      slot.delete(task.id);
      this.removing.delete(task.id);
      return;
    }
    slot.add(task.id);
    if (task.nodeId === null && task.state < TaskState.ASSIGNED && task.desiredState > TaskState.RUNNING) {
      // Never placed, no longer wanted: no agent will ever report it, so the manager ends it.
      this.propose([{ type: "UpdateTaskStatus", id: task.id, state: TaskState.SHUTDOWN, reason: "shut down before it was assigned" }]);
      return;
    }
    if (isTerminal(task.state) && task.desiredState === TaskState.REMOVE) {
      this.remove([task]);
      return;
    }
    let leaving = 0;
    for (const id of slot) if (this.removing.has(id)) leaving++;
    const excess = slot.size - leaving - TASK_HISTORY_PER_SLOT;
    if (excess <= 0) return;
    const history = [...slot].map((id) => this.store.tasks.get(id)).filter((t): t is TaskRecord => t !== undefined);
    const old = history
      .filter((t) => isTerminal(t.state) && t.desiredState > TaskState.RUNNING && !this.removing.has(t.id))
      .sort((a, b) => a.attempt - b.attempt);
    this.remove(old.slice(0, excess));
  }

  private remove(tasks: TaskRecord[]): void {
    const fresh = tasks.filter((t) => !this.removing.has(t.id));
    for (const t of fresh) this.removing.add(t.id);
    if (fresh.length > 0) this.propose(fresh.map((t): StoreCommand => ({ type: "RemoveTask", id: t.id })));
  }
}
