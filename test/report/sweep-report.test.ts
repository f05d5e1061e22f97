// sweep-report.html's variant labels: a label too long for its column is shortened so that
// every variant's values stay in sight, whichever --vary they come from.
import { describe, expect, it } from "vitest";
import { shortPaths, sweepReportHtml } from "../../src/report/sweep-report.js";

describe("a variant label too long for its column", () => {
  it("keeps every value: paths are cut to their last two parts, of each --vary and each joined field", () => {
    expect(shortPaths("cluster.nodeGroups.a.count,cluster.nodeGroups.b.count=3")).toBe("…a.count,…b.count=3");
    expect(shortPaths("cluster.nodeGroups.worker.count=3 services.frontend.resources.limits.cpu=0.5 (baseline)")).toBe("…worker.count=3 …limits.cpu=0.5 (baseline)");
    expect(shortPaths("seed=3")).toBe("seed=3");
  });

  it("tells apart two variants of two --vary whose long labels differ only in the first value", () => {
    const pad = "x".repeat(40); // a long service path: the labels are past the widest column
    const rows = [3, 4].map((n) => ({ service: "web", variant: `cluster.nodeGroups.worker.count=${n} services.${pad}.resources.limits.cpu=0.5`, runs: 2, error_pct_mean: 1, error_pct_ci95: 0.1, error_pct_diff: 0, error_pct_diff_ci95: 0, error_pct_n: 2 }));
    const html = sweepReportHtml("t", 2, ["error_pct"], rows);
    const shown = [...html.matchAll(/<text x="0" y="\d+"><title>[^<]*<\/title>([^<]*)<\/text>/g)].map((m) => m[1]);
    expect(shown).toHaveLength(2);
    expect(shown[0]).toContain("count=3");
    expect(shown[1]).toContain("count=4");
  });
});

describe("an interval near its metric's bound", () => {
  it("stops at 100% for a share and at 0 for a latency, while a difference keeps both sides (walkthrough: 99.991 to 100.001)", () => {
    const row = (variant: string, metric: string, mean: number, ci: number, diff: number, diffCi: number) => ({ service: "web", variant, runs: 3, [`${metric}_mean`]: mean, [`${metric}_ci95`]: ci, [`${metric}_diff`]: diff, [`${metric}_diff_ci95`]: diffCi, [`${metric}_n`]: 3 });
    const titles = (metric: string, rows: Record<string, unknown>[]) => [...sweepReportHtml("t", 3, [metric], rows as never).matchAll(/<title>([^<]*\(([^<]*) to ([^<]*)\))<\/title>/g)].map((m) => [m[2], m[3]]);
    expect(titles("slo_attained_pct", [row("a", "slo_attained_pct", 99.996, 0.005, 0, 0), row("b", "slo_attained_pct", 99.5, 0.8, -0.496, 0.8)])).toEqual([["99.991", "100.000"], ["98.700", "100.000"], ["-1.296", "0.304"]]);
    // A share's mean reads 100 only when it is (review: 99.9996 read "100"), and one near 0 keeps the page's markup.
    const html = sweepReportHtml("t", 1, ["slo_attained_pct", "error_pct"], [{ ...row("a", "slo_attained_pct", 99.9996, 0, 0, 0), slo_attained_pct_ci95: "", error_pct_mean: 0.0004, error_pct_ci95: "" }] as never);
    expect(html).toContain("<title>&gt;99.999 (one run: no interval)</title>");
    expect(html).toContain("<title>&lt;0.001 (one run: no interval)</title>");
    expect(titles("p99_ms", [row("a", "p99_ms", 2, 5, 0, 0), row("b", "p99_ms", 4, 5, 2, 5)])).toEqual([["0", "7"], ["0", "9"], ["-3", "7"]]);
  });
});
