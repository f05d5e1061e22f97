import type { ServiceSpec } from "../scenario/types.js";
import { TaskState } from "../api/task-state.js";
import type { NodeDescription } from "../api/messages.js";

export type NodeStatus = "unknown" | "down" | "ready" | "disconnected";
export type Availability = "active" | "pause" | "drain";

/**
 * A node as the managers know it (the desired-state view, not the host itself): what it said
 * when it joined (its `index`, the creation order, is the tie-breaker wherever Swarm would use
 * map order) and what the managers decided about it.
 */
export interface NodeRecord extends Omit<NodeDescription, "runsTasks"> {
  status: NodeStatus;
  availability: Availability;
  /** The node's load-balancer endpoint on each overlay it takes part in (ingress always). */
  attachments: readonly NetworkAttachment[];
}

/**
 * An address on an overlay network, given by the allocator (swarmkit NetworkAttachment). A value:
 * never changed once made, so a command's list is shared by the Raft log and every replica that
 * applies it (each replica's copy was a tenth of the memory of an idle task).
 */
export interface NetworkAttachment {
  readonly network: string;
  readonly address: number;
}

/** The attachments of a task not yet allocated: one shared empty list. */
export const NO_ATTACHMENTS: readonly NetworkAttachment[] = Object.freeze([]);

/** Swarm's UpdateStatus.State of a service, in lower case. */
export type UpdateState = "updating" | "paused" | "completed" | "rollback_started" | "rollback_paused" | "rollback_completed";

export interface ServiceRecord {
  name: string;
  spec: ServiceSpec;
  /** Bumped by every spec change; tasks remember the version they were created from. */
  version: number;
  /** Desired replicas (replicated services). */
  replicas: number;
  /** The spec before the last update, for a rollback. */
  previousSpec: ServiceSpec | null;
  /** Where the last rolling update stands; null before any. */
  updateState: UpdateState | null;
  /** The service's virtual IP on each of its networks (VIP mode); null until allocated. */
  vips: readonly NetworkAttachment[] | null;
}

export interface TaskRecord {
  /** service.slot.attempt, e.g. web.3.1; for global services service.node.attempt. */
  id: string;
  /**
   * The task's number in the run, one per id whichever leader made it (TaskNumbers), which the
   * orchestrator's per-task tables index instead of hashing the id: at 20,000 nodes each lookup
   * in a map of a hundred thousand string keys cost a microsecond or so in cache misses.
   */
  num: number;
  service: string;
  slot: number;
  attempt: number;
  specVersion: number;
  spec: ServiceSpec;
  nodeId: string | null;
  /** Global services: the node this task is for; the scheduler only checks that node. */
  pinnedNode: string | null;
  desiredState: TaskState;
  state: TaskState;
  reason: string | null;
  createdUs: number;
  /** The task's addresses, one per network, set by the allocator as it moves the task to PENDING. */
  networks: readonly NetworkAttachment[];
}

/** Every change to desired state is one of these: a Raft log entry once there is Raft. */
export type StoreCommand =
  | { type: "CreateService"; spec: ServiceSpec; replicas: number }
  | { type: "UpdateService"; name: string; spec?: ServiceSpec; replicas?: number; updateState?: UpdateState; rollback?: boolean }
  | { type: "CreateTask"; task: TaskRecord }
  | { type: "AllocateService"; name: string; vips: readonly NetworkAttachment[] }
  | { type: "AllocateTask"; id: string; networks: readonly NetworkAttachment[] }
  | { type: "AllocateNode"; id: string; attachments: readonly NetworkAttachment[] }
  | { type: "AssignTask"; id: string; nodeId: string }
  | { type: "UpdateTaskStatus"; id: string; state: TaskState; reason: string | null }
  | { type: "SetTaskDesiredState"; id: string; desiredState: TaskState }
  | { type: "RemoveTask"; id: string }
  | { type: "CreateNode"; node: NodeRecord }
  | { type: "UpdateNode"; id: string; status?: NodeStatus; availability?: Availability }
  | { type: "RemoveNode"; id: string };

export type StoreEvent =
  | { type: "service"; service: ServiceRecord }
  | { type: "task"; task: TaskRecord; prevState: TaskState | null; prevDesired: TaskState | null; removed: boolean }
  | { type: "node"; node: NodeRecord; removed: boolean };

export type StoreWatcher = (event: StoreEvent) => void;

/** What names a task's slot: its service and slot number, or, for a global service, the node it is pinned to. */
export type SlotOf = Pick<TaskRecord, "service" | "slot" | "pinnedNode">;

/**
 * Values by task slot: web's slot 3, or agent's slot on node-1 (global services have one per
 * node). Two levels, service then slot number or node, so that a lookup builds no key string:
 * the orchestrators look a slot up on every task change, 200,000 tasks' worth in a big
 * deployment. Slot numbers index an array (they start at 1 and are at most the largest replica
 * count: a Map of 20,000 number keys per service cost a cache miss or two more per lookup, and
 * its lookups were a large line of a 20,000-node zone failure's profile); nodes key a Map. It
 * offers no iteration: its order (by service, then slot) would not be the insertion order of the
 * string-keyed maps it replaced.
 */
export class SlotMap<V> {
  private readonly byService = new Map<string, ServiceSlots<V>>();

  get(t: SlotOf): V | undefined {
    const s = this.byService.get(t.service);
    if (s === undefined) return undefined;
    return t.pinnedNode != null ? s.byNode.get(t.pinnedNode) : s.bySlot[t.slot];
  }

  set(t: SlotOf, value: V): void {
    let s = this.byService.get(t.service);
    if (!s) {
      s = { bySlot: [], byNode: new Map() };
      this.byService.set(t.service, s);
    }
    if (t.pinnedNode != null) s.byNode.set(t.pinnedNode, value);
    else if (isSlotNumber(t.slot)) s.bySlot[t.slot] = value;
    else throw new Error(`SlotMap: task slot ${t.slot} of ${t.service} is not a whole number`);
  }

  delete(t: SlotOf): void {
    const s = this.byService.get(t.service);
    if (s === undefined) return;
    if (t.pinnedNode != null) s.byNode.delete(t.pinnedNode);
    else if (isSlotNumber(t.slot) && t.slot < s.bySlot.length) s.bySlot[t.slot] = undefined;
  }
}

/** Whether `n` can index SlotMap's array: a whole number, not negative. */
function isSlotNumber(n: number): boolean {
  return Number.isSafeInteger(n) && n >= 0;
}

/** One service's values: by slot number (a replicated service's), or by node (a global one's). */
interface ServiceSlots<V> {
  bySlot: (V | undefined)[];
  byNode: Map<string, V>;
}

/** The managers' record of a node that joins with `description` (a node that runs no tasks is drained). */
export function nodeRecordFrom(description: NodeDescription): NodeRecord {
  const { runsTasks, ...rest } = description;
  return { ...rest, status: "ready", availability: runsTasks ? "active" : "drain", attachments: [] };
}

/** Tasks grouped by a key, each group in insertion order. */
class TaskIndex {
  private readonly groups = new Map<string, Map<string, TaskRecord>>();

  add(key: string, t: TaskRecord): void {
    let g = this.groups.get(key);
    if (!g) {
      g = new Map();
      this.groups.set(key, g);
    }
    g.set(t.id, t);
  }

  delete(key: string, id: string): void {
    this.groups.get(key)?.delete(id);
  }

  /**
   * The group's tasks; an empty map's when it has none (not an empty array: callers' loops then
   * meet one kind of iterator, which V8 walks without making an object per step).
   */
  get(key: string): Iterable<TaskRecord> {
    return (this.groups.get(key) ?? NO_TASKS).values();
  }
}

const NO_TASKS: ReadonlyMap<string, TaskRecord> = new Map();

/**
 * The replicated desired state. It changes only by apply(), which the control plane calls for
 * committed entries; the manager's roles never call each other, they watch these events.
 * Each replica holds its own copies of the records a command carries, so one replica applying
 * an entry never changes what another sees; only the attachment lists, values nothing changes in
 * place, are shared with the command. Maps iterate in insertion order, so every walk
 * over the store is deterministic.
 */
export class Store {
  readonly services = new Map<string, ServiceRecord>();
  readonly tasks = new Map<string, TaskRecord>();
  readonly nodes = new Map<string, NodeRecord>();
  /**
   * The highest attempt ever created per slot. Deleting a task from the history does not lower
   * it, so task ids are never reused.
   */
  readonly attempts = new SlotMap<number>();
  private readonly watchers: StoreWatcher[] = [];
  /** Changes applied so far: readers that summarise the store recompute only when it moved. */
  changes = 0;
  /** Nodes created or removed so far: a reader that holds the records (they change in place) looks them up again only when it moved. */
  nodeSetChanges = 0;
  /** Changes to nodes so far (created, removed, or changed in place): a reader of their fields reads them again only when it moved. */
  nodeChanges = 0;
  /** Indexes so that the roles never scan every task for one service or one node. */
  private readonly byService = new TaskIndex();
  private readonly byNode = new TaskIndex();
  /** Per service: tasks meant to run (desired state RUNNING or before), and of those the ones not yet assigned. */
  private readonly counts = new Map<string, { live: number; unassigned: number }>();

  /** How many of the service's tasks are meant to run, and how many of those are NEW or PENDING (metrics read it every window). */
  countsOf(service: string): { live: number; unassigned: number } {
    return this.counts.get(service) ?? { live: 0, unassigned: 0 };
  }

  /** The tasks of a service, in creation order. */
  tasksOfService(service: string): Iterable<TaskRecord> {
    return this.byService.get(service);
  }

  /** The tasks assigned to a node, in assignment order. */
  tasksOnNode(node: string): Iterable<TaskRecord> {
    return this.byNode.get(node);
  }

  watch(watcher: StoreWatcher): void {
    this.watchers.push(watcher);
  }

  apply(cmd: StoreCommand): void {
    const event = this.mutate(cmd);
    if (!event) return;
    this.changes++;
    if (event.type === "task") this.count(event.task, event.prevState, event.prevDesired, event.removed);
    for (const w of this.watchers) w(event);
  }

  private count(t: TaskRecord, prevState: TaskState | null, prevDesired: TaskState | null, removed: boolean): void {
    let c = this.counts.get(t.service);
    if (!c) {
      c = { live: 0, unassigned: 0 };
      this.counts.set(t.service, c);
    }
    if (prevState !== null && prevDesired !== null && prevDesired <= TaskState.RUNNING) {
      c.live--;
      if (prevState <= TaskState.PENDING) c.unassigned--;
    }
    if (!removed && t.desiredState <= TaskState.RUNNING) {
      c.live++;
      if (t.state <= TaskState.PENDING) c.unassigned++;
    }
  }

  private mutate(cmd: StoreCommand): StoreEvent | null {
    switch (cmd.type) {
      case "CreateService":
      case "UpdateService":
      case "AllocateService":
        return this.mutateService(cmd);
      case "CreateNode":
      case "UpdateNode":
      case "AllocateNode":
      case "RemoveNode":
        return this.mutateNode(cmd);
      case "CreateTask": {
        const task = { ...cmd.task };
        this.tasks.set(task.id, task);
        this.byService.add(task.service, task);
        if (task.nodeId !== null) this.byNode.add(task.nodeId, task);
        this.attempts.set(task, Math.max(this.attempts.get(task) ?? 0, task.attempt));
        return { type: "task", task, prevState: null, prevDesired: null, removed: false };
      }
      case "RemoveTask": {
        const task = this.tasks.get(cmd.id);
        if (!task) return null;
        this.tasks.delete(cmd.id);
        this.byService.delete(task.service, task.id);
        if (task.nodeId !== null) this.byNode.delete(task.nodeId, task.id);
        return { type: "task", task, prevState: task.state, prevDesired: task.desiredState, removed: true };
      }
      default:
        return this.mutateTask(cmd);
    }
  }

  private mutateService(cmd: Extract<StoreCommand, { type: "CreateService" | "UpdateService" | "AllocateService" }>): StoreEvent | null {
    if (cmd.type === "CreateService") {
      // A name already taken: swarmkit refuses it (a name conflict), and the service stays as it is.
      if (this.services.has(cmd.spec.name)) return null;
      const service: ServiceRecord = { name: cmd.spec.name, spec: cmd.spec, version: 1, replicas: cmd.replicas, previousSpec: null, updateState: null, vips: null };
      this.services.set(service.name, service);
      return { type: "service", service };
    }
    const service = this.services.get(cmd.name);
    if (!service) return null;
    if (cmd.type === "AllocateService") {
      service.vips = cmd.vips;
      return { type: "service", service };
    }
    if (cmd.spec) {
      // A rollback goes back to the previous spec and forgets it, as `docker service rollback` does.
      service.previousSpec = cmd.rollback ? null : service.spec;
      service.spec = cmd.spec;
      service.version++;
    }
    if (cmd.replicas !== undefined) service.replicas = cmd.replicas;
    if (cmd.updateState !== undefined) service.updateState = cmd.updateState;
    return { type: "service", service };
  }

  private mutateNode(cmd: Extract<StoreCommand, { type: "CreateNode" | "UpdateNode" | "AllocateNode" | "RemoveNode" }>): StoreEvent | null {
    this.nodeChanges++; // an update of a node that is not there changes nothing, but a count too many only costs a reader a read
    if (cmd.type === "CreateNode") {
      const node = { ...cmd.node };
      this.nodes.set(node.id, node);
      this.nodeSetChanges++;
      return { type: "node", node, removed: false };
    }
    const node = this.nodes.get(cmd.id);
    if (!node) return null;
    if (cmd.type === "RemoveNode") {
      this.nodes.delete(cmd.id);
      this.nodeSetChanges++;
      return { type: "node", node, removed: true };
    }
    if (cmd.type === "AllocateNode") node.attachments = cmd.attachments;
    else {
      if (cmd.status !== undefined) node.status = cmd.status;
      if (cmd.availability !== undefined) node.availability = cmd.availability;
    }
    return { type: "node", node, removed: false };
  }

  private mutateTask(
    cmd: Extract<StoreCommand, { type: "AssignTask" | "UpdateTaskStatus" | "SetTaskDesiredState" | "AllocateTask" }>,
  ): StoreEvent | null {
    const task = this.tasks.get(cmd.id);
    if (!task) return null;
    const prevState = task.state;
    const prevDesired = task.desiredState;
    switch (cmd.type) {
      case "AssignTask":
        if (task.state >= TaskState.ASSIGNED) return null;
        task.nodeId = cmd.nodeId;
        this.byNode.add(cmd.nodeId, task);
        task.state = TaskState.ASSIGNED;
        task.reason = null;
        break;
      case "UpdateTaskStatus":
        // A task's state only ever increases; a late or duplicated report is ignored, as in swarmkit.
        if (cmd.state < task.state || (cmd.state === task.state && cmd.reason === task.reason)) return null;
        task.state = cmd.state;
        task.reason = cmd.reason;
        break;
      case "SetTaskDesiredState":
        if (cmd.desiredState <= task.desiredState) return null;
        task.desiredState = cmd.desiredState;
        break;
      case "AllocateTask":
        // Allocation moves a NEW task to PENDING; a task that went on meanwhile is left alone.
        if (task.state !== TaskState.NEW) return null;
        task.networks = cmd.networks;
        task.state = TaskState.PENDING;
        task.reason = null;
        break;
    }
    return { type: "task", task, prevState, prevDesired, removed: false };
  }
}
