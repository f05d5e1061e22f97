import { TaskState, isTerminal } from "../../cluster/task-state.js";
import type { ServiceRecord, Store, TaskRecord } from "../store.js";

/**
 * Creates tasks for the orchestrators and remembers the ones proposed but not yet seen in the
 * store, so that a second look before the commit does not create a slot twice.
 */
export class TaskFactory {
  readonly inflight = new Map<string, TaskRecord>();

  constructor(
    private readonly store: Store,
    private readonly nowUs: () => number,
  ) {}

  /** The store committed (or removed) a task: it is no longer in flight. */
  seen(taskId: string): void {
    this.inflight.delete(taskId);
  }

  /** Every task of a service, committed or in flight. */
  *tasksOf(service: string): Iterable<TaskRecord> {
    yield* this.store.tasksOfService(service);
    for (const t of this.inflight.values()) if (t.service === service) yield t;
  }

  /** A new task in a slot (replicated) or for a node (global), numbered after every earlier attempt. */
  create(service: ServiceRecord, where: { slot: number } | { node: string }, desiredState: TaskState): TaskRecord {
    const slot = "slot" in where ? where.slot : 0;
    const node = "node" in where ? where.node : null;
    let attempt = this.store.attempts.get(`${service.name}.${node ?? slot}`) ?? 0;
    for (const t of this.inflight.values()) if (t.service === service.name && t.slot === slot && t.pinnedNode === node) attempt = Math.max(attempt, t.attempt);
    attempt++;
    const task: TaskRecord = {
      id: `${service.name}.${node ?? slot}.${attempt}`,
      service: service.name,
      slot,
      attempt,
      specVersion: service.version,
      spec: service.spec,
      nodeId: null,
      pinnedNode: node,
      desiredState,
      state: TaskState.NEW,
      reason: null,
      createdUs: this.nowUs(),
      networks: [],
    };
    this.inflight.set(task.id, task);
    return task;
  }
}

/**
 * Whether a task no longer runs, as far as the managers can tell: gone from the store, stopped,
 * never placed, or on a node that is DOWN (which will not report it).
 */
export function taskStopped(store: Store, taskId: string): boolean {
  const t = store.tasks.get(taskId);
  if (!t || isTerminal(t.state) || t.nodeId === null) return true;
  return store.nodes.get(t.nodeId)?.status === "down";
}

/** A task the orchestrator still counts: desired to run, and not being replaced by the restart supervisor. */
export function isLive(t: TaskRecord, restarting: (id: string) => boolean): boolean {
  return t.desiredState <= TaskState.RUNNING && !restarting(t.id);
}
