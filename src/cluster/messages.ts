import type { ServiceSpec } from "../scenario/types.js";
import type { TaskState } from "./task-state.js";

/** The dispatcher tells a node's agent what should run there (swarmkit: Assignments stream). */
export interface AssignmentMessage {
  type: "Assignment";
  node: string;
  taskId: string;
  service: string;
  slot: number;
  spec: ServiceSpec;
  desiredState: TaskState;
}

export interface TaskStatusUpdate {
  taskId: string;
  state: TaskState;
  reason: string | null;
}

/** An agent reports what its tasks actually did (swarmkit: UpdateTaskStatus). */
export interface TaskStatusMessage {
  type: "TaskStatus";
  node: string;
  updates: TaskStatusUpdate[];
}

/** Rough wire sizes, for the fabric's serialisation delay. */
export const ASSIGNMENT_BYTES = 2048;
export const STATUS_UPDATE_BYTES = 256;
