import { counterUniform, type ScheduledEvent, type Simulation } from "../kernel/index.js";
import type { EntryHealthcheckSpec } from "../scenario/types.js";
import type { EntryHost } from "./mesh.js";

/**
 * The external load balancer's health checks of its nodes (a workload's `entryHealthcheck`), as
 * AWS's target groups and HAProxy's `check` run them: each node is probed every interval, at a
 * phase of its own; `unhealthyThreshold` failed probes in a row take it out, `healthyThreshold`
 * passing ones put it back. Until then the balancer's view lags what the node is: it keeps
 * sending new connections to a dead node, and keeps a recovered one idle.
 *
 * Probes are not events (20,000 nodes would cost 20,000 events per interval). A probe's answer
 * can change only when something it looks at changes (the node goes down or up, its task binds
 * or frees a host-mode port): the owner calls recheck() then, and when the answer differs from
 * the balancer's view one event is scheduled for the probe that would complete the streak,
 * cancelled if the answer comes back first.
 *
 * SIMPLIFICATION: a probe's outcome counts the instant it is sent. A real failing probe to a dead
 * node is known only at the check's timeout (a SYN with no answer), which adds up to that timeout
 * to the detection; and a probe is not a request, so it never queues behind requests, is slowed
 * by a busy node or is lost in a partition (the balancer stands outside the simulated network).
 * SIMPLIFICATION: the view as the traffic starts is what the probes see then (the balancer has
 * probed since before), and with every node out the balancer has none to send to: AWS's target
 * groups "fail open" and send to all of them then; its passive checks are not modelled either.
 */
export class EntryHealthchecks<H extends EntryHost> {
  /** Per host index: whether the balancer sends to it; undefined for a node it has not seen yet. */
  private readonly inService: (boolean | undefined)[] = [];
  /** Per host index: the event that flips the view when the streak of probes completes. */
  private readonly pending: (ScheduledEvent | null)[] = [];
  /** Per host index: when the probes' answer began to differ from the view (the streak's start). */
  private readonly sinceUs: number[] = [];
  /** Per host index: when an interrupted streak's answer came back to the view; -1 when none was. */
  private readonly agreedUs: number[] = [];
  private readonly flipFn = (h: H): void => this.flip(h);
  private onChange: () => void = () => undefined;

  /**
   * `passes(h)`: whether a probe of node `h` would pass now. `key` seeds the probes' phases: node
   * i's is a counter-based draw (kernel counterUniform) of i, so a node added late gets its
   * phase without moving anyone's numbers.
   */
  constructor(
    private readonly sim: Simulation,
    private readonly spec: EntryHealthcheckSpec,
    private readonly key: number,
    private readonly passes: (h: H) => boolean,
    /** Told each time the balancer takes a node out or puts it back (events.jsonl's `balancer`). */
    private readonly report: (h: H, inService: boolean) => void = () => undefined,
  ) {}

  /**
   * The balancer's nodes as the traffic starts: it has probed them since before, so its view is
   * what the probes see now. `onChange` is called whenever the view of a node changes.
   */
  start(hosts: readonly H[], onChange: () => void): void {
    this.onChange = onChange;
    for (const h of hosts) this.inService[h.index] = this.passes(h);
  }

  /** Whether the balancer sends new connections to `h`. */
  sendsTo(h: H): boolean {
    return this.inService[h.index] === true;
  }

  /**
   * Something a probe of `h` looks at may have changed. A node not seen before (addNodes) starts
   * out of service, as AWS registers a new target: it must pass `healthyThreshold` probes first.
   */
  recheck(h: H): void {
    const i = h.index;
    const view = (this.inService[i] ??= false);
    const pending = this.pending[i] ?? null;
    const now = this.sim.now();
    if (this.passes(h) === view) {
      if (pending !== null) {
        this.sim.cancel(pending);
        this.pending[i] = null;
        this.agreedUs[i] = now;
      }
      return;
    }
    if (pending !== null) return; // the streak goes on
    // A streak broken with no probe in between (a blip between two probes) was never broken.
    const agreed = this.agreedUs[i] ?? -1;
    const since = agreed >= 0 && this.nextProbeUs(i, agreed) >= now ? this.sinceUs[i]! : now;
    this.sinceUs[i] = since;
    const probes = view ? this.spec.unhealthyThreshold : this.spec.healthyThreshold;
    const atUs = this.nextProbeUs(i, since) + (probes - 1) * this.spec.intervalUs;
    this.pending[i] = this.sim.at(Math.max(atUs, now), this.flipFn, h);
  }

  /** The streak is complete: the balancer's view of `h` follows its probes. */
  private flip(h: H): void {
    const i = h.index;
    this.pending[i] = null;
    this.agreedUs[i] = -1;
    this.inService[i] = !this.inService[i];
    this.onChange();
    this.report(h, this.inService[i]);
  }

  /** The first probe of node `i` at or after `t` (a probe at the instant of a change sees it). */
  private nextProbeUs(i: number, t: number): number {
    const interval = this.spec.intervalUs;
    const phase = Math.floor(counterUniform(this.key, i) * interval);
    return phase + Math.max(0, Math.ceil((t - phase) / interval)) * interval;
  }
}
