import type { ScheduledEvent, Simulation } from "../../kernel/index.js";
import { Flow } from "./flow.js";
import { FlowHeap } from "./flow-heap.js";
import type { Link } from "./link.js";
import { SelectiveUpdate } from "./selective-update.js";

/**
 * Flows on shared links, each at its max-min fair rate (max-min.ts), driven by the kernel clock.
 *
 * Rates change only when a flow starts, ends or is cancelled, and only for the flows that change can
 * reach (selective-update.ts). All the changes of one instant are handled together by the network's
 * event in that instant: the flows whose last byte crossed leave their links, their callbacks run
 * (and may start or cancel flows), then the rates are recomputed once. No simulated time passes
 * before that, so no flow ever runs at a rate the flows present forbid; rateOf() recomputes first
 * if anything is pending.
 *
 * The network keeps its flows in a heap by completion microsecond and has one kernel event, at the
 * earliest completion (or now, when changes wait), as NodeCpu does per node, rather than one event
 * per flow: a change moves the end of every flow whose rate it changes, about 1,100 of them per
 * change with 10,000 flows on 1,000 nodes, and with an event per flow each move left a cancelled
 * event in the kernel's heap until its time came (1.4 million dead events after 2,000 completions
 * in the benchmark). The heap moves entries in place instead. Flows ending in the same microsecond
 * complete in the order they started.
 */
export class FlowNetwork {
  private readonly update = new SelectiveUpdate();
  private readonly ends = new FlowHeap();
  private flowsStarted = 0;
  private running = 0;
  private solves = 0;
  private solvedFlows = 0;
  private rateChanges = 0;
  private event: ScheduledEvent | null = null;
  /** True while the network's event runs: changes then wait for its one recomputation. */
  private firing = false;
  /** Scratch, reused: the flows done in this instant. */
  private readonly due: (Flow | undefined)[] = [];
  private readonly fire = (): void => this.handleEvent();
  private readonly apply = (flow: Flow, rate: number): void => this.setRate(flow, rate);

  constructor(private readonly sim: Simulation) {}

  /** Flows whose bytes are still crossing. */
  get active(): number {
    return this.running;
  }

  /** Rate computations run so far (each over the flows one instant's changes could reach). */
  get recomputations(): number {
    return this.solves;
  }

  /** Flows given a rate, summed over all recomputations. */
  get flowsRecomputed(): number {
    return this.solvedFlows;
  }

  /** Times a running flow's rate changed (each one credits its bytes and moves its end). */
  get ratesChanged(): number {
    return this.rateChanges;
  }

  /** The flow's rate now, in bytes/us (0 once it finished or was cancelled). */
  rateOf(flow: Flow): number {
    if (this.update.pending) this.recompute();
    return flow.state === "running" ? flow.rateBytesPerUs : 0;
  }

  /** Bytes the flow still has to send, now (0 once it finished or was cancelled). */
  remainingOf(flow: Flow): number {
    if (flow.state !== "running") return 0;
    if (this.update.pending) this.recompute();
    const left = flow.remainingBytes - flow.rateBytesPerUs * (this.sim.now() - flow.lastUs);
    return Math.max(0, left);
  }

  /**
   * Starts sending `bytes` along `route` at most at `boundBytesPerUs` (Infinity for no bound);
   * `onDone(arg)` runs from a kernel event once the last byte has crossed every link, never inside
   * `start`. Zero bytes, or a route no finite link or bound limits, complete in this instant.
   * The route must not be changed while the flow runs, nor name a link twice.
   */
  start<A>(route: readonly Link[], bytes: number, boundBytesPerUs: number, onDone: (arg: A) => void, arg: A): Flow {
    if (!(bytes >= 0 && bytes < Infinity)) throw new Error(`network: a flow needs a finite number of bytes >= 0, got ${bytes}`);
    if (!(boundBytesPerUs > 0)) throw new Error(`network: a flow's bound must be > 0 bytes/us (Infinity for none), got ${boundBytesPerUs}`);
    let limited = boundBytesPerUs < Infinity;
    for (let k = 0; k < route.length; k++) {
      const link = route[k]!;
      for (let m = 0; m < k; m++) if (route[m] === link) throw new Error(`network: a route crosses link ${link.name} twice`);
      this.adopt(link);
      if (link.finite) limited = true;
    }
    const nowUs = this.sim.now();
    const flow = new Flow(this.flowsStarted++, route, bytes, boundBytesPerUs, nowUs, onDone, arg);
    if (bytes === 0 || !limited) {
      // Nothing to share: the bytes cross at once (the caller adds the latency).
      for (const link of route) link.creditBytes(bytes);
      flow.remainingBytes = 0;
      flow.state = "due";
      flow.unrated = false;
      flow.endUs = nowUs;
      this.ends.place(flow);
      this.wake();
      return flow;
    }
    for (let k = 0; k < route.length; k++) flow.slots[k] = route[k]!.attach(flow);
    this.running++;
    this.update.started(flow);
    this.wake();
    return flow;
  }

  /** Stops a flow without its callback (its host crashed); a no-op once it is done or cancelled. */
  cancel(flow: Flow): void {
    if (flow.state === "running") {
      this.release(flow, this.sim.now(), false);
      this.wake();
    } else if (flow.state !== "due") {
      return;
    }
    flow.state = "cancelled";
    this.ends.remove(flow);
  }

  private adopt(link: Link): void {
    if (link.owner === this) return;
    if (link.owner !== null) throw new Error(`network: link ${link.name} belongs to another FlowNetwork`);
    link.owner = this;
    link.clock = this.sim;
    link.advanceTo(this.sim.now());
  }

  /** Brings the network's event to now, so this instant's changes are recomputed in this instant. */
  private wake(): void {
    if (this.firing) return;
    const nowUs = this.sim.now();
    if (this.event !== null) {
      if (this.event.pending && this.event.timeUs === nowUs) return;
      this.sim.cancel(this.event);
    }
    this.event = this.sim.at(nowUs, this.fire);
  }

  /** Moves the network's event to the earliest completion, keeping it if that is unchanged. */
  private reschedule(): void {
    const next = this.ends.peek();
    const atUs = next === undefined ? -1 : next.endUs;
    const old = this.event;
    if (old !== null) {
      if (old.pending && old.timeUs === atUs) return;
      this.sim.cancel(old);
    }
    this.event = atUs < 0 ? null : this.sim.at(atUs, this.fire);
  }

  /**
   * The network's event: every flow whose last byte has crossed by now leaves its links, then the
   * callbacks run in completion order, then the rates are recomputed once for all of it.
   */
  private handleEvent(): void {
    this.event = null;
    const nowUs = this.sim.now();
    const due = this.due;
    let dueCount = 0;
    this.firing = true;
    try {
      for (let flow = this.ends.peek(); flow !== undefined && flow.endUs <= nowUs; flow = this.ends.peek()) {
        this.ends.pop();
        if (flow.state === "running") {
          const left = flow.remainingBytes - flow.rateBytesPerUs * (nowUs - flow.lastUs);
          if (left > flow.epsBytes) throw new Error(`network: flow #${flow.seq} ended with ${left} of ${flow.bytes} bytes left`);
          this.release(flow, nowUs, true);
          flow.state = "due";
        }
        due[dueCount++] = flow;
      }
      for (let i = 0; i < dueCount; i++) {
        const flow = due[i]!;
        due[i] = undefined;
        // An earlier callback in this instant may have cancelled it.
        if (flow.state !== "due") continue;
        flow.state = "done";
        flow.onDone(flow.arg);
      }
    } finally {
      for (let i = 0; i < dueCount; i++) due[i] = undefined;
      this.firing = false;
    }
    if (this.update.pending) this.recompute();
    this.reschedule();
  }

  private recompute(): void {
    const solved = this.update.run(this.apply);
    if (solved === 0) return;
    this.solves++;
    this.solvedFlows += solved;
  }

  /**
   * Takes a flow off its links. The links integrated its rate up to now; a completed flow's last
   * microsecond may have carried less than that (its remaining bytes, possibly negative, are the
   * difference), and a cancelled one may have run past its end in the instant.
   */
  private release(flow: Flow, nowUs: number, completed: boolean): void {
    this.update.releasing(flow);
    const rate = flow.rateBytesPerUs;
    const left = flow.remainingBytes - rate * (nowUs - flow.lastUs);
    flow.remainingBytes = left;
    flow.lastUs = nowUs;
    const correction = completed ? left : Math.min(0, left);
    const route = flow.route;
    for (let k = 0; k < route.length; k++) {
      const link = route[k]!;
      link.advanceTo(nowUs);
      const slot = flow.slots[k]!;
      const moved = link.detach(slot);
      if (moved !== undefined) moved.slots[moved.route.indexOf(link)] = slot;
      // An idle link restarts its sum at exactly 0, dropping the rounding of past updates.
      link.rateSumBytesPerUs = link.flows.length === 0 ? 0 : link.rateSumBytesPerUs - rate;
      if (correction !== 0) link.creditBytes(correction);
      flow.slots[k] = -1;
    }
    flow.rateBytesPerUs = 0;
    this.running--;
  }

  /** Moves `flow` to a new `rate` now: credits what it sent at the old rate, then moves its end. */
  private setRate(flow: Flow, rate: number): void {
    if (!(rate > 0 && rate < Infinity)) throw new Error(`network: flow #${flow.seq} was given rate ${rate} bytes/us`);
    const nowUs = this.sim.now();
    const old = flow.rateBytesPerUs;
    if (flow.unrated) {
      flow.unrated = false;
    } else {
      this.rateChanges++;
      flow.remainingBytes -= old * (nowUs - flow.lastUs);
    }
    flow.lastUs = nowUs;
    flow.rateBytesPerUs = rate;
    const delta = rate - old;
    const route = flow.route;
    for (let k = 0; k < route.length; k++) {
      const link = route[k]!;
      link.advanceTo(nowUs);
      link.rateSumBytesPerUs += delta;
      link.slotRates[flow.slots[k]!] = rate;
    }
    const endUs = flow.endAt(nowUs, rate);
    if (endUs === flow.endUs) return;
    flow.endUs = endUs;
    this.ends.place(flow);
  }
}
