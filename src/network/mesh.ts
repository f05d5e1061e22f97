import type { RandomStream } from "../kernel/index.js";
import type { WorkloadSpec } from "../scenario/types.js";
import type { Endpoint } from "./fabric.js";

/** A host as the external load balancer sees it: its name, group and whether it answers. */
export interface EntryHost extends Endpoint {
  /** The node group it belongs to ("manager" for managers). */
  readonly group: string;
}

/**
 * The external load balancer in front of the routing mesh: it sends each new connection to one
 * of its nodes (every node, or the listed nodes and node groups), uniformly at random or in
 * turn, or always to one named node, skipping nodes that are down.
 * SIMPLIFICATION: it knows at once which nodes are down (a health-checking balancer takes a few
 * seconds); the client's own path to it is not modelled.
 */
export class IngressEntry<H extends EntryHost> {
  private live: H[] | null = null;
  private turn = 0;
  private named: H | null = null;

  constructor(
    private readonly spec: WorkloadSpec,
    private readonly hosts: readonly H[],
    private readonly rng: RandomStream,
  ) {}

  /** A host came up, went down, joined or left: the list is rebuilt on next use. */
  hostsChanged(): void {
    this.live = null;
  }

  /** The node the next connection enters by, or null when none of the balancer's nodes is up. */
  next(): H | null {
    const e = this.spec.entry;
    if (e.kind === "node") {
      const named = this.named ?? this.namedHost(e.node);
      return named?.up ? named : null;
    }
    const live = this.live ?? this.liveHosts();
    if (live.length === 0) return null;
    const i = e.kind === "random-node" ? this.rng.int(live.length) : this.turn++ % live.length;
    return live[i]!;
  }

  /** A node that an addNodes event creates later is looked up until it exists. */
  private namedHost(name: string): H | null {
    this.named = this.hosts.find((h) => h.name === name) ?? null;
    return this.named;
  }

  /** (Apart from next(), which runs per request: a closure there would cost each call a context.) */
  private liveHosts(): H[] {
    this.live = this.hosts.filter((h) => h.up && this.listed(h));
    return this.live;
  }

  private listed(h: H): boolean {
    return entryListed(this.spec, h);
  }
}

/** Whether the external load balancer of workload `spec` sends to node `h` (when it is up). */
export function entryListed(spec: Pick<WorkloadSpec, "entry" | "entryNodes">, h: { readonly name: string; readonly group: string }): boolean {
  if (spec.entry.kind === "node") return h.name === spec.entry.node;
  const names = spec.entryNodes;
  return names.length === 0 || names.includes(h.name) || names.includes(h.group);
}
