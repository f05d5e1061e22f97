import { TaskState } from "../api/task-state.js";
import { memoryOf } from "../cluster/memory.js";
import type { NetworkRow, NodeCells } from "../metrics/rows.js";
import { taskNetworks } from "../manager/allocator.js";
import type { NetworkAttachment, NodeRecord, Store } from "../manager/store.js";
import type { TaskGauges } from "../metrics/windows.js";
import { roundUtil, secondsFromUs } from "../metrics/fmt.js";
import type { NodeCpuWatch } from "../metrics/warnings.js";
import type { World } from "./world.js";
import type { ServiceCpu } from "../manager/orchestrator/autoscaler.js";
import { grownTo } from "../kernel/index.js";

/** Per service, the agents' tasks that run and those not yet running, counted as they change (Agent countTask). */
export class AgentTaskCounts {
  /** Tests set this: every window then also walks every task and fails on any difference from the counts. */
  static audit = false;
  private readonly counts = new Map<string, { running: number; starting: number }>();

  count(service: string, from: TaskState | null, to: TaskState | null): void {
    let c = this.counts.get(service);
    if (!c) {
      c = { running: 0, starting: 0 };
      this.counts.set(service, c);
    }
    if (from === TaskState.RUNNING) c.running--;
    else if (from !== null && from < TaskState.RUNNING) c.starting--;
    if (to === TaskState.RUNNING) c.running++;
    else if (to !== null && to < TaskState.RUNNING) c.starting++;
  }

  of(service: string): { running: number; starting: number } {
    return this.counts.get(service) ?? { running: 0, starting: 0 };
  }
}

/**
 * Each host's task count and memory in use as its last node row read them from its agent, read
 * again only after the agent told of a change (AgentDeps.changed). A window's node rows then read
 * two flat arrays for the agents that did not change (most, most windows) instead of every agent,
 * its map of tasks and its count, each in its own place in V8's heap: 1.8 ms of a 20,001-worker
 * window's node rows (the rows with both cells 0 took 5.9 ms of 7.7). By host index; a host past
 * the arrays' end is read from its agent.
 */
export class AgentGauges {
  /** 1 once read since the agent's last change; 0 (a new slot too) while its numbers may differ from those below. */
  private fresh = new Uint8Array(0);
  private tasks = new Float64Array(0);
  private memory = new Float64Array(0);

  /** The agent on host `index` changed what its tasks hold. */
  mark(index: number): void {
    if (index < this.fresh.length) this.fresh[index] = 0;
  }

  /** Brings host `index`'s numbers up to its agent's (tasksOf, memoryOf), reading the agent only if it told of a change since. */
  read(index: number, agent: { readonly tasks: { readonly size: number }; memoryUsed(): number }): void {
    if (index >= this.fresh.length) {
      this.fresh = grownTo(this.fresh, index + 1);
      this.tasks = grownTo(this.tasks, index + 1);
      this.memory = grownTo(this.memory, index + 1);
    }
    if (this.fresh[index] === 0) {
      this.tasks[index] = agent.tasks.size;
      this.memory[index] = agent.memoryUsed();
      this.fresh[index] = 1;
    }
  }

  tasksOf(index: number): number {
    return this.tasks[index]!;
  }

  memoryOf(index: number): number {
    return this.memory[index]!;
  }
}

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
  // Counted as tasks change (store.ts countsOf, world.ts agentTasks), not by walking every task.
  const store = world.control.viewStore();
  for (const s of world.scenario.services) {
    const gauge = g.get(s.name)!;
    const c = store.countsOf(s.name);
    if (s.mode === "global") gauge.tasks_desired = c.live;
    gauge.tasks_pending = c.unassigned;
    const a = world.agentTasks.of(s.name);
    gauge.tasks_running = a.running;
    gauge.tasks_starting = a.starting;
  }
  if (AgentTaskCounts.audit) auditGauges(world, g);
  return (service) => g.get(service)!;
}

/** The walk the counts stand in for: every task of the store and of every live agent. */
function auditGauges(world: World, g: ReadonlyMap<string, TaskGauges>): void {
  const walked = new Map([...g.keys()].map((s) => [s, { global: 0, pending: 0, running: 0, starting: 0 }]));
  for (const t of world.control.viewStore().tasks.values()) {
    const w = walked.get(t.service);
    if (!w || t.desiredState > TaskState.RUNNING) continue;
    if (t.spec.mode === "global") w.global++;
    if (t.state <= TaskState.PENDING) w.pending++;
  }
  for (const h of world.hosts) {
    if (!h.agent || !h.up) continue;
    for (const t of h.agent.tasks.values()) {
      const w = walked.get(t.service);
      if (w && t.state === TaskState.RUNNING) w.running++;
      else if (w && t.state < TaskState.RUNNING) w.starting++;
    }
  }
  for (const s of world.scenario.services) {
    const w = walked.get(s.name)!;
    const x = g.get(s.name)!;
    const counted = [s.mode === "global" ? x.tasks_desired : w.global, x.tasks_pending, x.tasks_running, x.tasks_starting];
    if (counted.join() !== [w.global, w.pending, w.running, w.starting].join()) {
      throw new Error(`task counts of ${s.name} (global desired, pending, running, starting) are ${counted.join()}, a walk finds ${[w.global, w.pending, w.running, w.starting].join()}`);
    }
  }
}

/**
 * Each host's CPU, taken at every window's close whatever metrics.nodeInterval is. The warnings
 * and the terminal's peak judge windows: a node pinned for 70 s is hot even when its minute's row
 * averages less. And the CPU model is advanced at the same instants either way, so its float sums,
 * and every completion time with them, do not depend on the node interval. A row sums its windows.
 */
export class CpuSamples {
  /** Busy core-microseconds since the host's last nodes.csv row, by host index. */
  private readonly busy: number[] = [];

  /** The window that ends now: each host's share of its cores goes to `watch`, its busy time to its next row. */
  sample(world: World, tS: number, windowUs: number, watch: NodeCpuWatch): void {
    const nowUs = world.sim.now();
    for (const h of world.hosts) {
      if (h.removed) continue;
      const busy = h.cpu.takeBusyCoreUs();
      this.busy[h.index] = (this.busy[h.index] ?? 0) + busy;
      // A join time only for nodes that came after t = 0: no rounding per host and window for the rest.
      const joinedS = h.joinedUs > world.originUs ? secondsFromUs(h.joinedUs - world.originUs) : 0;
      watch.sample(h.index, tS, h.name, cpuShare(h, busy, windowUs, nowUs), joinedS);
    }
  }

  /** The host's busy core-microseconds since its last row; the next row starts from 0. */
  take(host: World["hosts"][number]): number {
    const busy = this.busy[host.index] ?? 0;
    this.busy[host.index] = 0;
    return busy;
  }
}

/**
 * The share of its cores a host was busy over the `spanUs` that end at `nowUs`, counted from when
 * it joined if that is later (a node that addNodes brings mid-window had its cores for less).
 * The cores are the spec's, which the CPU model is built with (cluster/host.ts): a node row reads
 * the spec anyway, and not the CPU model's object.
 */
function cpuShare(h: World["hosts"][number], busyCoreUs: number, spanUs: number, nowUs: number): number {
  const upUs = Math.min(spanUs, nowUs - h.joinedUs);
  return upUs > 0 ? roundUtil(busyCoreUs / (h.spec.cpuCores * upUs)) : 0;
}

/** Rows nodeRows hands on at a time: a big cluster's window would otherwise outlive V8's young generation (output.ts). */
const NODE_ROW_CHUNK = 256;

/**
 * One nodes.csv row per host for the `spanUs` that end now (a window, or several: metrics.nodeInterval),
 * handed to `take` a chunk at a time. CPU and bytes are what the host counted since the last rows.
 */
export function nodeRows(world: World, tS: number, spanUs: number, cpu: CpuSamples, take: (rows: readonly NodeCells[]) => void): void {
  const store = world.control.viewStore();
  const { status, availability } = recordsByHost(world, store);
  const gauges = world.agentGauges;
  const nowUs = world.sim.now();
  let rows: NodeCells[] = [];
  const hosts = world.hosts;
  for (let i = 0; i < hosts.length; i++) {
    const h = hosts[i]!;
    if (h.removed) continue;
    // An agent holds only tasks up to RUNNING: the ones that stop leave it.
    const agent = h.agent;
    let tasks = 0;
    let mem = 0;
    if (agent) {
      gauges.read(h.index, agent);
      tasks = gauges.tasksOf(h.index);
      mem = gauges.memoryOf(h.index);
      if (AgentTaskCounts.audit) auditAgent(h.name, agent, tasks, mem);
    }
    const busy = cpu.take(h);
    const bytes = world.net.fabric.takeHostBytes(h);
    rows.push([tS, h.name, status[i]!, availability[i]!, cpuShare(h, busy, spanUs, nowUs), mem, h.spec.memoryBytes, tasks, Math.round(bytes.tx), Math.round(bytes.rx)]);
    if (rows.length === NODE_ROW_CHUNK) {
      take(rows);
      rows = [];
    }
  }
  if (rows.length > 0) take(rows);
}

/** The agent's tasks and memory as a node row has them (AgentGauges), against the agent's own and a walk of its tasks. */
function auditAgent(node: string, agent: NonNullable<World["hosts"][number]["agent"]>, tasks: number, mem: number): void {
  if (tasks !== agent.tasks.size || mem !== agent.memoryUsed()) {
    throw new Error(`${node}'s row has ${tasks} tasks and ${mem} bytes; its agent, ${agent.tasks.size} and ${agent.memoryUsed()} (a change not told)`);
  }
  let walked = 0;
  for (const t of agent.tasks.values()) walked += memoryOf(t);
  if (walked !== mem) throw new Error(`memory of ${node}'s tasks is ${mem} by the agent's count, a walk finds ${walked}`);
}

/** Each host's node record (by its place in world.hosts) in a store, as of a set of nodes, and the two fields a node row reads. */
interface NodeRecords {
  store: Store;
  nodeSetChanges: number;
  nodeChanges: number;
  hosts: number;
  byHost: (NodeRecord | undefined)[];
  /** Each host's status and availability as its row writes them, as of `nodeChanges`. */
  status: string[];
  availability: string[];
}

const nodeRecords = new WeakMap<World, NodeRecords>();

/**
 * The hosts' node records, looked up by name again only when a node was created or removed (a
 * record changes in place otherwise) or the viewed store is another manager's, and their status
 * and availability, read again only when some node changed. A lookup by name for each host and
 * window was the largest line of a 20,000-node run's node rows; then reading 20,000 records, each
 * in its own place in V8's heap, was 3 of the 7.7 ms a window, and in most windows no node changes.
 */
function recordsByHost(world: World, store: Store): NodeRecords {
  let c = nodeRecords.get(world);
  if (!c || c.store !== store || c.nodeSetChanges !== store.nodeSetChanges || c.hosts !== world.hosts.length) {
    const byHost = world.hosts.map((h) => store.nodes.get(h.name));
    c = { store, nodeSetChanges: store.nodeSetChanges, nodeChanges: -1, hosts: world.hosts.length, byHost, status: [], availability: [] };
    nodeRecords.set(world, c);
  }
  if (c.nodeChanges !== store.nodeChanges) {
    const records = c.byHost;
    for (let i = 0; i < records.length; i++) {
      c.status[i] = records[i]?.status ?? "down";
      c.availability[i] = records[i]?.availability ?? "active";
    }
    c.nodeChanges = store.nodeChanges;
  }
  return c;
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
  const count = (list: readonly NetworkAttachment[]): void => {
    for (let i = 0; i < list.length; i++) used[index.get(list[i]!.network)!]!++;
  };
  for (const s of store.services.values()) if (s.vips) count(s.vips);
  for (const n of store.nodes.values()) count(n.attachments);
  // Every task, once a window in which the store changed (200,000 in a big cluster's recovery):
  // forEach and indexed loops, which make no iterator result per step in code V8 has not optimized.
  store.tasks.forEach((t) => {
    if (t.state >= TaskState.PENDING && t.state <= TaskState.RUNNING) count(t.networks);
    else if (t.state === TaskState.NEW && t.desiredState <= TaskState.RUNNING) {
      const nets = taskNetworks(t.spec);
      for (let i = 0; i < nets.length; i++) waiting[index.get(nets[i]!)!]!++;
    }
  });
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
    if (!h.up || !h.agent) continue;
    for (const t of h.agent.tasks.values()) {
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
