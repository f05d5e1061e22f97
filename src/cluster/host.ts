import type { Simulation } from "../kernel/index.js";
import type { Endpoint } from "../network/fabric.js";
import type { ContainerRequest } from "./container.js";
import { NodeCpu } from "./cpu.js";
import type { Agent } from "./agent.js";

export interface HostSpec {
  name: string;
  role: "manager" | "worker";
  zone: string;
  cpuCores: number;
  memoryBytes: number;
  labels: Record<string, string>;
  engineLabels: Record<string, string>;
  generic: Record<string, number>;
  /** Whether the node runs tasks (workers always; managers when runTasks). */
  runsTasks: boolean;
}

/** A machine of the cluster: its place on the network, its cores, and the agent running on it. */
export class Host<R extends ContainerRequest = ContainerRequest> implements Endpoint {
  readonly cpu: NodeCpu;
  agent: Agent<R> | null = null;
  /** A crashed host neither sends nor receives, and runs nothing. */
  up = true;
  /** The host left the swarm for good (removeNodes): it no longer appears in nodes.csv. */
  removed = false;

  constructor(
    readonly index: number,
    readonly spec: HostSpec,
    sim: Simulation,
  ) {
    this.cpu = new NodeCpu(sim, spec.cpuCores);
  }

  get name(): string {
    return this.spec.name;
  }

  get zone(): string {
    return this.spec.zone;
  }
}
