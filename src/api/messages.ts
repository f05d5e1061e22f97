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
  /** The task's state as the managers last knew it (a restarted agent may no longer have it). */
  state: TaskState;
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

/**
 * An agent's heartbeat to the manager it believes leads (swarmkit: Session + Heartbeat). It
 * carries the status updates not yet acknowledged, so reports lost in a partition or a leader
 * change are delivered with the next heartbeat that gets through.
 */
export interface HeartbeatMessage {
  type: "Heartbeat";
  node: string;
  /** The agent starts a new session: the dispatcher resends every assignment of the node. */
  newSession: boolean;
  statuses: TaskStatusUpdate[];
  /** On a new session, what the node is, so that a node joining the swarm can be registered. */
  description: NodeDescription | null;
}

/** What a node tells the managers about itself when it joins (swarmkit: NodeDescription). */
export interface NodeDescription {
  id: string;
  index: number;
  role: "manager" | "worker";
  zone: string;
  labels: Record<string, string>;
  engineLabels: Record<string, string>;
  cpuNanos: number;
  memoryBytes: number;
  generic: Record<string, number>;
  runsTasks: boolean;
}

/** The dispatcher's answer: when to beat next (the period with jitter) and what it committed. */
export interface HeartbeatResponseMessage {
  type: "HeartbeatResponse";
  manager: string;
  periodUs: number;
  acked: TaskStatusUpdate[];
}

/** A manager that does not lead answers with the leader it knows, if any. */
export interface NotLeaderMessage {
  type: "NotLeader";
  manager: string;
  leader: string | null;
}

export type AgentToManager = HeartbeatMessage | TaskStatusMessage;
export type ManagerToAgent = HeartbeatResponseMessage | NotLeaderMessage | AssignmentMessage;

export const HEARTBEAT_BYTES = 256;

/** The events of one node's heartbeat cycle (see heartbeatKey). */
export const HeartbeatEvent = { BEAT: 0, AT_MANAGER: 1, AT_AGENT: 2, TIMEOUT: 3, EXPIRY: 4 } as const;
export type HeartbeatEvent = (typeof HeartbeatEvent)[keyof typeof HeartbeatEvent];

/**
 * The place of a heartbeat-cycle event in its microsecond (kernel atKeyed): after the instant's
 * ordinary events, by node, then by kind; the same whether the event was scheduled by the full
 * path or restored by a held session (manager/quiet-sessions.ts) long after.
 */
export function heartbeatKey(nodeIndex: number, event: HeartbeatEvent): number {
  return nodeIndex * 8 + event;
}

/**
 * An agent's session as the leader's dispatcher may hold it while its heartbeats only confirm a
 * live node (manager/quiet-sessions.ts): they are then computed, not sent. `resume*` puts it back
 * on the full path in the state it would be in at this instant.
 */
export interface QuietSession {
  readonly node: string;
  /** The last answer has arrived; the next heartbeat goes at `beatAtUs`. */
  resumeBeatAt(beatAtUs: number): void;
  /** A heartbeat went at `sentAtUs` and its answer is still to come: the timeout runs from then. */
  resumeAwaiting(sentAtUs: number): void;
}

/** What a held session keeps: how to ask for itself back. */
export interface QuietTicket {
  /** Back to the full path now (a report to send, the node crashing). */
  wake(): void;
}

/** Where a session offers itself to be held (the control plane, for the manager that answered). */
export interface SessionParking {
  /** `session` just got an answer from `manager` naming `periodUs`, with nothing left unacknowledged. */
  park(session: QuietSession, manager: string, periodUs: number): QuietTicket | null;
}
