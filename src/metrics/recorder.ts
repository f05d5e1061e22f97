import type { LineWriter } from "./output.js";
import type { FaultSummary, NetworkRow, NodeRow, TimeseriesRow } from "./rows.js";
import { secondsFromUs } from "./fmt.js";
import { WindowedSeries, type ServiceMeter, type SloSpec, type TaskGauges } from "./windows.js";

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

/** A fault injected by the scenario, and when the cluster was healthy again. */
interface FaultRecord {
  atUs: number;
  fault: string;
  target: string | null;
}

/**
 * Everything a run observes, in memory until the end except the event log, which streams to
 * events.jsonl. Metrics only observe: nothing here changes what happens in the simulation.
 */
export class Recorder {
  readonly series: WindowedSeries;
  readonly timeseries: TimeseriesRow[] = [];
  readonly nodes: NodeRow[] = [];
  readonly networks: NetworkRow[] = [];
  /**
   * What failed to get an address, by network, from the `allocation` events: each task, VIP or
   * node endpoint counts once, however often it is logged (a new leader logs it again).
   */
  private readonly allocationFailures = new Map<string, Set<string>>();
  private readonly faults: FaultRecord[] = [];
  /** Each closed window's end and whether the cluster was healthy in it. */
  private readonly health: { endUs: number; healthy: boolean }[] = [];
  /** Per service: restarts, OOM kills and unhealthy containers, over the run and in the window. */
  private readonly counts = new Map<string, { run: IncidentCounts; window: IncidentCounts }>();
  /** Events of the initial deployment, held until the scenario's t = 0 is known. */
  private held: { tUs: number; event: object }[] | null = [];

  constructor(
    slo: SloSpec,
    private readonly events: LineWriter | null,
    private readonly nowUs: () => number,
  ) {
    this.series = new WindowedSeries(slo);
  }

  register(service: string): ServiceMeter {
    this.counts.set(service, { run: noIncidents(), window: noIncidents() });
    return this.series.register(service);
  }

  /** One line of events.jsonl: `t_s` and `kind` first, then the event's own fields. */
  emit(event: { kind: string } & Record<string, unknown>): void {
    if (event.kind === "allocation" && typeof event["network"] === "string") {
      const what = String(event["task"] ?? (event["node"] !== undefined ? `node ${String(event["node"])}` : `service ${String(event["service"])}`));
      const set = this.allocationFailures.get(event["network"]) ?? new Set<string>();
      set.add(what);
      this.allocationFailures.set(event["network"], set);
    }
    if (!this.events) return;
    if (this.held) this.held.push({ tUs: this.nowUs(), event });
    else this.events.write(JSON.stringify({ t_s: secondsFromUs(this.nowUs()), ...event }));
  }

  /**
   * The scenario's clock starts: events held since the beginning are written with times
   * relative to it (negative for the initial deployment). `nowUs` reads relative time from now on.
   */
  startClock(originUs: number): void {
    const held = this.held ?? [];
    this.held = null;
    // Restarts, OOM kills and unhealthy containers of the deployment are not the scenario's.
    for (const c of this.counts.values()) {
      c.run = noIncidents();
      c.window = noIncidents();
    }
    for (const h of held) this.events?.write(JSON.stringify({ t_s: secondsFromUs(h.tUs - originUs), ...h.event }));
  }


  fault(fault: string, target: string | null): void {
    this.faults.push({ atUs: this.nowUs(), fault, target });
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

  /**
   * Closes a metrics window. A window is healthy when the swarm has a leader, no request failed
   * and every service's SLO percentile is within the SLO latency: what users and operators see
   * (a replacement still starting while the others carry the load is not a symptom).
   */
  closeWindow(tUs: number, gauges: (service: string) => TaskGauges, nodeRows: NodeRow[], networkRows: NetworkRow[], hasLeader: boolean): void {
    const rows = this.series.closeWindow(tUs, gauges);
    this.timeseries.push(...rows);
    this.nodes.push(...nodeRows);
    this.networks.push(...networkRows);
    const sloMs = this.series.slo.latencyUs / 1000;
    const healthy = hasLeader && rows.every(
      (r) => r.errors === 0 && percentileMs(r, this.series.slo.percentile) <= sloMs,
    );
    this.health.push({ endUs: tUs, healthy });
  }

  /** Failed allocations on a network, the initial deployment's included (a task stuck since then matters). */
  allocationFailuresOf(network: string): number {
    return this.allocationFailures.get(network)?.size ?? 0;
  }

  /**
   * Each fault with the time until the cluster was healthy for good: the end of the last
   * unhealthy window before the next fault (0 if there was none: absorbed), or null if the
   * cluster was still unhealthy when the next fault came or the run ended.
   */
  faultSummaries(): FaultSummary[] {
    return this.faults.map((f) => {
      const nextUs = this.faults.find((g) => g.atUs > f.atUs)?.atUs ?? Infinity;
      const windows = this.health.filter((w) => w.endUs > f.atUs && w.endUs - 1 < nextUs);
      const lastBad = windows.reduce<number | null>((last, w, i) => (w.healthy ? last : i), null);
      let recoveredUs: number | null = 0;
      if (lastBad !== null) recoveredUs = lastBad === windows.length - 1 ? null : windows[lastBad]!.endUs - f.atUs;
      return { t_s: secondsFromUs(f.atUs), fault: f.fault, target: f.target, recovered_s: recoveredUs === null ? null : secondsFromUs(Math.max(0, recoveredUs)) };
    });
  }
}

/** The window's latency at the SLO percentile, from the quantiles the row carries. */
function percentileMs(r: TimeseriesRow, percentile: number): number {
  if (percentile <= 50) return r.p50_ms;
  if (percentile <= 95) return r.p95_ms;
  if (percentile <= 99) return r.p99_ms;
  return r.max_ms;
}
