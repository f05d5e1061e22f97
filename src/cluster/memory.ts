import type { AgentTask } from "./agent.js";
import type { ContainerRequest } from "./container.js";
import { TaskState } from "../api/task-state.js";

/**
 * What a task's container holds in memory now: nothing before it starts, its start-up peak while
 * starting (JVM heaps, Django's imports), its steady memory once started.
 */
export function memoryOf<R extends ContainerRequest>(t: AgentTask<R>): number {
  if (t.state === TaskState.STARTING) return t.job ? Math.max(t.spec.startup.memoryBytes, t.spec.runtime.memoryBytes) : t.spec.runtime.memoryBytes;
  if (t.state === TaskState.RUNNING) return t.spec.runtime.memoryBytes;
  return 0;
}

/** A container over its own memory limit (0 = none) is killed by its cgroup. */
export function overLimit<R extends ContainerRequest>(t: AgentTask<R>): boolean {
  const limit = t.spec.resources.limits.memoryBytes;
  return limit > 0 && memoryOf(t) > limit;
}

/**
 * The node's OOM killer: while the node's total use exceeds its memory, the container using
 * the most goes (Linux's badness is dominated by resident memory; ties go to the newest task).
 * SIMPLIFICATION: no swap, no page cache, no oom_score_adj; memory is the sum of containers' use.
 */
export function oomVictims<R extends ContainerRequest>(tasks: Iterable<AgentTask<R>>, capacityBytes: number): AgentTask<R>[] {
  const live = [...tasks].filter((t) => memoryOf(t) > 0);
  let used = live.reduce((n, t) => n + memoryOf(t), 0);
  const victims: AgentTask<R>[] = [];
  while (used > capacityBytes && live.length > 0) {
    live.sort((a, b) => memoryOf(b) - memoryOf(a) || b.seq - a.seq);
    const v = live.shift()!;
    used -= memoryOf(v);
    victims.push(v);
  }
  return victims;
}
