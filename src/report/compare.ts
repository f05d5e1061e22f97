// What changed between two runs (`orchsim compare A B`): per service its figures side by side
// with the change, then per fault its course. Read from the two summary.json files.

import type { FaultSummary, ServiceSummary, Summary } from "../metrics/rows.js";
import { textTable } from "./text-table.js";
import { groupDigits, pctText, shortTarget } from "../metrics/fmt.js";

/** One figure of a service: its label and how to read it from a summary. */
const SERVICE_FIGURES: [string, (s: ServiceSummary) => number | null][] = [
  ["requests", (s) => s.arrivals],
  ["errors", (s) => s.errors],
  ["error %", (s) => (s.arrivals === 0 ? null : (100 * s.errors) / s.arrivals)],
  ["p50 ms", (s) => s.latency_ms?.p50 ?? null],
  ["p99 ms", (s) => s.latency_ms?.p99 ?? null],
  ["SLO attained %", (s) => (s.slo.attained === null ? null : 100 * s.slo.attained)],
  ["restarts", (s) => s.restarts],
  ["OOM kills", (s) => s.oom_kills],
  ["unhealthy", (s) => s.unhealthy],
  ["pending at end", (s) => s.tasks_pending],
];

const FAULT_FIGURES: [string, (f: FaultSummary) => number | null][] = [
  ["detected s", (f) => f.detected_s],
  ["memberlist dead s", (f) => f.memberlist_dead_s],
  ["first DOWN s", (f) => f.down_s],
  ["tasks restored s", (f) => f.tasks_restored_s],
  ["recovered s", (f) => f.recovered_s],
  ["requests lost", (f) => f.requests_lost],
];

/** The fault figures whose null means it never happened in the fault's span (not a missing value). */
const NEVER = new Set(["tasks restored s", "recovered s"]);

/**
 * Why a summary.json cannot be read as this version writes it (an older orchsim wrote it), or
 * null when it can.
 */
export function summaryProblem(s: Summary): string | null {
  const services = Object.values(s.services ?? {});
  const old = services.some((x) => x.desired_reached === undefined) || (s.faults ?? []).some((f) => f.services === undefined);
  return old ? "it was written by an older orchsim, without the task counts and fault windows: run the scenario again" : null;
}

export function compareText(a: Summary, b: Summary, aName: string, bName: string): string {
  // Older summaries have no overrides: none said.
  const set = (s: Summary): string => ((s.overrides ?? []).length > 0 ? `; ${(s.overrides ?? []).map((o) => `--set ${o}`).join(" ")}` : "");
  const lines: string[] = [`A: ${aName} (${a.scenario}, seed ${a.seed}${set(a)})`, `B: ${bName} (${b.scenario}, seed ${b.seed}${set(b)})`];
  if (a.scenario !== b.scenario) lines.push(`note: these are runs of different scenarios (${a.scenario}, ${b.scenario})`);
  const rows: string[][] = [["service", "figure", "A", "B", "B - A"]];
  const services = [...new Set([...Object.keys(a.services), ...Object.keys(b.services)])];
  for (const name of services) {
    const sa = a.services[name];
    const sb = b.services[name];
    SERVICE_FIGURES.forEach(([label, read], i) => rows.push([i === 0 ? name : "", label, ...cells(sa ? read(sa) : null, sb ? read(sb) : null, label.endsWith("%"))]));
    rows.push(["", "SLO", verdict(sa), verdict(sb), sa && sb && verdict(sa) !== verdict(sb) ? "changed" : ""]);
  }
  lines.push(...textTable(rows, 2));
  lines.push("(p50 and p99 are of completed requests: a run that fails more may show a lower p99; read them beside errors and SLO attained)");
  const pairs = pairFaults(a.faults, b.faults);
  pairs.forEach(([fa, fb]) => {
    const f = (fa ?? fb)!;
    const only = fa && fb ? "" : ` (only in ${fa ? "A" : "B"})`;
    // Each run's own number, as its sweeps' f<i> columns and its terminal count them.
    const [na, nb] = [fa ? a.faults.indexOf(fa) + 1 : 0, fb ? b.faults.indexOf(fb) + 1 : 0];
    const number = !fa ? `B's fault ${nb}` : !fb ? `A's fault ${na}` : na === nb ? `fault ${na}` : `fault ${na} of A, ${nb} of B`;
    // The same kind and time may strike other nodes in B (a zone of another size): say so, or B's losses read as the same fault's.
    const target = fa && fb && fa.target !== fb.target ? ` (A: ${shortTarget(fa.target ?? "-")}; B: ${shortTarget(fb.target ?? "-")})` : f.target ? ` (${shortTarget(f.target)})` : "";
    lines.push("", `${number}: ${f.fault} at ${f.t_s} s${target}${only}`);
    const fr: string[][] = [["", "figure", "A", "B", "B - A"]];
    for (const [label, read] of FAULT_FIGURES) {
      const row = cells(fa ? read(fa) : null, fb ? read(fb) : null);
      // A fault that did not recover, or whose tasks were not back, has no such time: say so rather than "-".
      if (NEVER.has(label)) [fa, fb].forEach((x, k) => x && read(x) === null && (row[k] = "never"));
      fr.push(["", label, ...row]);
    }
    fr.push(["", "last to recover", fa?.last_to_recover ?? "-", fb?.last_to_recover ?? "-", ""]);
    // A service outside its SLO before the fault is not judged by it: its breach and its failures
    // are not in the figures above (walkthrough: binpack's 15,608 failures read as "lost 0").
    const [ja, jb] = [notJudged(fa), notJudged(fb)];
    if (ja !== "-" || jb !== "-") fr.push(["", "not judged", ja, jb, ""]);
    for (const name of services) {
      fr.push([name, "p99 during ms", ...cells(fa?.services?.[name]?.p99_during_ms, fb?.services?.[name]?.p99_during_ms)]);
      fr.push(["", "p99 after ms", ...cells(fa?.services?.[name]?.p99_after_ms, fb?.services?.[name]?.p99_after_ms)]);
    }
    lines.push(...textTable(fr, 2));
  });
  return lines.join("\n");
}

/**
 * A's and B's faults side by side: a fault of one run is compared only with one of the same kind
 * and time in the other. Of several at one instant, those with the same target pair first, then
 * the rest in their order (two drains of w-2 and w-1 against w-1 and w-2 are the same two drains).
 * In time order, A's faults in their order before those only in B.
 */
function pairFaults(a: readonly FaultSummary[], b: readonly FaultSummary[]): [FaultSummary | undefined, FaultSummary | undefined][] {
  const key = (f: FaultSummary): string => `${f.fault}@${f.t_s}`;
  // B's faults of each kind and instant, in order; each leaves its list once paired.
  const open = new Map<string, FaultSummary[]>();
  for (const fb of b) {
    const list = open.get(key(fb));
    if (list) list.push(fb);
    else open.set(key(fb), [fb]);
  }
  const partner = new Map<FaultSummary, FaultSummary>();
  const take = (fa: FaultSummary, fits: (fb: FaultSummary) => boolean): void => {
    const list = open.get(key(fa)) ?? [];
    const i = list.findIndex(fits);
    if (i < 0) return;
    partner.set(fa, list[i]!);
    list.splice(i, 1);
  };
  for (const fa of a) take(fa, (fb) => fb.target === fa.target);
  for (const fa of a) if (!partner.has(fa)) take(fa, () => true);
  const paired = new Set(partner.values());
  const pairs: [FaultSummary | undefined, FaultSummary | undefined][] = [...a.map((fa): [FaultSummary, FaultSummary | undefined] => [fa, partner.get(fa)]), ...b.filter((fb) => !paired.has(fb)).map((fb): [undefined, FaultSummary] => [undefined, fb])];
  return pairs.sort((x, y) => (x[0] ?? x[1])!.t_s - (y[0] ?? y[1])!.t_s);
}

/** The services a fault does not judge (outside their SLO before it), with their own failures since; "-" for none. */
function notJudged(f: FaultSummary | undefined): string {
  const out = Object.entries(f?.services ?? {}).filter(([, x]) => x.already_unhealthy);
  return out.length === 0 ? "-" : out.map(([name, x]) => `${name} (${groupDigits(x.requests_lost)} failed)`).join(", ");
}

function verdict(s: ServiceSummary | undefined): string {
  if (!s) return "-";
  if (!s.desired_reached) return "not judged";
  return s.slo.met === null ? "-" : s.slo.met ? "met" : "MISSED";
}

/** A, B and the change, "-" where a side has no value ("never" for a fault that did not recover is null too). */
function cells(a: number | null | undefined, b: number | null | undefined, share = false): [string, string, string] {
  // undefined: a figure that an older run's summary.json does not have.
  const diff = a == null || b == null ? "" : change(a, b, share);
  // A share reads 100 only when it is (99.999% within the SLO read "100").
  const show = (x: number | null | undefined): string => (share && x != null ? pctText(x, 2).replace(/\.?0+$/, "") : fmt(x));
  return [show(a), show(b), diff];
}

/** B less A, and how much of A that is; a share's change in points alone (walkthrough: "-1.19 (-1.2%)" of an SLO attained % read as two changes). */
function change(a: number, b: number, share = false): string {
  const d = b - a;
  // Equal only when neither the figure nor its share of A moved: an error rate of 0.019% that
  // becomes 0.020% is +5.3%, though both print as 0.02; one from 0 moved whatever its size.
  const rel = a !== 0 ? (100 * d) / Math.abs(a) : d === 0 ? 0 : Infinity;
  if (Math.abs(d) < 0.005 && Math.abs(rel) < 0.05) return "=";
  const pct = a !== 0 && !share ? ` (${d > 0 ? "+" : ""}${rel.toFixed(1)}%)` : "";
  // A change too small for two decimals keeps two significant digits (0.00012, not 1.2e-4).
  const text = Math.abs(d) < 0.005 ? small(d) : fmt(d);
  return `${d > 0 ? "+" : ""}${text}${pct}`;
}

/** A figure below 0.005 in plain decimals, to two significant digits. */
function small(d: number): string {
  const digits = Math.min(20, Math.max(2, 1 - Math.floor(Math.log10(Math.abs(d)))));
  return d.toFixed(digits).replace(/0+$/, "");
}

function fmt(x: number | null | undefined): string {
  if (x == null) return "-";
  return groupDigits(x, 2);
}
