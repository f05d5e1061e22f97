import TinyQueue from "tinyqueue";
import type { TaskRecord } from "../store.js";
import type { NodeInfo } from "./node-info.js";
import type { Pipeline } from "./filters.js";
import { totalOrder, type PlacementContext, type PlacementStrategy } from "./strategy.js";

/** What every task of one group (one service version) shares while it is placed. */
export interface GroupContext {
  /** Any task of the group: they all have the same spec, so each stands for the group. */
  task: TaskRecord;
  strategy: PlacementStrategy;
  ctx: PlacementContext;
  /** Already set to the group's task: re-checks add to its failure counts. */
  pipeline: Pipeline;
}

/**
 * The nodes of one leaf of the placement tree that still pass the filters. Candidates are
 * filtered once per task group: within a group a node's counters only grow, so a node that
 * failed a filter keeps failing it, and only the node that just took a task can start to fail.
 */
export interface CandidateSet {
  /** Counts `task` on the best candidate and returns that node; null once no candidate is left. */
  place(task: TaskRecord): NodeInfo | null;
}

/** The heap form for strategies with `less`, the list form for `choose`-only ones. */
export function candidateSet(passing: NodeInfo[], g: GroupContext): CandidateSet {
  return g.strategy.less ? new HeapCandidates(passing, g) : new ListCandidates(passing, g);
}

/**
 * Candidates in a binary heap ordered by the strategy's `less` (ties: node creation order).
 * Placing a task changes only the best node's counters: it is taken off the heap, given the task,
 * and put back if it still fits, O(log N) per task instead of a scan of every node.
 *
 * SIMPLIFICATION: swarmkit's scheduleNTasksOnNodes sorts a leaf's nodes once (keeping only the
 * best n of them), then walks them round-robin, moving on when the next node is less loaded; we
 * take the best node by `less` for every task. Both even out a service's tasks; ours also gives
 * binpack its plain meaning, and may use any fitting node of the leaf where Swarm looks only at
 * its best n, so when nodes fill up within a batch it can place a task that Swarm leaves pending.
 */
class HeapCandidates implements CandidateSet {
  /**
   * tinyqueue, not the kernel's fastpriorityqueue: a second comparator in that library's shared
   * methods makes every kernel heap operation a polymorphic call that V8 does not inline (the
   * kernel's heap ran 5-10% slower on cluster-100). Ties cannot reach the heap (totalOrder), so
   * which heap it is changes no placement.
   */
  private readonly queue: TinyQueue<NodeInfo>;

  constructor(passing: NodeInfo[], private readonly g: GroupContext) {
    const strategy = g.strategy as Required<PlacementStrategy>;
    const { task, ctx } = g;
    const less = totalOrder((a, b) => strategy.less(a, b, task, ctx));
    this.queue = new TinyQueue<NodeInfo>(passing, (a, b) => (a === b ? 0 : less(a, b) ? -1 : 1));
  }

  place(task: TaskRecord): NodeInfo | null {
    const best = this.queue.pop();
    if (best === undefined) return null;
    best.addTask(task);
    if (this.g.pipeline.process(best)) this.queue.push(best);
    return best;
  }
}

/** What a broken strategy returned instead of a candidate, for the error. */
function whatIs(chosen: unknown): string {
  if (chosen === undefined || chosen === null) return `${String(chosen)} instead of one of the candidates`;
  if (typeof (chosen as { then?: unknown }).then === "function") return "a Promise: choose() must return one of the candidates synchronously";
  return "a node that was not one of the candidates";
}

/**
 * The strategy broke its contract: the error names it, its module and the task. Its stack would
 * only go through orchsim's own code, not the strategy's, so it has none.
 */
function contractBroken(strategy: PlacementStrategy, task: TaskRecord, what: string): Error {
  const err = new Error(`placement strategy "${strategy.name}"${strategy.source === undefined ? "" : ` (${strategy.source})`} returned ${what}, placing task ${task.id}`);
  err.stack = `${err.name}: ${err.message}`;
  return err;
}

/** Candidates in node creation order, handed to the strategy's `choose` for every task. */
class ListCandidates implements CandidateSet {
  private readonly members: Set<NodeInfo>;

  constructor(
    private readonly nodes: NodeInfo[],
    private readonly g: GroupContext,
  ) {
    this.members = new Set(nodes);
  }

  place(task: TaskRecord): NodeInfo | null {
    if (this.nodes.length === 0) return null;
    const chosen = this.g.strategy.choose(task, this.nodes, this.g.ctx);
    // A strategy that returns anything else is broken: placing there would skip the filters.
    if (!this.members.has(chosen)) throw contractBroken(this.g.strategy, task, whatIs(chosen));
    chosen.addTask(task);
    if (!this.g.pipeline.process(chosen)) {
      this.members.delete(chosen);
      this.nodes.splice(this.nodes.indexOf(chosen), 1);
    }
    return chosen;
  }
}
