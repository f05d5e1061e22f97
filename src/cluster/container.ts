import type { Sampler } from "../kernel/index.js";
import type { ServiceSpec } from "../scenario/types.js";
import type { CpuGroup, CpuJob, NodeCpu } from "./cpu.js";
import { sharedEmptyList } from "./empty-list.js";

/** What a container needs to know of a request: the workload owns the rest. */
export interface ContainerRequest {
  /** CPU work this request needs, drawn when it starts service (or preset, for a probe). */
  workUs: number;
  job: CpuJob | null;
  /**
   * Set on requests that are not a client's: a health-check probe (with its work preset) or a
   * call from another service. Told instead of the workload when the request ends.
   */
  probe?: ProbeHandler | null;
  /** Downstream calls still to make before this request is answered (set when its work is done). */
  callsLeft?: number;
}

/** Receives the outcome of a probe or a call that went through the container like a request. */
export interface ProbeHandler {
  /** `why` says how it failed: refused (queue full), stopped, or lost with a crashed node. */
  probeDone(ok: boolean, why?: "rejected" | "stopped" | "lost"): void;
  /** True if the work is preset (a health check); false to draw it like a client's request. */
  presetWork: boolean;
}

/**
 * Another service called while serving a request: the call goes through the service VIP (IPVS
 * on this container's node) to a backend, and `done` says whether it was answered.
 */
export interface Downstream<R extends ContainerRequest> {
  call(from: Container<R>, call: DownstreamCall, done: (ok: boolean) => void): void;
}

/** One call a request makes: to which service (its index), and how long the caller waits. */
export interface DownstreamCall {
  service: number;
  timeoutUs: number;
  /** How long the caller keeps a dnsrr service's DNS answer (0: it asks for each connection). */
  dnsCacheUs: number;
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
 * The queue of every container that has not queued a request yet, and the list of requests in
 * service beside the first of every one that has not served two at once (and of a killed one):
 * one shared empty list (empty-list.ts), replaced at the first use.
 */
const NOTHING_YET: never[] = sharedEmptyList<never>();

/**
 * What every container of a service spec shares: how a request's work is drawn, the calls it
 * makes, how they are made and where requests' outcomes go. Held once for all of them, not once
 * per node: on a big cluster a node's own objects are cache misses of each request it serves.
 */
export interface RequestModel<R extends ContainerRequest = ContainerRequest> {
  readonly work: Sampler;
  /** The calls each request makes, one entry per call in order (a call with count 2 twice). */
  readonly calls: readonly DownstreamCall[];
  readonly callbacks: ContainerCallbacks<R>;
  readonly downstream: Downstream<R> | null;
}

/**
 * The data-plane side of a task's container: `concurrency` workers in front of a bounded FIFO
 * queue. A request arriving while every worker is busy waits; one arriving to a full queue is
 * rejected. Each request, while in service, is CPU work in the container's cgroup on the node,
 * competing with everything else there. Health checks are requests too (`curl localhost/health`
 * inside the container): they queue behind waiting requests and need a worker and CPU.
 * What containers share is held once (RequestModel): at 200,000 tasks, every
 * field of a container is 1.5 MB.
 */
export class Container<R extends ContainerRequest = ContainerRequest> {
  /** A ring buffer that grows on demand up to the queue limit: a container that never queued holds none. */
  private queue: (R | undefined)[] = NOTHING_YET;
  private head = 0;
  private count = 0;
  private busy = 0;
  /**
   * Requests in service, `serving` first, then `alsoServing` (a short list made when a second
   * one starts): a kill fails them in that order, and workDone finds among them the one whose job
   * ended. At concurrency 1, the default, a request touches no list: at 20,000 workers every
   * object a request reads is a cache miss, and the list was two of them.
   */
  private serving: R | null = null;
  private alsoServing: R[] = NOTHING_YET;
  stopped = false;
  /** Told to stop (SIGTERM): called once nothing is queued or in service. */
  private onIdle: (() => void) | null = null;
  /** The routing mesh's (network/routing.ts): this container's backends while it is in the load balancers. */
  lbBackends: readonly object[] | null = null;
  /**
   * Its node's CPU, the group's owner, held here as well: a request reads the group and the node
   * side by side rather than the node through the group (on a big cluster both are cache misses).
   */
  private readonly cpu: NodeCpu;

  constructor(
    readonly taskId: string,
    readonly spec: ServiceSpec,
    readonly nodeIndex: number,
    /** Its cgroup, on its node's CPU (`group.owner`). */
    readonly group: CpuGroup,
    private readonly requests: RequestModel<R>,
  ) {
    this.cpu = group.owner;
  }

  accept(req: R): void {
    if (this.stopped || this.onIdle) {
      this.drop(req, "stopped");
    } else if (this.busy < this.spec.runtime.concurrency) {
      this.start(req);
    } else if (this.count < this.spec.runtime.queue) {
      if (this.count === this.queue.length) this.grow();
      this.queue[(this.head + this.count) % this.queue.length] = req;
      this.count++;
    } else {
      this.drop(req, "rejected");
    }
  }

  /** SIGTERM: it takes nothing new and finishes what it holds; `idle` runs when that is done. */
  terminate(idle: () => void): void {
    this.onIdle = idle;
    if (this.busy === 0 && this.count === 0) idle();
  }

  /** The container is killed: everything queued or in service is lost; `crashed` if its node died. */
  kill(crashed = false): void {
    this.stopped = true;
    const why = crashed ? "lost" : "stopped";
    const first = this.serving;
    const others = this.alsoServing;
    this.serving = null;
    this.alsoServing = NOTHING_YET;
    if (first) this.dropServing(first, why);
    for (const req of others) this.dropServing(req, why);
    this.busy = 0;
    while (this.count > 0) this.drop(this.dequeue(), why);
    this.cpu.removeGroup(this.group);
  }

  private dropServing(req: R, why: "stopped" | "lost"): void {
    if (req.job) this.cpu.cancel(req.job);
    this.drop(req, why);
  }

  private start(req: R): void {
    this.busy++;
    if (this.serving === null) this.serving = req;
    else {
      if (this.alsoServing === NOTHING_YET) this.alsoServing = [];
      this.alsoServing.push(req);
    }
    if (!req.probe?.presetWork) req.workUs = this.requests.work();
    req.job = this.cpu.submit(this.group, req.workUs, Container.workDone, this);
  }

  /**
   * The CPU work of one of `c`'s requests is done. One handler for every container, told which
   * job ended: a bound callback per container was a twentieth of an idle task's memory.
   */
  private static workDone<Q extends ContainerRequest>(c: Container<Q>, job: CpuJob): void {
    if (c.serving?.job === job) {
      c.finish(c.serving);
      return;
    }
    const others = c.alsoServing;
    for (let i = 0; i < others.length; i++) {
      const req = others[i]!;
      if (req.job === job) {
        c.finish(req);
        return;
      }
    }
    throw new Error(`container ${c.taskId}: a CPU job ended that none of its requests holds`);
  }

  /** Its CPU work is done: answer, or first make the downstream calls, one after another. */
  private finish(req: R): void {
    req.job = null;
    const calls = this.requests.calls;
    if (calls.length === 0 || !this.requests.downstream || req.probe?.presetWork) {
      this.release(req, true);
      return;
    }
    req.callsLeft = calls.length;
    this.nextCall(req);
  }

  /**
   * SIMPLIFICATION: the worker stays busy while it waits for a call (blocking I/O, as in most
   * synchronous web frameworks) and a call that fails (or times out) fails the request.
   */
  private nextCall(req: R): void {
    const left = req.callsLeft ?? 0;
    if (left === 0) {
      this.release(req, true);
      return;
    }
    req.callsLeft = left - 1;
    const calls = this.requests.calls;
    const call = calls[calls.length - left]!;
    this.requests.downstream!.call(this, call, (ok) => {
      if (this.serving !== req && !this.alsoServing.includes(req)) return; // killed meanwhile: already dropped
      if (ok) this.nextCall(req);
      else this.release(req, false);
    });
  }

  /** The request leaves its worker, answered or failed; the next one in the queue starts. */
  private release(req: R, ok: boolean): void {
    this.busy--;
    this.stopServing(req);
    if (!ok) this.drop(req, "stopped");
    else if (req.probe) req.probe.probeDone(true);
    else this.requests.callbacks.completed(req, this);
    if (this.count > 0 && !this.stopped) this.start(this.dequeue());
    else if (this.onIdle && this.busy === 0 && !this.stopped) this.onIdle();
  }

  /** Takes `req` out of service as a list would by moving its last entry into the gap. */
  private stopServing(req: R): void {
    const others = this.alsoServing;
    if (this.serving === req) {
      this.serving = others.length > 0 ? others.pop()! : null;
      return;
    }
    const i = others.indexOf(req);
    // Not in service: writing at -1 would put a property on the shared empty list (empty-list.ts).
    if (i < 0) throw new Error(`container ${this.taskId}: a request left service that it was not serving`);
    others[i] = others[others.length - 1]!;
    others.pop();
  }

  private drop(req: R, why: "rejected" | "stopped" | "lost"): void {
    if (req.probe) req.probe.probeDone(false, why);
    else this.requests.callbacks.dropped(req, this, why);
  }

  /** Doubles the ring, oldest request first. */
  private grow(): void {
    const old = this.queue;
    const next: (R | undefined)[] = new Array(Math.min(Math.max(old.length * 2, 4), Math.max(old.length + 1, this.spec.runtime.queue)));
    for (let i = 0; i < this.count; i++) next[i] = old[(this.head + i) % old.length];
    this.queue = next;
    this.head = 0;
  }

  private dequeue(): R {
    const req = this.queue[this.head] as R;
    this.queue[this.head] = undefined;
    this.head = (this.head + 1) % this.queue.length;
    this.count--;
    return req;
  }
}
