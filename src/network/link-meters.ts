import type { Link } from "./bandwidth/index.js";

/** Fast-path traffic is measured over windows this long... */
const LOAD_WINDOW_US = 10_000;
/** ...and a link whose last window was busier than this share of its capacity takes no fast path. */
const HOT_SHARE = 0.5;

/**
 * One link's state of the small-message path, eight doubles in a row: what every message on the
 * fast path reads and writes, and all of it. A 20,000-node cluster's messages meet a different
 * pair of NICs each time; kept as fields of a few objects per link (V8 boxes each double field
 * in a heap number of its own), one check cost a dozen cache misses, and it was the largest
 * single item of a 20,000-worker hour's profile.
 */
const STRIDE = 8;
/** When the current load window began, and the small messages' bytes in it. */
const START = 0;
const BYTES = 1;
/** Small messages' bytes not yet handed to the link's own count (done when the count is read). */
const UNPOSTED = 2;
/** The last window was busy: no fast path before this time. (0 at first: simulated time starts at 0.) */
const HOT_UNTIL = 3;
/** When the link's queue of small messages will have sent its last one. */
const QUEUE_FREE = 4;
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
  private s: Float64Array;

  constructor(
    readonly capacityBytesPerUs: number,
    slots = 16,
  ) {
    this.s = new Float64Array(Math.max(1, slots) * STRIDE);
  }

  /** Makes room for slots up to `slot` (new ones idle: no bytes, not hot, no queue, no flows). */
  ensure(slot: number): void {
    if ((slot + 1) * STRIDE <= this.s.length) return;
    const grown = new Float64Array(Math.max(2 * this.s.length, (slot + 1) * STRIDE));
    grown.set(this.s);
    this.s = grown;
  }

  /** Keeps the slot's copy of its link's flow count (called by the link as flows come and go). */
  watch(slot: number, link: Link): void {
    this.ensure(slot);
    link.onFlowCount = (count) => {
      this.s[slot * STRIDE + FLOWS] = count;
      this.s[slot * STRIDE + FLOWED] = 1;
    };
  }

  /** A transfer is on it, or small messages keep it busy: lately over half its capacity, or some still wait in its queue. */
  contended(slot: number, nowUs: number): boolean {
    const s = this.s;
    const b = slot * STRIDE;
    return s[b + FLOWS]! > 0 || nowUs < s[b + HOT_UNTIL]! || nowUs < s[b + QUEUE_FREE]!;
  }

  /** A small message crossed it outside the flow model. */
  carry(slot: number, nowUs: number, bytes: number): void {
    const s = this.s;
    const b = slot * STRIDE;
    const elapsed = nowUs - s[b + START]!;
    if (elapsed >= LOAD_WINDOW_US) {
      s[b + HOT_UNTIL] = s[b + BYTES]! > HOT_SHARE * this.capacityBytesPerUs * elapsed ? nowUs + 2 * LOAD_WINDOW_US : -1;
      s[b + START] = nowUs;
      s[b + BYTES] = 0;
    }
    s[b + BYTES] = s[b + BYTES]! + bytes;
    s[b + UNPOSTED] = s[b + UNPOSTED]! + bytes;
  }

  /** Bytes that crossed it outside the flow model and count in its traffic but not in its load (held heartbeats). */
  count(slot: number, bytes: number): void {
    const b = slot * STRIDE;
    this.s[b + UNPOSTED] = this.s[b + UNPOSTED]! + bytes;
  }

  /**
   * A small message joins the link's queue: when its last byte has gone, at what the link's
   * transfers leave of its capacity (at least the share max-min would give one more flow).
   */
  enqueue(slot: number, link: Link, nowUs: number, bytes: number): number {
    const spare = Math.max(link.capacityBytesPerUs - link.rateSumBytesPerUs, link.capacityBytesPerUs / (link.flows.length + 1));
    const b = slot * STRIDE;
    const freeUs = Math.max(nowUs, this.s[b + QUEUE_FREE]!) + bytes / spare;
    this.s[b + QUEUE_FREE] = freeUs;
    this.carry(slot, nowUs, bytes);
    return freeUs;
  }

  /** The host crashed: what waited in this link's queue is gone. */
  clearQueue(slot: number): void {
    if ((slot + 1) * STRIDE <= this.s.length) this.s[slot * STRIDE + QUEUE_FREE] = 0;
  }

  /** Whether a transfer was on the link since its count was last taken. */
  flowed(slot: number): boolean {
    return (slot + 1) * STRIDE <= this.s.length && this.s[slot * STRIDE + FLOWED] !== 0;
  }

  /**
   * Bytes carried since the last call, by flows and small messages alike. When a transfer
   * crossed the link since the last call, the small messages' bytes are handed to its count and
   * the count is read; otherwise the link has nothing of its own to add and is not read (most
   * NICs of a big cluster, most windows). So a NIC link's own count (Link.bytesCarried) holds
   * the small messages only of the windows in which it also carried a transfer: this is the
   * NIC's count.
   */
  take(slot: number, link: Link | null): number {
    if ((slot + 1) * STRIDE > this.s.length) return 0;
    const s = this.s;
    const b = slot * STRIDE;
    const unposted = s[b + UNPOSTED]!;
    s[b + UNPOSTED] = 0;
    if (link === null || s[b + FLOWED] === 0) return unposted;
    s[b + FLOWED] = s[b + FLOWS]! > 0 ? 1 : 0;
    if (unposted > 0) link.addBytes(unposted);
    // A flow ending in this very microsecond may have been credited a hair ahead: never below 0.
    return Math.max(0, link.takeBytes());
  }
}

/** One metered link: its slot in a table, and the link its transfers share. */
export class MeteredLink {
  constructor(
    readonly meters: LinkMeters,
    readonly slot: number,
    readonly link: Link,
  ) {
    meters.watch(slot, link);
  }

  contended(nowUs: number): boolean {
    return this.meters.contended(this.slot, nowUs);
  }

  enqueue(nowUs: number, bytes: number): number {
    return this.meters.enqueue(this.slot, this.link, nowUs, bytes);
  }

  carry(nowUs: number, bytes: number): void {
    this.meters.carry(this.slot, nowUs, bytes);
  }

  takeBytes(): number {
    return this.meters.take(this.slot, this.link);
  }
}
