import { Checkers } from "./checkers.js";
import { StoreLog } from "./store-log.js";
import { AgentGauges, AgentTaskCounts, serviceCpu } from "./observe.js";
import { startWorkloads } from "./traffic.js";
import { Simulation, RandomStreams, sampler } from "../kernel/index.js";
import type { Scenario, ServiceSpec } from "../scenario/types.js";
import { nodeName } from "../scenario/index.js";
import { Agent } from "../cluster/agent.js";
import { Host } from "../cluster/host.js";
import { DataPlane, failureDetectionUs, firstProbeUs, GOSSIP_TO_THE_DEAD_US } from "../network/index.js";
import { secondsFromUs } from "../metrics/fmt.js";
import type { Container, DownstreamCall, RequestModel } from "../cluster/container.js";
import { ControlPlane } from "../manager/control-plane.js";
import type { StoreCommand } from "../manager/store.js";
import { builtinStrategies } from "../manager/scheduler/strategies/index.js";
import type { PlacementStrategy } from "../manager/scheduler/strategy.js";
import { Clients, type Flow, type Request } from "../workload/client.js";
import { ServiceCalls } from "../workload/calls.js";
import { Autoscaler } from "../manager/orchestrator/autoscaler.js";
import type { EventLog } from "../metrics/output.js";
import { Recorder } from "../metrics/recorder.js";
import type { ServiceMeter } from "../metrics/windows.js";
import { groupHostSpec, hostSpecs, makeHosts, nodeDescription, nodeRecord } from "./hosts.js";

export interface WorldOptions {
  /** events.jsonl, or null to keep no event log. */
  events: EventLog | null;
  /** Check the invariants live (checkers.ts); default true, off only for benchmarks. */
  checks?: boolean;
  /** Strategies from user modules, by the name the scenario uses. */
  strategies?: ReadonlyMap<string, PlacementStrategy>;
  /** Let the leader hold steady nodes' heartbeats in aggregate (manager/quiet-sessions.ts; RunOptions' default is true). */
  quietSessions: boolean;
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
  /** What the run found as it went that a user should read: summary.json's notes and the terminal's, after the scenario's own. */
  readonly runNotes: string[] = [];
  /** What runNotes already says, so that a repeated event says it once. */
  readonly runNoteKeys = new Set<string>();
  readonly control: ControlPlane;
  readonly recorder: Recorder;
  /** The agents' tasks per service, running and before running, counted as they change (metrics). */
  readonly agentTasks = new AgentTaskCounts();
  readonly agentGauges = new AgentGauges();
  /** The live invariant checkers, or null when a benchmark turned them off. */
  readonly checkers: Checkers | null;
  readonly meters: ServiceMeter[];
  private readonly serviceIndexes: Map<string, number>;
  /** Hosts that are up: the ingress network's gossip peers and memberlist's cluster. */
  private liveHosts = 0;
  /**
   * Each crashed host's last crash: how long after it memberlist declares the host dead, and
   * whether memberlist still counts the host among its members though it is down.
   */
  private readonly suspicions = new Map<Host<Request>, Suspicion>();
  /** Crashed hosts memberlist still counts: suspect, or declared dead and not yet reaped. */
  private downMembers = 0;
  readonly clients: Clients;
  readonly calls: ServiceCalls;
  readonly flows: Flow[] = [];
  originUs = 0;
  /**
   * Per service spec, the sampler of a request's work and the calls a request makes, shared by
   * the spec's containers: the sampler draws from the service's stream whoever holds it, and a
   * sampler and a list per container were a twentieth of an idle task's memory. Keyed by the
   * spec object, which the store, the assignments and the agents pass by reference (one per
   * service and rolling update).
   */
  private readonly perSpec = new Map<ServiceSpec, RequestModel<Request>>();

  constructor(
    readonly scenario: Scenario,
    opts: WorldOptions,
  ) {
    this.rng = new RandomStreams(scenario.seed);
    this.serviceIndexes = new Map(scenario.services.map((s, i) => [s.name, i]));
    this.net = new DataPlane(this.sim, scenario, this.rng, () => this.liveHosts, () => this.members(), () => this.hosts);
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
    ];
    const storeLog = new StoreLog((e) => this.recorder.emit(e));
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
      observe: (e, store) => {
        this.checkers?.store(e, store);
        storeLog.observe(e);
      },
      emit: (e) => this.recorder.emit(e),
      quietSessions: opts.quietSessions,
    });
    const managerNames = this.control.managers.map((m) => m.name);
    for (const h of this.hosts) h.agent = this.makeAgent(h, managerNames);
  }

  serviceIndex(name: string): number {
    return this.serviceIndexes.get(name) ?? -1;
  }

  private requestsOf(spec: ServiceSpec): RequestModel<Request> {
    let r = this.perSpec.get(spec);
    if (!r) {
      const calls = spec.request.calls.flatMap((c) =>
        new Array<DownstreamCall>(c.count).fill({ service: this.serviceIndex(c.service), timeoutUs: c.timeoutUs, dnsCacheUs: c.dnsCacheUs }));
      r = { work: sampler(spec.request.cpu, this.rng.stream(`service/${spec.name}/work`)), calls, callbacks: this.clients, downstream: this.calls };
      this.perSpec.set(spec, r);
    }
    return r;
  }

  private makeAgent(host: Host<Request>, managers: string[]): Agent<Request> {
    return new Agent<Request>(host.name, host.index, {
      sim: this.sim,
      cpu: host.cpu,
      rng: this.rng.stream(`agent/${host.name}`),
      managers,
      description: nodeDescription(host),
      send: (manager, msg, bytes) => this.control.fromAgent(host, manager, msg, bytes),
      parking: this.control,
      sessionRandom: lazyStream(() => this.rng.stream(`session/${host.name}`)),
      countTask: (service, from, to) => this.agentTasks.count(service, from, to),
      changed: () => this.agentGauges.mark(host.index),
      joinLoadBalancer: (c) => this.joinLoadBalancer(c, host),
      leaveLoadBalancer: (c, crashed) => this.leaveLoadBalancer(c, host, crashed),
      requestsOf: (spec) => this.requestsOf(spec),
      pullImage: (image, done) => this.net.images.ensure(host, image.name, image.sizeBytes, done),
      memoryBytes: host.spec.memoryBytes,
      onOom: (service) => this.recorder.count(service, "oom_kills"),
      onUnhealthy: (service) => this.recorder.count(service, "unhealthy"),
      emit: (e) => this.recorder.emit(e),
    });
  }

  /** Boots the managers (`docker swarm init` and the managers' joins): they start ticking and elect a leader. */
  boot(): void {
    this.control.start();
  }

  /**
   * Every node joins (`docker swarm join`): its agent opens a session. Run calls it once there is
   * a leader, as a cluster is formed: workers started before any leader would only fail their
   * sessions and back off (cluster/session.ts).
   */
  joinNodes(): void {
    for (const h of this.hosts) if (h.up) h.agent?.start();
  }

  /**
   * The host crashes: its containers die, its manager (if any) stops, it neither sends nor
   * receives. `crashingWith`: hosts still up that crash with it in this instant (a zone's, one
   * after another), which will probe nobody.
   */
  crashHost(host: Host<Request>, crashingWith = 0): void {
    if (!host.up) return;
    host.up = false;
    this.liveHosts--;
    this.hostsChanged(host);
    this.suspect(host, this.liveHosts - crashingWith);
    host.agent?.crash();
    this.net.hostDown(host);
    const m = this.control.manager(host.name);
    if (m) {
      m.crash();
      this.control.elections.crashed(host.name);
    }
  }

  /**
   * memberlist, the data plane's failure detector (not Swarm's heartbeats), declares the crashed
   * host dead after its probes and suspicion time, which grow with the log of the number of its
   * members (its estNumNodes: every node in its list, suspect and dead ones until it reaps them,
   * GOSSIP_TO_THE_DEAD_US after the verdict), this one among them, once a live member has first
   * probed it (`probed_s` in its event). Only then do the other nodes
   * drop its backends from their tables, as the news spreads (routing.ts, which takes this
   * delay). Said in the event log; not said when the host is back first.
   */
  private suspect(host: Host<Request>, probers: number): void {
    this.downMembers++;
    // When the first of the live members that outlast this instant probes it is drawn (gossip.ts),
    // from a stream of its own: the other draws of a run do not move.
    const probeUs = firstProbeUs(probers, this.members(), this.rng.stream("network/memberlist").next());
    const suspicion: Suspicion = { afterUs: failureDetectionUs(this.members(), probeUs), counted: true };
    this.suspicions.set(host, suspicion);
    this.sim.at(this.sim.now() + suspicion.afterUs, () => {
      if (!suspicion.counted) return; // the host came back first (and may have crashed again since)
      this.recorder.emit({ kind: "memberlist", node: host.name, state: "dead", after_s: secondsFromUs(suspicion.afterUs), probed_s: secondsFromUs(probeUs) });
      this.sim.after(GOSSIP_TO_THE_DEAD_US, () => this.uncount(suspicion));
    });
  }

  /** Hosts in memberlist's list: the live ones and the crashed ones not yet reaped. */
  private members(): number {
    return this.liveHosts + this.downMembers;
  }

  /** The crashed host leaves memberlist's count: reaped, or alive again (counted among the live hosts). */
  private uncount(suspicion: Suspicion): void {
    if (!suspicion.counted) return;
    suspicion.counted = false;
    this.downMembers--;
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
      this.hostsChanged(host);
    }
    return added;
  }

  /** A host came up, went down, joined or left: the external load balancers see it (or their probes do). */
  private hostsChanged(host: Host<Request>): void {
    for (const f of this.flows) f.entry.hostsChanged(host);
  }

  /**
   * A task of service `service` bound or freed its host-mode port on `host`: the balancers'
   * probes of that port see it (a balancer without health checks looks only at the task then).
   */
  private hostPortChanged(service: number, host: Host<Request>): void {
    for (const f of this.flows) if (f.serviceIndex === service) f.entry.probeChanged(host);
  }

  /** The container serves: it joins its service's load balancers, and binds its host-mode port. */
  private joinLoadBalancer(c: Container<Request>, host: Host<Request>): void {
    const service = this.serviceIndex(c.spec.name);
    const hostMode = c.spec.ports.some((p) => p.mode === "host");
    this.net.routing.join(c, service, hostMode);
    if (hostMode) this.hostPortChanged(service, host);
  }

  private leaveLoadBalancer(c: Container<Request>, host: Host<Request>, crashed: boolean): void {
    const service = this.serviceIndex(c.spec.name);
    this.net.routing.leave(c, service, crashed ? this.suspicions.get(host)!.afterUs : null);
    if (c.spec.ports.some((p) => p.mode === "host")) this.hostPortChanged(service, host);
  }

  /** The host is back: its manager restarts from its disk and its agent opens a new session. */
  recoverHost(host: Host<Request>): void {
    if (host.up || host.removed) return; // a node removed while down stays gone (removeNodes)
    host.up = true;
    this.liveHosts++;
    const suspicion = this.suspicions.get(host);
    if (suspicion) this.uncount(suspicion); // it answers memberlist's probes again
    this.hostsChanged(host);
    this.control.manager(host.name)?.restart();
    host.agent?.start();
  }

  /** Starts every workload's arrivals from now, with its load spikes (traffic.ts). */
  startTraffic(): void {
    for (const flow of startWorkloads(this)) this.flows.push(flow);
  }

  /** Starts the autoscaler of every service that has one. */
  startAutoscalers(): void {
    for (const spec of this.scenario.services) {
      if (!spec.autoscale) continue;
      new Autoscaler({
        sim: this.sim,
        service: spec.name,
        spec: spec.autoscale,
        sampleCpu: () => serviceCpu(this, spec.name),
        replicas: () => this.control.viewStore().services.get(spec.name)?.replicas ?? null,
        scale: (replicas) => this.control.submit([{ type: "UpdateService", name: spec.name, replicas }]),
        emit: (e) => this.recorder.emit(e),
      }).start();
    }
  }

  /** Every spec a service will have: the file's, then each rolling update's. */
  specsOf(service: string): ServiceSpec[] {
    const specs = this.scenario.services.filter((s) => s.name === service);
    for (const ev of this.scenario.events) if (ev.action.type === "rollingUpdate" && ev.action.service === service) specs.push(ev.action.spec);
    return specs;
  }


}

/** A stream's draws, the stream made at the first (most sessions never fail, and a stream is memory per node). */
function lazyStream(make: () => { next(): number }): () => number {
  let stream: { next(): number } | null = null;
  return () => (stream ??= make()).next();
}

/** memberlist's view of one crash of a host. */
interface Suspicion {
  /** From the crash to memberlist's verdict. */
  afterUs: number;
  /** Still one of memberlist's members though down: until reaped, or back. */
  counted: boolean;
}
