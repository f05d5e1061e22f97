import { describe, expect, it } from "vitest";
import type { TaskGauges } from "../../src/metrics/windows.js";
import { WindowedSeries, latencySummaryMs } from "../../src/metrics/windows.js";
import { LatencyHistogram } from "../../src/metrics/histogram.js";

const gauges: Record<string, TaskGauges> = {
  web: { tasks_desired: 3, tasks_running: 2, tasks_starting: 1, tasks_pending: 0, restarts: 1, oom_kills: 0, unhealthy: 2 },
  api: { tasks_desired: 2, tasks_running: 2, tasks_starting: 0, tasks_pending: 0, restarts: 0, oom_kills: 3, unhealthy: 0 },
};
const gaugesOf = (service: string): TaskGauges => {
  const g = gauges[service];
  if (g === undefined) throw new Error(service);
  return g;
};

// A window that completed nothing has no latency: empty cells, not 0.
const emptyLatency = { p50_ms: null, p95_ms: null, p99_ms: null, max_ms: null };
const QUANTILE_FIELDS = new Set(["p50_ms", "p95_ms", "p99_ms", "p50", "p95", "p99"]);

/** Deep equality, except that quantile fields may differ by the sketch's 0.5% (plus 1 us of rounding). */
function expectClose(actual: unknown, expected: unknown, where = "value"): void {
  if (typeof expected === "object" && expected !== null && typeof actual === "object" && actual !== null) {
    expect(Object.keys(actual), where).toEqual(Object.keys(expected));
    for (const [key, want] of Object.entries(expected)) {
      const got = (actual as Record<string, unknown>)[key];
      if (QUANTILE_FIELDS.has(key) && typeof want === "number") {
        expect(Math.abs((got as number) - want), `${where}.${key}`).toBeLessThanOrEqual(want * 0.005 + 0.001);
      } else {
        expectClose(got, want, `${where}.${key}`);
      }
    }
  } else {
    expect(actual, where).toEqual(expected);
  }
}

function twoWindows(): WindowedSeries {
  const series = new WindowedSeries({ latencyUs: 250_000, percentile: 99 });
  // Registered web before api: rows must keep that order, not the alphabetical one.
  const web = series.register("web");
  series.register("api");
  // Window 1, ending at 10 s.
  for (let i = 0; i < 5; i++) web.arrive();
  series.arrive("api");
  web.complete(100_000); // 100 ms
  series.complete("web", 100_000);
  series.complete("web", 300_000); // over the SLO
  series.error("web", "timeouts");
  series.error("web", "rejected");
  series.error("web", "errors"); // some other failure
  return series;
}

describe("WindowedSeries", () => {
  it("returns one row per service per window, in registration order, and resets the window", () => {
    const series = twoWindows();
    const first = series.closeWindow(10_000_000, gaugesOf);
    // Latencies 100, 100, 300 ms. Quantiles take rank floor(q (n-1)): with three values p50, p95
    // and p99 are all the second-smallest, 100 ms; only max reports the 300 ms request.
    expectClose(first, [
      {
        t_s: 10,
        service: "web",
        arrivals: 5,
        completed: 3,
        errors: 3,
        timeouts: 1,
        rejected: 1,
        p50_ms: 100,
        p95_ms: 100,
        p99_ms: 100,
        max_ms: 300,
        ...gauges.web,
      },
      { t_s: 10, service: "api", arrivals: 1, completed: 0, errors: 0, timeouts: 0, rejected: 0, ...emptyLatency, ...gauges.api },
    ]);

    // Window 2, ending at 20.5 s (a partial last window): only api sees traffic.
    series.complete("api", 1_234);
    series.error("api", "timeouts");
    const second = series.closeWindow(20_500_000, gaugesOf);
    expect(second.map((r) => r.service)).toEqual(["web", "api"]);
    expect(second[0]).toEqual({ t_s: 20.5, service: "web", arrivals: 0, completed: 0, errors: 0, timeouts: 0, rejected: 0, ...emptyLatency, ...gauges.web });
    // A single value is both min and max, so its quantiles are exact.
    expect(second[1]).toEqual({
      t_s: 20.5,
      service: "api",
      arrivals: 0,
      completed: 1,
      errors: 1,
      timeouts: 1,
      rejected: 0,
      p50_ms: 1.234,
      p95_ms: 1.234,
      p99_ms: 1.234,
      max_ms: 1.234,
      ...gauges.api,
    });
  });

  it("accumulates whole-run totals and SLO attainment over closed windows", () => {
    const series = twoWindows();
    series.closeWindow(10_000_000, gaugesOf);
    series.complete("web", 50_000);
    series.arrive("web");
    series.closeWindow(20_000_000, gaugesOf);

    const web = series.totals("web");
    expect({ ...web, latency: undefined }).toEqual({
      arrivals: 6,
      completed: 4,
      errors: 3,
      timeouts: 1,
      rejected: 1,
      withinSlo: 3,
      latency: undefined,
    });
    expect(web.latency.count).toBe(4);
    expect(web.latency.meanUs).toBe(137_500);
    expect(web.latency.maxUs).toBe(300_000);
    // 3 of the 7 requests that ended (4 completed, 3 failed) completed within the SLO.
    expect(series.sloAttainment("web")).toBe(3 / 7);
    expect(series.sloAttainment("api")).toBeNull();

    expectClose(series.serviceSummary("web"), {
      arrivals: 6,
      completed: 4,
      errors: 3,
      timeouts: 1,
      rejected: 1,
      // Latencies 50, 100, 100, 300 ms: ranks floor(q * 3) are 1, 2, 2 for p50, p95, p99.
      latency_ms: { mean: 137.5, p50: 100, p95: 100, p99: 100, max: 300 },
      // Failed requests miss the SLO: of the 7 that ended, the p99 one (rank floor(0.99 x 6) = 5,
      // counting failures as infinitely slow) is a failure, so the SLO is not met.
      slo: { latency_ms: 250, percentile: 99, attained: 0.428571, met: false },
    });
    expect(Object.keys(series.serviceSummary("web"))).toEqual(["arrivals", "completed", "errors", "timeouts", "rejected", "latency_ms", "slo"]);
    expect(series.serviceSummary("api").slo).toEqual({ latency_ms: 250, percentile: 99, attained: null, met: null });
  });

  it("decides whether the SLO is met from exact counts", () => {
    const series = new WindowedSeries({ latencyUs: 1_000, percentile: 90 });
    const svc = series.register("svc");
    for (let i = 1; i <= 10; i++) svc.complete(i * 110); // 110 .. 1100 us; nine of ten within 1 ms
    series.closeWindow(1, () => ({ tasks_desired: 0, tasks_running: 0, tasks_starting: 0, tasks_pending: 0, restarts: 0, oom_kills: 0, unhealthy: 0 }));
    // rank floor(0.9 * 9) = 8: the ninth value, 990 us, is within the SLO.
    expect(series.serviceSummary("svc").slo).toEqual({ latency_ms: 1, percentile: 90, attained: 0.9, met: true });
  });

  it("rejects unknown and duplicate services, and windows closing back in time", () => {
    const series = new WindowedSeries({ latencyUs: 1, percentile: 99 });
    series.register("web");
    expect(() => series.register("web")).toThrow(/twice/);
    expect(() => series.arrive("nope")).toThrow(/unknown service "nope"/);
    series.closeWindow(10, gaugesOf);
    expect(() => series.closeWindow(9, gaugesOf)).toThrow(RangeError);
    expect(series.services()).toEqual(["web"]);
  });
});

describe("latencySummaryMs", () => {
  it("is zeros for an empty histogram", () => {
    expect(latencySummaryMs(new LatencyHistogram())).toEqual({ mean: 0, p50: 0, p95: 0, p99: 0, max: 0 });
  });
});
