import type { Simulation } from "../kernel/index.js";
import type { EntryHost, KernelCpu, NetHost } from "../network/index.js";
import type { ContainerRequest } from "./container.js";
import { NodeCpu, type CpuGroup, type CpuJob } from "./cpu.js";
import type { Agent } from "./agent.js";

export interface HostSpec {
  name: string;
  role: "manager" | "worker";
  /** Its node group ("manager" for the managers), as a workload's entryNodes may name it. */
  group: string;
  zone: string;
  cpuCores: number;
  memoryBytes: number;
  labels: Record<string, string>;
  engineLabels: Record<string, string>;
  generic: Record<string, number>;
  /** Whether the node runs tasks (workers always; managers when runTasks). */
  runsTasks: boolean;
  /** Images on the node when it joins. */
  images: readonly string[];
}

/**
 * The host's kernel work for the network (IPsec): CPU jobs outside every container's cgroup,
 * sharing the node's cores with them as softirq work does.
 */
class KernelWork implements KernelCpu {
  private group: CpuGroup | null = null;

  constructor(private readonly cpu: NodeCpu) {}

  submit<A>(workUs: number, onDone: (arg: A) => void, arg: A): CpuJob {
    this.group ??= this.cpu.group(Infinity);
    return this.cpu.submit(this.group, workUs, onDone, arg);
  }

  cancel(job: unknown): void {
    this.cpu.cancel(job as CpuJob);
  }
}

/** A machine of the cluster: its place on the network, its cores, and the agent running on it. */
export class Host<R extends ContainerRequest = ContainerRequest> implements NetHost, EntryHost {
  readonly cpu: NodeCpu;
  readonly kernel: KernelCpu;
  agent: Agent<R> | null = null;
  /** A crashed host neither sends nor receives, and runs nothing. */
  up = true;
  /** The host left the swarm for good (removeNodes): it no longer appears in nodes.csv. */
  removed = false;
  /** When the machine joined (a node that addNodes brings has had its cores only since then). */
  readonly joinedUs: number;
  /**
   * Its zone, held here as well as in its spec: every message between nodes compares the two
   * ends' zones (the path's latency), and on a big cluster a host's spec is one more cache miss.
   */
  readonly zone: string;

  constructor(
    readonly index: number,
    readonly spec: HostSpec,
    sim: Simulation,
  ) {
    this.cpu = new NodeCpu(sim, spec.cpuCores);
    this.kernel = new KernelWork(this.cpu);
    this.joinedUs = sim.now();
    this.zone = spec.zone;
  }

  get name(): string {
    return this.spec.name;
  }

  get group(): string {
    return this.spec.group;
  }
}
