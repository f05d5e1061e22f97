import { TaskState } from "../api/task-state.js";
import { memoryOf } from "../cluster/memory.js";
import type { NetworkRow, NodeRow } from "../metrics/rows.js";
import { taskNetworks } from "../manager/allocator.js";
import type { Store } from "../manager/store.js";
import type { TaskGauges } from "../metrics/windows.js";
import { roundUtil } from "../metrics/fmt.js";
import type { World } from "./world.js";
import type { ServiceCpu } from "../manager/orchestrator/autoscaler.js";

/** Task counts per service for a metrics window: actual states on agents, pending from the store. */
export function taskGauges(world: World): (service: string) => TaskGauges {
  const g = new Map<string, TaskGauges>();
  for (const s of world.scenario.services) {
    g.set(s.name, { tasks_desired: 0, tasks_running: 0, tasks_starting: 0, tasks_pending: 0, ...world.recorder.takeWindowCounts(s.name) });
  }
  for (const s of world.control.viewStore().services.values()) {
    const gauge = g.get(s.name);
    if (gauge && s.spec.mode === "replicated") gauge.tasks_desired = s.replicas;
  }
  for (const t of world.control.viewStore().tasks.values()) {
    const gauge = g.get(t.service);
    if (!gauge || t.desiredState > TaskState.RUNNING) continue;
    if (t.spec.mode === "global") gauge.tasks_desired++;
    if (t.state <= TaskState.PENDING) gauge.tasks_pending++;
  }
  for (const h of world.hosts) {
    if (!h.agent || !h.up) continue;
    for (const t of h.agent.tasks.values()) {
      const gauge = g.get(t.service);
      if (!gauge) continue;
      if (t.state === TaskState.RUNNING) gauge.tasks_running++;
      else if (t.state < TaskState.RUNNING) gauge.tasks_starting++;
    }
  }
  return (service) => g.get(service)!;
}

/** One nodes.csv row per host for the window that ends now. */
export function nodeRows(world: World, tS: number, windowUs: number): NodeRow[] {
  const store = world.control.viewStore();
  return world.hosts.filter((h) => !h.removed).map((h) => {
    const record = store.nodes.get(h.name);
    let mem = 0;
    let tasks = 0;
    for (const t of h.agent?.tasks.values() ?? []) {
      if (t.state > TaskState.RUNNING) continue;
      tasks++;
      mem += memoryOf(t);
    }
    const busy = h.cpu.takeBusyCoreUs();
    const bytes = world.net.fabric.takeHostBytes(h);
    return {
      t_s: tS,
      node: h.name,
      status: record?.status ?? "down",
      availability: record?.availability ?? "active",
      cpu_util: windowUs > 0 ? roundUtil(busy / (h.cpu.cores * windowUs)) : 0,
      mem_used_bytes: mem,
      mem_capacity_bytes: h.spec.memoryBytes,
      tasks,
      net_tx_bytes: Math.round(bytes.tx),
      net_rx_bytes: Math.round(bytes.rx),
    };
  });
}

/** Addresses held and tasks waiting, per overlay, as of a store version. */
interface AddressCounts {
  store: Store | null;
  changes: number;
  used: number[];
  waiting: number[];
}

const counted = new WeakMap<World, AddressCounts>();

/**
 * Addresses as the managers' store records them (the allocator's own view, which a new leader
 * restores from it), recounted only when the store changed since the last window.
 */
function addressCounts(world: World): AddressCounts {
  const store = world.control.viewStore();
  let c = counted.get(world);
  if (c && c.store === store && c.changes === store.changes) return c;
  const index = world.net.overlayIndex;
  const used = world.net.overlays.map(() => 0);
  const waiting = world.net.overlays.map(() => 0);
  for (const s of store.services.values()) for (const a of s.vips ?? []) used[index.get(a.network)!]!++;
  for (const n of store.nodes.values()) for (const a of n.attachments) used[index.get(a.network)!]!++;
  for (const t of store.tasks.values()) {
    if (t.state >= TaskState.PENDING && t.state <= TaskState.RUNNING) for (const a of t.networks) used[index.get(a.network)!]!++;
    else if (t.state === TaskState.NEW && t.desiredState <= TaskState.RUNNING) for (const n of taskNetworks(t.spec)) waiting[index.get(n)!]!++;
  }
  c = { store, changes: store.changes, used, waiting };
  counted.set(world, c);
  return c;
}

/** One networks.csv row per overlay for the window that ends now. */
export function networkRows(world: World, tS: number): NetworkRow[] {
  const { used, waiting } = addressCounts(world);
  const bytes = world.net.takeOverlayBytes();
  return world.net.overlays.map((n) => ({
    t_s: tS,
    network: n.name,
    subnet: n.subnetText,
    addresses_usable: n.usableAddresses,
    addresses_used: used[n.index]!,
    tasks_unallocated: waiting[n.index]!,
    bytes: Math.round(bytes[n.index]!),
  }));
}

/**
 * CPU the service's running containers used since the last sample, for its autoscaler (every
 * container's counter is reset); containers not yet running count as starting.
 */
export function serviceCpu(world: World, service: string): ServiceCpu {
  let usedCoreUs = 0;
  let running = 0;
  let starting = 0;
  let perContainerCores = 1;
  for (const h of world.hosts) {
    if (!h.up) continue;
    for (const t of h.agent?.tasks.values() ?? []) {
      // Containers being stopped are left out, as the HPA leaves out pods being deleted.
      if (t.service !== service || t.desired > TaskState.RUNNING || t.stopping) continue;
      if (t.state !== TaskState.RUNNING) {
        starting++;
        continue;
      }
      // A container's start-up CPU was cleared when it began to run (Agent.becomeRunning).
      usedCoreUs += t.group?.takeUsedCoreUs() ?? 0;
      running++;
      perContainerCores = t.spec.resources.limits.cpuCores > 0 ? t.spec.resources.limits.cpuCores : 1;
    }
  }
  return { usedCoreUs, running, starting, perContainerCores };
}
