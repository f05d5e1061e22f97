// The kernel's chains (simulation.ts): ordinary events of one instant held behind a head instead
// of in the heap, once the heap is large. Their order must be the heap's: a random script of
// same-instant ordinary, keyed and last events, events scheduled from actions, cancellations,
// stops, budget stops and bursts that take the heap above and below the chains' threshold runs
// in the same order on the kernel as on a heap of every event.

import fc from "fast-check";
import FastPriorityQueue from "fastpriorityqueue";
import { describe, expect, it } from "vitest";
import { Simulation } from "../../src/kernel/index.js";

const KEYED = 2 ** 50;
const LAST = 2 ** 51;

/** The order the kernel promises, kept by a heap of every event, one entry each (the kernel before chains). */
class Reference {
  private readonly items = new FastPriorityQueue<Item>((a, b) => a.timeUs < b.timeUs || (a.timeUs === b.timeUs && a.place < b.place));
  private seq = 0;
  private nowUs = 0;
  at(timeUs: number, action: () => void): Item {
    return this.add(timeUs, this.seq++, action);
  }
  atKeyed(timeUs: number, key: number, action: () => void): Item {
    return this.add(timeUs, KEYED + key, action);
  }
  lastAt(timeUs: number, action: () => void): Item {
    return this.add(timeUs, LAST + this.seq++, action);
  }
  cancel(item: Item): void {
    item.cancelled = true;
  }
  stop(): void {
    // Order only: where a run stops does not change it.
  }
  now(): number {
    return this.nowUs;
  }
  run(untilUs: number): void {
    for (let next = this.items.peek(); next !== undefined && next.timeUs <= untilUs; next = this.items.peek()) {
      this.items.poll();
      if (next.cancelled) continue;
      this.nowUs = next.timeUs;
      next.action();
    }
  }
  private add(timeUs: number, place: number, action: () => void): Item {
    const item = { timeUs, place, action, cancelled: false };
    this.items.add(item);
    return item;
  }
}

interface Item {
  timeUs: number;
  place: number;
  action: () => void;
  cancelled: boolean;
}

type Api = {
  at(t: number, a: () => void): unknown;
  atKeyed(t: number, k: number, a: () => void): unknown;
  lastAt(t: number, a: () => void): unknown;
  cancel(e: never): void;
  stop(): void;
  now(): number;
};

/** Runs a seeded script on `sim`: what ran, in order. */
function script(sim: Api, seed: number, run: (untilUs: number) => void): string[] {
  let state = seed >>> 0 || 1;
  const rand = (n: number): number => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return (state >>> 8) % n;
  };
  const trace: string[] = [];
  const handles: unknown[] = [];
  let key = 0;
  let label = 0;
  const schedule = (t: number, depth: number): void => {
    const name = `e${label++}`;
    const action = (): void => {
      trace.push(`${name}@${sim.now()}`);
      if (depth > 3) return;
      const children = rand(3);
      for (let c = 0; c < children; c++) schedule(sim.now() + rand(3), depth + 1);
      if (rand(6) === 0 && handles.length > 0) sim.cancel(handles[rand(handles.length)] as never);
      if (rand(8) === 0) sim.stop();
      if (rand(25) === 0) for (let i = 0; i < 4_200; i++) sim.at(sim.now() + 40 + rand(3), () => undefined); // a burst
    };
    const kind = rand(6);
    handles.push(kind === 0 ? sim.atKeyed(t, key++, action) : kind === 1 ? sim.lastAt(t, action) : sim.at(t, action));
  };
  // Fillers put the heap past the chains' threshold until they run at 20-22; bursts cross it again.
  for (let i = 0; i < 4_200; i++) sim.at(20 + rand(3), () => undefined);
  for (let i = 0; i < 60; i++) schedule(rand(6) * 10 + rand(2), 0);
  run(500_000);
  return trace;
}

describe("the kernel's chains", () => {
  it("keep the heap's order through same-instant events, cancellations, budget stops and bursts", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2 ** 31 - 1 }), fc.integer({ min: 1, max: 500 }), (seed, slice) => {
        const ref = new Reference();
        const expected = script(ref as unknown as Api, seed, (u) => ref.run(u));
        const sim = new Simulation();
        const got = script(sim as unknown as Api, seed, (u) => {
          for (;;) {
            const before = sim.eventsProcessed;
            const outcome = sim.run({ untilUs: u, maxEvents: slice });
            if (outcome === "budget") expect(sim.eventsProcessed - before).toBe(slice);
            else expect(sim.eventsProcessed - before).toBeLessThanOrEqual(slice);
            if (outcome !== "budget" && outcome !== "stopped") break;
          }
        });
        expect(got).toEqual(expected);
        expect(got.length).toBeGreaterThan(60);
      }),
      { numRuns: 40 },
    );
  });

  it("are not joined after the heap has been small: an event pushed alone meanwhile keeps its place", () => {
    const sim = new Simulation();
    const log: string[] = [];
    const fill = (t: number): void => {
      for (let i = 0; i < 4_200; i++) sim.at(t, () => undefined);
    };
    fill(50);
    sim.at(100, () => log.push("h")); // a chain's head
    sim.at(100, () => log.push("e")); // behind it
    sim.run({ untilUs: 60 }); // the fillers ran: two events left in the heap, no chains
    sim.at(100, () => log.push("e3")); // alone in the heap
    fill(200); // chains again
    sim.at(100, () => log.push("e4")); // after e3, not behind h
    sim.run();
    expect(log).toEqual(["h", "e", "e3", "e4"]);
  });

  it("count the events behind a head as pending, and a run stopped in a chain keeps to its time limit", () => {
    const sim = new Simulation();
    for (let i = 0; i < 4_096; i++) sim.at(5_000, () => undefined); // the heap at the threshold
    for (let i = 0; i < 300; i++) sim.at(1_000 + (i % 3), () => undefined); // three chains of 100
    expect(sim.pending).toBe(4_396);
    expect(sim.run({ untilUs: 1_000, maxEvents: 10 })).toBe("budget"); // inside the first chain
    expect(sim.pending).toBe(4_386);
    expect(sim.run({ untilUs: 999 })).toBe("until"); // the chain's instant is past the limit
    expect(sim.eventsProcessed).toBe(10);
    expect(sim.run({ untilUs: 1_001 })).toBe("until");
    expect(sim.eventsProcessed).toBe(200);
    expect(sim.pending).toBe(4_196);
  });

  it("an event left where it is, when it is the latest and would be made again for its own time, runs in the order a cancel and a new one give", () => {
    // A debounced timer (the scheduler's batch): put off to min(now + gap, first + cap) by random
    // actions, in bursts of calls in one instant with or without other events scheduled between.
    const trace = (seed: number, keep: boolean): { ran: string[]; kept: number } => {
      let state = seed >>> 0 || 1;
      const rand = (n: number): number => {
        state = (Math.imul(state, 1103515245) + 12345) >>> 0;
        return (state >>> 8) % n;
      };
      const sim = new Simulation();
      const ran: string[] = [];
      let tick: ReturnType<Simulation["at"]> | null = null;
      let first = 0;
      let kept = 0;
      let label = 0;
      const fire = (): void => {
        ran.push(`batch@${sim.now()}`);
        tick = null;
      };
      const putOff = (): void => {
        if (tick === null || !tick.pending) first = sim.now();
        const at = Math.min(sim.now() + 5, first + 12);
        if (keep && tick !== null && tick.timeUs === at && sim.isLatest(tick)) {
          kept++;
          return;
        }
        sim.cancel(tick);
        tick = sim.at(at, fire);
      };
      const schedule = (t: number, depth: number): void => {
        const name = `e${label++}`;
        sim.at(t, () => {
          ran.push(`${name}@${sim.now()}`);
          for (let i = rand(4); i > 0; i--) {
            putOff();
            if (rand(3) === 0 && depth < 4) schedule(sim.now() + rand(8), depth + 1);
          }
          if (rand(30) === 0) for (let i = 0; i < 4_200; i++) sim.at(sim.now() + 3 + rand(3), () => undefined); // chains
        });
      };
      for (let i = 0; i < 80; i++) schedule(rand(40), 0);
      sim.run();
      return { ran, kept };
    };
    let kept = 0;
    for (let seed = 1; seed <= 60; seed++) {
      const left = trace(seed, true);
      expect(left.ran).toEqual(trace(seed, false).ran);
      kept += left.kept;
    }
    expect(kept).toBeGreaterThan(100); // the shortcut was taken, not only the cancel and the new event
  });

  it("an event joined behind a chain after the latest one makes the latest one no longer latest", () => {
    const sim = new Simulation();
    for (let i = 0; i < 4_200; i++) sim.at(50, () => undefined); // past the chains' threshold
    const log: string[] = [];
    const tick = sim.at(100, () => log.push("batch")); // a chain's head
    expect(sim.isLatest(tick)).toBe(true);
    sim.at(100, () => log.push("x")); // joins the tick's chain
    expect(sim.isLatest(tick)).toBe(false);
    sim.cancel(tick); // so the batch is made again, behind x
    sim.at(100, () => log.push("batch"));
    sim.run();
    expect(log).toEqual(["x", "batch"]);
  });
});
