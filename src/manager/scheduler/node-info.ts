import type { NodeRecord, TaskRecord } from "../store.js";

/** Failures of one service version on a node within this window make the node less preferred. */
export const RECENT_FAILURE_WINDOW_US = 5 * 60 * 1_000_000;
export const RECENT_FAILURE_THRESHOLD = 5;

/**
 * The scheduler's view of one node: the tasks that hold resources on it (from ASSIGNED until
 * their state passes RUNNING) and what is left of its capacity. Kept up to date from store
 * events and updated at once after each assignment within a batch.
 */
export class NodeInfo {
  readonly tasks = new Map<string, TaskRecord>();
  /**
   * tasks.size, kept beside the node's other counters: spread and binpack compare it for every
   * pair of nodes a heap of candidates orders, and the Map is another object to fetch (a cache
   * miss a node when a zone's tasks are placed again on 13,000 nodes).
   */
  taskCount = 0;
  /** Active tasks per service on this node. */
  readonly serviceTasks = new Map<string, number>();
  reservedCpuNanos = 0;
  reservedMemoryBytes = 0;
  readonly reservedGeneric = new Map<string, number>();
  /** Host-mode ports in use: "tcp/80". */
  readonly hostPorts = new Map<string, number>();
  /** Failure times per "service@version", for spread's first criterion. */
  private readonly failures = new Map<string, number[]>();
  /** Whether `failures` ever had an entry (it never loses one), read without fetching the Map. */
  private failed = false;
  /**
   * The service last asked of tasksOfService, and its count, kept in step by account(). A group's
   * placement asks every node for one service, spread's comparisons twice per pair: at 20,000
   * nodes, a lookup in each node's own small Map was a cache miss each (2.4% of a deployment).
   */
  private askedService: string | null = null;
  private askedTasks = 0;

  constructor(public node: NodeRecord) {}

  get availableCpuNanos(): number {
    return this.node.cpuNanos - this.reservedCpuNanos;
  }

  get availableMemoryBytes(): number {
    return this.node.memoryBytes - this.reservedMemoryBytes;
  }

  availableGeneric(kind: string): number {
    return (this.node.generic[kind] ?? 0) - (this.reservedGeneric.get(kind) ?? 0);
  }

  tasksOfService(service: string): number {
    if (service === this.askedService) return this.askedTasks;
    const n = this.serviceTasks.get(service) ?? 0;
    this.askedService = service;
    this.askedTasks = n;
    return n;
  }

  addTask(task: TaskRecord): boolean {
    if (this.tasks.has(task.id)) return false;
    this.tasks.set(task.id, task);
    this.taskCount++;
    this.account(task, 1);
    return true;
  }

  removeTask(task: TaskRecord): boolean {
    if (!this.tasks.delete(task.id)) return false;
    this.taskCount--;
    this.account(task, -1);
    return true;
  }

  private account(task: TaskRecord, sign: 1 | -1): void {
    const r = task.spec.resources.reservations;
    const n = (this.serviceTasks.get(task.service) ?? 0) + sign;
    this.serviceTasks.set(task.service, n);
    if (task.service === this.askedService) this.askedTasks = n;
    this.reservedCpuNanos += sign * Math.round(r.cpuCores * 1e9);
    this.reservedMemoryBytes += sign * r.memoryBytes;
    for (const [kind, n] of Object.entries(r.generic)) {
      this.reservedGeneric.set(kind, (this.reservedGeneric.get(kind) ?? 0) + sign * n);
    }
    for (const p of task.spec.ports) {
      if (p.mode !== "host") continue;
      const key = `${p.protocol}/${p.published}`;
      this.hostPorts.set(key, (this.hostPorts.get(key) ?? 0) + sign);
    }
  }

  /** Whether any failure was ever recorded here: lets spread skip the failure lookup. */
  get hasFailureRecords(): boolean {
    return this.failed;
  }

  recordFailure(key: string, nowUs: number): void {
    const list = this.failures.get(key) ?? [];
    list.push(nowUs);
    this.failures.set(key, list);
    this.failed = true;
  }

  /** Every failure time recorded here, by service@version (for a strategy in a worker thread). */
  failureRecords(): ReadonlyMap<string, number[]> {
    return this.failures;
  }

  /** Failures of `key` in the last five minutes (old ones are forgotten as we count). */
  recentFailures(key: string, nowUs: number): number {
    const list = this.failures.get(key);
    if (!list) return 0;
    while (list.length > 0 && (list[0] as number) < nowUs - RECENT_FAILURE_WINDOW_US) list.shift();
    return list.length;
  }
}
