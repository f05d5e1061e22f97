/**
 * Swarm's task states with swarmkit's numeric values (api/types.proto), so that "a task's state
 * only ever increases" is a plain comparison. REMOVE is only ever a desired state.
 */
export const TaskState = {
  NEW: 0,
  PENDING: 64,
  ASSIGNED: 192,
  ACCEPTED: 256,
  PREPARING: 320,
  READY: 384,
  STARTING: 448,
  RUNNING: 512,
  COMPLETE: 576,
  SHUTDOWN: 640,
  FAILED: 704,
  REJECTED: 768,
  REMOVE: 800,
  ORPHANED: 832,
} as const;

export type TaskState = (typeof TaskState)[keyof typeof TaskState];

const NAMES = new Map<number, string>(Object.entries(TaskState).map(([k, v]) => [v, k.toLowerCase()]));

/** The state's name in lower case, as events.jsonl writes it. */
export function taskStateName(state: TaskState): string {
  return NAMES.get(state) ?? `state-${state}`;
}

/** Swarm keeps this many tasks per slot (the service's task history; the managers delete older ones). */
export const TASK_HISTORY_PER_SLOT = 5;

/** A task that reached COMPLETE, SHUTDOWN, FAILED, REJECTED or ORPHANED will never run again. */
export function isTerminal(state: TaskState): boolean {
  return state > TaskState.RUNNING;
}
