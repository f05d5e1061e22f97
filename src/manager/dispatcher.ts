import type { Simulation, ScheduledEvent } from "../kernel/index.js";
import { TaskState } from "../cluster/task-state.js";
import type { AssignmentMessage, TaskStatusMessage, TaskStatusUpdate } from "../cluster/messages.js";
import type { Store, StoreCommand, StoreEvent, TaskRecord } from "./store.js";

/** Swarm's dispatcher commits workers' status updates in batches this often. */
export const STATUS_BATCH_US = 100_000;

export interface DispatcherOptions {
  sim: Simulation;
  store: Store;
  propose: (cmds: StoreCommand[]) => void;
  /** Sends an assignment to the node's agent over the fabric. */
  sendAssignment(msg: AssignmentMessage): void;
}

/**
 * The leader's dispatcher (swarmkit manager/dispatcher): tells each node's agent which tasks
 * should run there and with what desired state, and commits the agents' status reports in
 * batches.
 */
export class Dispatcher {
  private readonly sentDesired = new Map<string, TaskState>();
  private readonly updates = new Map<string, TaskStatusUpdate>();
  private flushTimer: ScheduledEvent | null = null;
  private stopped = false;

  constructor(private readonly o: DispatcherOptions) {
    for (const task of o.store.tasks.values()) this.maybeSend(task);
  }

  stop(): void {
    this.stopped = true;
    this.o.sim.cancel(this.flushTimer);
  }

  handle(event: StoreEvent): void {
    if (this.stopped || event.type !== "task") return;
    if (event.removed) this.sentDesired.delete(event.task.id);
    else this.maybeSend(event.task);
  }

  private maybeSend(task: TaskRecord): void {
    if (task.nodeId === null || task.state < TaskState.ASSIGNED) return;
    const sent = this.sentDesired.get(task.id);
    if (sent !== undefined && sent >= task.desiredState) return;
    if (sent === undefined && task.state > TaskState.RUNNING) return;
    this.sentDesired.set(task.id, task.desiredState);
    this.o.sendAssignment({
      type: "Assignment",
      node: task.nodeId,
      taskId: task.id,
      service: task.service,
      slot: task.slot,
      spec: task.spec,
      desiredState: task.desiredState,
    });
  }

  /** A status report arrived from an agent; the newest state per task is committed with the next batch. */
  receiveStatus(msg: TaskStatusMessage): void {
    if (this.stopped) return;
    for (const u of msg.updates) {
      const prev = this.updates.get(u.taskId);
      if (!prev || u.state >= prev.state) this.updates.set(u.taskId, u);
    }
    if (this.flushTimer === null) this.flushTimer = this.o.sim.after(STATUS_BATCH_US, () => this.flush());
  }

  private flush(): void {
    this.flushTimer = null;
    const cmds: StoreCommand[] = [];
    for (const u of this.updates.values()) {
      const task = this.o.store.tasks.get(u.taskId);
      if (task && u.state > task.state) cmds.push({ type: "UpdateTaskStatus", id: u.taskId, state: u.state, reason: u.reason });
    }
    this.updates.clear();
    if (cmds.length > 0) this.o.propose(cmds);
  }
}
