import { Simulation, RandomStreams } from "../../../src/kernel/index.js";
import { Store, type NodeRecord, type StoreCommand, type TaskRecord } from "../../../src/manager/store.js";
import { Scheduler } from "../../../src/manager/scheduler/scheduler.js";
import { builtinStrategies } from "../../../src/manager/scheduler/strategies/index.js";
import type { PlacementStrategy } from "../../../src/manager/scheduler/strategy.js";
import { TaskState } from "../../../src/api/task-state.js";
import type { ServiceSpec } from "../../../src/scenario/types.js";
import { parseScenario } from "../../../src/scenario/index.js";

const GiB = 1024 ** 3;

/** A service spec with the loader's defaults and the given YAML fields. */
export function serviceSpec(name: string, yamlFields = ""): ServiceSpec {
  const text = `version: 1\nname: t\nduration: 1s\ncluster: {managers: {count: 1}}\nservices:\n  - name: ${name}\n${yamlFields
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map((l) => `    ${l}`)
    .join("\n")}\n`;
  return parseScenario(text, "spec.yaml").services[0]!;
}

let nodeIndex = 0;
export function node(id: string, o: Partial<NodeRecord> = {}): NodeRecord {
  return {
    id,
    index: nodeIndex++,
    role: "worker",
    zone: "default",
    labels: {},
    engineLabels: {},
    cpuNanos: 4e9,
    memoryBytes: 8 * GiB,
    generic: {},
    status: "ready",
    availability: "active",
    attachments: [],
    ...o,
  };
}

/** A store, a scheduler over it and a clock; proposals commit at the end of the instant. */
export class SchedulerHarness {
  readonly sim = new Simulation();
  readonly store = new Store();
  readonly scheduler: Scheduler;
  private attempt = 0;

  /** `strategy`: a built-in's name, or a strategy object (a user module) to register and use. */
  constructor(nodes: NodeRecord[] = [], strategy: string | PlacementStrategy = "spread", seed = 1, retryIntervalUs = 0) {
    for (const n of nodes) this.store.apply({ type: "CreateNode", node: n });
    const strategies = builtinStrategies();
    if (typeof strategy !== "string") strategies.set(strategy.name, strategy);
    this.scheduler = new Scheduler({
      sim: this.sim,
      store: this.store,
      propose: (cmds: StoreCommand[]) => this.sim.after(0, () => cmds.forEach((c) => this.store.apply(c))),
      strategies,
      defaultStrategy: typeof strategy === "string" ? strategy : strategy.name,
      rng: new RandomStreams(seed).stream("scheduler"),
      retryIntervalUs,
    });
    this.store.watch((e) => this.scheduler.handle(e));
  }

  /** A PENDING task; with `pinnedNode` it is a global service's task for that node. */
  addTask(spec: ServiceSpec, slot?: number, pinnedNode: string | null = null): TaskRecord {
    const n = ++this.attempt;
    const task: TaskRecord = {
      id: pinnedNode === null ? `${spec.name}.${slot ?? n}.1` : `${spec.name}.${pinnedNode}.1`,
      num: n,
      service: spec.name,
      slot: slot ?? n,
      attempt: 1,
      specVersion: 1,
      spec,
      nodeId: null,
      pinnedNode,
      desiredState: TaskState.RUNNING,
      state: TaskState.PENDING,
      reason: null,
      createdUs: this.sim.now(),
      networks: [],
    };
    this.store.apply({ type: "CreateTask", task });
    return task;
  }

  /** A task already RUNNING on `nodeId` (placed by an earlier batch or leader). */
  addRunning(spec: ServiceSpec, slot: number, nodeId: string): TaskRecord {
    const task = this.addTask(spec, slot);
    this.store.apply({ type: "AssignTask", id: task.id, nodeId });
    this.store.apply({ type: "UpdateTaskStatus", id: task.id, state: TaskState.RUNNING, reason: null });
    return task;
  }

  /** `count` tasks of one service, slots 1..count (or continuing after `firstSlot - 1`). */
  addTasks(spec: ServiceSpec, count: number, firstSlot = 1): TaskRecord[] {
    const out: TaskRecord[] = [];
    for (let i = 0; i < count; i++) out.push(this.addTask(spec, firstSlot + i));
    return out;
  }

  apply(cmd: StoreCommand): void {
    this.store.apply(cmd);
  }

  /** Lets the debounced batch run and its proposals commit. */
  settle(): void {
    this.sim.run({ untilUs: this.sim.now() + 2_000_000 });
  }

  nodeOf(taskId: string): string | null {
    return this.store.tasks.get(taskId)?.nodeId ?? null;
  }

  reasonOf(taskId: string): string | null {
    return this.store.tasks.get(taskId)?.reason ?? null;
  }

  /** Tasks of `service` assigned to each node (nodes without any are absent). */
  countsOf(service: string): Map<string, number> {
    const counts = new Map<string, number>();
    for (const t of this.store.tasks.values()) {
      if (t.service === service && t.nodeId !== null) counts.set(t.nodeId, (counts.get(t.nodeId) ?? 0) + 1);
    }
    return counts;
  }

  /** Task id -> node id (or null) for every task, in creation order: what determinism compares. */
  placements(): [string, string | null][] {
    return [...this.store.tasks.values()].map((t) => [t.id, t.nodeId]);
  }
}
