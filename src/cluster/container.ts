import type { Sampler } from "../kernel/index.js";
import type { ServiceSpec } from "../scenario/types.js";
import type { CpuGroup, CpuJob, NodeCpu } from "./cpu.js";

/** What a container needs to know of a request: the workload owns the rest. */
export interface ContainerRequest {
  /** CPU work this request needs, drawn when it starts service (or preset, for a probe). */
  workUs: number;
  job: CpuJob | null;
  /** Set on health-check probes: told instead of the workload when the probe ends. */
  probe?: ProbeHandler | null;
}

/** Receives the outcome of a health-check probe that went through the container like a request. */
export interface ProbeHandler {
  probeDone(ok: boolean): void;
}

export interface ContainerCallbacks<R extends ContainerRequest> {
  /** The request finished service. */
  completed(req: R, container: Container<R>): void;
  /**
   * The request was dropped: queue full, or the container stopped (the client is told), or the
   * container died with its node (nobody tells the client: it waits for its timeout).
   */
  dropped(req: R, container: Container<R>, why: "rejected" | "stopped" | "lost"): void;
}

/**
 * The data-plane side of a task's container: `concurrency` workers in front of a bounded FIFO
 * queue. A request arriving while every worker is busy waits; one arriving to a full queue is
 * rejected. Each request, while in service, is CPU work in the container's cgroup on the node,
 * competing with everything else there. Health checks are requests too (`curl localhost/health`
 * inside the container): they queue behind waiting requests and need a worker and CPU.
 */
export class Container<R extends ContainerRequest = ContainerRequest> {
  private readonly queue: (R | undefined)[];
  private head = 0;
  private count = 0;
  private busy = 0;
  /** Requests in service, so that a kill can fail them; a small array, as concurrency is small. */
  private readonly inService: R[] = [];
  private readonly concurrency: number;
  private readonly onDone = (req: R): void => this.finish(req);
  stopped = false;

  constructor(
    readonly taskId: string,
    readonly spec: ServiceSpec,
    readonly nodeIndex: number,
    readonly nodeName: string,
    private readonly cpu: NodeCpu,
    readonly group: CpuGroup,
    private readonly sampleWork: Sampler,
    private readonly callbacks: ContainerCallbacks<R>,
  ) {
    this.concurrency = spec.runtime.concurrency;
    this.queue = new Array(Math.max(1, spec.runtime.queue));
  }


  accept(req: R): void {
    if (this.stopped) {
      this.drop(req, "stopped");
    } else if (this.busy < this.concurrency) {
      this.start(req);
    } else if (this.count < this.spec.runtime.queue) {
      this.queue[(this.head + this.count) % this.queue.length] = req;
      this.count++;
    } else {
      this.drop(req, "rejected");
    }
  }

  /** The container is killed: everything queued or in service is lost; `crashed` if its node died. */
  kill(crashed = false): void {
    this.stopped = true;
    const why = crashed ? "lost" : "stopped";
    for (const req of this.inService.splice(0, this.inService.length)) {
      if (req.job) this.cpu.cancel(req.job);
      this.drop(req, why);
    }
    this.busy = 0;
    while (this.count > 0) this.drop(this.dequeue(), why);
    this.cpu.removeGroup(this.group);
  }

  private start(req: R): void {
    this.busy++;
    this.inService.push(req);
    if (!req.probe) req.workUs = this.sampleWork();
    req.job = this.cpu.submit(this.group, req.workUs, this.onDone, req);
  }

  private finish(req: R): void {
    this.busy--;
    const i = this.inService.indexOf(req);
    this.inService[i] = this.inService[this.inService.length - 1]!;
    this.inService.pop();
    req.job = null;
    if (req.probe) req.probe.probeDone(true);
    else this.callbacks.completed(req, this);
    if (this.count > 0 && !this.stopped) this.start(this.dequeue());
  }

  private drop(req: R, why: "rejected" | "stopped" | "lost"): void {
    if (req.probe) req.probe.probeDone(false);
    else this.callbacks.dropped(req, this, why);
  }

  private dequeue(): R {
    const req = this.queue[this.head] as R;
    this.queue[this.head] = undefined;
    this.head = (this.head + 1) % this.queue.length;
    this.count--;
    return req;
  }
}
