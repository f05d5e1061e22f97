import type { TaskRecord } from "../store.js";
import type { NodeInfo } from "./node-info.js";
import { constraintsMatch, parseConstraints, type Constraint } from "./constraints.js";
import { plural } from "../../metrics/fmt.js";

/**
 * One step of the placement pipeline, in Swarm's order. `setTask` prepares for a task group,
 * `enabled` says whether the filter applies to it at all, `check` judges one node, and
 * `explain` says in Swarm's words why `nodes` nodes were rejected.
 */
export interface Filter {
  readonly name: string;
  setTask(task: TaskRecord): boolean;
  check(node: NodeInfo): boolean;
  explain(nodes: number): string;
}

export class ReadyFilter implements Filter {
  readonly name = "ready";
  setTask(): boolean {
    return true;
  }
  check(info: NodeInfo): boolean {
    return info.node.status === "ready" && info.node.availability === "active";
  }
  explain(nodes: number): string {
    return `${plural(nodes, "node")} not available for new tasks`;
  }
}

export class ResourceFilter implements Filter {
  readonly name = "resources";
  private cpuNanos = 0;
  private memoryBytes = 0;
  private generic: [string, number][] = [];

  setTask(task: TaskRecord): boolean {
    const r = task.spec.resources.reservations;
    this.cpuNanos = Math.round(r.cpuCores * 1e9);
    this.memoryBytes = r.memoryBytes;
    this.generic = Object.entries(r.generic).filter(([, n]) => n > 0);
    return this.cpuNanos > 0 || this.memoryBytes > 0 || this.generic.length > 0;
  }
  check(info: NodeInfo): boolean {
    if (this.cpuNanos > info.availableCpuNanos || this.memoryBytes > info.availableMemoryBytes) return false;
    for (const [kind, n] of this.generic) if (n > info.availableGeneric(kind)) return false;
    return true;
  }
  explain(nodes: number): string {
    return `insufficient resources on ${plural(nodes, "node")}`;
  }
}

export class ConstraintFilter implements Filter {
  readonly name = "constraints";
  private constraints: Constraint[] = [];
  private readonly parsed = new Map<string, Constraint[]>();

  setTask(task: TaskRecord): boolean {
    const key = task.spec.placement.constraints.join("\n");
    let c = this.parsed.get(key);
    if (!c) {
      c = parseConstraints(task.spec.placement.constraints);
      this.parsed.set(key, c);
    }
    this.constraints = c;
    return c.length > 0;
  }
  check(info: NodeInfo): boolean {
    return constraintsMatch(this.constraints, info.node);
  }
  explain(nodes: number): string {
    return `scheduling constraints not satisfied on ${plural(nodes, "node")}`;
  }
}

export class HostPortFilter implements Filter {
  readonly name = "hostPort";
  private ports: string[] = [];
  setTask(task: TaskRecord): boolean {
    this.ports = task.spec.ports.filter((p) => p.mode === "host").map((p) => `${p.protocol}/${p.published}`);
    return this.ports.length > 0;
  }
  check(info: NodeInfo): boolean {
    for (const p of this.ports) if ((info.hostPorts.get(p) ?? 0) > 0) return false;
    return true;
  }
  explain(nodes: number): string {
    return `host-mode port already in use on ${plural(nodes, "node")}`;
  }
}

export class MaxReplicasFilter implements Filter {
  readonly name = "maxReplicas";
  private service = "";
  private max = 0;
  setTask(task: TaskRecord): boolean {
    this.service = task.service;
    this.max = task.spec.placement.maxReplicasPerNode;
    return this.max > 0;
  }
  check(info: NodeInfo): boolean {
    return info.tasksOfService(this.service) < this.max;
  }
  explain(): string {
    return "max replicas per node limit exceed";
  }
}

/** Swarm's pipeline (Ready, Resources, Plugin, Constraint, Platform, HostPort, MaxReplicas). */
export function swarmFilters(): Filter[] {
  // SIMPLIFICATION: Swarm's Plugin and Platform filters are omitted: every node has every volume
  // plugin and one platform, so they could never reject a node here.
  return [new ReadyFilter(), new ResourceFilter(), new ConstraintFilter(), new HostPortFilter(), new MaxReplicasFilter()];
}

/** Runs the filters for one task group and remembers why nodes failed. */
export class Pipeline {
  /** Indices into `filters` of those that apply to the current task. */
  private active: number[] = [];
  private readonly failures: number[];

  constructor(private readonly filters: Filter[] = swarmFilters()) {
    this.failures = filters.map(() => 0);
  }

  setTask(task: TaskRecord): void {
    this.active = [];
    this.filters.forEach((f, i) => {
      if (f.setTask(task)) this.active.push(i);
    });
    this.failures.fill(0);
  }

  /** Whether the node passes every filter; a node stops at its first failure, as in Swarm. */
  process(info: NodeInfo): boolean {
    for (const i of this.active) {
      if (!this.filters[i]!.check(info)) {
        this.failures[i]!++;
        return false;
      }
    }
    return true;
  }

  /**
   * Failures per filter, most first, joined with "; " (swarmkit's Pipeline.Explain): what a
   * pinned task's pending reason says, as swarmkit's taskFitNode uses it bare.
   */
  explainFailures(): string {
    return this.filters
      .map((f, i) => ({ f, n: this.failures[i] ?? 0, i }))
      .filter((x) => x.n > 0)
      .sort((a, b) => b.n - a.n || a.i - b.i)
      .map((x) => x.f.explain(x.n))
      .join("; ");
  }

  /** Swarm's pending reason for a task group that did not fit: `no suitable node (...)`. */
  explain(): string {
    const failures = this.explainFailures();
    return failures === "" ? "no suitable node" : `no suitable node (${failures})`;
  }
}
