import type { TaskRecord } from "../../store.js";
import { RECENT_FAILURE_THRESHOLD, type NodeInfo } from "../node-info.js";
import { minBy, type PlacementContext, type PlacementStrategy } from "../strategy.js";

/**
 * Swarm's nodeLess (swarmkit scheduleTaskGroup): if either node has at least 5 recent failures
 * of this service version, fewer failures wins; then fewer tasks of this service; then fewer
 * tasks in total. Remaining ties go to the node created first (Swarm uses map order, which is
 * not reproducible).
 */
function spreadLess(a: NodeInfo, b: NodeInfo, task: TaskRecord, ctx: PlacementContext): boolean {
  // Most nodes never saw a failure: skip building the key, as this runs millions of times.
  if (a.hasFailureRecords || b.hasFailureRecords) {
    const key = `${task.service}@${task.specVersion}`;
    const fa = a.recentFailures(key, ctx.nowUs);
    const fb = b.recentFailures(key, ctx.nowUs);
    if ((fa >= RECENT_FAILURE_THRESHOLD || fb >= RECENT_FAILURE_THRESHOLD) && fa !== fb) return fa < fb;
  }
  const sa = a.tasksOfService(task.service);
  const sb = b.tasksOfService(task.service);
  if (sa !== sb) return sa < sb;
  return a.taskCount < b.taskCount;
}

/** Swarm's default strategy. */
export const spread: PlacementStrategy = {
  name: "spread",
  less: spreadLess,
  choose(task, candidates, ctx) {
    return minBy(candidates, (a, b) => spreadLess(a, b, task, ctx));
  },
};
