import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { EventHeap } from "../../src/kernel/event-heap.js";
import { ScheduledEvent } from "../../src/kernel/index.js";

const ev = (timeUs: number, seq: number): ScheduledEvent => new ScheduledEvent(timeUs, seq, () => undefined, undefined);
const freeSlots = (h: EventHeap): number => (h as unknown as { free: number[] }).free.length;
const held = (h: EventHeap): number => (h as unknown as { events: unknown[] }).events.filter((e) => e !== undefined).length;

/** Takes everything out, in the heap's order. */
function drain(h: EventHeap): ScheduledEvent[] {
  const out: ScheduledEvent[] = [];
  for (let e = h.peek(); e !== undefined; e = h.peek()) {
    out.push(e);
    h.poll();
  }
  return out;
}

const earlier = (a: ScheduledEvent, b: ScheduledEvent): number => a.timeUs - b.timeUs || a.seq - b.seq;

describe("the kernel's event heap", () => {
  it("gives events in (time, sequence) order through adds, polls and trims, and accounts for every slot", () => {
    const op = fc.oneof(
      fc.record({ add: fc.integer({ min: 0, max: 40 }) }),
      fc.constant({ poll: true }),
      fc.constant({ trim: true }),
      fc.record({ burst: fc.integer({ min: 1, max: 700 }) }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 120 }), (ops) => {
        const h = new EventHeap();
        const ref: ScheduledEvent[] = [];
        let seq = 0;
        let most = 0; // the most events held since the last trim
        const add = (t: number): void => {
          const e = ev(t, seq++);
          h.add(e);
          ref.push(e);
        };
        for (const o of ops) {
          if ("add" in o) add(o.add);
          else if ("burst" in o) for (let i = 0; i < o.burst; i++) add((i * 7919) % 53);
          else if ("poll" in o) {
            ref.sort(earlier);
            expect(h.peek()).toBe(ref[0]);
            h.poll();
            ref.shift();
          } else {
            h.trim();
            expect(h.slots).toBe(ref.length); // the room a burst left is gone
            expect(freeSlots(h)).toBe(0);
            most = ref.length;
          }
          most = Math.max(most, ref.length);
          expect(h.slots).toBe(most); // what Simulation's trim reads as the heap's largest since its last trim
          expect(h.size).toBe(ref.length);
          expect(h.slots).toBe(h.size + freeSlots(h)); // no slot lost, none counted twice
          expect(held(h)).toBe(h.size); // a freed slot lets go of its event
        }
        expect(drain(h)).toEqual(ref.sort(earlier));
      }),
      { numRuns: 200 },
    );
  });

  it("reuses its slots: filling and draining it again and again makes no more of them", () => {
    const h = new EventHeap();
    for (let round = 0; round < 5; round++) {
      for (let i = 0; i < 1_000; i++) h.add(ev(round * 10_000 + ((i * 31) % 1_000), i));
      expect(h.slots).toBe(1_000);
      const out = drain(h);
      expect(out.map((e) => e.timeUs)).toEqual([...out.map((e) => e.timeUs)].sort((a, b) => a - b));
    }
    expect(h.slots).toBe(1_000);
    h.trim();
    expect(h.slots).toBe(0);
  });

  it("keeps times past 2^32 microseconds and keyed sequence numbers exact", () => {
    const h = new EventHeap();
    const big = 2 ** 40;
    h.add(ev(big + 1, 2 ** 50 + 3));
    h.add(ev(big + 1, 2 ** 51 + 1));
    h.add(ev(big + 1, 5));
    h.add(ev(big, 2 ** 51));
    expect(drain(h).map((e) => [e.timeUs - big, e.seq])).toEqual([
      [0, 2 ** 51],
      [1, 5],
      [1, 2 ** 50 + 3],
      [1, 2 ** 51 + 1],
    ]);
  });
});
