import { Simulation, RandomStreams } from "../../../src/kernel/index.js";
import { Store, type NodeRecord, type StoreCommand, type TaskRecord } from "../../../src/manager/store.js";
import { Scheduler } from "../../../src/manager/scheduler/scheduler.js";
import { builtinStrategies } from "../../../src/manager/scheduler/strategies/index.js";
import { TaskState } from "../../../src/cluster/task-state.js";
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
    ...o,
  };
}

/** A store, a scheduler over it and a clock; proposals commit at the end of the instant. */
export class SchedulerHarness {
  readonly sim = new Simulation();
  readonly store = new Store();
  readonly scheduler: Scheduler;
  private attempt = 0;

  constructor(nodes: NodeRecord[] = [], strategy = "spread") {
    for (const n of nodes) this.store.apply({ type: "CreateNode", node: n });
    this.scheduler = new Scheduler({
      sim: this.sim,
      store: this.store,
      propose: (cmds: StoreCommand[]) => this.sim.after(0, () => cmds.forEach((c) => this.store.apply(c))),
      strategies: builtinStrategies(),
      defaultStrategy: strategy,
      rng: new RandomStreams(1).stream("scheduler"),
      retryIntervalUs: 0,
    });
    this.store.watch((e) => this.scheduler.handle(e));
  }

  addTask(spec: ServiceSpec, slot?: number): TaskRecord {
    const n = ++this.attempt;
    const task: TaskRecord = {
      id: `${spec.name}.${slot ?? n}.1`,
      service: spec.name,
      slot: slot ?? n,
      attempt: 1,
      specVersion: 1,
      spec,
      nodeId: null,
      pinnedNode: null,
      desiredState: TaskState.RUNNING,
      state: TaskState.PENDING,
      reason: null,
      createdUs: this.sim.now(),
    };
    this.store.apply({ type: "CreateTask", task });
    return task;
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
}
