import type { TaskRecord } from "../../store.js";
import type { NodeInfo } from "../node-info.js";
import { minBy, type PlacementStrategy } from "../strategy.js";

/** The share of the node's capacity left after placing: CPU and memory, whichever is scarcer. */
function headroom(info: NodeInfo, task: TaskRecord): number {
  const r = task.spec.resources.reservations;
  const cpu = info.node.cpuNanos > 0 ? (info.availableCpuNanos - r.cpuCores * 1e9) / info.node.cpuNanos : 0;
  const mem = info.node.memoryBytes > 0 ? (info.availableMemoryBytes - r.memoryBytes) / info.node.memoryBytes : 0;
  return Math.min(cpu, mem);
}

function binpackLess(a: NodeInfo, b: NodeInfo, task: TaskRecord): boolean {
  const ha = headroom(a, task);
  const hb = headroom(b, task);
  if (ha !== hb) return ha < hb;
  return a.taskCount > b.taskCount;
}

/**
 * Binpack (classic Docker Swarm standalone): the fullest node that still fits goes first, so
 * whole nodes stay free for big tasks. With no reservations it falls back to the most tasks.
 */
export const binpack: PlacementStrategy = {
  name: "binpack",
  less: binpackLess,
  choose(task, candidates) {
    return minBy(candidates, (a, b) => binpackLess(a, b, task));
  },
};
