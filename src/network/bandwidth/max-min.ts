import { grownTo } from "../../kernel/index.js";

/**
 * Max-min fair rates for flows sharing links, by progressive filling (water-filling): every flow's
 * rate rises at the same pace from 0; when a link runs out of capacity (its fair share, remaining
 * capacity / flows still rising on it, is the lowest), the flows crossing it stop rising there,
 * and so does a flow that reaches its own bound first. The result is the unique allocation in
 * which no flow can go faster without slowing a flow that is no faster than it: what SimGrid's
 * flow-level network model computes, and what TCP flows sharing bottlenecks settle close to.
 *
 * The problem is given in indexed form (links and flows are numbered by the caller, each flow lists
 * the links it crosses) and kept in typed arrays that grow but are never given back, because the
 * network solves on every flow start and end and should not allocate in its steady state.
 *
 * Cost: O((L + F·r) + (L + B + S) log(L + B)) for L links, F flows, r links per route, B bounded
 * flows and S stale pops (below). Each link and each bounded flow sits in a min-heap keyed by the
 * rate it would freeze its flows at. Freezing a flow only updates its links' counters: a link's
 * share can only grow as flows freeze (each froze at no more than the share), so its key in the heap
 * is a lower bound, and a link popped with a share above its key goes back in with the new one
 * (lazily, as Dijkstra's algorithm may). The first pop whose key is current is the bottleneck.
 */
export class MaxMinSolver {
  private linkCount = 0;
  private flowCount = 0;
  private edgeCount = 0;
  private capacity = new Float64Array(16);
  private bound = new Float64Array(16);
  /** Flow i crosses the links edgeLink[flowEdgeStart[i] .. flowEdgeStart[i + 1]). */
  private flowEdgeStart = new Int32Array(17);
  private edgeLink = new Int32Array(32);
  private rate = new Float64Array(16);
  private frozen = new Uint8Array(16);
  /** Per link: capacity not yet given to frozen flows, and the flows on it still rising. */
  private remaining = new Float64Array(16);
  private rising = new Int32Array(16);
  /** The flows of link j are linkFlow[linkEdgeStart[j] .. linkEdgeStart[j + 1]) (in flow order). */
  private linkEdgeStart = new Int32Array(17);
  private linkFlow = new Int32Array(32);
  /** Heap entries: item (0..L-1 a link, L + i flow i's bound) and key, in parallel arrays. */
  private heapItem = new Int32Array(32);
  private heapKey = new Float64Array(32);
  private heapSize = 0;

  /** Forgets the previous problem (keeping the arrays). */
  reset(): void {
    this.linkCount = 0;
    this.flowCount = 0;
    this.edgeCount = 0;
    this.flowEdgeStart[0] = 0;
  }

  get links(): number {
    return this.linkCount;
  }

  get flows(): number {
    return this.flowCount;
  }

  /** A link of `capacityBytesPerUs` (>= 0; Infinity never constrains); returns its index. */
  addLink(capacityBytesPerUs: number): number {
    if (!(capacityBytesPerUs >= 0)) throw new Error(`max-min: a link's capacity must be >= 0, got ${capacityBytesPerUs}`);
    const j = this.linkCount++;
    if (j >= this.capacity.length) this.capacity = grownTo(this.capacity, j + 1);
    this.capacity[j] = capacityBytesPerUs;
    return j;
  }

  /** A flow of at most `boundBytesPerUs` (Infinity for none); its links follow with addRouteLink. */
  addFlow(boundBytesPerUs: number): number {
    if (!(boundBytesPerUs > 0)) throw new Error(`max-min: a flow's bound must be > 0 (Infinity for none), got ${boundBytesPerUs}`);
    const i = this.flowCount++;
    if (i >= this.bound.length) this.bound = grownTo(this.bound, i + 1);
    if (i + 2 > this.flowEdgeStart.length) this.flowEdgeStart = grownTo(this.flowEdgeStart, i + 2);
    this.bound[i] = boundBytesPerUs;
    this.flowEdgeStart[i + 1] = this.edgeCount;
    return i;
  }

  /** Adds link `j` to the route of the flow added last (j may be a link not yet added). */
  addRouteLink(j: number): void {
    if (this.flowCount === 0) throw new Error("max-min: addRouteLink before any addFlow");
    const e = this.edgeCount++;
    if (e >= this.edgeLink.length) this.edgeLink = grownTo(this.edgeLink, e + 1);
    this.edgeLink[e] = j;
    this.flowEdgeStart[this.flowCount] = this.edgeCount;
  }

  /** Flow i's max-min fair rate from the last solve: Infinity if no finite link or bound limits it. */
  rateOf(i: number): number {
    return this.rate[i]!;
  }

  solve(): void {
    const links = this.linkCount;
    const flows = this.flowCount;
    this.ensureScratch(links, flows, this.edgeCount);
    this.indexFlowsByLink();
    const { capacity, remaining, rising, rate, frozen, bound } = this;
    this.heapSize = 0;
    for (let j = 0; j < links; j++) {
      const n = this.linkEdgeStart[j + 1]! - this.linkEdgeStart[j]!;
      remaining[j] = capacity[j]!;
      rising[j] = n;
      // An infinite link never runs out, and an unused one has nothing to freeze.
      if (n > 0 && capacity[j]! < Infinity) this.append(j, capacity[j]! / n);
    }
    for (let i = 0; i < flows; i++) {
      rate[i] = Infinity;
      frozen[i] = 0;
      if (bound[i]! < Infinity) this.append(links + i, bound[i]!);
    }
    for (let p = (this.heapSize >> 1) - 1; p >= 0; p--) this.siftDown(p, this.heapItem[p]!, this.heapKey[p]!);
    while (this.heapSize > 0) {
      const item = this.heapItem[0]!;
      const key = this.heapKey[0]!;
      this.pop();
      if (item >= links) {
        // A bound reached before any link on the flow's route ran out.
        if (frozen[item - links] === 0) this.freeze(item - links, key);
        continue;
      }
      const n = rising[item]!;
      if (n === 0) continue;
      // Rounding may take a hair more than the link had: a share is never negative.
      const share = remaining[item]! > 0 ? remaining[item]! / n : 0;
      if (share > key) {
        this.push(item, share);
        continue;
      }
      // The bottleneck: every flow still rising on it stops at its fair share.
      for (let e = this.linkEdgeStart[item]!, end = this.linkEdgeStart[item + 1]!; e < end; e++) {
        const i = this.linkFlow[e]!;
        if (frozen[i] === 0) this.freeze(i, share);
      }
    }
    // Flows still rising cross only infinite links and have no bound: their rate stays Infinity.
  }

  /** Fixes flow i at `r` and takes `r` from each link on its route, whose shares then grow. */
  private freeze(i: number, r: number): void {
    this.frozen[i] = 1;
    this.rate[i] = r;
    for (let e = this.flowEdgeStart[i]!, end = this.flowEdgeStart[i + 1]!; e < end; e++) {
      const j = this.edgeLink[e]!;
      this.remaining[j] = this.remaining[j]! - r;
      this.rising[j]!--;
    }
  }

  /** Counting sort of the edges by link, so each link lists its flows in flow order. */
  private indexFlowsByLink(): void {
    const links = this.linkCount;
    const start = this.linkEdgeStart;
    start.fill(0, 0, links + 1);
    for (let e = 0; e < this.edgeCount; e++) {
      const j = this.edgeLink[e]!;
      if (!(j >= 0 && j < links)) throw new Error(`max-min: a route names link ${j}, but there are ${links} links`);
      start[j + 1]!++;
    }
    // Now start[j + 1] is where link j's flows end; filling each link's run from its end backwards
    // (flows in reverse order) leaves start[j + 1] at the beginning of link j's run.
    for (let j = 0; j < links; j++) start[j + 1]! += start[j]!;
    for (let i = this.flowCount - 1; i >= 0; i--) {
      for (let e = this.flowEdgeStart[i + 1]! - 1; e >= this.flowEdgeStart[i]!; e--) {
        this.linkFlow[--start[this.edgeLink[e]! + 1]!] = i;
      }
    }
    for (let j = 0; j < links; j++) start[j] = start[j + 1]!;
    start[links] = this.edgeCount;
  }

  private ensureScratch(links: number, flows: number, edges: number): void {
    if (this.rate.length < flows) {
      this.rate = grownTo(this.rate, flows);
      this.frozen = grownTo(this.frozen, flows);
    }
    if (this.remaining.length < links) {
      this.remaining = grownTo(this.remaining, links);
      this.rising = grownTo(this.rising, links);
    }
    if (this.linkEdgeStart.length < links + 1) this.linkEdgeStart = grownTo(this.linkEdgeStart, links + 1);
    if (this.linkFlow.length < edges) this.linkFlow = grownTo(this.linkFlow, edges);
    // Each link and each flow is in the heap at most once at a time.
    if (this.heapItem.length < links + flows) {
      this.heapItem = grownTo(this.heapItem, links + flows);
      this.heapKey = grownTo(this.heapKey, links + flows);
    }
  }

  /**
   * Binary min-heap by key, then item number, so ties resolve the same way on every run (which of
   * two tied links freezes first does not change any rate, but it keeps the rounding identical).
   */
  private push(item: number, key: number): void {
    const items = this.heapItem;
    const keys = this.heapKey;
    let p = this.heapSize++;
    while (p > 0) {
      const q = (p - 1) >> 1;
      const kq = keys[q]!;
      if (kq < key || (kq === key && items[q]! < item)) break;
      items[p] = items[q]!;
      keys[p] = kq;
      p = q;
    }
    items[p] = item;
    keys[p] = key;
  }

  private pop(): void {
    const n = --this.heapSize;
    if (n > 0) this.siftDown(0, this.heapItem[n]!, this.heapKey[n]!);
  }

  /** Appends without ordering, for building the heap in O(n) before the first pop. */
  private append(item: number, key: number): void {
    this.heapItem[this.heapSize] = item;
    this.heapKey[this.heapSize++] = key;
  }

  /** Puts (item, key) at or below position p, among the first heapSize entries. */
  private siftDown(p: number, item: number, key: number): void {
    const items = this.heapItem;
    const keys = this.heapKey;
    const n = this.heapSize;
    for (;;) {
      let c = 2 * p + 1;
      if (c >= n) break;
      if (c + 1 < n && (keys[c + 1]! < keys[c]! || (keys[c + 1] === keys[c] && items[c + 1]! < items[c]!))) c++;
      const kc = keys[c]!;
      if (key < kc || (key === kc && item < items[c]!)) break;
      items[p] = items[c]!;
      keys[p] = kc;
      p = c;
    }
    items[p] = item;
    keys[p] = key;
  }
}

/**
 * The max-min fair rates for one problem given as plain arrays: link capacities, each flow's route
 * as link indices, and optional per-flow bounds. For tests and one-off use; the network keeps a
 * MaxMinSolver to avoid allocating.
 */
export function maxMinFairRates(
  capacitiesBytesPerUs: readonly number[],
  routes: readonly (readonly number[])[],
  boundsBytesPerUs?: readonly number[],
): number[] {
  const solver = new MaxMinSolver();
  for (const c of capacitiesBytesPerUs) solver.addLink(c);
  routes.forEach((route, i) => {
    solver.addFlow(boundsBytesPerUs?.[i] ?? Infinity);
    for (const j of route) solver.addRouteLink(j);
  });
  solver.solve();
  return routes.map((_, i) => solver.rateOf(i));
}
