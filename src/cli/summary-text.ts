import type { NodeRow, Summary } from "../metrics/rows.js";

/** The short human summary printed after a run. */
export function summaryText(summary: Summary, nodes: readonly NodeRow[], outDir: string | null, wallS: number): string {
  const lines: string[] = [];
  const speed = wallS > 0 ? `${Math.round(summary.duration_s / wallS)}x real time` : "";
  lines.push(`${summary.scenario} (seed ${summary.seed}): ${summary.duration_s} s simulated in ${wallS.toFixed(2)} s (${speed}), ${summary.events.toLocaleString("en-US")} events`);
  const header = ["service", "requests", "errors", "timeouts", "rejected", "p50 ms", "p95 ms", "p99 ms", "max ms", "SLO"];
  const rows = Object.entries(summary.services).map(([name, s]) => [
    name,
    String(s.arrivals),
    String(s.errors),
    String(s.timeouts),
    String(s.rejected),
    s.latency_ms.p50.toFixed(1),
    s.latency_ms.p95.toFixed(1),
    s.latency_ms.p99.toFixed(1),
    s.latency_ms.max.toFixed(1),
    s.slo.met === null ? "-" : `${s.slo.met ? "met" : "MISSED"} (${((s.slo.attained ?? 0) * 100).toFixed(2)}% <= ${s.slo.latency_ms} ms)`,
  ]);
  lines.push(...table([header, ...rows]));
  lines.push("(timeouts and rejected are included in errors)");
  const peak = nodes.reduce<NodeRow | null>((best, r) => (best === null || r.cpu_util > best.cpu_util ? r : best), null);
  if (peak && peak.cpu_util > 0) lines.push(`peak CPU: ${(peak.cpu_util * 100).toFixed(1)}% on ${peak.node} in the window ending at ${peak.t_s} s`);
  if (summary.elections > 0) lines.push(`leader elections: ${summary.elections}`);
  for (const [name, n] of Object.entries(summary.networks)) {
    if (n.allocation_failures === 0) continue;
    lines.push(
      `network ${name} (${n.subnet}, ${n.addresses_usable} addresses) ran out: ${n.allocation_failures} task(s), VIP(s) or node endpoint(s) got no address (see networks.csv and the allocation events)`,
    );
  }
  for (const note of summary.notes) lines.push(`note: ${note}`);
  if (outDir) lines.push(`outputs: ${outDir}`);
  return lines.join("\n");
}

function table(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? "").length)));
  return rows.map((r) => r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join("  "));
}
