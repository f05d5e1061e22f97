import { TaskState } from "../cluster/task-state.js";
import type { Store, StoreCommand, StoreEvent, TaskRecord } from "./store.js";

/**
 * The allocator moves a new task to PENDING once its networks and ports are allocated.
 * SIMPLIFICATION: overlay IP address management is not modelled yet, so allocation always
 * succeeds at once (Swarm leaves a task in NEW when a subnet is exhausted).
 */
export class Allocator {
  constructor(
    store: Store,
    private readonly propose: (cmds: StoreCommand[]) => void,
  ) {
    // A new leader picks up tasks its predecessor created but did not allocate.
    const cmds = [...store.tasks.values()].filter(needsAllocation).map(allocate);
    if (cmds.length > 0) propose(cmds);
  }

  handle(event: StoreEvent): void {
    if (event.type !== "task" || event.removed || event.prevState !== null) return;
    if (needsAllocation(event.task)) this.propose([allocate(event.task)]);
  }
}

function needsAllocation(t: TaskRecord): boolean {
  return t.state === TaskState.NEW && t.desiredState <= TaskState.RUNNING;
}

function allocate(t: TaskRecord): StoreCommand {
  return { type: "UpdateTaskStatus", id: t.id, state: TaskState.PENDING, reason: null };
}
