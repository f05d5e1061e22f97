import FastPriorityQueue from "fastpriorityqueue";
import type { ScheduledEvent } from "./simulation.js";

const MIN_SLOTS = 256;

/**
 * The kernel's heap of pending events, ordered by (time, sequence): a FastPriorityQueue of slot
 * numbers, each event's time and sequence number copied into two typed arrays at its slot.
 *
 * Why slots and not the events themselves: the heap's array lives long and is in V8's old
 * generation, while most events are young, and every store of a young object into an old one
 * takes the write barrier's slow path (the slot is recorded for the next scavenge). A heap of
 * events took such a store at each add and again at every level an add or a poll moved one; with
 * the kernel's reference to the latest event, that was 17M of the 24M slow-path calls of the
 * ordinary M/M/1, 11.8% of its instructions (bench/README.md, thirty-first session). Slot numbers
 * are small integers, which need no barrier; an event is stored once, at its slot (one slow-path
 * store an event, as the latest-event reference took before), and comparisons read two flat
 * arrays instead of two objects.
 *
 * Slots are reused last-freed first, and a freed slot lets go of its event. Between trims the
 * arrays keep the room of the most events the heap held at once (the typed arrays up to twice
 * that, 16 bytes a slot, outside V8's heap; `events` and `free` 8 bytes a slot each); trim()
 * renumbers the events in the heap and lets the rest go.
 */
export class EventHeap {
  private times = new Float64Array(MIN_SLOTS);
  private seqs = new Float64Array(MIN_SLOTS);
  /** The event at each slot; undefined once it has left the heap. */
  private events: (ScheduledEvent | undefined)[] = [];
  /** Slots whose event has left, to be used again (last freed first). */
  private free: number[] = [];
  private readonly heap = new FastPriorityQueue<number>((a, b) => {
    const t = this.times;
    return t[a]! < t[b]! || (t[a] === t[b] && this.seqs[a]! < this.seqs[b]!);
  });

  get size(): number {
    return this.heap.size;
  }

  add(ev: ScheduledEvent): void {
    let slot = this.free.pop();
    if (slot === undefined) {
      slot = this.events.length;
      if (slot === this.times.length) this.resize(2 * slot);
      this.events.push(ev);
    } else {
      this.events[slot] = ev;
    }
    this.times[slot] = ev.timeUs;
    this.seqs[slot] = ev.seq;
    this.heap.add(slot);
  }

  /** The first event, left in the heap; undefined when it is empty. */
  peek(): ScheduledEvent | undefined {
    const slot = this.heap.peek();
    return slot === undefined ? undefined : this.events[slot];
  }

  /** Takes out the first event (the one peek() returned). */
  poll(): void {
    const slot = this.heap.poll();
    if (slot === undefined) return;
    this.events[slot] = undefined;
    this.free.push(slot);
  }

  /** Every event in the heap, by a walk of a copy of it (for counts and tests, not a run's loop). */
  forEach(visit: (ev: ScheduledEvent) => void): void {
    this.heap.forEach((slot) => visit(this.events[slot]!));
  }

  /**
   * Slots made (in use or free): what the arrays hold room for, and the most events the heap has
   * held since its last trim (a slot is made only when every one is in use).
   */
  get slots(): number {
    return this.events.length;
  }

  /**
   * Lets go of the room a burst left: the events in the heap, in order, take the slots
   * 0..size-1 of arrays just big enough, and the heap is rebuilt on them (an array in order is a
   * heap already). Events that compare equal (only cancelled ones can) may change places among
   * themselves, which no run can see.
   */
  trim(): void {
    const live: ScheduledEvent[] = [];
    this.heap.forEach((slot) => live.push(this.events[slot]!));
    this.times = new Float64Array(Math.max(MIN_SLOTS, live.length));
    this.seqs = new Float64Array(this.times.length);
    const order: number[] = [];
    for (let i = 0; i < live.length; i++) {
      this.times[i] = live[i]!.timeUs;
      this.seqs[i] = live[i]!.seq;
      order.push(i);
    }
    this.events = live;
    this.free = [];
    this.heap.heapify(order);
  }

  private resize(capacity: number): void {
    const times = new Float64Array(capacity);
    const seqs = new Float64Array(capacity);
    times.set(this.times);
    seqs.set(this.seqs);
    this.times = times;
    this.seqs = seqs;
  }
}
