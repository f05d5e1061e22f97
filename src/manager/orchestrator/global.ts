import { TaskState } from "../../api/task-state.js";
import { constraintsMatch, parseConstraints, type Constraint } from "../scheduler/constraints.js";
import type { NodeRecord, ServiceRecord, Store, StoreCommand, TaskRecord } from "../store.js";
import { isLive, slotsOf, type TaskFactory } from "./tasks.js";

/**
 * The global orchestrator (swarmkit manager/orchestrator/global): one task per eligible node,
 * pinned to it. A node is eligible when it is READY, ACTIVE and meets the service's constraints.
 * A DOWN, drained or removed node's task is shut down and not replaced elsewhere; a PAUSEd or
 * UNKNOWN node keeps what it has but gets nothing new.
 */
export class GlobalOrchestrator {
  constructor(
    private readonly store: Store,
    private readonly factory: TaskFactory,
    private readonly leaving: (t: TaskRecord) => boolean,
  ) {}

  /** READY, ACTIVE and within the constraints (parsed once per call site, not per node). */
  private eligible(node: NodeRecord, constraints: Constraint[]): boolean {
    return node.status === "ready" && node.availability === "active" && constraintsMatch(constraints, node);
  }

  reconcile(service: ServiceRecord): StoreCommand[] {
    const constraints = parseConstraints(service.spec.placement.constraints);
    const byNode = slotsOf(this.factory.tasksOf(service.name), (t) => (isLive(t, this.leaving) ? t.pinnedNode : null));
    const cmds: StoreCommand[] = [];
    for (const node of this.store.nodes.values()) {
      if (!byNode.has(node.id) && this.eligible(node, constraints)) {
        cmds.push({ type: "CreateTask", task: this.factory.create(service, { node: node.id }, TaskState.RUNNING) });
      }
    }
    for (const [nodeId, tasks] of byNode) {
      const node = this.store.nodes.get(nodeId);
      const gone = !node || node.status === "down" || node.availability === "drain" || !constraintsMatch(constraints, node);
      if (gone) for (const t of tasks) cmds.push({ type: "SetTaskDesiredState", id: t.id, desiredState: TaskState.SHUTDOWN });
    }
    return cmds;
  }

  /** A failed global task is restarted on the same node, if that node is still eligible. */
  replacement(service: ServiceRecord, old: TaskRecord): TaskRecord | null {
    const node = old.pinnedNode ? this.store.nodes.get(old.pinnedNode) : undefined;
    if (!node || !this.eligible(node, parseConstraints(service.spec.placement.constraints))) return null;
    return this.factory.create(service, { node: node.id }, TaskState.READY);
  }
}
