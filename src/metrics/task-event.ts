/**
 * A task's change of state as events.jsonl logs it, from the managers (new, pending, assigned,
 * orphaned) or from the node that runs it (the rest). A class rather than an object literal so
 * that the log can write its line without walking the object (event-line.ts): a
 * 20,000-node deployment logs about twelve of these per task, 2.4 million in all.
 * Its fields are declared in the order its line lists them.
 */
export class TaskEvent {
  readonly kind: "task";
  readonly task: string;
  readonly service: string;
  readonly slot: number;
  readonly node: string | null;
  /** The state's name (taskStateName). */
  readonly state: string;
  readonly reason: string | null;
  /** Read by name like any other event (the invariant checkers). */
  readonly [field: string]: unknown;

  constructor(task: string, service: string, slot: number, node: string | null, state: string, reason: string | null) {
    this.kind = "task";
    this.task = task;
    this.service = service;
    this.slot = slot;
    this.node = node;
    this.state = state;
    this.reason = reason;
  }
}
