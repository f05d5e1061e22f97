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
 */
export interface PlacementStrategy {
  readonly name: string;
  /** The best of `candidates` (never empty) for `task`. */
  choose(task: TaskRecord, candidates: readonly NodeInfo[], ctx: PlacementContext): NodeInfo;
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
