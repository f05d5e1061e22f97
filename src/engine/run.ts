import type { Scenario } from "../scenario/types.js";
import { formatDurationUs } from "../scenario/index.js";
import { TaskState, isTerminal } from "../api/task-state.js";
import type { EventLog, OutputDir } from "../metrics/output.js";
import { ELECTION_COLUMNS, NETWORK_COLUMNS, NODE_COLUMNS, TIMESERIES_COLUMNS, networkCells, timeseriesCells, type NetworkSummary, type Summary } from "../metrics/rows.js";
import { secondsFromUs } from "../metrics/fmt.js";
import type { PlacementStrategy } from "../manager/scheduler/strategy.js";
import { API_TIMEOUT_US } from "../manager/control-plane.js";
import { World } from "./world.js";
import { scheduleInjections } from "./injections.js";
import { CpuSamples, networkRows, nodeRows, taskGauges } from "./observe.js";
import { scenarioWarnings, unsimulatedFields } from "./unsupported.js";

/** The initial deployment may take at most this long before the scenario's clock starts anyway. */
const DEPLOY_LIMIT_US = 3_600_000_000;
const DEPLOY_STEP_US = 100_000;
/** The services are created once every node is READY, or after this long since the nodes joined. */
const READY_WAIT_US = 300_000_000;
/** The most events one advance() runs while deploying. */
const DEPLOY_SLICE_EVENTS = 10_000;

export interface RunOptions {
  out: OutputDir | null;
  /** Where events.jsonl lines go when there is no output directory (tests). */
  events?: EventLog;
  strategies?: ReadonlyMap<string, PlacementStrategy>;
  /** Check the invariants live (engine/checkers.ts); default true, off only for benchmarks. */
  checks?: boolean;
  /** Hold steady nodes' heartbeats in aggregate (manager/quiet-sessions.ts); default true. The outputs are the same either way (summary.json's `events` aside). */
  quietSessions?: boolean;
  /**
   * Make nodes.csv's rows; default true. A sweep reads only the summary, and without an output
   * directory the rows are kept in memory: 7.2 million of them per simulated hour of 20,000
   * workers. The summary and the CPU warnings are the same either way.
   */
  nodeRows?: boolean;
  /**
   * Keep timeseries.csv's and networks.csv's rows in memory when there is no output directory;
   * default true (tests read them). A sweep's run reads only the summary, which needs none.
   */
  windowRows?: boolean;
}

export interface RunResult {
  summary: Summary;
  /** How long the initial deployment took (simulated), before the scenario's t = 0. */
  deployUs: number;
  events: number;
}

/**
 * One run of a scenario. The services are first deployed on the empty cluster (through the real
 * control plane, so placement and start-up are the model's); the scenario's clock starts when
 * every task runs or is stuck PENDING, and traffic, injections and metrics windows are timed
 * from there. Events of the deployment appear in events.jsonl with negative times.
 * The caller drives it with advance() so that it can show progress and handle signals between slices.
 */
export class Run {
  readonly world: World;
  readonly notes: string[];
  private endUs = 0;
  private lastWindowUs = 0;
  /** The end of the last nodes.csv rows (metrics.nodeInterval: every few windows). */
  private lastNodeRowsUs = 0;
  private readonly cpuSamples = new CpuSamples();
  private phase: "new" | "deploying" | "running" = "new";
  /** deployedShare as last computed with a leader. */
  private shareSeen = 0;
  /** The end of the deployment step under way, kept across slices so that a step's end never moves. */
  private deployStepEndUs: number | null = null;
  /** When the nodes joined (-1: not yet), and when the services were last asked for (see formed). */
  private joinedUs = -1;
  private createdUs = -Infinity;

  constructor(
    readonly scenario: Scenario,
    private readonly opts: RunOptions,
  ) {
    const events = opts.out?.lineWriter("events.jsonl") ?? opts.events ?? null;
    this.world = new World(scenario, { events, strategies: opts.strategies, checks: opts.checks !== false, quietSessions: opts.quietSessions !== false });
    // One row per node per window (or metrics.nodeInterval): written as they come, never all held at once.
    if (opts.out && opts.nodeRows === false) throw new Error("Run: an output directory gets nodes.csv, so it needs nodeRows");
    if (opts.out) {
      const r = this.world.recorder;
      r.nodeSink = opts.out.csvWriter("nodes.csv", NODE_COLUMNS);
      const timeseries = opts.out.csvWriter("timeseries.csv", TIMESERIES_COLUMNS);
      const networks = opts.out.csvWriter("networks.csv", NETWORK_COLUMNS);
      r.windowSinks = { timeseries: (rows) => timeseries(rows.map(timeseriesCells)), networks: (rows) => networks(rows.map(networkCells)) };
    } else if (opts.windowRows === false) {
      this.world.recorder.windowSinks = { timeseries: () => undefined, networks: () => undefined };
    }
    this.notes = [...scenario.notes, ...unsimulatedFields(scenario).map((f) => `not simulated: ${f}`), ...scenarioWarnings(scenario)];
  }

  /**
   * Deploys in steps of DEPLOY_STEP_US until deployed (or DEPLOY_LIMIT_US), at most `maxEvents`
   * events per call so that the CLI can show progress and act on signals during a long
   * deployment; true when deployed. Slicing changes nothing: a step cut by the budget resumes
   * to the same end.
   */
  private deploy(maxEvents: number): boolean {
    const sim = this.world.sim;
    const budgetEnd = sim.eventsProcessed + maxEvents;
    for (;;) {
      if (this.deployStepEndUs === null) {
        if (this.formed()) return true;
        if (sim.now() >= DEPLOY_LIMIT_US) {
          this.world.runNotes.push(this.gaveUp());
          return true;
        }
        this.deployStepEndUs = sim.now() + DEPLOY_STEP_US;
      }
      if (sim.run({ untilUs: this.deployStepEndUs, maxEvents: Math.max(0, budgetEnd - sim.eventsProcessed) }) === "budget") return false;
      this.deployStepEndUs = null;
    }
  }

  /** Arms traffic, injections and windows once deployed: the run's t = 0. */
  private start(): void {
    const w = this.world;
    w.originUs = w.sim.now();
    w.recorder.startClock(w.originUs);
    this.endUs = w.originUs + this.scenario.durationUs;
    this.lastWindowUs = w.originUs;
    this.lastNodeRowsUs = w.originUs;
    // The first window starts at t = 0: what the deployment used is not counted in it.
    w.control.settleQuietSessions();
    for (const h of w.hosts) {
      h.cpu.takeBusyCoreUs();
      w.net.fabric.takeHostBytes(h);
    }
    w.net.takeOverlayBytes();
    w.startTraffic();
    w.startAutoscalers();
    scheduleInjections(w);
    this.armWindow();
    this.phase = "running";
  }

  /** Runs up to `maxEvents` more events (at most DEPLOY_SLICE_EVENTS while deploying); true when the run has reached its end. */
  advance(maxEvents: number): boolean {
    if (this.phase === "new") {
      this.world.boot();
      this.phase = "deploying";
    }
    if (this.phase === "deploying") {
      // Some deployment events take milliseconds (a scheduling batch of thousands of tasks): a
      // smaller budget keeps a caller that yields between calls responsive (progress, Ctrl-C).
      if (!this.deploy(Math.min(maxEvents, DEPLOY_SLICE_EVENTS))) return false;
      this.start();
      // The slice ends at t = 0, so that the caller can tell the deployment's wall time from the
      // run's (perf.json's deploy_wall_s); slicing changes nothing else.
      return false;
    }
    const outcome = this.world.sim.run({ untilUs: this.endUs, maxEvents });
    return outcome !== "budget";
  }

  /** Whether the initial deployment is still under way (progress then counts its simulated time). */
  get deploying(): boolean {
    return this.phase !== "running";
  }

  /**
   * While deploying, how far it has come, for progress display: the mean of four shares that
   * fill one after the other, as the managers see them: nodes READY, and of the tasks that will
   * run (the replicated services' replicas, one per node for a global one) those created,
   * assigned to a node, and running. Tasks running alone stays near 0 through most of a large
   * deployment (registration, Raft and allocation come first), and gave no time left. Without a
   * leader nothing is decided: the share stays where it was (0 before the first election); it
   * never goes back.
   */
  get deployedShare(): number {
    const w = this.world;
    const leader = w.control.leader();
    if (leader === null) return this.shareSeen;
    const store = leader.store;
    const up = w.hosts.filter((h) => h.up);
    const ready = up.filter((h) => store.nodes.get(h.name)?.status === "ready").length;
    // A global service wants a task per eligible node: as many as the orchestrator has created.
    const global = new Set(this.scenario.services.filter((s) => s.mode === "global").map((s) => s.name));
    let wanted = this.scenario.services.reduce((n, s) => n + (s.mode === "replicated" ? s.replicas : 0), 0);
    let created = 0;
    let assigned = 0;
    let running = 0;
    for (const t of store.tasks.values()) {
      if (t.desiredState > TaskState.RUNNING) continue;
      created++;
      if (global.has(t.service)) wanted++;
      if (t.nodeId !== null) assigned++;
      if (t.state === TaskState.RUNNING) running++;
    }
    const share = (n: number, of: number): number => (of === 0 ? 1 : Math.min(1, n / of));
    const now = (share(ready, up.length) + share(created, wanted) + share(assigned, wanted) + share(running, wanted)) / 4;
    // A new leader marks every node unknown until it hears from it: the line does not go back.
    this.shareSeen = Math.max(this.shareSeen, now);
    return this.shareSeen;
  }

  /** Fraction of simulated time done, for progress display (0 while deploying). */
  get progress(): number {
    const w = this.world;
    if (this.phase !== "running") return 0;
    return this.scenario.durationUs === 0 ? 1 : Math.min(1, (w.sim.now() - w.originUs) / this.scenario.durationUs);
  }

  /** Closes the last window, writes every output file (not committed) and returns the summary. */
  finish(): RunResult {
    const w = this.world;
    if (this.lastWindowUs < this.endUs) this.closeWindow();
    const summary = this.summary();
    const out = this.opts.out;
    if (out) {
      out.writeCsv("elections.csv", ELECTION_COLUMNS, w.control.elections.relativeRows(w.originUs));
      out.writeJson("summary.json", summary);
    }
    return { summary, deployUs: w.originUs, events: w.sim.eventsProcessed };
  }

  /**
   * The cluster is formed as its operators form one, a step at a time, each once the one before
   * has taken (checked at each deployment step): the managers elect a leader, every node joins,
   * and once every node is READY the services are created through the API (`docker stack
   * deploy` on a formed swarm). True once that deployment is over. A creation lost with its
   * leader is asked again after the API's timeout; a node not READY READY_WAIT_US after the
   * joins is no longer waited for.
   */
  private formed(): boolean {
    const leader = this.world.control.leader();
    if (leader === null || !leader.settled) return false;
    if (this.joinedUs < 0) {
      this.world.joinNodes();
      this.joinedUs = this.world.sim.now();
      return false;
    }
    // The services are created once; a creation lost with its leader is asked again, as an
    // operator runs `docker stack deploy` again, once the API's timeout has passed.
    // After READY_WAIT_US a node that is still not READY is deployed around, not waited for.
    const store = this.world.control.viewStore();
    const now = this.world.sim.now();
    const waited = now - this.joinedUs >= READY_WAIT_US;
    const missing = this.scenario.services.filter((spec) => !store.services.has(spec.name));
    if (missing.length > 0) {
      if (!this.nodesReady() && !waited) return false;
      if (now - this.createdUs < API_TIMEOUT_US) return false;
      if (this.world.control.submit(missing.map((spec) => ({ type: "CreateService" as const, spec, replicas: spec.replicas })))) this.createdUs = now;
      return false;
    }
    return this.deployed(!waited);
  }

  /** A settled leader knows every live node READY. */
  private nodesReady(): boolean {
    const leader = this.world.control.leader();
    if (leader === null || !leader.settled) return false;
    const store = this.world.control.viewStore();
    for (const h of this.world.hosts) if (h.up && store.nodes.get(h.name)?.status !== "ready") return false;
    return true;
  }

  /**
   * A leader runs the control loops with nothing due or uncommitted, every live node has
   * registered (unless `allReady` is false), every task runs or is stuck, and the tables have settled. (A task PENDING for
   * want of a node is stuck only if no batch is due: the nodes that would fit it may have just
   * registered.)
   */
  private deployed(allReady = true): boolean {
    if (allReady && !this.nodesReady()) return false;
    if (this.world.net.routing.settledUs > this.world.sim.now()) return false;
    const { tasks, unsettled } = this.taskSettling(true);
    return unsettled.size === 0 && tasks >= this.scenario.services.reduce((n, s) => n + (s.mode === "replicated" ? s.replicas : 0), 0);
  }

  /**
   * The leader's tasks that should run, and the services of those not settled: a task is settled
   * when it runs, has stopped for good (its restart policy gave up), or is stuck (no node fits
   * it, or its subnet is full). `first`: stop at the first unsettled one.
   */
  private taskSettling(first: boolean): { tasks: number; unsettled: Set<string> } {
    const allocator = this.world.control.leader()?.roles?.allocator;
    const unsettled = new Set<string>();
    let tasks = 0;
    for (const t of this.world.control.viewStore().tasks.values()) {
      if (t.desiredState > TaskState.RUNNING) continue;
      tasks++;
      if (t.state === TaskState.RUNNING || isTerminal(t.state)) continue;
      if (t.state === TaskState.PENDING && t.reason !== null) continue;
      if (t.state === TaskState.NEW && allocator?.failed(t.id, t.service)) continue;
      unsettled.add(t.service);
      if (first) break;
    }
    return { tasks, unsettled };
  }

  /** What the deployment left unsettled when it gave up (walkthrough: a crash-looping service ran a whole hour of it, unsaid). */
  private gaveUp(): string {
    const leader = this.world.control.leader();
    const unsettled = leader === null ? new Set<string>() : this.taskSettling(false).unsettled;
    const what = leader === null ? "without a leader" : unsettled.size > 0 ? `with ${[...unsettled].join(", ")} still starting or restarting (a crash-looping service never settles)` : "before the managers and the load balancers settled";
    return `the initial deployment gave up after ${formatDurationUs(DEPLOY_LIMIT_US)} of simulated time, ${what}: t = 0 starts there, with the cluster as it was`;
  }

  private armWindow(): void {
    const next = Math.min(this.lastWindowUs + this.scenario.metrics.intervalUs, this.endUs);
    if (next <= this.lastWindowUs) return;
    // Last in its instant, before the faults of that instant (injections.ts, strikeAt): the window
    // counts everything that happened up to and at its end, and a fault at its end starts the next.
    this.world.sim.lastAt(next, () => {
      this.closeWindow();
      this.armWindow();
    });
  }

  private closeWindow(): void {
    const w = this.world;
    const now = w.sim.now();
    const windowUs = now - this.lastWindowUs;
    this.lastWindowUs = now;
    const tS = secondsFromUs(now - w.originUs);
    const gauges = taskGauges(w);
    this.cpuSamples.sample(w, tS, windowUs, w.recorder.cpu);
    if (this.opts.nodeRows !== false && (now - this.lastNodeRowsUs >= this.scenario.metrics.nodeIntervalUs || now === this.endUs)) {
      // Held heartbeats put their bytes on the NICs' counts only when computed.
      w.control.settleQuietSessions();
      nodeRows(w, tS, now - this.lastNodeRowsUs, this.cpuSamples, (rows) => w.recorder.nodeRows(rows));
      this.lastNodeRowsUs = now;
    }
    w.recorder.closeWindow(now - w.originUs, gauges, networkRows(w, tS));
  }

  private networkSummaries(): Record<string, NetworkSummary> {
    const w = this.world;
    const out: Record<string, NetworkSummary> = {};
    for (const n of w.net.overlays) {
      const totals = w.recorder.networkTotal(n.name);
      out[n.name] = {
        vni: n.vni,
        subnet: n.subnetText,
        mtu: n.innerMtuBytes,
        encrypted: n.encrypted,
        addresses_usable: n.usableAddresses,
        addresses_peak: totals.peak,
        allocation_failures: w.recorder.allocationFailuresOf(n.name),
        bytes: totals.bytes,
      };
    }
    return out;
  }

  private summary(): Summary {
    const w = this.world;
    const services: Summary["services"] = {};
    const outside = w.recorder.sloOutsideFaults();
    for (const s of this.scenario.services) {
      const { last: end, reached } = w.recorder.serviceEnd(s.name);
      const base = w.recorder.series.serviceSummary(s.name);
      const o = outside?.get(s.name);
      w.checkers?.requests(s.name, base.arrivals, base.completed, base.errors);
      services[s.name] = {
        ...base,
        // Not judged (met null) when the service never ran all its desired tasks.
        slo: { ...base.slo, met: reached ? base.slo.met : null, ...(o && { outside_faults: { attained: o.attained, met: reached ? o.met : null } }) },
        ...w.recorder.incidentsOf(s.name),
        tasks_desired: end?.tasks_desired ?? 0,
        tasks_running: end?.tasks_running ?? 0,
        tasks_starting: end?.tasks_starting ?? 0,
        tasks_pending: end?.tasks_pending ?? 0,
        desired_reached: reached,
      };
    }
    return {
      scenario: this.scenario.name,
      description: this.scenario.description,
      seed: this.scenario.seed,
      overrides: this.scenario.overrides ?? [],
      duration_s: secondsFromUs(this.scenario.durationUs),
      events: w.sim.eventsProcessed,
      services,
      elections: w.control.elections.rows.length,
      faults: w.recorder.faultSummaries(),
      networks: this.networkSummaries(),
      notes: [`initial deployment took ${secondsFromUs(w.originUs)} s of simulated time before t = 0`, ...this.notes, ...w.runNotes],
    };
  }
}
