import type { Container, ContainerRequest } from "../cluster/container.js";

/**
 * The backends of one service as the load balancers see them, and IPVS round-robin on each
 * entry node: every node keeps its own position in the list (no global balance, as in Swarm).
 * SIMPLIFICATION: membership changes are seen by every node at once; Swarm spreads them by
 * gossip, so for a second or two some nodes still route to the old backends.
 */
export class ServiceBackends<R extends ContainerRequest> {
  private backends: Container<R>[] = [];
  private readonly cursor: number[];

  constructor(readonly service: string, nodeCount: number) {
    this.cursor = new Array<number>(nodeCount).fill(0);
  }

  get size(): number {
    return this.backends.length;
  }

  join(c: Container<R>): void {
    if (!this.backends.includes(c)) this.backends.push(c);
  }

  leave(c: Container<R>): void {
    const i = this.backends.indexOf(c);
    if (i >= 0) this.backends.splice(i, 1);
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
