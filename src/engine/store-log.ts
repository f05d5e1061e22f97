// What the managers commit, as the event log tells it: node status and availability changes,
// rolling-update states, and the task states only the managers know (new, pending, assigned,
// orphaned, and tasks with no node); agents log the states they live through themselves.

import { TaskState, taskStateName } from "../api/task-state.js";
import { TaskEvent } from "../metrics/task-event.js";
import type { StoreEvent } from "../manager/store.js";

type Emit = (event: { kind: string } & Record<string, unknown>) => void;

export class StoreLog {
  /** The last update state logged per service ("version:state"), so each is logged once. */
  private readonly loggedUpdate = new Map<string, string>();
  /** The last "status availability" logged per node. */
  private readonly loggedNode = new Map<string, string>();

  constructor(private readonly emit: Emit) {}

  /** A change the leader's store applied. */
  observe(e: StoreEvent): void {
    if (e.type === "service") {
      const state = e.service.updateState;
      if (state !== null && this.loggedUpdate.get(e.service.name) !== `${e.service.version}:${state}`) {
        this.loggedUpdate.set(e.service.name, `${e.service.version}:${state}`);
        this.emit({ kind: "service", service: e.service.name, version: e.service.version, update: state });
      }
    }
    if (e.type === "node") {
      const status = e.removed ? "removed" : e.node.status;
      const seen = `${status} ${e.node.availability}`;
      if (this.loggedNode.get(e.node.id) !== seen) {
        this.loggedNode.set(e.node.id, seen);
        this.emit({ kind: "node", node: e.node.id, status, availability: e.node.availability });
      }
    }
    if (e.type !== "task" || e.removed) return;
    const t = e.task;
    const managerSide = t.state <= TaskState.ASSIGNED || t.nodeId === null || t.state === TaskState.ORPHANED;
    const changed = e.prevState !== t.state || (t.state === TaskState.PENDING && t.reason !== null);
    if (!managerSide || !changed) return;
    this.emit(new TaskEvent(t.id, t.service, t.slot, t.nodeId, taskStateName(t.state), t.reason));
  }
}
