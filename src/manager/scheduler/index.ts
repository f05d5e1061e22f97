// The leader's scheduler (swarmkit manager/scheduler): places PENDING tasks on nodes in debounced
// batches. Filters (filters.ts, constraints.ts) decide which nodes may take a task and explain
// in Swarm's words why none could; placement preferences (placement-tree.ts) split a task group
// across label values; a strategy (strategy.ts, strategies/) orders the nodes that are left,
// through a heap of candidates when it has a comparator (candidates.ts).
//
// It reads and writes only the manager's store (../store.ts) and uses the kernel for time and
// randomness; it never calls another manager role.
export { Scheduler, DEBOUNCE_GAP_US, DEBOUNCE_MAX_US } from "./scheduler.js";
export type { SchedulerOptions } from "./scheduler.js";
export type { PlacementContext, PlacementStrategy } from "./strategy.js";
export { builtinStrategies } from "./strategies/index.js";
export { NodeInfo } from "./node-info.js";
