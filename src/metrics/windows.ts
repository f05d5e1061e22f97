// Windowed per-service request counters and latency histograms: the source of timeseries.csv
// and of the per-service part of summary.json.
//
// The simulation calls arrive/complete/error as requests happen, and closeWindow every metrics
// interval. Counting rules (repeated on the TimeseriesRow fields in rows.ts):
//   - arrivals: requests that entered the system in the window;
//   - completed: requests answered successfully; latency quantiles cover these only;
//   - errors: ALL failed requests, whatever the cause. timeouts and rejected are subsets of
//     errors by cause, so errors >= timeouts + rejected, and errors - timeouts - rejected counts
//     the other failures (connection failures and the like).
// A request is counted in the window where the event happened: an arrival in one window may
// complete in the next.
//
// Services come out in the order they were registered (a Map iterates in insertion order),
// never in hash or name order.

import { msFromUs, round, secondsFromUs } from "./fmt.js";
import { LatencyHistogram } from "./histogram.js";
import type { LatencySummaryMs, ServiceSummary, SloSummary, TimeseriesRow } from "./rows.js";

/** The cause of a failed request; every kind counts in `errors`. */
export type ErrorKind = "errors" | "timeouts" | "rejected";

/**
 * What the caller knows of a service when a window closes: its task gauges at that moment and
 * its restart, OOM and unhealthy counts over the window (the row's columns of the same names).
 */
export type TaskGauges = Pick<
  TimeseriesRow,
  "tasks_desired" | "tasks_running" | "tasks_starting" | "tasks_pending" | "restarts" | "oom_kills" | "unhealthy"
>;

/** The scenario's SLO (MetricsSpec.slo): latency threshold and percentile in percent (99 = p99). */
export interface SloSpec {
  latencyUs: number;
  percentile: number;
}

/** A service's window as it closes: its row, its latencies (cleared once `seen` returns) and its SLO. */
export interface ClosedWindow {
  row: TimeseriesRow;
  latency: LatencyHistogram;
  slo: SloSpec;
  /** The window's latency at the SLO's percentile (0 when nothing completed). */
  atSloUs: number;
  /** Its completions within the SLO latency. */
  withinSlo: number;
}

/** Whole-run totals of one service, over the windows closed so far. */
export interface ServiceTotals {
  readonly arrivals: number;
  readonly completed: number;
  readonly errors: number;
  readonly timeouts: number;
  readonly rejected: number;
  /** Completions with latency <= the SLO latency. */
  readonly withinSlo: number;
  /** Latencies of all completions. Read it; do not record into it. */
  readonly latency: LatencyHistogram;
}

interface Counters {
  arrivals: number;
  completed: number;
  errors: number;
  timeouts: number;
  rejected: number;
  withinSlo: number;
}

function zeroCounters(): Counters {
  return { arrivals: 0, completed: 0, errors: 0, timeouts: 0, rejected: 0, withinSlo: 0 };
}

/**
 * The recorder of one service, returned by `WindowedSeries.register`. The hot path can hold on
 * to it and skip the by-name lookup of the WindowedSeries methods.
 */
export class ServiceMeter {
  /** @internal */ window: Counters = zeroCounters();
  /** @internal */ readonly windowLatency = new LatencyHistogram();
  /** @internal */ readonly run: Counters = zeroCounters();
  /** @internal */ readonly runLatency = new LatencyHistogram();

  private readonly sloLatencyUs: number;
  /** @internal The quantiles a window's row reads, ascending (p50, p95, p99 and the SLO's), and where each is. */
  readonly quantiles: readonly number[];
  /** @internal */ readonly at: { p50: number; p95: number; p99: number; slo: number };

  /** @internal Use WindowedSeries.register. */
  constructor(
    readonly service: string,
    /** The service's SLO. */
    readonly slo: SloSpec,
  ) {
    this.sloLatencyUs = slo.latencyUs;
    const wanted = { p50: 0.5, p95: 0.95, p99: 0.99, slo: slo.percentile / 100 };
    this.quantiles = [...new Set(Object.values(wanted))].sort((a, b) => a - b);
    this.at = { p50: this.quantiles.indexOf(0.5), p95: this.quantiles.indexOf(0.95), p99: this.quantiles.indexOf(0.99), slo: this.quantiles.indexOf(wanted.slo) };
  }

  arrive(): void {
    this.window.arrivals++;
  }

  complete(latencyUs: number): void {
    this.windowLatency.record(latencyUs);
    this.window.completed++;
    if (latencyUs <= this.sloLatencyUs) this.window.withinSlo++;
  }

  error(kind: ErrorKind): void {
    this.window.errors++;
    if (kind === "timeouts") this.window.timeouts++;
    else if (kind === "rejected") this.window.rejected++;
  }
}

export class WindowedSeries {
  private readonly meters = new Map<string, ServiceMeter>();
  private lastCloseUs = -Infinity;

  constructor(readonly slo: SloSpec) {
    checkSlo(slo);
  }

  /**
   * Adds a service with its SLO (the series' own by default); its rows appear from the next
   * closeWindow on. Registering twice is a bug.
   */
  register(service: string, slo: SloSpec = this.slo): ServiceMeter {
    if (this.meters.has(service)) {
      throw new Error(`WindowedSeries: service "${service}" registered twice`);
    }
    checkSlo(slo);
    const meter = new ServiceMeter(service, slo);
    this.meters.set(service, meter);
    return meter;
  }

  /** Registered services, in registration order. */
  services(): string[] {
    return [...this.meters.keys()];
  }

  arrive(service: string): void {
    this.meter(service).arrive();
  }

  complete(service: string, latencyUs: number): void {
    this.meter(service).complete(latencyUs);
  }

  error(service: string, kind: ErrorKind): void {
    this.meter(service).error(kind);
  }

  /**
   * Ends the current window at sim time `tUs` (its end; rows get t_s = tUs in seconds): returns
   * one row per registered service, in registration order, folds the window into the whole-run
   * totals, and starts an empty window. Call it for the final, possibly partial, window too:
   * totals() only covers closed windows. `seen` gets the rows with their window's latencies
   * before these are cleared.
   */
  closeWindow(tUs: number, gauges: (service: string) => TaskGauges, seen?: (windows: readonly ClosedWindow[]) => void): TimeseriesRow[] {
    if (!(tUs >= this.lastCloseUs)) {
      throw new RangeError(`WindowedSeries.closeWindow: time ${tUs} us is before the last close ${this.lastCloseUs} us`);
    }
    this.lastCloseUs = tUs;
    const tS = secondsFromUs(tUs);
    const windows: ClosedWindow[] = [];
    for (const meter of this.meters.values()) {
      const q = meter.windowLatency.quantilesUs(meter.quantiles);
      windows.push({ row: windowRow(tS, meter, q, gauges(meter.service)), latency: meter.windowLatency, slo: meter.slo, atSloUs: q[meter.at.slo]!, withinSlo: meter.window.withinSlo });
    }
    seen?.(windows);
    for (const meter of this.meters.values()) {
      addCounters(meter.run, meter.window);
      meter.runLatency.merge(meter.windowLatency);
      meter.window = zeroCounters();
      meter.windowLatency.clear();
    }
    return windows.map((w) => w.row);
  }

  /** Whole-run totals over the closed windows. */
  totals(service: string): ServiceTotals {
    const meter = this.meter(service);
    return { ...meter.run, latency: meter.runLatency };
  }

  /** Fraction of completions within the SLO latency, over closed windows; null if none completed. */
  sloAttainment(service: string): number | null {
    const run = this.meter(service).run;
    const ended = run.completed + run.errors;
    return ended === 0 ? null : run.withinSlo / ended;
  }

  /**
   * The whole-run part of summary.json for a service, keys in the README's order; the caller
   * appends `restarts` and `oom_kills`, which the cluster knows.
   */
  serviceSummary(service: string): Pick<ServiceSummary, "arrivals" | "completed" | "errors" | "timeouts" | "rejected" | "latency_ms" | "slo"> {
    const t = this.totals(service);
    return {
      arrivals: t.arrivals,
      completed: t.completed,
      errors: t.errors,
      timeouts: t.timeouts,
      rejected: t.rejected,
      // No completed request, no latency: a 0 would read as fast.
      latency_ms: t.completed === 0 ? null : latencySummaryMs(t.latency),
      slo: sloSummary(t, this.meter(service).slo),
    };
  }

  /** The SLO over the service's requests but `ended` of them, `within` of which were within it. */
  sloWithout(service: string, ended: number, within: number): Pick<SloSummary, "attained" | "met"> {
    const t = this.totals(service);
    return sloOver(t.completed + t.errors - ended, t.withinSlo - within, this.meter(service).slo);
  }

  private meter(service: string): ServiceMeter {
    const meter = this.meters.get(service);
    if (meter === undefined) throw new Error(`WindowedSeries: unknown service "${service}"`);
    return meter;
  }
}

/** mean/p50/p95/p99/max of a histogram in milliseconds (3 decimals); zeros when empty. */
export function latencySummaryMs(histogram: LatencyHistogram): LatencySummaryMs {
  const [p50, p95, p99] = histogram.quantilesUs([0.5, 0.95, 0.99]);
  return {
    mean: msFromUs(histogram.meanUs),
    p50: msFromUs(p50!),
    p95: msFromUs(p95!),
    p99: msFromUs(p99!),
    max: msFromUs(histogram.maxUs),
  };
}

/** A service's row for the window that ends at `tS`; `q` holds the window's meter.quantiles. */
function windowRow(tS: number, meter: ServiceMeter, q: readonly number[], g: TaskGauges): TimeseriesRow {
  const w = meter.window;
  const latency = meter.windowLatency;
  // No latency when nothing completed: an empty cell, not a 0 a plot would draw as fast.
  const none = latency.count === 0;
  return {
    t_s: tS,
    service: meter.service,
    arrivals: w.arrivals,
    completed: w.completed,
    errors: w.errors,
    timeouts: w.timeouts,
    rejected: w.rejected,
    p50_ms: none ? null : msFromUs(q[meter.at.p50]!),
    p95_ms: none ? null : msFromUs(q[meter.at.p95]!),
    p99_ms: none ? null : msFromUs(q[meter.at.p99]!),
    max_ms: none ? null : msFromUs(latency.maxUs),
    tasks_desired: g.tasks_desired,
    tasks_running: g.tasks_running,
    tasks_starting: g.tasks_starting,
    tasks_pending: g.tasks_pending,
    restarts: g.restarts,
    oom_kills: g.oom_kills,
    unhealthy: g.unhealthy,
  };
}

function addCounters(into: Counters, from: Counters): void {
  into.arrivals += from.arrivals;
  into.completed += from.completed;
  into.errors += from.errors;
  into.timeouts += from.timeouts;
  into.rejected += from.rejected;
  into.withinSlo += from.withinSlo;
}

/**
 * The SLO over every request that ended: a failed request misses it (as if its latency were
 * infinite), so a service that fails half its requests cannot meet a p99 target however fast
 * the other half are.
 */
function sloSummary(t: ServiceTotals, slo: SloSpec): SloSummary {
  return { latency_ms: msFromUs(slo.latencyUs), percentile: slo.percentile, ...sloOver(t.completed + t.errors, t.withinSlo, slo) };
}

/**
 * The SLO over `ended` requests of which `within` completed within its latency: the share
 * attained (6 decimals) and whether it was met; both null when none ended.
 */
export function sloOver(ended: number, within: number, slo: SloSpec): Pick<SloSummary, "attained" | "met"> {
  if (ended === 0) return { attained: null, met: null };
  // The exact order statistic of rank r = floor(q (n-1)) (the histogram's rank rule) is within
  // the SLO iff at least r + 1 requests are. Exact counts, so no sketch error at the border.
  const rank = Math.floor((slo.percentile / 100) * (ended - 1));
  return { attained: round(within / ended, 6), met: within >= rank + 1 };
}

function checkSlo(slo: SloSpec): void {
  if (!(slo.latencyUs >= 0) || !(slo.percentile > 0 && slo.percentile <= 100)) {
    throw new RangeError(`WindowedSeries: bad SLO ${JSON.stringify(slo)}`);
  }
}
