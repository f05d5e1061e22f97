import type { EventLog } from "./output.js";
import { LineWriter } from "./file-text.js";
import { nodeRowOf, type FaultSummary, type NetworkRow, type SloSummary, type NodeCells, type NodeRow, type TimeseriesRow } from "./rows.js";
import { EventLines } from "./event-line.js";
import { HeldLines } from "./held-lines.js";
import { FaultWindows } from "./faults.js";
import { WindowedSeries, type ServiceMeter, type SloSpec, type TaskGauges } from "./windows.js";
import { NodeCpuWatch } from "./warnings.js";

/** Incidents counted per service: the last three columns of timeseries.csv, named alike. */
export interface IncidentCounts {
  restarts: number;
  oom_kills: number;
  unhealthy: number;
}

export type Incident = keyof IncidentCounts;

function noIncidents(): IncidentCounts {
  return { restarts: 0, oom_kills: 0, unhealthy: 0 };
}

/**
 * Everything a run observes, in memory until the end, except what streams to the output as it
 * comes: the event log (events.jsonl), nodes.csv's rows (to a sink when one is set, one row per
 * node per window or node interval: the largest output, not kept), and timeseries.csv's and
 * networks.csv's rows (also kept, for the summary). Metrics only observe: nothing here changes
 * what happens in the simulation.
 */
export class Recorder {
  readonly series: WindowedSeries;
  /** timeseries.csv's rows, kept only while no sink takes them (as `nodes`): a run's memory must not grow with its length. */
  readonly timeseries: TimeseriesRow[] = [];
  /** nodes.csv's rows, kept only while no sink takes them. */
  readonly nodes: NodeRow[] = [];
  /** Where nodes.csv's rows go as they are made (an output file); null keeps them in `nodes`. */
  nodeSink: ((rows: readonly NodeCells[]) => void) | null = null;
  /** Every node's CPU, window by window (engine/observe.ts CpuSamples): what the warnings and the terminal summary read. */
  readonly cpu = new NodeCpuWatch();
  /** networks.csv's rows, kept only while no sink takes them. */
  readonly networks: NetworkRow[] = [];
  /** What the summary reads of each service's timeseries rows: the last, and whether one had every desired task running. */
  private readonly serviceEnds = new Map<string, { last: TimeseriesRow; reached: boolean }>();
  /** What the summary reads of each network's rows: the most addresses held at a window's end, and the bytes carried. */
  private readonly networkTotals = new Map<string, { peak: number; bytes: number }>();
  /**
   * Where timeseries.csv's and networks.csv's rows go as windows close (output files, written as
   * the run goes); without one they stay in `timeseries` and `networks`.
   */
  windowSinks: { timeseries: (rows: readonly TimeseriesRow[]) => void; networks: (rows: readonly NetworkRow[]) => void } | null = null;
  /**
   * What failed to get an address, by network, from the `allocation` events: each task, VIP or
   * node endpoint counts once, however often it is logged (a new leader logs it again).
   */
  private readonly allocationFailures = new Map<string, Set<string>>();
  private readonly serviceNames: string[] = [];
  private readonly faults = new FaultWindows(this.serviceNames);
  /** Per service: restarts, OOM kills and unhealthy containers, over the run and in the window. */
  private readonly counts = new Map<string, { run: IncidentCounts; window: IncidentCounts }>();
  /** The lines of the initial deployment's events, held until the scenario's t = 0 is known. */
  private held: HeldLines | null;
  private readonly lines = new EventLines();

  constructor(
    slo: SloSpec,
    private readonly events: EventLog | null,
    private readonly nowUs: () => number,
  ) {
    this.series = new WindowedSeries(slo);
    this.held = events ? heldLinesFor(events) : null;
  }

  /** A service, with its SLO (the scenario's by default). */
  register(service: string, slo: SloSpec = this.series.slo): ServiceMeter {
    this.counts.set(service, { run: noIncidents(), window: noIncidents() });
    this.serviceNames.push(service);
    return this.series.register(service, slo);
  }

  private readonly listeners: ((event: { kind: string } & Record<string, unknown>) => void)[] = [];

  /** Calls `listener` with every event as it is emitted (the live invariant checkers). */
  listen(listener: (event: { kind: string } & Record<string, unknown>) => void): void {
    this.listeners.push(listener);
  }

  /** One line of events.jsonl: `t_s` and `kind` first, then the event's own fields. */
  emit(event: { kind: string } & Record<string, unknown>): void {
    for (const listener of this.listeners) listener(event);
    if (event.kind === "allocation" && typeof event["network"] === "string") {
      const what = String(event["task"] ?? (event["node"] !== undefined ? `node ${String(event["node"])}` : `service ${String(event["service"])}`));
      const set = this.allocationFailures.get(event["network"]) ?? new Set<string>();
      set.add(what);
      this.allocationFailures.set(event["network"], set);
    }
    this.faults.observe(this.nowUs(), event);
    if (!this.events) return;
    if (this.held) {
      this.held.hold(this.nowUs());
      this.lines.writeUntimed(this.held, event);
    } else this.lines.write(this.events, this.nowUs(), event);
  }

  /**
   * The scenario's clock starts: events held since the beginning are written with times
   * relative to it (negative for the initial deployment). `nowUs` reads relative time from now on.
   */
  startClock(originUs: number): void {
    const held = this.held;
    this.held = null;
    // Restarts, OOM kills and unhealthy containers of the deployment are not the scenario's.
    for (const c of this.counts.values()) {
      c.run = noIncidents();
      c.window = noIncidents();
    }
    if (this.events && held) held.replay(this.events, this.lines, originUs);
  }


  /** The fault injected last (`apiFailed`'s handle), or -1 before any. */
  lastFault(): number {
    return this.faults.count - 1;
  }

  /** An API call of fault `fault` (lastFault() when it was made) failed: logged, and its summary says so. */
  apiFailed(fault: number, call: string, error: string): void {
    this.faults.apiFailed(fault, error);
    this.emit({ kind: "api", call, error });
  }

  /** An injection fires; `downs`: the nodes it takes down, when not every node its target names (some were down already). */
  fault(fault: string, target: string | null, downs?: readonly string[]): void {
    this.faults.inject(this.nowUs(), fault, target, downs);
    this.emit({ kind: "fault", fault, target });
  }

  /** One more restart, OOM kill or unhealthy container of a service. */
  count(service: string, what: Incident): void {
    const c = this.counts.get(service);
    if (!c) return;
    c.run[what]++;
    c.window[what]++;
  }

  /** A service's counts over the run so far. */
  incidentsOf(service: string): IncidentCounts {
    return { ...(this.counts.get(service)?.run ?? noIncidents()) };
  }

  /** The window's counts of a service, reset for the next window. */
  takeWindowCounts(service: string): IncidentCounts {
    const c = this.counts.get(service);
    if (!c) return noIncidents();
    const w = c.window;
    c.window = noIncidents();
    return w;
  }

  /** Some of the closing window's nodes.csv rows (a big cluster's come a few hundred at a time). */
  nodeRows(rows: readonly NodeCells[]): void {
    if (this.nodeSink) this.nodeSink(rows);
    else for (const cells of rows) this.nodes.push(nodeRowOf(cells));
  }

  /**
   * Closes a metrics window: its rows, and what the faults before it read from it (faults.ts).
   * The window's nodes.csv rows come first, through nodeRows.
   */
  closeWindow(tUs: number, gauges: (service: string) => TaskGauges, networkRows: NetworkRow[]): void {
    const rows = this.series.closeWindow(tUs, gauges, (windows) => this.faults.closeWindow(tUs, windows));
    for (const r of rows) {
      const end = this.serviceEnds.get(r.service);
      const reached = r.tasks_running >= r.tasks_desired;
      if (end === undefined) this.serviceEnds.set(r.service, { last: r, reached });
      else {
        end.last = r;
        end.reached ||= reached;
      }
    }
    for (const r of networkRows) {
      const t = this.networkTotals.get(r.network);
      if (t === undefined) this.networkTotals.set(r.network, { peak: r.addresses_used, bytes: r.bytes });
      else {
        t.peak = Math.max(t.peak, r.addresses_used);
        t.bytes += r.bytes;
      }
    }
    if (this.windowSinks === null) {
      this.timeseries.push(...rows);
      this.networks.push(...networkRows);
    } else {
      this.windowSinks.timeseries(rows);
      this.windowSinks.networks(networkRows);
    }
  }

  /** A service's last timeseries row (null before its first window), and whether some row had all its desired tasks running. */
  serviceEnd(service: string): { last: TimeseriesRow | null; reached: boolean } {
    return this.serviceEnds.get(service) ?? { last: null, reached: false };
  }

  /** A network's most addresses held at a window's end, and the bytes it carried, over its rows. */
  networkTotal(network: string): { peak: number; bytes: number } {
    return this.networkTotals.get(network) ?? { peak: 0, bytes: 0 };
  }

  /** Failed allocations on a network, the initial deployment's included (a task stuck since then matters). */
  allocationFailuresOf(network: string): number {
    return this.allocationFailures.get(network)?.size ?? 0;
  }

  /**
   * Each service's SLO over its requests outside the faults' disruptions (from a fault to the
   * service's recovery: faults.ts), in registration order; null when the run injected no fault.
   */
  sloOutsideFaults(): Map<string, Pick<SloSummary, "attained" | "met">> | null {
    if (this.faults.count === 0) return null;
    const disrupted = this.faults.disrupted();
    return new Map(this.serviceNames.map((name, i) => [name, this.series.sloWithout(name, disrupted[i]!.ended, disrupted[i]!.within)]));
  }

  /** Each fault: detection, recovery, what it cost (see faults.ts). */
  faultSummaries(): FaultSummary[] {
    return this.faults.summaries();
  }
}

/** The deployment's held lines for `events`: spilled to a file beside it when it is a file, which its writer's close lets go of (held-lines.ts). */
function heldLinesFor(events: EventLog): HeldLines {
  if (!(events instanceof LineWriter)) return new HeldLines();
  const held = new HeldLines(undefined, `${events.filePath}.held`);
  events.alsoClose(() => held.discard());
  return held;
}
