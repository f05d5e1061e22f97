import { TaskState, isTerminal } from "../../api/task-state.js";
import { grownTo } from "../../kernel/index.js";
import { NO_ATTACHMENTS, SlotMap, type ServiceRecord, type SlotOf, type Store, type TaskRecord } from "../store.js";

/**
 * Task numbers (TaskRecord.num): one per task id, the same for the whole control plane, shared
 * by every manager's orchestrator. Two leaders can make the same id (a slot's next attempt, the
 * first leader's task not yet committed when the second looks), and the store then holds one
 * task by that id; with the same number, the tables that go by number agree with the store.
 */
export class TaskNumbers {
  private readonly numbers = new Map<string, number>();
  private next = 0;

  /** A numbering that goes on from the numbers `tasks` have (an orchestrator on a store made without the control plane's). */
  static covering(tasks: Iterable<TaskRecord>): TaskNumbers {
    const n = new TaskNumbers();
    for (const t of tasks) {
      if ((n.numbers.get(t.id) ?? t.num) !== t.num) throw new Error(`TaskNumbers: ${t.id} has two numbers, ${n.numbers.get(t.id)} and ${t.num}`);
      n.numbers.set(t.id, t.num);
      n.next = Math.max(n.next, t.num + 1);
    }
    return n;
  }

  /** The number of the task `id`, given on first asking. */
  of(id: string): number {
    let n = this.numbers.get(id);
    if (n === undefined) {
      n = this.next++;
      this.numbers.set(id, n);
    }
    return n;
  }
}

/** A yes or no per task number: the orchestrator's sets of tasks, as one byte each. */
export class TaskFlags {
  private bytes = new Uint8Array(1024);

  has(t: Pick<TaskRecord, "num">): boolean {
    return t.num < this.bytes.length && this.bytes[t.num] === 1;
  }

  add(t: Pick<TaskRecord, "num">): void {
    if (t.num >= this.bytes.length) this.bytes = grownTo(this.bytes, t.num + 1);
    this.bytes[t.num] = 1;
  }

  delete(t: Pick<TaskRecord, "num">): void {
    if (t.num < this.bytes.length) this.bytes[t.num] = 0;
  }
}

/**
 * Creates tasks for the orchestrators and remembers the ones proposed but not yet seen in the
 * store, so that a second look before the commit does not create a slot twice.
 */
export class TaskFactory {
  readonly inflight = new Map<string, TaskRecord>();
  /** The in-flight tasks by number: most store events are of tasks not in flight, told without a lookup in `inflight`. */
  private readonly inflightNums = new TaskFlags();
  /** The in-flight tasks by service, and the highest attempt in flight by slot: both read per task created. */
  private readonly inflightOf = new Map<string, Map<string, TaskRecord>>();
  private readonly inflightAttempt = new SlotMap<number>();

  constructor(
    private readonly store: Store,
    private readonly nowUs: () => number,
    /** Told of every task created (it is in flight until the store commits it). */
    private readonly created: (task: TaskRecord) => void = () => {},
    private readonly numbers = TaskNumbers.covering(store.tasks.values()),
  ) {}

  /** The store committed (or removed) a task: it is no longer in flight. */
  seen(task: TaskRecord): void {
    if (!this.inflightNums.has(task)) return;
    this.inflightNums.delete(task);
    const t = this.inflight.get(task.id)!;
    this.inflight.delete(t.id);
    this.inflightOf.get(t.service)?.delete(t.id);
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
    const id = `${service.name}.${node ?? slot}.${attempt}`;
    const task: TaskRecord = {
      id,
      num: this.numbers.of(id),
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
    this.inflightNums.add(task);
    let inflight = this.inflightOf.get(task.service);
    if (!inflight) this.inflightOf.set(task.service, (inflight = new Map()));
    inflight.set(task.id, task);
    this.inflightAttempt.set(task, attempt);
    this.created(task);
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
export function isLive(t: TaskRecord, leaving: (t: TaskRecord) => boolean): boolean {
  return t.desiredState <= TaskState.RUNNING && !leaving(t);
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
