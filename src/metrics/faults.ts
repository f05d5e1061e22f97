// Fault windows: what each injected fault did to each service, read from the metrics windows
// that followed it and from the event log.
//
// A fault's span runs from its injection to the next fault at a later instant (or the end of the
// run; faults of one instant share it); a window belongs to every span it overlaps (two faults
// inside one window both see it). Within the span, per service:
//   - a window is unhealthy when a request failed or the window's latency at the service's SLO
//     percentile is above the service's SLO latency;
//   - the service recovered at the end of its last unhealthy window (0 when it had none: the
//     fault was absorbed), or never, when the span's last window was still unhealthy;
//   - "during" is the fault up to that recovery, "after" what followed until the span ended:
//     their latency histograms are merged from the windows', so p99 during and after are exact
//     quantiles of those requests (to the sketch's 0.5%), not a maximum of window quantiles.
// A service outside its SLO in the window before the first fault and still in the one before
// this fault is not judged by it (`already_unhealthy`): the fault did not cause that. The
// cluster recovered when the last judged service did and the swarm had a leader all through
// the window ("leader" is then the last to recover when the swarm was without one after every
// service had recovered).
// Detection is the managers noticing: the first of the fault's nodes marked DOWN, or a new
// leader elected, after the fault. The data plane notices apart: memberlist declares a crashed
// node dead (which the managers' DOWN does not wait for, nor it for them). Tasks are restored
// at the end of the first window after the last one in the span in which some service ran
// fewer tasks than it desired (never, when the span ended short).
// SIMPLIFICATION: recovery and restoration are known to the window (metrics.interval).

import { msFromUs, secondsFromUs } from "./fmt.js";
import { LatencyHistogram } from "./histogram.js";
import type { FaultServiceSummary, FaultSummary } from "./rows.js";
import type { ClosedWindow as ServiceWindow } from "./windows.js";

/** Update states that a newer rolling update of the service cuts short. */
const UNDER_WAY = new Set(["updating", "rollback_started"]);

/** Faults whose target may have been the leader: a new leader's election detects them. */
const LEADER_FAULTS = new Set(["killLeader", "killManager", "nodeFailure", "removeNodes", "partition"]);
/** Faults that take the nodes they name down (crashed, or cut off from the leader): the managers' DOWN of one detects them. */
const DOWN_FAULTS = LEADER_FAULTS;
/**
 * Injections that change the demand rather than disrupt the cluster: the capacity a plan buys
 * must serve them, so the SLO outside the faults judges their windows with the rest (leaving
 * them out forgave a spike's whole breach: `plan --recover-within 5m` answered a replica count
 * at which a fifth of the spike's requests failed).
 */
export const DEMAND_FAULTS: ReadonlySet<string> = new Set(["loadSpike"]);

/**
 * Which node events change a node's status. A node event is logged when its status or its
 * availability is committed, with both: a drain of a node already DOWN logs "down" again, which
 * marks nothing (it counted as the DOWN that detected a second failure). The fault windows and
 * the report read the log through it.
 */
export class NodeStatuses {
  private readonly last = new Map<string, unknown>();

  /** Whether this node event changes its node's status (its first one does). */
  changes(event: Record<string, unknown>): boolean {
    const node = String(event["node"]);
    const changed = this.last.get(node) !== event["status"];
    this.last.set(node, event["status"]);
    return changed;
  }
}

class ServiceSpan {
  /** Index in the span's windows of the last unhealthy one, -1 if none. */
  lastBad = -1;
  lost = 0;
  readonly during = new LatencyHistogram();
  /** Healthy windows since the last unhealthy one: "after", unless another unhealthy window comes. */
  readonly tail = new LatencyHistogram();

  add(w: ServiceWindow, ok: boolean, index: number): void {
    this.lost += w.row.errors;
    if (ok) {
      this.tail.merge(w.latency);
      return;
    }
    this.lastBad = index;
    this.during.merge(this.tail);
    this.during.merge(w.latency);
    this.tail.clear();
  }
}

class FaultSpan {
  readonly nodes: Set<string>;
  /** The index of its first window among those closed since the first fault (-1 before it has one). */
  firstWindow = -1;
  detectedUs: number | null = null;
  detectedBy: string | null = null;
  /** When memberlist declared the first of its nodes dead, and the last (so far). */
  memberlistDeadUs: number | null = null;
  memberlistLastDeadUs: number | null = null;
  /** When the managers marked the first of its nodes DOWN (which starts their tasks' replacement). */
  downUs: number | null = null;
  readonly windows: { endUs: number; healthy: boolean; leader: boolean; short: boolean }[] = [];
  readonly services: ServiceSpan[];
  worst: { endUs: number; service: string; errors: number; p99Ms: number | null; score: number } | null = null;
  /** Per service: outside its SLO in the window before the fault, so not judged by it. */
  already: boolean[] = [];
  /** Per service: outside its SLO in the window before the fault, from an earlier fault's breach. */
  carried: boolean[] = [];
  /** A rollingUpdate's last update state, and when. */
  update: { state: string; atUs: number } | null = null;
  /** Its API call's error ("The swarm does not have a leader"), when it failed. */
  apiError: string | null = null;

  constructor(
    readonly atUs: number,
    readonly fault: string,
    readonly target: string | null,
    services: number,
  ) {
    this.nodes = new Set(target === null ? [] : target.split(/[,|+]/));
    this.services = Array.from({ length: services }, () => new ServiceSpan());
  }

  /** A window the span overlaps, with each service's health in it (`ok`, computed once per window). */
  add(endUs: number, hadLeader: boolean, windows: readonly ServiceWindow[], ok: readonly boolean[], seq: number): void {
    const index = this.windows.length;
    if (index === 0) this.firstWindow = seq;
    windows.forEach((w, i) => this.services[i]!.add(w, ok[i]!, index));
    const short = windows.some((w) => w.row.tasks_running < w.row.tasks_desired);
    const judged = windows.map((_, i) => i).filter((i) => !this.already[i]);
    this.windows.push({ endUs, healthy: hadLeader && judged.every((i) => ok[i]), leader: hadLeader, short });
    for (const i of judged) {
      if (ok[i]) continue;
      const w = windows[i]!;
      // The worst window: most failed requests, then the latency furthest above its SLO.
      const ms = w.latency.count === 0 ? null : w.atSloUs / 1000;
      const score = w.row.errors * 1e6 + (ms ?? 0) / Math.max(1e-9, w.slo.latencyUs / 1000);
      if (this.worst === null || score > this.worst.score) {
        this.worst = { endUs, service: w.row.service, errors: w.row.errors, p99Ms: w.latency.count === 0 ? null : w.row.p99_ms, score };
      }
    }
  }
}

/** Follows every fault through the windows after it. */
export class FaultWindows {
  /** In injection order, which is time order. */
  private readonly spans: FaultSpan[] = [];
  /**
   * The spans an event may still detect (of LEADER_FAULTS, not yet detected), and per node the
   * spans of DOWN_FAULTS that named it: an event looks at these, not at every fault of the run
   * (a killLeader every 5 s for a day is 17,279 of them, and walking them all for each event was
   * over half of that run's time).
   */
  private undetected: FaultSpan[] = [];
  private readonly downing = new Map<string, FaultSpan[]>();
  private readonly statuses = new NodeStatuses();
  /** The first span that may still overlap a window: those before it ended before the last window began. */
  private openFrom = 0;
  /** Each service's health in the last closed window (before any: healthy). */
  private lastHealthy: boolean[] = [];
  /** Each service's health in the window before the first fault. */
  private beforeFaults: boolean[] | null = null;
  private lastEndUs = -Infinity;
  /** Since when the swarm has had no leader (null: it has one), and when it last regained one. */
  private noLeaderSinceUs: number | null = null;
  private leaderBackUs = -Infinity;
  /** Per window closed since the first fault, per service: its requests that ended, and those within the SLO. */
  private readonly ended: number[][] = [];
  private readonly within: number[][] = [];

  constructor(private readonly serviceNames: readonly string[]) {}

  /**
   * A fault injected now. `downs`, for a fault that takes nodes down: those it does (a node its
   * target names that was down already is not its to detect: a DOWN of it is the earlier fault's,
   * which at one instant is the one before it).
   */
  inject(atUs: number, fault: string, target: string | null, downs?: readonly string[]): void {
    // A new rolling update of a service replaces the one under way (Swarm cancels its updater).
    if (fault === "rollingUpdate") {
      for (const s of this.spans) {
        if (s.fault === fault && s.target === target && s.update !== null && UNDER_WAY.has(s.update.state)) s.update = { state: "superseded", atUs };
      }
    }
    const span = new FaultSpan(atUs, fault, target, this.serviceNames.length);
    // Outside its SLO before any fault, and still: a breach of its own, not the fault's. (One
    // left unhealthy by an earlier fault is still that fault's, and this one's to recover.)
    this.beforeFaults ??= this.lastHealthy.slice();
    span.already = this.serviceNames.map((_, i) => this.lastHealthy[i] === false && this.beforeFaults![i] === false);
    // The last window that ended before it, not the previous span's last (which this fault may share).
    span.carried = this.serviceNames.map((_, i) => this.lastHealthy[i] === false && !span.already[i]);
    this.spans.push(span);
    if (LEADER_FAULTS.has(fault)) this.undetected.push(span);
    if (DOWN_FAULTS.has(fault)) {
      for (const node of downs ?? span.nodes) {
        const spans = this.downing.get(node);
        if (spans) spans.push(span);
        else this.downing.set(node, [span]);
      }
    }
  }

  /** How many faults were injected so far: the next one's index. */
  get count(): number {
    return this.spans.length;
  }

  /** The API call of fault `index` (inject's order) failed; the first error is the one said. */
  apiFailed(index: number, error: string): void {
    const span = this.spans[index];
    if (span && span.apiError === null) span.apiError = error;
  }

  /**
   * An event of the log: a node marked DOWN or a leader elected may detect a fault not yet
   * detected; memberlist's verdict on a node dates the data plane's; leader changes tell
   * whether each window had a leader throughout.
   */
  observe(atUs: number, event: { kind: string } & Record<string, unknown>): void {
    if (event.kind === "leader") {
      if (event["leader"] === null) this.noLeaderSinceUs ??= atUs;
      else if (this.noLeaderSinceUs !== null) {
        this.noLeaderSinceUs = null;
        this.leaderBackUs = atUs;
      }
    }
    if (event.kind === "service" && typeof event["update"] === "string") this.updated(atUs, String(event["service"]), event["update"]);
    if (event.kind === "memberlist" && event["state"] === "dead") this.declaredDead(atUs, String(event["node"]), Number(event["after_s"]));
    // A DOWN is the latest fault's that could take the node down and named it: not a drain's, nor an earlier crash's it came back from.
    const markedDown = event.kind === "node" && this.statuses.changes(event) && event["status"] === "down";
    const downOf = markedDown ? this.latestDowning(String(event["node"]), atUs) : null;
    if (downOf !== null) downOf.downUs ??= atUs;
    const elected = event.kind === "leader" && event["leader"] !== null;
    if (downOf === null && !elected) return;
    const left: FaultSpan[] = [];
    for (const span of this.undetected) {
      const nodeDown = span === downOf;
      if (atUs < span.atUs || (!nodeDown && !elected)) {
        left.push(span);
        continue;
      }
      span.detectedUs = atUs;
      span.detectedBy = nodeDown ? `${String(event["node"])} DOWN` : `${String(event["leader"])} elected`;
    }
    this.undetected = left;
  }

  /** The latest fault injected by `atUs` that takes its nodes down and named `node`, or null. */
  private latestDowning(node: string, atUs: number): FaultSpan | null {
    const spans = this.downing.get(node) ?? [];
    for (let i = spans.length - 1; i >= 0; i--) if (spans[i]!.atUs <= atUs) return spans[i]!;
    return null;
  }

  /**
   * memberlist's verdict on `node` belongs to the fault that crashed it: the one injected
   * `afterS` before, which named it (the verdict may come after the next fault; a node back
   * first gets none).
   */
  private declaredDead(atUs: number, node: string, afterS: number): void {
    const crashUs = atUs - Math.round(afterS * 1e6);
    const spans = this.downing.get(node) ?? [];
    // The first injected at that instant: back from the latest, past those after it.
    let span: FaultSpan | undefined;
    for (let i = spans.length - 1; i >= 0 && spans[i]!.atUs >= crashUs - 1; i--) if (spans[i]!.atUs <= crashUs + 1) span = spans[i];
    if (span === undefined) return;
    span.memberlistDeadUs ??= atUs;
    span.memberlistLastDeadUs = atUs; // verdicts are logged in time order
  }

  /** A service's update state: the outcome of its latest rollingUpdate so far (a newer one replaces it, as in Swarm). */
  private updated(atUs: number, service: string, state: string): void {
    for (let i = this.spans.length - 1; i >= 0; i--) {
      const s = this.spans[i]!;
      if (s.fault !== "rollingUpdate" || s.target !== service || s.atUs > atUs) continue;
      s.update = { state, atUs };
      return;
    }
  }

  /** A closed window, its services in registration order. */
  closeWindow(endUs: number, windows: readonly ServiceWindow[]): void {
    const startUs = this.lastEndUs;
    this.lastEndUs = endUs;
    // Without a leader at any moment inside the window (not merely at its end).
    const leaderless = (this.noLeaderSinceUs !== null && this.noLeaderSinceUs < endUs) || this.leaderBackUs > startUs;
    const ok = windows.map(healthy);
    const seq = this.ended.length;
    if (this.spans.length > 0) {
      this.ended.push(windows.map((w) => w.row.completed + w.row.errors));
      this.within.push(windows.map((w) => w.withinSlo));
    }
    // A span runs to the next later one's start: one whose end came by this window's start ended before it, for good.
    while (this.openFrom < this.spans.length && this.endOf(this.openFrom) <= startUs) this.openFrom++;
    for (let i = this.openFrom; i < this.spans.length && this.spans[i]!.atUs < endUs; i++) {
      if (startUs < this.endOf(i)) this.spans[i]!.add(endUs, !leaderless, windows, ok, seq);
    }
    this.lastHealthy = ok;
  }

  /**
   * When span `i` ends: the start of the first fault injected after its instant (Infinity while
   * none has been). Faults of one instant share their span: each is judged by the windows up to
   * the next instant with a fault (the first of two at 60 s had none, and was "absorbed").
   */
  private endOf(i: number): number {
    const atUs = this.spans[i]!.atUs;
    let j = i + 1;
    while (j < this.spans.length && this.spans[j]!.atUs === atUs) j++;
    return this.spans[j]?.atUs ?? Infinity;
  }

  /**
   * Per service, the requests that ended while some fault had it outside its SLO: in the windows
   * from the fault up to its recovery (all the span's when it never recovered), each window
   * once though two faults share it; not a load spike's (DEMAND_FAULTS), whose windows are
   * load to serve. The rest of the run is what `sloOver` judges "outside the faults". A service
   * already outside its SLO before a fault has its windows before the fault judged there; one
   * never back has no recovery, which `plan --recover-within` fails anyway.
   */
  disrupted(): { ended: number; within: number }[] {
    return this.serviceNames.map((_, i) => {
      const seen = new Set<number>();
      for (const span of this.spans) {
        if (DEMAND_FAULTS.has(span.fault)) continue;
        const lastBad = span.services[i]!.lastBad;
        if (lastBad < 0) continue;
        for (let w = span.firstWindow; w <= span.firstWindow + lastBad; w++) seen.add(w);
      }
      let ended = 0;
      let within = 0;
      for (const w of seen) {
        ended += this.ended[w]![i]!;
        within += this.within[w]![i]!;
      }
      return { ended, within };
    });
  }

  summaries(): FaultSummary[] {
    return this.spans.map((s) => this.summary(s));
  }

  private summary(s: FaultSpan): FaultSummary {
    const since = (endUs: number): number => secondsFromUs(Math.max(0, endUs - s.atUs));
    const n = s.windows.length;
    const lastBad = lastIndex(s.windows, (w) => !w.healthy);
    const services: Record<string, FaultServiceSummary> = {};
    // The last to recover: the judged service with the latest unhealthy window, or the leader.
    let last: string | null = null;
    let lastIndexBad = -1;
    s.services.forEach((sp, i) => {
      const name = this.serviceNames[i]!;
      const already = s.already[i] === true;
      if (!already && sp.lastBad > lastIndexBad) [last, lastIndexBad] = [name, sp.lastBad];
      const recovered = sp.lastBad < 0 ? 0 : sp.lastBad === n - 1 ? null : since(s.windows[sp.lastBad]!.endUs);
      services[name] = {
        already_unhealthy: already,
        carried_over: s.carried[i] === true,
        recovered_s: recovered,
        requests_lost: sp.lost,
        p99_during_ms: sp.during.count === 0 ? null : msFromUs(sp.during.quantileUs(0.99)),
        p99_after_ms: recovered === null || sp.tail.count === 0 ? null : msFromUs(sp.tail.quantileUs(0.99)),
      };
    });
    const lastShort = lastIndex(s.windows, (w) => w.short);
    const leaderLast = lastIndex(s.windows, (w) => !w.leader);
    if (leaderLast >= 0 && leaderLast === lastBad && lastIndexBad < leaderLast) last = "leader";
    return {
      t_s: secondsFromUs(s.atUs),
      fault: s.fault,
      target: s.target,
      detected_s: s.detectedUs === null ? null : since(s.detectedUs),
      detected_by: s.detectedBy,
      memberlist_dead_s: s.memberlistDeadUs === null ? null : since(s.memberlistDeadUs),
      memberlist_last_dead_s: s.memberlistLastDeadUs === null ? null : since(s.memberlistLastDeadUs),
      down_s: s.downUs === null ? null : since(s.downUs),
      recovered_s: lastBad < 0 ? 0 : lastBad === n - 1 ? null : since(s.windows[lastBad]!.endUs),
      last_to_recover: last,
      tasks_restored_s: lastShort < 0 ? 0 : lastShort === n - 1 ? null : since(s.windows[lastShort + 1]!.endUs),
      // What the fault cost: a service outside its SLO before it keeps its own failures (its entry below).
      requests_lost: s.services.reduce((sum, sp, i) => sum + (s.already[i] === true ? 0 : sp.lost), 0),
      worst_window: s.worst === null ? null : { t_s: secondsFromUs(s.worst.endUs), service: s.worst.service, errors: s.worst.errors, p99_ms: s.worst.p99Ms },
      services,
      ...(s.fault === "rollingUpdate" ? { update: s.update === null ? null : { state: s.update.state, t_s: since(s.update.atUs) } } : {}),
      ...(s.apiError !== null ? { api_error: s.apiError } : {}),
    };
  }
}

/** No request failed, and the window's latency at the SLO percentile is within the SLO latency. */
function healthy(w: ServiceWindow): boolean {
  if (w.row.errors > 0) return false;
  return w.latency.count === 0 || w.atSloUs <= w.slo.latencyUs;
}

function lastIndex<T>(list: readonly T[], test: (item: T) => boolean): number {
  for (let i = list.length - 1; i >= 0; i--) if (test(list[i]!)) return i;
  return -1;
}
