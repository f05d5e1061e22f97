import { TaskState, isTerminal } from "../../api/task-state.js";
import { NO_ATTACHMENTS, SlotMap, type ServiceRecord, type SlotOf, type Store, type TaskRecord } from "../store.js";

/**
 * Creates tasks for the orchestrators and remembers the ones proposed but not yet seen in the
 * store, so that a second look before the commit does not create a slot twice.
 */
export class TaskFactory {
  readonly inflight = new Map<string, TaskRecord>();
  /** The in-flight tasks by service, and the highest attempt in flight by slot: both read per task created. */
  private readonly inflightOf = new Map<string, Map<string, TaskRecord>>();
  private readonly inflightAttempt = new SlotMap<number>();

  constructor(
    private readonly store: Store,
    private readonly nowUs: () => number,
    /** Told of every task created (it is in flight until the store commits it). */
    private readonly created: (taskId: string) => void = () => {},
  ) {}

  /** The store committed (or removed) a task: it is no longer in flight. */
  seen(taskId: string): void {
    const t = this.inflight.get(taskId);
    if (!t) return;
    this.inflight.delete(taskId);
    this.inflightOf.get(t.service)?.delete(taskId);
    if (this.inflightAttempt.get(t) === t.attempt) this.inflightAttempt.delete(t);
  }

  /** Every task of a service, committed or in flight. */
  *tasksOf(service: string): Iterable<TaskRecord> {
    yield* this.store.tasksOfService(service);
    const inflight = this.inflightOf.get(service);
    if (inflight) yield* inflight.values();
  }

  /** A new task in a slot (replicated) or for a node (global), numbered after every earlier attempt. */
  create(service: ServiceRecord, where: { slot: number } | { node: string }, desiredState: TaskState): TaskRecord {
    const slot = "slot" in where ? where.slot : 0;
    const node = "node" in where ? where.node : null;
    const at: SlotOf = { service: service.name, slot, pinnedNode: node };
    const attempt = Math.max(this.store.attempts.get(at) ?? 0, this.inflightAttempt.get(at) ?? 0) + 1;
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
      networks: NO_ATTACHMENTS,
    };
    this.inflight.set(task.id, task);
    let inflight = this.inflightOf.get(task.service);
    if (!inflight) this.inflightOf.set(task.service, (inflight = new Map()));
    inflight.set(task.id, task);
    this.inflightAttempt.set(task, attempt);
    this.created(task.id);
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

/**
 * A task the orchestrator still counts: desired to run, and not leaving (being replaced by the
 * restart supervisor, or told to stop by a proposal that has not committed yet).
 */
export function isLive(t: TaskRecord, leaving: (id: string) => boolean): boolean {
  return t.desiredState <= TaskState.RUNNING && !leaving(t.id);
}

/**
 * Tasks grouped by the slot they hold (swarmkit's orchestrator.Slot): for a replicated service
 * the slot number, for a global one the node. `keyOf` names a task's slot, or null to leave the
 * task out. The map keeps the order in which slots are first met.
 */
export function slotsOf<K>(tasks: Iterable<TaskRecord>, keyOf: (t: TaskRecord) => K | null): Map<K, TaskRecord[]> {
  const slots = new Map<K, TaskRecord[]>();
  for (const t of tasks) {
    const key = keyOf(t);
    if (key === null) continue;
    const list = slots.get(key);
    if (list) list.push(t);
    else slots.set(key, [t]);
  }
  return slots;
}
