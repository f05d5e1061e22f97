import type { Simulation, ScheduledEvent, RandomStream } from "../kernel/index.js";
import type { Container, ContainerRequest } from "../cluster/container.js";

/**
 * The backends of one service as the nodes' load balancers see them, and IPVS round-robin on
 * each entry node: every node keeps its own position in the list (no global balance, as in
 * Swarm). A backend joins or leaves the tables only once the change has spread by gossip, so
 * right after a task stops or its node dies, traffic still goes to it (stale IPVS entries,
 * moby/moby#25985).
 */
export class ServiceBackends<R extends ContainerRequest> {
  private backends: Container<R>[] = [];
  private readonly cursor: number[];
  private readonly pending = new Map<Container<R>, ScheduledEvent>();

  constructor(
    readonly service: string,
    nodeCount: number,
    private readonly sim: Simulation,
  ) {
    this.cursor = new Array<number>(nodeCount).fill(0);
  }

  get size(): number {
    return this.backends.length;
  }

  /** No join or leave is still spreading. */
  get settled(): boolean {
    return this.pending.size === 0;
  }

  /** The container starts serving; the nodes route to it after `delayUs`. */
  join(c: Container<R>, delayUs: number): void {
    this.sim.cancel(this.pending.get(c));
    this.pending.set(c, this.sim.after(delayUs, () => {
      this.pending.delete(c);
      if (!this.backends.includes(c)) this.backends.push(c);
    }));
  }

  /** The container stops serving (or died); the nodes stop routing to it after `delayUs`. */
  leave(c: Container<R>, delayUs: number): void {
    const wasPending = this.pending.get(c);
    this.sim.cancel(wasPending);
    this.pending.delete(c);
    if (!this.backends.includes(c)) return;
    this.pending.set(c, this.sim.after(delayUs, () => {
      this.pending.delete(c);
      const i = this.backends.indexOf(c);
      if (i >= 0) this.backends.splice(i, 1);
    }));
  }

  /** Any backend, uniformly (a client resolving the service by DNS round-robin); null if none. */
  any(rng: RandomStream): Container<R> | null {
    return this.backends.length === 0 ? null : this.backends[rng.int(this.backends.length)]!;
  }

  /** The next backend in round-robin order for requests entering at node `entry`; null if none. */
  pick(entry: number): Container<R> | null {
    const n = this.backends.length;
    if (n === 0) return null;
    if (entry >= this.cursor.length) this.cursor.length = entry + 1;
    const i = (this.cursor[entry] ?? 0) % n;
    this.cursor[entry] = i + 1;
    return this.backends[i]!;
  }
}
