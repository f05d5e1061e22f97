import type { TaskRecord } from "../../store.js";
import { RECENT_FAILURE_THRESHOLD, type NodeInfo } from "../node-info.js";
import { minBy, type PlacementContext, type PlacementStrategy } from "../strategy.js";

/**
 * Swarm's default (swarmkit scheduler nodeLess): a node with many recent failures of this
 * service version loses; then fewer tasks of this service wins; then fewer tasks in total.
 * Remaining ties go to the node created first (Swarm uses map order, which is not reproducible).
 */
export const spread: PlacementStrategy = {
  name: "spread",
  choose(task: TaskRecord, candidates: readonly NodeInfo[], ctx: PlacementContext): NodeInfo {
    const key = `${task.service}@${task.specVersion}`;
    return minBy(candidates, (a, b) => {
      const fa = a.recentFailures(key, ctx.nowUs) >= RECENT_FAILURE_THRESHOLD;
      const fb = b.recentFailures(key, ctx.nowUs) >= RECENT_FAILURE_THRESHOLD;
      if (fa !== fb) return fb;
      const sa = a.tasksOfService(task.service);
      const sb = b.tasksOfService(task.service);
      if (sa !== sb) return sa < sb;
      return a.tasks.size < b.tasks.size;
    });
  },
};
