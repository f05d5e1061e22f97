import type { TaskRecord } from "../store.js";
import type { NodeInfo } from "./node-info.js";

/** What a strategy may know when it picks a node. */
export interface PlacementContext {
  nowUs: number;
  /** Uniform [0,1) numbers from the scheduler's own seeded stream (for random choices and ties). */
  random(): number;
}

/**
 * A placement strategy orders the nodes that passed every filter. The scheduler asks it for one
 * node per task and updates the node's counters and free resources before asking again, so a
 * strategy only has to say which candidate is best right now.
 *
 * A strategy has one or both of two forms:
 * - `choose` (every strategy, and the only form a user module gives): the scheduler hands it
 *   the candidates of a task, sorted by node creation order, and takes the node it returns.
 * - `less` (the built-in spread and binpack): a comparator, "is `a` a better place than `b`".
 *   With it the scheduler keeps the candidates in a binary heap and places a task in O(log N)
 *   instead of asking `choose` to scan every node. It must be a strict weak ordering that
 *   depends only on the two nodes' own state, the task and `ctx.nowUs` (never on other nodes
 *   or on `ctx.random()`), so that changing one node's counters moves only that node. Ties go
 *   to the node created first; the result is then exactly that of `choose` = minimum by `less`.
 */
export interface PlacementStrategy {
  readonly name: string;
  /** Where a user's strategy comes from (its module file), for messages about it. */
  readonly source?: string;
  /** The best of `candidates` (never empty, in node creation order) for `task`. */
  choose(task: TaskRecord, candidates: readonly NodeInfo[], ctx: PlacementContext): NodeInfo;
  /** Whether `a` is a strictly better place than `b` for `task`. */
  less?(a: NodeInfo, b: NodeInfo, task: TaskRecord, ctx: PlacementContext): boolean;
}

/** Picks the least element by `less`; ties go to the earlier candidate (node creation order). */
export function minBy(candidates: readonly NodeInfo[], less: (a: NodeInfo, b: NodeInfo) => boolean): NodeInfo {
  let best = candidates[0]!;
  for (let i = 1; i < candidates.length; i++) {
    const c = candidates[i]!;
    if (less(c, best)) best = c;
  }
  return best;
}

/** The comparator a heap of candidates needs: `less`, then node creation order for ties. */
export function totalOrder(
  less: (a: NodeInfo, b: NodeInfo) => boolean,
): (a: NodeInfo, b: NodeInfo) => boolean {
  return (a, b) => less(a, b) || (!less(b, a) && a.node.index < b.node.index);
}
