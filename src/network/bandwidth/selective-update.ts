import type { Flow } from "./flow.js";
import type { Link } from "./link.js";
import { MaxMinSolver } from "./max-min.js";

/**
 * Relative slack on rate comparisons: rounding must not make a flow that is really at a threshold
 * look below it, nor a full link look unsaturated, so "below" and "not full" mean by more than this.
 * Erring this way only re-solves a few more flows.
 */
const RATE_SLACK = 1e-9;
/** A re-solved rate this close to the old one is rounding noise: the flow keeps its rate and end. */
const RATE_UNCHANGED = 1e-12;

/**
 * Which flows a batch of starts and ends can affect, and their new max-min rates: SimGrid's
 * "selective update", narrowed further by two facts of progressive filling.
 *
 * 1. Below the rate at which a flow f froze, none of f's links had run out (else f would have
 *    frozen lower), so every freeze below f's rate happened on links f does not cross, which run
 *    the same without f: the flows slower than f keep their rates when f leaves. Symmetrically, the flows slower than a new
 *    flow g's rate keep theirs when g arrives, and that rate is bounded below (`lowerBound`).
 * 2. A link that is not full is no flow's bottleneck, so what an ending flow leaves there changes
 *    no rate: only its full links are revisited.
 *
 * So with the threshold the least of the ended flows' rates and the new flows' lower bounds, flows
 * below it are fixed, and only the flows at or above it reachable from the changed links through
 * such flows are re-solved, on what the fixed flows leave of each link. This is exact: every fixed
 * flow keeps a bottleneck (a full link on which it is the fastest, or its bound), and so does every
 * re-solved one, which characterises the unique max-min allocation.
 */
export class SelectiveUpdate {
  private readonly solver = new MaxMinSolver();
  /** Flows started since the last run. */
  private readonly unrated: Flow[] = [];
  /** Full finite links of rated flows that ended since the last run (may repeat). */
  private readonly freed: Link[] = [];
  /** The lowest rate such a flow had, less the slack. */
  private freedRateMin = Infinity;
  private walk = 0;
  /** Scratch, reused: the walk's links and flows in the order reached. */
  private readonly walkLinks: (Link | undefined)[] = [];
  private readonly walkFlows: (Flow | undefined)[] = [];
  /** walkRates[i]: walkFlows[i]'s rate when reached (Infinity for a new flow). */
  private walkRates = new Float64Array(64);
  private walkLinkCount = 0;
  private walkFlowCount = 0;
  private levelScratch = new Float64Array(64);

  /** Whether changes wait for a run. */
  get pending(): boolean {
    return this.unrated.length > 0 || this.freed.length > 0;
  }

  /** `flow` was put on its links and needs a rate. */
  started(flow: Flow): void {
    this.unrated.push(flow);
  }

  /** `flow` is about to leave its links (call before the link sums drop its rate). */
  releasing(flow: Flow): void {
    // A flow started in this batch never had a rate: its leaving changes nothing.
    if (flow.unrated) return;
    let freedAny = false;
    for (const link of flow.route) {
      if (link.finite && link.rateSumBytesPerUs >= link.capacityBytesPerUs * (1 - RATE_SLACK)) {
        this.freed.push(link);
        freedAny = true;
      }
    }
    if (freedAny) this.freedRateMin = Math.min(this.freedRateMin, flow.rateBytesPerUs * (1 - RATE_SLACK));
  }

  /**
   * Re-solves the flows the pending changes can reach and calls `apply(flow, rate)` for each whose
   * rate changed, or that had none, in the order reached. Returns how many flows were re-solved.
   */
  run(apply: (flow: Flow, rateBytesPerUs: number) => void): number {
    const mark = ++this.walk;
    let threshold = this.freedRateMin;
    for (const flow of this.unrated) if (flow.state === "running") threshold = Math.min(threshold, this.lowerBound(flow));
    this.walkLinkCount = 0;
    this.walkFlowCount = 0;
    for (const link of this.freed) if (link.visitMark !== mark) this.reachLink(link, mark);
    for (const flow of this.unrated) {
      if (flow.state !== "running") continue;
      flow.visitMark = mark;
      this.reachFlow(flow, Infinity);
    }
    this.unrated.length = 0;
    this.freed.length = 0;
    this.freedRateMin = Infinity;
    this.solver.reset();
    this.walkComponent(mark, threshold);
    const solved = this.solver.flows;
    if (solved > 0) {
      this.solver.solve();
      for (let i = 0; i < solved; i++) {
        const old = this.walkRates[i]!;
        const rate = this.solver.rateOf(i);
        if (Math.abs(rate - old) > old * RATE_UNCHANGED || old === Infinity) apply(this.walkFlows[i]!, rate);
      }
    }
    for (let i = 0; i < this.walkLinkCount; i++) this.walkLinks[i] = undefined;
    for (let i = 0; i < this.walkFlowCount; i++) this.walkFlows[i] = undefined;
    return solved;
  }

  private reachFlow(flow: Flow, rate: number): void {
    const i = this.walkFlowCount++;
    if (i >= this.walkRates.length) {
      const grown = new Float64Array(2 * this.walkRates.length);
      grown.set(this.walkRates);
      this.walkRates = grown;
    }
    this.walkRates[i] = rate;
    this.walkFlows[i] = flow;
  }

  private reachLink(link: Link, mark: number): void {
    link.visitMark = mark;
    link.localIndex = this.walkLinkCount;
    this.walkLinks[this.walkLinkCount++] = link;
  }

  /**
   * Breadth-first from the seeds through links and the flows at or above `threshold`, building the
   * solver's problem as it goes: a flow enters with its finite links (solver flow i is walkFlows[i]),
   * a link with what its fixed flows leave of its capacity (solver link j is walkLinks[j]).
   */
  private walkComponent(mark: number, threshold: number): void {
    const { walkLinks, walkFlows, solver } = this;
    let li = 0;
    let fi = 0;
    while (li < this.walkLinkCount || fi < this.walkFlowCount) {
      for (; fi < this.walkFlowCount; fi++) {
        const flow = walkFlows[fi]!;
        const route = flow.route;
        solver.addFlow(flow.boundBytesPerUs);
        for (let k = 0; k < route.length; k++) {
          const link = route[k]!;
          if (!link.finite) continue;
          if (link.visitMark !== mark) this.reachLink(link, mark);
          solver.addRouteLink(link.localIndex);
        }
      }
      for (; li < this.walkLinkCount; li++) {
        const link = walkLinks[li]!;
        const flows = link.flows;
        const rates = link.slotRates;
        let fixedBytesPerUs = 0;
        for (let k = 0; k < flows.length; k++) {
          // A flow without a rate reads as Infinity, and every flow already reached is at or above
          // the threshold: below it is fixed, and the flow object need not be visited at all.
          const rate = rates[k]!;
          if (rate < threshold) {
            fixedBytesPerUs += rate;
            continue;
          }
          const other = flows[k]!;
          if (other.visitMark === mark) continue;
          other.visitMark = mark;
          this.reachFlow(other, rate);
        }
        solver.addLink(Math.max(0, link.capacityBytesPerUs - fixedBytesPerUs));
      }
    }
  }

  /**
   * The least rate a new flow g can get. Below g's rate the filling with g runs as it did without
   * it, so g stops at the first level t at which one of its links fills up with the other flows at
   * their current rates capped at t, and the flows new in this batch (g included) at t: a water
   * level. That is exact for one new flow, and a lower bound with several or with flows ending in
   * the same batch once capped by the ended flows' rates, which `run` does.
   */
  private lowerBound(flow: Flow): number {
    let bound = flow.boundBytesPerUs;
    for (const link of flow.route) if (link.finite) bound = Math.min(bound, this.fillLevel(link));
    return bound * (1 - RATE_SLACK);
  }

  /** The water level of `link` with its rated flows' rates as demands and its new flows unlimited. */
  private fillLevel(link: Link): number {
    let rates = this.levelScratch;
    if (rates.length < link.flows.length) rates = this.levelScratch = new Float64Array(2 * link.flows.length);
    const slotRates = link.slotRates;
    let k = 0;
    let open = 0;
    for (let j = 0; j < link.flows.length; j++) {
      const rate = slotRates[j]!;
      if (rate === Infinity) open++;
      else rates[k++] = rate;
    }
    const sorted = rates.subarray(0, k).sort();
    let remaining = link.capacityBytesPerUs;
    for (let i = 0; i < k; i++) {
      // The smallest demand left is met in full if it is below an equal split of what is left.
      const share = remaining / (k - i + open);
      if (sorted[i]! >= share) return share;
      remaining -= sorted[i]!;
    }
    return Math.max(0, remaining) / open;
  }
}
