import type { RandomStream } from "../kernel/index.js";
import type { WorkloadSpec } from "../scenario/types.js";
import type { EntryHealthchecks } from "./entry-check.js";
import type { Endpoint } from "./fabric.js";

/** A host as the external load balancer sees it: its name, group and whether it answers. */
export interface EntryHost extends Endpoint {
  /** The node group it belongs to ("manager" for managers). */
  readonly group: string;
}

/**
 * The external load balancer in front of the routing mesh: it sends each new connection to one
 * of its nodes (every node, or the listed nodes and node groups), uniformly at random or in
 * turn, or always to one named node, skipping nodes that are down. With the workload's
 * `entryHealthcheck` it skips the nodes its probes took out instead (entry-check.ts), and may
 * send to a node that is down.
 * SIMPLIFICATION: without `entryHealthcheck` it knows at once which nodes are down (a
 * health-checking balancer takes a few probes), the first versions' model and still the
 * default; the client's own path to it is not modelled.
 */
export class IngressEntry<H extends EntryHost> {
  /** The indexes of the hosts it sends to (null: to be rebuilt): nextIndex reads no host. */
  private live: Int32Array | null = null;
  private turn = 0;
  private named: H | null = null;

  constructor(
    private readonly spec: WorkloadSpec,
    /** Every host, at its index. */
    private readonly hosts: readonly H[],
    private readonly rng: RandomStream,
    /** The balancer's health checks, or null when it knows at once which nodes are down. */
    private readonly checks: EntryHealthchecks<H> | null = null,
  ) {
    checks?.start(hosts.filter((h) => this.listed(h)), () => {
      this.live = null;
    });
  }

  /**
   * A host came up, went down, joined or left: the list is rebuilt on next use. With health
   * checks only its probes see it: the list changes when their streak completes.
   */
  hostsChanged(host: H): void {
    if (this.checks === null) this.live = null;
    else this.probeChanged(host);
  }

  /** What a probe of `host` looks at may have changed (a task bound or freed its host-mode port). */
  probeChanged(host: H): void {
    if (this.checks !== null && this.listed(host)) this.checks.recheck(host);
  }

  /** The node the next connection enters by, or null when the balancer has none to send to. */
  next(): H | null {
    const at = this.nextIndex();
    return at < 0 ? null : this.hosts[at]!;
  }

  /**
   * The index of the node the next connection enters by, or -1 when the balancer has none to
   * send to. (The hosts' list is indexed by host index.)
   */
  nextIndex(): number {
    const e = this.spec.entry;
    if (e.kind === "node") {
      const named = this.named ?? this.namedHost(e.node);
      return named !== null && this.sendsTo(named) ? named.index : -1;
    }
    const live = this.live ?? this.liveHosts();
    if (live.length === 0) return -1;
    const i = e.kind === "random-node" ? this.rng.int(live.length) : this.turn++ % live.length;
    return live[i]!;
  }

  /** A node that an addNodes event creates later is looked up until it exists. */
  private namedHost(name: string): H | null {
    this.named = this.hosts.find((h) => h.name === name) ?? null;
    return this.named;
  }

  /** (Apart from nextIndex(), which runs per request: a closure there would cost each call a context.) */
  private liveHosts(): Int32Array {
    this.live = Int32Array.from(this.hosts.filter((h) => this.sendsTo(h) && this.listed(h)), (h) => h.index);
    return this.live;
  }

  /** Whether the balancer sends to `h`: it is up, or its probes have not (or not yet) taken it out. */
  private sendsTo(h: H): boolean {
    return this.checks === null ? h.up : this.checks.sendsTo(h);
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
