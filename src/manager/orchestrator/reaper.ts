import { isTerminal, TASK_HISTORY_PER_SLOT, TaskState } from "../../api/task-state.js";
import { SlotMap, type Store, type StoreCommand, type TaskRecord } from "../store.js";

/**
 * The task reaper (swarmkit manager/orchestrator/taskreaper): ends tasks that are no longer
 * wanted before any node got them, deletes tasks that stopped with desired REMOVE (scaled
 * down), and keeps at most five tasks per slot, deleting the oldest stopped ones.
 */
export class TaskReaper {
  /**
   * Task ids per slot (or per node, for global services), oldest first, so history is counted
   * without a scan. Lists, not Sets: a slot holds a handful, and a Set per slot cost an idle task
   * 150 bytes.
   */
  private readonly slots = new SlotMap<string[]>();
  /** Removals proposed and not yet committed. */
  private readonly removing = new Set<string>();

  constructor(
    private readonly store: Store,
    private readonly propose: (cmds: StoreCommand[]) => void,
  ) {
    for (const t of store.tasks.values()) this.note(t);
  }

  /**
   * The task's slot, with the task in it. A new slot's list is made with its first id: `[]` then
   * push reserves 17 places, and most slots of a big cluster only ever hold one task (a second
   * push grows the list as usual).
   */
  private note(t: TaskRecord): string[] {
    const s = this.slots.get(t);
    if (!s) {
      const made = [t.id];
      this.slots.set(t, made);
      return made;
    }
    if (!s.includes(t.id)) s.push(t.id);
    return s;
  }

  taskChanged(task: TaskRecord, removed: boolean): void {
    if (removed) {
      const slot = this.slots.get(task);
      const i = slot ? slot.indexOf(task.id) : -1;
      if (i >= 0) slot!.splice(i, 1);
      this.removing.delete(task.id);
      return;
    }
    const slot = this.note(task);
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
    if (this.removing.size > 0) for (const id of slot) if (this.removing.has(id)) leaving++;
    const excess = slot.length - leaving - TASK_HISTORY_PER_SLOT;
    if (excess <= 0) return;
    const history = slot.map((id) => this.store.tasks.get(id)).filter((t): t is TaskRecord => t !== undefined);
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
