import type { Simulation } from "../kernel/index.js";
import type { ServiceSpec } from "../scenario/types.js";
import { TaskState } from "../api/task-state.js";
import { AddressSpace } from "../network/ipam.js";
import type { OverlayNetwork } from "../network/overlay.js";
import { NO_ATTACHMENTS, type NetworkAttachment, type NodeRecord, type ServiceRecord, type Store, type StoreCommand, type StoreEvent, type TaskRecord } from "./store.js";

export interface AllocatorOptions {
  sim: Simulation;
  store: Store;
  propose: (cmds: StoreCommand[]) => void;
  networks: readonly OverlayNetwork[];
  emit(event: { kind: string } & Record<string, unknown>): void;
}

/** libnetwork's IPAM answer when a subnet is full. */
const NO_IP = "could not find an available IP";

/**
 * The leader's network allocator (swarmkit manager/allocator): it gives every VIP-mode service
 * a virtual IP on each of its networks, every task an address on each of its networks (moving it
 * from NEW to PENDING), and every node a load-balancer address on ingress and on each overlay
 * one of its tasks uses. A task whose subnet is full stays NEW, with swarmkit's error in the
 * event log, and is tried again whenever an address is freed. A task frees its addresses as soon
 * as its state passes RUNNING (or it is deleted): before that, even on a node that is DOWN, it
 * holds them. Allocations live in the store; a new leader restores its view from it.
 */
export class Allocator {
  private readonly spaces = new Map<string, AddressSpace>();
  /** Addresses held, by task id, by service name and by node id: what this leader allocated or restored. */
  private readonly tasks = new Map<string, readonly NetworkAttachment[]>();
  private readonly services = new Map<string, readonly NetworkAttachment[]>();
  private readonly nodes = new Map<string, readonly NetworkAttachment[]>();
  /** NEW tasks waiting for addresses, in the order they came. */
  private readonly waiting = new Set<string>();
  private readonly dirtyNodes = new Set<string>();
  /** Services without their VIPs yet (so that a pass does not walk every service). */
  private readonly unallocatedServices = new Set<string>();
  /**
   * What failed for want of an address ("task web.3.1", "service web", "node w-1 backend"), so
   * that each failure is logged once until it succeeds, and tried again only after a release.
   */
  private readonly failures = new Set<string>();
  private freed = false;
  private passScheduled = false;
  private stopped = false;

  /** The ingress network, which every node takes part in. */
  private readonly ingress: string[];
  /** Each network's place in o.networks, and allocateNode's scratch by place: wanted, and held. */
  private readonly place = new Map<string, number>();
  private readonly wants: Uint8Array;
  private readonly holds: Uint8Array;
  /** Per service spec, the places of its tasks' networks (taskNetworks), made once. */
  private readonly placesBySpec = new WeakMap<ServiceSpec, readonly number[]>();

  constructor(private readonly o: AllocatorOptions) {
    this.ingress = o.networks.filter((n) => n.ingress).map((n) => n.name);
    o.networks.forEach((n, i) => this.place.set(n.name, i));
    this.wants = new Uint8Array(o.networks.length);
    this.holds = new Uint8Array(o.networks.length);
    for (const n of o.networks) this.spaces.set(n.name, new AddressSpace(n.subnet));
    this.restore();
    for (const node of o.store.nodes.values()) this.dirtyNodes.add(node.id);
    for (const t of o.store.tasks.values()) if (needsAllocation(t)) this.waiting.add(t.id);
    this.schedulePass();
  }

  stop(): void {
    this.stopped = true;
  }

  /** A pass is due at the end of this instant. */
  get passDue(): boolean {
    return this.passScheduled;
  }

  /** Whether the task is stuck NEW because a subnet is full (its own address, or its service's VIP). */
  failed(taskId: string, service: string): boolean {
    return this.waiting.has(taskId) && (this.failures.has(`task ${taskId}`) || this.failures.has(`service ${service}`));
  }

  handle(event: StoreEvent): void {
    if (this.stopped) return;
    if (event.type === "service") {
      if (!this.services.has(event.service.name)) {
        this.unallocatedServices.add(event.service.name);
        this.schedulePass();
      }
    } else if (event.type === "node") {
      // A status or availability change needs nothing; a new node needs its endpoints.
      if (event.removed) this.releaseNode(event.node.id);
      else if (!this.nodes.has(event.node.id)) this.dirtyNodes.add(event.node.id);
      else return;
      this.schedulePass();
    } else {
      this.taskChanged(event.task, event.prevState, event.removed);
    }
  }

  private taskChanged(t: TaskRecord, prevState: TaskState | null, removed: boolean): void {
    const stopped = removed || t.state > TaskState.RUNNING;
    // A node's endpoints change only when a task arrives on it or leaves it.
    const moved = stopped || (t.state >= TaskState.ASSIGNED && (prevState === null || prevState < TaskState.ASSIGNED));
    if (t.nodeId !== null && moved) this.dirtyNodes.add(t.nodeId);
    if (stopped) {
      this.waiting.delete(t.id);
      this.failures.delete(`task ${t.id}`);
      const held = this.tasks.get(t.id);
      if (held) {
        this.tasks.delete(t.id);
        this.release(held);
      }
    } else if (needsAllocation(t) && !this.tasks.has(t.id)) {
      this.waiting.add(t.id);
    } else if (!moved) {
      return; // nothing for the allocator
    }
    this.schedulePass();
  }

  /** What a new leader finds in the store is taken: services' VIPs, nodes' endpoints, live tasks' addresses. */
  private restore(): void {
    const claim = (list: readonly NetworkAttachment[]): void => {
      for (const a of list) this.spaces.get(a.network)?.claim(a.address);
    };
    for (const s of this.o.store.services.values()) {
      if (s.vips === null) {
        this.unallocatedServices.add(s.name);
        continue;
      }
      this.services.set(s.name, s.vips);
      claim(s.vips);
    }
    for (const n of this.o.store.nodes.values()) {
      this.nodes.set(n.id, n.attachments);
      claim(n.attachments);
    }
    for (const t of this.o.store.tasks.values()) {
      if (t.state < TaskState.PENDING || t.state > TaskState.RUNNING) continue;
      this.tasks.set(t.id, t.networks);
      claim(t.networks);
    }
  }

  /** One pass at the end of the instant, as swarmkit batches the events it reacts to: one proposal. */
  private schedulePass(): void {
    if (this.passScheduled || this.stopped) return;
    this.passScheduled = true;
    this.o.sim.after(0, () => {
      this.passScheduled = false;
      if (!this.stopped) this.pass();
    });
  }

  private pass(): void {
    const cmds: StoreCommand[] = [];
    // What failed before is tried again only once something was freed.
    const retry = this.freed;
    this.freed = false;
    const due = (key: string): boolean => retry || !this.failures.has(key);
    for (const name of this.unallocatedServices) {
      const s = this.o.store.services.get(name);
      if (!s || this.services.has(name)) this.unallocatedServices.delete(name);
      else if (due(`service ${name}`)) this.allocateService(s, cmds);
    }
    for (const id of this.dirtyNodes) {
      const node = this.o.store.nodes.get(id);
      if (node) this.allocateNode(node, cmds);
    }
    this.dirtyNodes.clear();
    // Nodes first, then tasks, as swarmkit does (node attachments inline, tasks at the batch's end).
    for (const id of this.waiting) {
      const t = this.o.store.tasks.get(id);
      if (!t || !needsAllocation(t)) this.waiting.delete(id);
      else if (due(`task ${id}`)) this.allocateTask(t, cmds);
    }
    if (cmds.length > 0) this.o.propose(cmds);
  }

  private allocateService(s: ServiceRecord, cmds: StoreCommand[]): void {
    if (s.spec.endpointMode !== "vip") {
      this.services.set(s.name, NO_ATTACHMENTS);
      this.unallocatedServices.delete(s.name);
      return;
    }
    const vips = this.take(`service ${s.name}`, taskNetworks(s.spec), (net) => ({ service: s.name, network: net, error: `failed to allocate VIP of service ${s.name} on network ${net}: ${NO_IP}` }));
    if (vips === null) return;
    this.services.set(s.name, vips);
    this.unallocatedServices.delete(s.name);
    cmds.push({ type: "AllocateService", name: s.name, vips });
  }

  private allocateTask(t: TaskRecord, cmds: StoreCommand[]): void {
    // A service's tasks wait until it has its VIPs ("service has pending allocations").
    if (!this.services.has(t.service)) return;
    const networks = this.take(`task ${t.id}`, taskNetworks(t.spec), (net) => ({ task: t.id, service: t.service, network: net, error: `failed to allocate network IP for task ${t.id} network ${net}: ${NO_IP}` }));
    if (networks === null) return;
    this.waiting.delete(t.id);
    this.tasks.set(t.id, networks);
    cmds.push({ type: "AllocateTask", id: t.id, networks });
  }

  /**
   * A node needs an endpoint on ingress and on every overlay of its tasks that have not stopped.
   * SIMPLIFICATION: a node that could not get one still balances traffic on that network; the
   * failure is only logged, as swarmkit logs it.
   * Called for a node each time a task comes to it or leaves it (200,000 times in a 20,000-node
   * deployment), so the networks are marked by place in arrays kept for it rather than collected
   * in a set and lists each time, and a call that changes nothing (a task came to a node that has
   * its networks) makes no list at all.
   */
  private allocateNode(node: NodeRecord, cmds: StoreCommand[]): void {
    const wanted = this.markWanted(node.id);
    const wants = this.wants;
    const holds = this.holds;
    const held = this.nodes.get(node.id) ?? NO_ATTACHMENTS;
    // Each wanted network held counted once (a node holds one endpoint a network; this does not rely on it).
    holds.fill(0);
    let heldWanted = 0;
    for (let i = 0; i < held.length; i++) {
      const at = this.place.get(held[i]!.network) ?? -1;
      if (wants[at] === 1 && holds[at] === 0) {
        holds[at] = 1;
        heldWanted++;
      }
    }
    if (heldWanted === held.length && heldWanted === wanted) return;
    // Kept: the wanted ones (`holds` marks them already); dropped: the rest.
    const next: NetworkAttachment[] = [];
    const dropped: NetworkAttachment[] = [];
    for (let i = 0; i < held.length; i++) {
      const a = held[i]!;
      if (wants[this.place.get(a.network) ?? -1] === 1) next.push(a);
      else dropped.push(a);
    }
    this.release(dropped);
    const networks = this.o.networks;
    for (let i = 0; i < networks.length; i++) {
      if (wants[i] === 0 || holds[i] === 1) continue;
      const net = networks[i]!.name;
      const got = this.take(`node ${node.id} ${net}`, [net], () => ({ node: node.id, network: net, error: `failed to allocate network resources for node ${node.id} on network ${net}: ${NO_IP}` }));
      if (got) next.push(...got);
    }
    if (dropped.length === 0 && next.length === held.length) return;
    Object.freeze(next);
    this.nodes.set(node.id, next);
    cmds.push({ type: "AllocateNode", id: node.id, attachments: next });
  }

  /** Marks in `wants` ingress and the networks of the node's tasks that have not stopped; how many. */
  private markWanted(nodeId: string): number {
    const wants = this.wants;
    wants.fill(0);
    for (const n of this.ingress) wants[this.place.get(n)!] = 1;
    for (const t of this.o.store.tasksOnNode(nodeId)) {
      if (t.state > TaskState.RUNNING) continue;
      for (const at of this.placesOf(t.spec)) wants[at] = 1;
    }
    let wanted = 0;
    for (let i = 0; i < wants.length; i++) wanted += wants[i]!;
    return wanted;
  }

  /** The places in o.networks of the networks a task of `spec` is attached to (one that is none of them gets no node endpoint). */
  private placesOf(spec: ServiceSpec): readonly number[] {
    let places = this.placesBySpec.get(spec);
    if (places === undefined) {
      places = taskNetworks(spec).flatMap((n) => this.place.get(n) ?? []);
      this.placesBySpec.set(spec, places);
    }
    return places;
  }

  private releaseNode(id: string): void {
    this.release(this.nodes.get(id) ?? []);
    this.nodes.delete(id);
  }

  /**
   * An address on each network, or null (with none kept) if one is full. A failure of `key` is
   * logged (the event `failure` describes) once, until it succeeds.
   */
  private take(key: string, networks: readonly string[], failure: (network: string) => Record<string, unknown>): readonly NetworkAttachment[] | null {
    // Made at its size: every task keeps its list, and pushing into [] reserves 17 places.
    const got = new Array<NetworkAttachment>(networks.length);
    for (let i = 0; i < networks.length; i++) {
      const network = networks[i]!;
      const address = this.spaces.get(network)?.allocate() ?? null;
      if (address === null) {
        for (let j = 0; j < i; j++) this.spaces.get(got[j]!.network)?.release(got[j]!.address); // rolled back: nothing freed
        if (!this.failures.has(key)) this.o.emit({ kind: "allocation", ...failure(network) });
        this.failures.add(key);
        return null;
      }
      // Frozen: the list is shared by the log and every replica (store.ts), so a change in place would be a bug.
      got[i] = Object.freeze({ network, address });
    }
    this.failures.delete(key);
    return Object.freeze(got);
  }

  private release(list: readonly NetworkAttachment[]): void {
    for (const a of list) this.spaces.get(a.network)?.release(a.address);
    if (list.length > 0) this.freed = true;
  }
}

/** The networks a task of `spec` is attached to: ingress when it publishes a port there, then its own. */
export function taskNetworks(spec: ServiceSpec): string[] {
  const ingress = spec.ports.some((p) => p.mode === "ingress") ? ["ingress"] : [];
  return [...ingress, ...spec.networks];
}

function needsAllocation(t: TaskRecord): boolean {
  return t.state === TaskState.NEW && t.desiredState <= TaskState.RUNNING;
}
