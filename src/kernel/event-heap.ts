import FastPriorityQueue from "fastpriorityqueue";
import type { ScheduledEvent } from "./simulation.js";

/**
 * The kernel's heap of pending events, ordered by (time, sequence): a FastPriorityQueue of slot
 * numbers, each event's time and sequence number copied into two typed arrays at its slot.
 *
 * Why slots and not the events themselves: the heap's array lives long and is in V8's old
 * generation, while most events are young, and every store of a young object into an old one
 * takes the write barrier's slow path (the slot is recorded for the next scavenge). A heap of
 * events stored one at each add and at every level an add or a poll moves: 11.8% of the ordinary
 * M/M/1's instructions were that slow path, most of it here. Slot numbers are small integers,
 * which need no barrier; an event is stored once, at its slot, and its comparisons read two flat
 * arrays instead of two objects.
 *
 * Slots are reused last-freed first. The arrays keep the size of the most events ever pending at
 * once (16 bytes a slot, and the slot's place in `events`); a freed slot lets go of its event.
 */
export class EventHeap {
  private times = new Float64Array(256);
  private seqs = new Float64Array(256);
  /** The event at each slot; undefined once it has left the heap. */
  private readonly events: (ScheduledEvent | undefined)[] = [];
  private readonly free: number[] = [];
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
      if (slot === this.times.length) this.grow();
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

  /** Lets go of the heap array's room past its live part (its slots keep their size). */
  trim(): void {
    this.heap.trim();
  }

  private grow(): void {
    const times = new Float64Array(2 * this.times.length);
    const seqs = new Float64Array(2 * this.seqs.length);
    times.set(this.times);
    seqs.set(this.seqs);
    this.times = times;
    this.seqs = seqs;
  }
}
