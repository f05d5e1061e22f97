// Warnings in words, for what a table of figures hides: services that never ran as asked, nodes
// pinned at full CPU, faults that never recovered, subnets that ran out. The terminal summary
// and report.html print the same list.

import type { NodeRow, Summary } from "./rows.js";

/** A node busier than this share of its cores (in a window) is saturated... */
export const HOT_CPU = 0.95;
/** ...for longer than this is worth a warning. */
const HOT_FOR_S = 60;

/** The CPU columns of nodes.csv that the warnings read. */
export type NodeCpu = Pick<NodeRow, "t_s" | "node" | "cpu_util">;

/** What a table hides: services that never ran as asked, nodes pinned at full CPU, faults never recovered, subnets that ran out. */
export function warnings(summary: Summary, nodes: readonly NodeCpu[]): string[] {
  const out: string[] = [];
  for (const [name, s] of Object.entries(summary.services)) {
    if (!s.desired_reached) {
      out.push(`${name} never reached its desired ${s.tasks_desired} tasks (${s.tasks_running} running, ${s.tasks_pending} pending at the end): its SLO is not judged`);
    } else if (s.tasks_running < s.tasks_desired) {
      out.push(`${name} ends with ${s.tasks_running} of its ${s.tasks_desired} desired tasks running (${s.tasks_pending} pending)`);
    }
  }
  out.push(...hotNodes(nodes));
  for (const f of summary.faults) {
    if (f.recovered_s === null) out.push(`the ${f.fault} at ${f.t_s} s never recovered: ${f.last_to_recover ?? "the cluster"} was still outside its SLO when ${f === summary.faults[summary.faults.length - 1] ? "the run ended" : "the next fault came"}`);
  }
  for (const [name, n] of Object.entries(summary.networks)) {
    if (n.allocation_failures === 0) continue;
    out.push(
      `network ${name} (${n.subnet}, ${n.addresses_usable} addresses) ran out: ${n.allocation_failures} task(s), VIP(s) or node endpoint(s) got no address (see networks.csv and the allocation events)`,
    );
  }
  return out;
}

/** Nodes whose CPU stayed above 95% for more than a minute of consecutive windows: the longest stretch of each. */
function hotNodes(rows: readonly NodeCpu[]): string[] {
  const byNode = new Map<string, NodeCpu[]>();
  for (const r of rows) {
    const list = byNode.get(r.node) ?? [];
    list.push(r);
    byNode.set(r.node, list);
  }
  const out: string[] = [];
  for (const [node, list] of byNode) {
    let best: { fromS: number; toS: number } | null = null;
    let fromS: number | null = null;
    let prevEndS = 0;
    for (const r of list) {
      if (r.cpu_util > HOT_CPU) {
        fromS ??= prevEndS;
        if (best === null || r.t_s - fromS > best.toS - best.fromS) best = { fromS, toS: r.t_s };
      } else fromS = null;
      prevEndS = r.t_s;
    }
    if (best && best.toS - best.fromS > HOT_FOR_S) {
      out.push(`node ${node} stayed above ${HOT_CPU * 100}% CPU for ${round1(best.toS - best.fromS)} s (from t = ${best.fromS} s to ${best.toS} s)`);
    }
  }
  return out;
}

export function round1(x: number): number {
  return Math.round(x * 10) / 10;
}
