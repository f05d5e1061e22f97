import { Checkers } from "./checkers.js";
import { Simulation, RandomStreams, sampler } from "../kernel/index.js";
import type { Scenario, ServiceSpec } from "../scenario/types.js";
import { nodeName } from "../scenario/index.js";
import { Agent } from "../cluster/agent.js";
import { Host } from "../cluster/host.js";
import { TaskState, taskStateName } from "../api/task-state.js";
import { DataPlane, IngressEntry } from "../network/index.js";
import type { Container } from "../cluster/container.js";
import { ControlPlane } from "../manager/control-plane.js";
import type { StoreCommand, StoreEvent } from "../manager/store.js";
import { builtinStrategies } from "../manager/scheduler/strategies/index.js";
import type { PlacementStrategy } from "../manager/scheduler/strategy.js";
import { Clients, type Flow, type Request } from "../workload/client.js";
import { ServiceCalls } from "../workload/calls.js";
import { RateProfile, type Spike } from "../workload/rate-profile.js";
import { Autoscaler, type ServiceCpu } from "../manager/orchestrator/autoscaler.js";
import { firingTimeUs } from "./injections.js";
import type { LineWriter } from "../metrics/output.js";
import { Recorder } from "../metrics/recorder.js";
import type { ServiceMeter } from "../metrics/windows.js";
import { groupHostSpec, hostSpecs, makeHosts, nodeDescription, nodeRecord } from "./hosts.js";

export interface WorldOptions {
  /** events.jsonl, or null to keep no event log. */
  events: LineWriter | null;
  /** Check the invariants live (checkers.ts); default true, off only for benchmarks. */
  checks?: boolean;
  /** Strategies from user modules, by the name the scenario uses. */
  strategies?: ReadonlyMap<string, PlacementStrategy>;
}

/**
 * The whole simulated system, wired from a scenario: hosts and their agents, the control plane,
 * the data plane (network, clients) and the recorder. Times the user sees are relative to
 * `originUs`, the moment the initial deployment finished (see run.ts).
 */
export class World {
  readonly sim = new Simulation();
  readonly rng: RandomStreams;
  readonly net: DataPlane<Container<Request>>;
  readonly hosts: Host<Request>[];
  readonly hostByName = new Map<string, Host<Request>>();
  readonly control: ControlPlane;
  readonly recorder: Recorder;
  /** The live invariant checkers, or null when a benchmark turned them off. */
  readonly checkers: Checkers | null;
  readonly meters: ServiceMeter[];
  private readonly serviceIndexes: Map<string, number>;
  /** Hosts that are up: the ingress network's gossip peers and memberlist's cluster. */
  private liveHosts = 0;
  readonly clients: Clients;
  readonly calls: ServiceCalls;
  readonly flows: Flow[] = [];
  private readonly loggedUpdate = new Map<string, string>();
  /** The status and availability last logged per node: other node changes (its addresses) are not logged. */
  private readonly loggedNode = new Map<string, string>();
  originUs = 0;

  constructor(
    readonly scenario: Scenario,
    opts: WorldOptions,
  ) {
    this.rng = new RandomStreams(scenario.seed);
    this.serviceIndexes = new Map(scenario.services.map((s, i) => [s.name, i]));
    this.net = new DataPlane(this.sim, scenario, this.rng, () => this.liveHosts, (i) => this.hosts[i]!);
    this.hosts = makeHosts(this.sim, hostSpecs(scenario));
    this.liveHosts = this.hosts.length;
    for (const h of this.hosts) {
      this.hostByName.set(h.name, h);
      this.net.images.preload(h, h.spec.images);
    }
    this.recorder = new Recorder(scenario.metrics.slo, opts.events, () => this.sim.now() - this.originUs);
    this.checkers = opts.checks === false ? null : new Checkers();
    const checkers = this.checkers;
    if (checkers) this.recorder.listen((e) => checkers.event(e));
    this.meters = scenario.services.map((s) => this.recorder.register(s.name, s.slo));
    this.clients = new Clients(this.sim, this.net, this.hosts, {
      arrived: (i) => this.meters[i]!.arrive(),
      completed: (i, latencyUs) => this.meters[i]!.complete(latencyUs),
      failed: (i, kind) => this.meters[i]!.error(kind === "error" ? "errors" : kind === "timeout" ? "timeouts" : "rejected"),
    });
    this.calls = new ServiceCalls(
      this.sim,
      this.net,
      this.hosts,
      scenario.services.map((s, i) => ({
        meter: this.meters[i]!,
        endpointMode: s.endpointMode,
        pooled: this.specsOf(s.name).some((x) => x.request.connection.reuse > 1),
      })),
      this.serviceIndexes,
      this.rng.stream("workload/calls"),
    );
    const strategies = new Map([...builtinStrategies(), ...(opts.strategies ?? new Map())]);
    const bootstrap: StoreCommand[] = [
      ...this.hosts.map((h) => ({ type: "CreateNode" as const, node: nodeRecord(h) })),
      ...scenario.services.map((spec) => ({ type: "CreateService" as const, spec, replicas: spec.replicas })),
    ];
    this.control = new ControlPlane({
      sim: this.sim,
      net: this.net.delivery,
      networks: this.net.overlays,
      rng: this.rng,
      scenario,
      hosts: this.hostByName,
      managers: this.hosts.filter((h) => h.spec.role === "manager"),
      bootstrap,
      strategies,
      onRestart: (service) => this.recorder.count(service, "restarts"),
      observe: (e) => this.logStoreEvent(e),
      emit: (e) => this.recorder.emit(e),
    });
    const managerNames = this.control.managers.map((m) => m.name);
    for (const h of this.hosts) h.agent = this.makeAgent(h, managerNames);
  }

  serviceIndex(name: string): number {
    return this.serviceIndexes.get(name) ?? -1;
  }

  private makeAgent(host: Host<Request>, managers: string[]): Agent<Request> {
    return new Agent<Request>(host.name, host.index, {
      sim: this.sim,
      cpu: host.cpu,
      rng: this.rng.stream(`agent/${host.name}`),
      managers,
      heartbeatPeriodUs: this.scenario.cluster.dispatcher.heartbeatPeriodUs,
      description: nodeDescription(host),
      send: (manager, msg, bytes) => this.control.fromAgent(host, manager, msg, bytes),
      joinLoadBalancer: (c) => this.net.routing.join(c, this.serviceIndex(c.spec.name), c.spec.ports.some((p) => p.mode === "host")),
      leaveLoadBalancer: (c, crashed) => this.net.routing.leave(c, crashed),
      requestWork: (spec: ServiceSpec) => sampler(spec.request.cpu, this.rng.stream(`service/${spec.name}/work`)),
      pullImage: (image, done) => this.net.images.ensure(host, image.name, image.sizeBytes, done),
      callbacks: this.clients,
      callsOf: (spec) =>
        spec.request.calls.flatMap((c) => new Array(c.count).fill({ service: this.serviceIndex(c.service), timeoutUs: c.timeoutUs })),
      downstream: this.calls,
      memoryBytes: host.spec.memoryBytes,
      onOom: (service) => this.recorder.count(service, "oom_kills"),
      onUnhealthy: (service) => this.recorder.count(service, "unhealthy"),
      emit: (e) => this.recorder.emit(e),
    });
  }

  /** Boots the cluster: managers start ticking (and elect a leader), agents open their sessions. */
  boot(): void {
    this.control.start();
    for (const h of this.hosts) h.agent?.start();
  }

  /** The host crashes: its containers die, its manager (if any) stops, it neither sends nor receives. */
  crashHost(host: Host<Request>): void {
    if (!host.up) return;
    host.up = false;
    this.liveHosts--;
    this.hostsChanged();
    host.agent?.crash();
    this.net.hostDown(host);
    const m = this.control.manager(host.name);
    if (m) {
      m.crash();
      this.control.elections.crashed(host.name);
    }
  }

  /** New workers of a group join the swarm (`docker swarm join`): named after the group's last. */
  addNodes(group: string, count: number): Host<Request>[] {
    const g = this.scenario.cluster.nodeGroups.find((x) => x.name === group);
    if (!g) return [];
    const managers = this.control.managers.map((m) => m.name);
    const added: Host<Request>[] = [];
    for (let k = 0; k < count; k++) {
      let i = g.count + 1;
      while (this.hostByName.has(nodeName(g.name, i))) i++;
      const host = new Host<Request>(this.hosts.length, groupHostSpec(g, i), this.sim);
      this.hosts.push(host);
      this.hostByName.set(host.name, host);
      this.net.images.preload(host, host.spec.images);
      this.liveHosts++;
      host.agent = this.makeAgent(host, managers);
      host.agent.start();
      added.push(host);
      this.hostsChanged();
    }
    return added;
  }

  /** A host came up, went down, joined or left: the external load balancers see it. */
  private hostsChanged(): void {
    for (const f of this.flows) f.entry.hostsChanged();
  }

  /** The host is back: its manager restarts from its disk and its agent opens a new session. */
  recoverHost(host: Host<Request>): void {
    if (host.up) return;
    host.up = true;
    this.liveHosts++;
    this.hostsChanged();
    this.control.manager(host.name)?.restart();
    host.agent?.start();
  }

  /** Starts every workload's arrivals from now, with its load spikes. */
  startTraffic(): void {
    const ingress = this.net.overlays.findIndex((n) => n.ingress);
    for (const spec of this.scenario.workload) {
      const si = this.serviceIndex(spec.service);
      const service = this.scenario.services[si]!;
      const flow: Flow = this.clients.flow(
        {
          spec,
          serviceIndex: si,
          profile: new RateProfile(spec.ratePerS, this.spikesOf(spec.name)),
          entry: new IngressEntry(spec, this.hosts, this.rng.stream(`workload/${spec.name}/entry`)),
          // The workload reaches the service through its first published port.
          mode: service.ports[0]!.mode,
          arrivalRng: this.rng.stream(`workload/${spec.name}/arrivals`),
        },
        service,
        this.specsOf(service.name).some((s) => s.request.connection.reuse > 1),
        ingress,
      );
      this.flows.push(flow);
      this.clients.start(flow, this.originUs);
    }
  }

  /** Starts the autoscaler of every service that has one. */
  startAutoscalers(): void {
    for (const spec of this.scenario.services) {
      if (!spec.autoscale) continue;
      new Autoscaler({
        sim: this.sim,
        service: spec.name,
        spec: spec.autoscale,
        sampleCpu: () => this.sampleServiceCpu(spec.name),
        replicas: () => this.control.viewStore().services.get(spec.name)?.replicas ?? null,
        scale: (replicas) => this.control.submit([{ type: "UpdateService", name: spec.name, replicas }]),
        emit: (e) => this.recorder.emit(e),
      }).start();
    }
  }

  /** CPU used by the service's containers since the last sample (every container's counter is reset). */
  private sampleServiceCpu(service: string): ServiceCpu {
    let usedCoreUs = 0;
    let running = 0;
    let starting = 0;
    let perContainerCores = 1;
    for (const h of this.hosts) {
      for (const t of h.agent?.tasks.values() ?? []) {
        if (t.service !== service) continue;
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

  /** Every spec a service will have: the file's, then each rolling update's. */
  specsOf(service: string): ServiceSpec[] {
    const specs = this.scenario.services.filter((s) => s.name === service);
    for (const ev of this.scenario.events) if (ev.action.type === "rollingUpdate" && ev.action.service === service) specs.push(ev.action.spec);
    return specs;
  }

  /** The workload's load spikes, each repetition of each event, on the absolute clock. */
  private spikesOf(workload: string): Spike[] {
    const spikes: Spike[] = [];
    for (const ev of this.scenario.events) {
      const a = ev.action;
      if (a.type !== "loadSpike" || a.workload !== workload) continue;
      for (let k = 0, atUs = firingTimeUs(this, ev, 0); atUs !== null; atUs = firingTimeUs(this, ev, ++k)) {
        spikes.push({
          atUs,
          ratePerS: a.ratePerS,
          holdUs: a.durationUs === 0 ? Infinity : a.durationUs,
          rampUs: a.rampUs,
        });
      }
    }
    return spikes;
  }

  /** Node changes, update states and manager-side task states go to the event log when committed; agents log their own. */
  private logStoreEvent(e: StoreEvent): void {
    this.checkers?.store(e, this.control.viewStore());
    if (e.type === "service") {
      const state = e.service.updateState;
      if (state !== null && this.loggedUpdate.get(e.service.name) !== `${e.service.version}:${state}`) {
        this.loggedUpdate.set(e.service.name, `${e.service.version}:${state}`);
        this.recorder.emit({ kind: "service", service: e.service.name, version: e.service.version, update: state });
      }
    }
    if (e.type === "node") {
      const status = e.removed ? "removed" : e.node.status;
      const seen = `${status} ${e.node.availability}`;
      if (this.loggedNode.get(e.node.id) !== seen) {
        this.loggedNode.set(e.node.id, seen);
        this.recorder.emit({ kind: "node", node: e.node.id, status, availability: e.node.availability });
      }
    }
    if (e.type !== "task" || e.removed) return;
    const t = e.task;
    const managerSide = t.state <= TaskState.ASSIGNED || t.nodeId === null || t.state === TaskState.ORPHANED;
    const changed = e.prevState !== t.state || (t.state === TaskState.PENDING && t.reason !== null);
    if (!managerSide || !changed) return;
    this.recorder.emit({ kind: "task", task: t.id, service: t.service, slot: t.slot, node: t.nodeId, state: taskStateName(t.state), reason: t.reason });
  }
}
