import type { Simulation, ScheduledEvent, RandomStream } from "../../kernel/index.js";
import { TaskState } from "../../api/task-state.js";
import type { Store, StoreCommand, StoreEvent, TaskRecord } from "../store.js";
import { NodeInfo } from "./node-info.js";
import { Pipeline } from "./filters.js";
import type { PlacementContext, PlacementStrategy } from "./strategy.js";
import type { CandidateSet, GroupContext } from "./candidates.js";
import { buildPlacementTree, placeOnSubtree } from "./placement-tree.js";

/** Swarm debounces store changes: a batch runs 50 ms after the last change, at most 1 s after the first. */
export const DEBOUNCE_GAP_US = 50_000;
export const DEBOUNCE_MAX_US = 1_000_000;

export interface SchedulerOptions {
  sim: Simulation;
  store: Store;
  propose: (cmds: StoreCommand[]) => void;
  strategies: ReadonlyMap<string, PlacementStrategy>;
  defaultStrategy: string;
  rng: RandomStream;
  /** 0 = Swarm: pending tasks are retried only when something changes. */
  retryIntervalUs: number;
}

/**
 * The leader's scheduler (swarmkit manager/scheduler): watches the store, and in debounced
 * batches places every unassigned task, grouped by service version, through the filter pipeline,
 * the service's placement preferences and its strategy. Tasks pinned to a node (global services)
 * are only checked against that node. Tasks that fit nowhere stay PENDING with Swarm's reason.
 */
export class Scheduler {
  private readonly nodes = new Map<string, NodeInfo>();
  /** The nodes in creation order (the tie-breaker everywhere); rebuilt when nodes come or go. */
  private ordered: NodeInfo[] | null = null;
  private readonly unassigned = new Map<string, TaskRecord>();
  private readonly pipeline = new Pipeline();
  private tick: ScheduledEvent | null = null;
  private firstDirtyUs = -1;
  private retry: ScheduledEvent | null = null;
  private stopped = false;

  constructor(private readonly o: SchedulerOptions) {
    for (const node of o.store.nodes.values()) this.nodes.set(node.id, new NodeInfo(node));
    for (const task of o.store.tasks.values()) this.trackTask(task);
    this.markDirty();
  }

  /** Leadership lost: forget timers; a new leader builds a new scheduler from the store. */
  stop(): void {
    this.stopped = true;
    this.o.sim.cancel(this.tick);
    this.o.sim.cancel(this.retry);
  }

  /** A batch is due: what the store says of unassigned tasks may be about to change. */
  get batchDue(): boolean {
    return this.tick !== null && this.tick.pending;
  }

  handle(event: StoreEvent): void {
    if (this.stopped) return;
    if (event.type === "node") {
      if (event.removed) {
        this.nodes.delete(event.node.id);
        this.ordered = null;
      } else if (!this.nodes.has(event.node.id)) {
        this.nodes.set(event.node.id, new NodeInfo(event.node));
        this.ordered = null;
      }
      this.markDirty();
    } else if (event.type === "task") {
      if (this.trackTask(event.task, event.removed, event.prevState)) this.markDirty();
    }
  }

  /** Keeps node counters and the unassigned set in step with one task; true if a batch may help. */
  private trackTask(task: TaskRecord, removed = false, prevState: TaskState | null = null): boolean {
    const info = task.nodeId ? this.nodes.get(task.nodeId) : undefined;
    const holds = !removed && task.nodeId !== null && task.state >= TaskState.ASSIGNED && task.state <= TaskState.RUNNING;
    let changed = false;
    if (info) changed = holds ? info.addTask(task) : info.removeTask(task);
    // swarmkit counts a task rejected by its node's engine as it counts a failed one, and only
    // as a task changes: a new leader's scheduler does not count the failures already in the store.
    const failed = task.state === TaskState.FAILED || task.state === TaskState.REJECTED;
    if (info && failed && prevState !== null && prevState !== task.state && !removed) {
      info.recordFailure(`${task.service}@${task.specVersion}`, this.o.sim.now());
    }
    const wantsNode =
      !removed && task.nodeId === null && task.state === TaskState.PENDING && task.desiredState <= TaskState.RUNNING;
    if (wantsNode && !this.unassigned.has(task.id)) {
      this.unassigned.set(task.id, task);
      return true;
    }
    if (!wantsNode) this.unassigned.delete(task.id);
    // Resources freed on a node may let a pending task fit; nothing else is relevant.
    return changed && !holds;
  }

  /** runBatch, made once: the batch is put off at every task that wants a node. */
  private readonly runBatchFn = (): void => this.runBatch();

  private markDirty(): void {
    const now = this.o.sim.now();
    if (this.tick === null || !this.tick.pending) this.firstDirtyUs = now;
    const at = Math.min(now + DEBOUNCE_GAP_US, this.firstDirtyUs + DEBOUNCE_MAX_US);
    // Put off to where it is already, with nothing scheduled since: made again, it would run in the same place.
    if (this.tick !== null && this.tick.timeUs === at && this.o.sim.isLatest(this.tick)) return;
    this.o.sim.cancel(this.tick);
    this.tick = this.o.sim.at(at, this.runBatchFn);
  }

  private runBatch(): void {
    this.tick = null;
    if (this.stopped) return;
    const cmds: StoreCommand[] = [];
    const groups = new Map<string, TaskRecord[]>();
    // Pinned tasks first, as swarmkit processes preassigned tasks before the tick.
    for (const task of this.unassigned.values()) {
      if (task.pinnedNode !== null) {
        this.schedulePinned(task, cmds);
        continue;
      }
      const key = `${task.service}@${task.specVersion}`;
      const g = groups.get(key);
      if (g) g.push(task);
      else groups.set(key, [task]);
    }
    for (const tasks of groups.values()) this.scheduleGroup(tasks, cmds);
    if (cmds.length > 0) this.o.propose(cmds);
    this.armRetry();
  }

  private armRetry(): void {
    if (this.o.retryIntervalUs <= 0 || this.unassigned.size === 0) return;
    if (this.retry?.pending) return;
    this.retry = this.o.sim.after(this.o.retryIntervalUs, () => this.markDirty());
  }

  /**
   * A task for one node (global services): only that node is checked (swarmkit taskFitNode).
   * If it does not fit, the reason is the filters' explanation without "no suitable node", as
   * swarmkit writes it for preassigned tasks; another node is never considered.
   */
  private schedulePinned(task: TaskRecord, cmds: StoreCommand[]): void {
    const info = this.nodes.get(task.pinnedNode!);
    // The node is gone: swarmkit leaves the task as it is (the global orchestrator removes it).
    if (!info) return;
    this.pipeline.setTask(task);
    if (!this.pipeline.process(info)) {
      const reason = this.pipeline.explainFailures();
      if (task.reason !== reason) cmds.push({ type: "UpdateTaskStatus", id: task.id, state: TaskState.PENDING, reason });
      return;
    }
    info.addTask(task);
    checkPlacement(info, task);
    this.unassigned.delete(task.id);
    cmds.push({ type: "AssignTask", id: task.id, nodeId: info.node.id });
  }

  /**
   * One service version's tasks (swarmkit scheduleTaskGroup): the nodes are filtered once, split
   * into the preference tree's leaves, and the tasks shared out across branches; within a leaf
   * the strategy picks, and each node's counters change at once so the next task sees them.
   */
  private scheduleGroup(tasks: TaskRecord[], cmds: StoreCommand[]): void {
    const task = tasks[0]!;
    this.pipeline.setTask(task);
    const g: GroupContext = { task, strategy: this.strategyFor(task), ctx: this.context(), pipeline: this.pipeline };
    const preferences = task.spec.placement.preferences.map((p) => p.spread);
    const tree = buildPlacementTree(this.orderedNodes(), preferences, g);
    let next = 0;
    const placeOnLeaf = (candidates: CandidateSet, n: number): number => {
      let placed = 0;
      while (placed < n && next < tasks.length) {
        const t = tasks[next]!;
        const chosen = candidates.place(t);
        if (chosen === null) break;
        checkPlacement(chosen, t);
        next++;
        placed++;
        this.unassigned.delete(t.id);
        cmds.push({ type: "AssignTask", id: t.id, nodeId: chosen.node.id });
      }
      return placed;
    };
    placeOnSubtree(tree, tasks.length, placeOnLeaf);
    if (next === tasks.length) return;
    // Every candidate was used up, so the failure counts cover every node, as a full scan would.
    const reason = this.pipeline.explain();
    for (const t of tasks.slice(next)) {
      if (t.reason !== reason) cmds.push({ type: "UpdateTaskStatus", id: t.id, state: TaskState.PENDING, reason });
    }
  }

  private context(): PlacementContext {
    return { nowUs: this.o.sim.now(), random: () => this.o.rng.next() };
  }

  private orderedNodes(): NodeInfo[] {
    this.ordered ??= [...this.nodes.values()].sort((a, b) => a.node.index - b.node.index);
    return this.ordered;
  }

  private strategyFor(task: TaskRecord): PlacementStrategy {
    const name = task.spec.strategy ?? this.o.defaultStrategy;
    const s = this.o.strategies.get(name);
    if (!s) throw new Error(`no placement strategy named "${name}" is registered`);
    return s;
  }
}

/**
 * A live invariant (see engine/checkers.ts): the scheduler places a task only on a node that is
 * ready and active and still has room once the task is counted. A broken one is a bug in the
 * filters or a strategy's candidate handling, never in the scenario.
 */
export function checkPlacement(info: NodeInfo, task: TaskRecord): void {
  const n = info.node;
  // Only what the task reserves: a task that reserves no memory does not look at memory (Swarm's filter).
  const r = task.spec.resources.reservations;
  const full = (r.cpuCores > 0 && info.availableCpuNanos < 0) || (r.memoryBytes > 0 && info.availableMemoryBytes < 0) || Object.entries(r.generic).some(([k, v]) => v > 0 && info.availableGeneric(k) < 0);
  if (n.status !== "ready" || n.availability !== "active" || full) {
    throw new Error(`invariant broken: the scheduler placed ${task.id} on ${n.id}, which is ${n.status} and ${n.availability}${full ? ` and full (cpu ${info.availableCpuNanos / 1e9} cores, memory ${info.availableMemoryBytes} bytes left)` : ""}`);
  }
}
