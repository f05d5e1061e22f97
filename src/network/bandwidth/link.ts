import type { Simulation } from "../../kernel/index.js";
import type { Flow } from "./flow.js";

/**
 * A network link (a NIC's transmit or receive side, a switch uplink) that flows share max-min
 * fairly. Its capacity is in bytes per microsecond (10 Gbps = 1250); Infinity means it never
 * constrains a flow, so a route can name it for accounting alone.
 *
 * Bytes carried are credited lazily: the link keeps the sum of its flows' rates and integrates it
 * over time whenever that sum is about to change or someone reads the count, instead of crediting
 * flow by flow. Reading the count therefore never touches a flow's own state, so metrics cannot
 * shift a flow's floating-point arithmetic (house rule: metrics only observe).
 *
 * The mutable fields and attach, detach, advanceTo and creditBytes belong to the FlowNetwork that
 * owns the link (the first one to route a flow over it); callers use the getters, takeBytes and
 * addBytes.
 */
export class Link {
  /** Flows crossing the link now, in no particular order (a removal moves the last one into its slot). */
  readonly flows: Flow[] = [];
  /**
   * slotRates[k] is the rate of flows[k], Infinity while it has none yet. Kept beside the flows so
   * that a walk reads a link's rates from one array instead of visiting every flow object on it.
   */
  slotRates = new Float64Array(4);
  /** Sum of the current rates of `flows`. */
  rateSumBytesPerUs = 0;
  /** The network whose flows cross this link, and its clock; null until a flow first uses it. */
  owner: object | null = null;
  clock: Simulation | null = null;
  /** Scratch of the owner's component walks: the walk that last reached the link, its index there. */
  visitMark = 0;
  localIndex = -1;
  /** Told the flow count whenever it changes (network/link-meters.ts keeps a copy with its other per-link state). */
  onFlowCount: ((count: number) => void) | null = null;
  /** Whether the link can limit a flow (an infinite one only counts bytes). */
  readonly finite: boolean;
  private creditedUpToUs = 0;
  private carriedBytes = 0;
  /** Bytes carried since the last takeBytes(), kept apart so a long run's large total does not
   * round away a short window's count. */
  private windowBytes = 0;

  constructor(
    readonly name: string,
    readonly capacityBytesPerUs: number,
  ) {
    if (!(capacityBytesPerUs > 0)) {
      throw new Error(`link ${name}: capacity must be > 0 bytes/us (Infinity for no limit), got ${capacityBytesPerUs}`);
    }
    this.finite = capacityBytesPerUs < Infinity;
  }

  /** No flow crosses the link now. */
  get idle(): boolean {
    return this.flows.length === 0;
  }

  get flowCount(): number {
    return this.flows.length;
  }

  /**
   * Bytes that crossed the link so far, flows up to now included. Exact to rounding once every flow
   * that crossed it has ended; while a flow runs into the microsecond in which its last byte goes,
   * the count may run ahead by less than a microsecond's worth of that flow, taken back when it ends.
   */
  get bytesCarried(): number {
    this.sync();
    return this.carriedBytes;
  }

  /** Bytes carried since the last call (for per-window accounting), flows up to now included. */
  takeBytes(): number {
    this.sync();
    const bytes = this.windowBytes;
    this.windowBytes = 0;
    return bytes;
  }

  /** Credits bytes moved without a flow (small messages whose transfer the caller prices itself). */
  addBytes(bytes: number): void {
    if (!(bytes >= 0 && bytes < Infinity)) throw new Error(`link ${this.name}: addBytes needs a finite count >= 0, got ${bytes}`);
    this.creditBytes(bytes);
  }

  /** Puts a flow on the link, with no rate yet; returns its slot. */
  attach(flow: Flow): number {
    const k = this.flows.length;
    this.flows.push(flow);
    if (k >= this.slotRates.length) {
      const grown = new Float64Array(2 * this.slotRates.length);
      grown.set(this.slotRates);
      this.slotRates = grown;
    }
    this.slotRates[k] = Infinity;
    this.onFlowCount?.(k + 1);
    return k;
  }

  /** Takes the flow in slot k off the link; returns the flow moved into slot k, if any. */
  detach(k: number): Flow | undefined {
    const last = this.flows.pop()!;
    const n = this.flows.length;
    this.onFlowCount?.(n);
    if (k === n) return undefined;
    this.flows[k] = last;
    this.slotRates[k] = this.slotRates[n]!;
    return last;
  }

  /** Credits the bytes the current rate sum moved since the last credit; called before the sum changes. */
  advanceTo(nowUs: number): void {
    const dt = nowUs - this.creditedUpToUs;
    if (dt === 0) return;
    this.creditedUpToUs = nowUs;
    if (this.rateSumBytesPerUs === 0) return;
    const bytes = this.rateSumBytesPerUs * dt;
    this.carriedBytes += bytes;
    this.windowBytes += bytes;
  }

  /** Adds (or, to take back an over-count, subtracts) bytes directly. */
  creditBytes(bytes: number): void {
    this.carriedBytes += bytes;
    this.windowBytes += bytes;
  }

  private sync(): void {
    if (this.clock !== null) this.advanceTo(this.clock.now());
  }
}
