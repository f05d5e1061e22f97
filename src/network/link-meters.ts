import type { Link } from "./bandwidth/index.js";

/** Fast-path traffic is measured over windows this long... */
const LOAD_WINDOW_US = 10_000;
/** ...and a link whose last window was busier than this share of its capacity takes no fast path. */
const HOT_SHARE = 0.5;

/**
 * One link's state of the small-message path, a row of eight doubles (seven used): all that a
 * message on the fast path reads and writes. A 20,000-node cluster's messages meet a different
 * pair of NICs each time; kept as fields of a few objects per link (V8 keeps each double field
 * in a heap number of its own), one check cost a dozen cache misses, and it was the largest
 * single item of a 20,000-worker hour's profile.
 */
const STRIDE = 8;
/** When the current load window began, and the small messages' bytes in it. */
const WINDOW_START_US = 0;
const WINDOW_BYTES = 1;
/** Small messages' bytes not yet handed to the link's own count (handed over when the count is taken). */
const UNPOSTED_BYTES = 2;
/** The last window was busy: no fast path before this time. (0 at first: simulated time starts at 0.) */
const HOT_UNTIL_US = 3;
/** When the link's queue of small messages will have sent its last one. */
const QUEUE_FREE_US = 4;
/** Transfers on the link now: the link tells it (Link.onFlowCount). */
const FLOWS = 5;
/** 1 if a transfer was on the link since its count was last taken: only then does take() read the link. */
const FLOWED = 6;

/**
 * Links metered by number (slot): the bytes of the small messages that cross them without a
 * flow, per load window, so that a link kept busy by many small messages is known to be busy
 * although no transfer is on it; and their queue. All links of one table have one capacity.
 */
export class LinkMeters {
  private rows: Float64Array;

  constructor(
    readonly capacityBytesPerUs: number,
    slots = 16,
  ) {
    this.rows = new Float64Array(Math.max(1, slots) * STRIDE);
  }

  /** Whether the table has a row for `slot` (one never ensured is idle: nothing to read or clear). */
  private has(slot: number): boolean {
    return (slot + 1) * STRIDE <= this.rows.length;
  }

  /** Makes room for slots up to `slot` (new ones idle: no bytes, not hot, no queue, no flows). */
  ensure(slot: number): void {
    if (this.has(slot)) return;
    const grown = new Float64Array(Math.max(2 * this.rows.length, (slot + 1) * STRIDE));
    grown.set(this.rows);
    this.rows = grown;
  }

  /**
   * Keeps the slot's copy of its link's flow count (the link calls as flows come and go). The
   * link must be finite: an unlimited link counts a flow's bytes without attaching it
   * (bandwidth/flows.ts), so FLOWED would not see them.
   */
  watch(slot: number, link: Link): void {
    if (!link.finite) throw new Error(`link meters: link ${link.name} has no capacity limit, its flows' bytes would go unseen`);
    this.ensure(slot);
    link.onFlowCount = (count) => {
      this.rows[slot * STRIDE + FLOWS] = count;
      this.rows[slot * STRIDE + FLOWED] = 1;
    };
  }

  /** A transfer is on it, or small messages keep it busy: lately over half its capacity, or some still wait in its queue. */
  contended(slot: number, nowUs: number): boolean {
    const row = this.rows;
    const at = slot * STRIDE;
    return row[at + FLOWS]! > 0 || nowUs < row[at + HOT_UNTIL_US]! || nowUs < row[at + QUEUE_FREE_US]!;
  }

  /** A small message crossed it outside the flow model. */
  carry(slot: number, nowUs: number, bytes: number): void {
    const row = this.rows;
    const at = slot * STRIDE;
    const elapsedUs = nowUs - row[at + WINDOW_START_US]!;
    if (elapsedUs >= LOAD_WINDOW_US) {
      row[at + HOT_UNTIL_US] = row[at + WINDOW_BYTES]! > HOT_SHARE * this.capacityBytesPerUs * elapsedUs ? nowUs + 2 * LOAD_WINDOW_US : -1;
      row[at + WINDOW_START_US] = nowUs;
      row[at + WINDOW_BYTES] = 0;
    }
    row[at + WINDOW_BYTES] = row[at + WINDOW_BYTES]! + bytes;
    row[at + UNPOSTED_BYTES] = row[at + UNPOSTED_BYTES]! + bytes;
  }

  /** Bytes that crossed it outside the flow model and count in its traffic but not in its load (held heartbeats). */
  count(slot: number, bytes: number): void {
    const at = slot * STRIDE;
    this.rows[at + UNPOSTED_BYTES] = this.rows[at + UNPOSTED_BYTES]! + bytes;
  }

  /**
   * A small message joins the link's queue: when its last byte has gone, at what the link's
   * transfers leave of its capacity (at least the share max-min would give one more flow).
   */
  enqueue(slot: number, link: Link, nowUs: number, bytes: number): number {
    const spare = Math.max(link.capacityBytesPerUs - link.rateSumBytesPerUs, link.capacityBytesPerUs / (link.flows.length + 1));
    const at = slot * STRIDE;
    const freeUs = Math.max(nowUs, this.rows[at + QUEUE_FREE_US]!) + bytes / spare;
    this.rows[at + QUEUE_FREE_US] = freeUs;
    this.carry(slot, nowUs, bytes);
    return freeUs;
  }

  /** The host crashed: what waited in this link's queue is gone. */
  clearQueue(slot: number): void {
    if (this.has(slot)) this.rows[slot * STRIDE + QUEUE_FREE_US] = 0;
  }

  /** Whether a transfer was on the link since its count was last taken. */
  flowed(slot: number): boolean {
    return this.has(slot) && this.rows[slot * STRIDE + FLOWED] !== 0;
  }

  /**
   * Bytes carried since the last call, by flows and small messages alike: this is the NIC's
   * count. When a transfer crossed the link since the last call, the small messages' bytes are
   * handed to the link's own count and that is read; otherwise the link has nothing of its own to
   * add and is not read (most NICs of a big cluster, most windows). Link.bytesCarried is therefore
   * not the NIC's total. In a window where transfers and small messages share the link, the small
   * messages' bytes join the transfers' (fractional) ones in one sum at the end rather than a
   * few at a time, so the float sum may differ in its last bit from adding them as they came.
   */
  take(slot: number, link: Link | null): number {
    if (!this.has(slot)) return 0;
    const row = this.rows;
    const at = slot * STRIDE;
    const unposted = row[at + UNPOSTED_BYTES]!;
    if (!(unposted >= 0 && unposted < Infinity)) throw new Error(`link meters: slot ${slot} counted ${unposted} bytes`);
    row[at + UNPOSTED_BYTES] = 0;
    if (link === null || row[at + FLOWED] === 0) return unposted;
    row[at + FLOWED] = row[at + FLOWS]! > 0 ? 1 : 0;
    if (unposted > 0) link.addBytes(unposted);
    // A flow ending in this very microsecond may have been credited a hair ahead: never below 0.
    return Math.max(0, link.takeBytes());
  }
}

/** One metered link: its slot in a table, and the link its transfers share (for the slow path, the queue). */
export class MeteredLink {
  constructor(
    readonly meters: LinkMeters,
    readonly slot: number,
    readonly link: Link,
  ) {
    meters.watch(slot, link);
  }

  /** See LinkMeters.contended. */
  contended(nowUs: number): boolean {
    return this.meters.contended(this.slot, nowUs);
  }

  /** See LinkMeters.enqueue. */
  enqueue(nowUs: number, bytes: number): number {
    return this.meters.enqueue(this.slot, this.link, nowUs, bytes);
  }

  /** See LinkMeters.carry. */
  carry(nowUs: number, bytes: number): void {
    this.meters.carry(this.slot, nowUs, bytes);
  }
}
