// Warnings in words, for what a table of figures hides: services that never ran as asked, nodes
// pinned at full CPU, faults that never recovered, subnets that ran out. The terminal summary
// and report.html print the same list.

import { nameRanges, round1 } from "./fmt.js";
import type { NodeRow, Summary } from "./rows.js";
import { spansOf, stillOutside } from "./faults-text.js";

/** A node busier than this share of its cores (in a window, or a nodes.csv row) is saturated... */
export const HOT_CPU = 0.95;
/** ...for longer than this is worth a warning. */
const HOT_FOR_S = 60;

/** The CPU columns of nodes.csv that the warnings read. */
export type NodeCpu = Pick<NodeRow, "t_s" | "node" | "cpu_util">;

/** What a table hides: services that never ran as asked, nodes pinned at full CPU, faults never recovered, subnets that ran out. */
export function warnings(summary: Summary, cpu: NodeCpuWatch): string[] {
  const out: string[] = [];
  for (const [name, s] of Object.entries(summary.services)) {
    if (!s.desired_reached) {
      out.push(`${name} never reached its desired ${s.tasks_desired} tasks (${s.tasks_running} running, ${startingText(s)}${s.tasks_pending} pending at the end): its SLO is not judged`);
    } else if (s.tasks_running < s.tasks_desired) {
      out.push(`${name} ends with ${s.tasks_running} of its ${s.tasks_desired} desired tasks running (${pendingText(s)})`);
    }
  }
  out.push(...cpu.hotNodes());
  const spans = spansOf(summary.faults);
  for (const [i, f] of summary.faults.entries()) {
    if (f.recovered_s === null) {
      // Faults of one instant share their span: the last of it ends with the run when no later fault came.
      const last = spans[i]!.next === undefined;
      const text = `the ${f.fault} at ${f.t_s} s ${last ? "never recovered" : "had not recovered when the next fault came"}: ${stillOutside(f)}${last ? " when the run ended" : ""}`;
      // Two of one kind at one instant share their span, and their words: said once.
      if (!out.includes(text)) out.push(text);
    }
  }
  for (const [name, n] of Object.entries(summary.networks)) {
    if (n.allocation_failures === 0) continue;
    out.push(
      `network ${name} (${n.subnet}, ${n.addresses_usable} addresses) ran out: ${n.allocation_failures} task(s), VIP(s) or node endpoint(s) got no address (see networks.csv and the allocation events)`,
    );
  }
  return out;
}

/**
 * "23 pending", and when that is more than the tasks missing, what the others are: new tasks of
 * slots whose old task still runs (a start-first update's, or a restart's waiting for its old one).
 */
function pendingText(s: Summary["services"][string]): string {
  // The tasks missing are those neither running nor starting; pending ones past them sit beside old ones.
  const beside = s.tasks_pending - Math.max(0, s.tasks_desired - s.tasks_running - s.tasks_starting);
  if (beside <= 0) return `${startingText(s)}${s.tasks_pending} pending`;
  return `${startingText(s)}${s.tasks_pending} pending, ${beside} of them new tasks beside old ones still running: a rolling update's or a restart's`;
}

/** "14 starting, " when tasks are on their nodes and not yet running (a start-up storm's end), else "". */
function startingText(s: Summary["services"][string]): string {
  return s.tasks_starting > 0 ? `${s.tasks_starting} starting, ` : "";
}

/** One node's stretch above HOT_CPU under way, and its longest so far. */
interface HotStretch {
  fromS: number | null;
  prevEndS: number;
  best: { fromS: number; toS: number } | null;
}

/**
 * Each node's CPU as it comes, window by window in a run (the report reads nodes.csv's rows): its
 * longest stretch above 95% and the busiest sample of all. What the warnings and the terminal summary need,
 * without keeping its rows (20,000 nodes for a simulated hour are 7 million of them).
 */
export class NodeCpuWatch {
  /** By key (sample's): the node's name and its stretches. */
  private readonly stretches: (HotStretch & { node: string })[] = [];
  /** Keys given to names, for callers that have no key of their own (of()). */
  private readonly keys = new Map<string, number>();
  /** The row with the highest CPU (the first, on a tie), and where its span began (the node's row before). */
  peak: (NodeCpu & { fromS: number }) | null = null;

  /** From nodes.csv's rows; `joinedS` has when each node that addNodes brought joined. */
  static of(rows: readonly NodeCpu[], joinedS: ReadonlyMap<string, number> = new Map()): NodeCpuWatch {
    const w = new NodeCpuWatch();
    for (const r of rows) w.sample(w.keyOf(r.node), r.t_s, r.node, r.cpu_util, joinedS.get(r.node));
    return w;
  }

  /**
   * The node's CPU over the span since its last sample, which ends at `tS`: its first span starts
   * at 0, or when it joined (`joinedS`) if it came later. `key` is the node's own small number, the
   * same at every sample (a run's host index: a lookup by name for each of 20,000 nodes and
   * windows was the largest line of the CPU samples). hotNodes() lists the nodes in the order of
   * their keys: a run's hosts are sampled in index order, and a host that joins later has a
   * higher index, so that is the order of their first samples, as of() gives keys.
   */
  sample(key: number, tS: number, node: string, cpu: number, joinedS = 0): void {
    let s = this.stretches[key];
    if (s === undefined) {
      // Another key would be a property, which hotNodes() would never visit.
      if (!Number.isInteger(key) || key < 0) throw new Error(`NodeCpuWatch: node ${node}'s key ${key} is not a whole number`);
      s = { node, fromS: null, prevEndS: Math.max(0, joinedS), best: null };
      this.stretches[key] = s;
    }
    if (this.peak === null || cpu > this.peak.cpu_util) this.peak = { t_s: tS, node, cpu_util: cpu, fromS: s.prevEndS };
    if (cpu > HOT_CPU) {
      s.fromS ??= s.prevEndS;
      if (s.best === null || tS - s.fromS > s.best.toS - s.best.fromS) s.best = { fromS: s.fromS, toS: tS };
    } else s.fromS = null;
    s.prevEndS = tS;
  }

  /** A key for `node`, the next one the first time it is seen. */
  keyOf(node: string): number {
    let key = this.keys.get(node);
    if (key === undefined) this.keys.set(node, (key = this.keys.size));
    return key;
  }

  /**
   * Nodes whose CPU stayed above 95% for more than a minute of consecutive samples: the longest
   * stretch of each. Nodes with the same stretch share one line (a zone's nodes pinned together
   * read as one warning, not sixteen alike), in the order of their first samples.
   */
  hotNodes(): string[] {
    const bySpan = new Map<string, { names: string[]; fromS: number; toS: number }>();
    for (const s of this.stretches) {
      if (s === undefined) continue; // a host removed before its first sample
      const { node, best } = s;
      if (!best || best.toS - best.fromS <= HOT_FOR_S) continue;
      const key = `${best.fromS} ${best.toS}`;
      const same = bySpan.get(key);
      if (same) same.names.push(node);
      else bySpan.set(key, { names: [node], fromS: best.fromS, toS: best.toS });
    }
    return [...bySpan.values()].map(({ names, fromS, toS }) => {
      const who = names.length === 1 ? `node ${names[0]}` : `nodes ${nameRanges(names)}`;
      // Its longest stretch: a node in and out of saturation is said by it, not its total (story.md's).
      return `${who} stayed above ${HOT_CPU * 100}% CPU for ${round1(toS - fromS)} s, ${names.length === 1 ? "its" : "their"} longest stretch (from t = ${fromS} s to ${toS} s)`;
    });
  }
}
