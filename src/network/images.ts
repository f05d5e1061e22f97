import type { Simulation } from "../kernel/index.js";
import type { Delivery, NetHost } from "./delivery.js";

/** What one node has of the images, and the pulls under way there. */
interface NodeImages {
  readonly have: Set<string>;
  /** Image name -> those waiting for its pull. */
  readonly pulling: Map<string, (() => void)[]>;
}

/**
 * Images on the nodes: each node keeps what it pulled (its layer cache survives a reboot), so a
 * node pulls an image once and a second task of it starts without a pull, and tasks that need an
 * image already being pulled wait for that pull. A pull is a transfer from the registry, so
 * every pull shares the registry's egress and the node's NIC with everything else.
 * SIMPLIFICATION: an image is one blob; images sharing base layers are pulled whole each.
 */
export class Images {
  private readonly nodes: NodeImages[] = [];

  constructor(
    private readonly sim: Simulation,
    private readonly delivery: Delivery,
  ) {}

  /** Images the node has from the start (baked into its machine image). */
  preload(host: NetHost, names: readonly string[]): void {
    for (const n of names) this.of(host).have.add(n);
  }

  has(host: NetHost, name: string): boolean {
    return this.of(host).have.has(name);
  }

  /**
   * `done` runs once `host` has the image: from a pull of `sizeBytes` if it lacks it, else from
   * the next event. A pull the node's crash interrupts never calls back.
   */
  ensure(host: NetHost, name: string, sizeBytes: number, done: () => void): void {
    const node = this.of(host);
    if (sizeBytes <= 0 || node.have.has(name)) {
      this.sim.after(0, done);
      return;
    }
    const waiting = node.pulling.get(name);
    if (waiting) {
      waiting.push(done);
      return;
    }
    node.pulling.set(name, [done]);
    this.delivery.pull(
      host,
      sizeBytes,
      () => {
        const waiters = node.pulling.get(name) ?? [];
        node.pulling.delete(name);
        node.have.add(name);
        for (const w of waiters) w();
      },
      () => node.pulling.delete(name),
    );
  }

  private of(host: NetHost): NodeImages {
    let n = this.nodes[host.index];
    if (!n) {
      n = { have: new Set(), pulling: new Map() };
      this.nodes[host.index] = n;
    }
    return n;
  }
}
