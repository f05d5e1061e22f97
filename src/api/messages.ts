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

/**
 * How long an agent waits for a heartbeat's answer before it gives the manager up: swarmkit's
 * dispatcherRPCTimeout (agent/session.go), fixed whatever the heartbeat period.
 */
export const HEARTBEAT_ANSWER_TIMEOUT_US = 5_000_000;

/** The events of one node's heartbeat cycle (see heartbeatKey); its DOWN deadlines are expiryKey's. */
export const HeartbeatEvent = { BEAT: 0, AT_MANAGER: 1, AT_AGENT: 2, TIMEOUT: 3 } as const;
export type HeartbeatEvent = (typeof HeartbeatEvent)[keyof typeof HeartbeatEvent];

/** Places per node: the cycle's four events, then one DOWN deadline per manager (scenarios allow 99). */
const PLACES_PER_NODE = 128;
const FIRST_EXPIRY = 4;

/**
 * The place of a heartbeat-cycle event in its microsecond (kernel atKeyed): after the instant's
 * ordinary events, by node, then by kind; the same whether the event was scheduled by the full
 * path or restored by a held session (manager/quiet-sessions.ts) long after.
 */
export function heartbeatKey(nodeIndex: number, event: HeartbeatEvent): number {
  return nodeIndex * PLACES_PER_NODE + event;
}

/**
 * The place of the DOWN deadline that manager number `managerOrdinal` (from 0) keeps for a node:
 * after the node's cycle events, by manager, so that the dispatchers of a split brain never share one.
 */
export function expiryKey(nodeIndex: number, managerOrdinal: number): number {
  if (managerOrdinal >= PLACES_PER_NODE - FIRST_EXPIRY) throw new Error(`expiryKey: manager ${managerOrdinal} has no place`);
  return nodeIndex * PLACES_PER_NODE + FIRST_EXPIRY + managerOrdinal;
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
