import { describe, expect, it } from "vitest";
import * as fs from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { RandomStreams, Simulation, SimulationFailure } from "../../src/kernel/index.js";
import type { ScheduledEvent } from "../../src/kernel/index.js";

/** Schedules a labelled event that appends "label@time" to `log` when it runs. */
function logAt(sim: Simulation, log: string[], timeUs: number, label: string): ScheduledEvent {
  return sim.at(timeUs, () => log.push(`${label}@${sim.now()}`));
}

describe("Simulation ordering", () => {
  it("runs events in time order whatever the order they were scheduled in", () => {
    const sim = new Simulation();
    const ran: number[] = [];
    const timesUs = [50, 10, 40, 0, 30, 20, 60, 5];
    for (const t of timesUs) sim.at(t, () => ran.push(sim.now()));
    expect(sim.run()).toBe("drained");
    expect(ran).toEqual([0, 5, 10, 20, 30, 40, 50, 60]);
  });

  it("runs many random times in non-decreasing order", () => {
    const sim = new Simulation();
    const rng = new RandomStreams(7).stream("times");
    const ran: number[] = [];
    for (let i = 0; i < 2_000; i++) sim.at(rng.int(500), () => ran.push(sim.now()));
    sim.run();
    expect(ran).toHaveLength(2_000);
    expect(ran).toEqual([...ran].sort((a, b) => a - b));
  });

  it("runs same-time events in scheduling order, including ones scheduled for now from inside an action", () => {
    const sim = new Simulation();
    const log: string[] = [];
    sim.at(10, () => {
      log.push("a@10");
      // Scheduled for "now" after b and c were: it must run after them, and before anything later.
      logAt(sim, log, sim.now(), "d");
      sim.after(0, () => log.push(`e@${sim.now()}`));
    });
    logAt(sim, log, 10, "b");
    logAt(sim, log, 11, "later");
    logAt(sim, log, 10, "c");
    sim.run();
    expect(log).toEqual(["a@10", "b@10", "c@10", "d@10", "e@10", "later@11"]);
  });

  it("runs a lastAt event after every ordinary event of its instant, even ones scheduled after it or by it", () => {
    const sim = new Simulation();
    const log: string[] = [];
    sim.lastAt(10, () => {
      log.push("close@10");
      // Scheduled for now by a last event: an ordinary event, so before the next last one.
      logAt(sim, log, sim.now(), "cleanup");
    });
    sim.lastAt(10, () => log.push(`fault@${sim.now()}`));
    logAt(sim, log, 9, "early");
    sim.at(10, () => {
      log.push("a@10");
      logAt(sim, log, sim.now(), "b"); // scheduled long after the close: still before it
    });
    logAt(sim, log, 11, "later");
    sim.run();
    expect(log).toEqual(["early@9", "a@10", "b@10", "close@10", "cleanup@10", "fault@10", "later@11"]);
  });

  it("runs keyed events after the instant's ordinary ones and before its last ones, in key order, whenever scheduled", () => {
    const sim = new Simulation();
    const log: string[] = [];
    sim.lastAt(10, () => log.push("last"));
    sim.atKeyed(10, 7, () => log.push("k7"));
    sim.at(5, () => sim.atKeyed(10, 3, () => log.push("k3"))); // scheduled later, runs before k7
    sim.at(10, () => log.push("ordinary"));
    sim.run();
    expect(log).toEqual(["ordinary", "k3", "k7", "last"]);
  });

  it("keyedDone: a keyed event at now has run once the instant has passed its place, and never goes back", () => {
    const sim = new Simulation();
    const seen: Record<string, boolean[]> = {};
    const probe = (name: string) => (seen[name] = [sim.keyedDone(10, 3), sim.keyedDone(10, 5), sim.keyedDone(10, 7), sim.keyedDone(9, 99), sim.keyedDone(11, 0)]);
    sim.at(10, () => probe("ordinary"));
    sim.atKeyed(10, 5, () => {
      probe("keyed 5");
      sim.at(10, () => probe("ordinary after keyed 5")); // scheduled for now from a later place
    });
    sim.lastAt(10, () => probe("last"));
    sim.run({ untilUs: 10 });
    probe("after the run");
    expect(seen).toEqual({
      ordinary: [false, false, false, true, false],
      "keyed 5": [true, true, false, true, false],
      "ordinary after keyed 5": [true, true, false, true, false],
      last: [true, true, true, true, false],
      "after the run": [true, true, true, true, false],
    });
  });

  it("keeps scheduling order among many events at one time", () => {
    const sim = new Simulation();
    const ran: number[] = [];
    for (let i = 0; i < 1_000; i++) sim.at(42, () => ran.push(i));
    sim.run();
    expect(ran).toEqual(Array.from({ length: 1_000 }, (_, i) => i));
  });

  it("passes the argument to the action", () => {
    const sim = new Simulation();
    const got: string[] = [];
    sim.at(1, (name: string) => got.push(name), "task-1");
    sim.after(2, (name: string) => got.push(name), "task-2");
    sim.run();
    expect(got).toEqual(["task-1", "task-2"]);
  });

  it("rejects `at` in the past, at a non-integer time, or at a non-finite time", () => {
    const sim = new Simulation();
    sim.at(100, () => {});
    sim.run();
    expect(sim.now()).toBe(100);
    expect(() => sim.at(99, () => {})).toThrow(/cannot schedule at 99us/);
    expect(() => sim.at(100.5, () => {})).toThrow(/cannot schedule/);
    expect(() => sim.at(Number.NaN, () => {})).toThrow(/cannot schedule/);
    expect(() => sim.at(Number.POSITIVE_INFINITY, () => {})).toThrow(/cannot schedule/);
    expect(() => sim.at(2 ** 53, () => {})).toThrow(/cannot schedule/);
    // Nothing was queued by the rejected calls; the present is still allowed.
    expect(sim.pending).toBe(0);
    expect(() => sim.at(100, () => {})).not.toThrow();
    expect(sim.pending).toBe(1);
  });

  it("`after` rounds to whole microseconds and clamps negative delays to now", () => {
    const sim = new Simulation();
    sim.at(1_000, () => {});
    sim.run();
    const cases: Array<[delayUs: number, expectedUs: number]> = [
      [0, 1_000],
      [0.4, 1_000],
      [0.5, 1_001],
      [1.4, 1_001],
      [1.5, 1_002],
      [2.6, 1_003],
      [-5, 1_000],
      [1e6, 1_001_000],
    ];
    for (const [delayUs, expectedUs] of cases) {
      expect(sim.after(delayUs, () => {}).timeUs, `after(${delayUs})`).toBe(expectedUs);
    }
  });

  it("`after` rejects NaN and infinite delays instead of treating them as zero", () => {
    const sim = new Simulation();
    expect(() => sim.after(Number.NaN, () => {})).toThrow(/cannot schedule/);
    expect(() => sim.after(Number.POSITIVE_INFINITY, () => {})).toThrow(/cannot schedule/);
    expect(sim.pending).toBe(0);
  });
});

describe("Simulation cancel", () => {
  it("never runs a cancelled event and does not count it", () => {
    const sim = new Simulation();
    const log: string[] = [];
    logAt(sim, log, 1, "a");
    const b = logAt(sim, log, 2, "b");
    logAt(sim, log, 3, "c");
    sim.cancel(b);
    expect(sim.run()).toBe("drained");
    expect(log).toEqual(["a@1", "c@3"]);
    expect(sim.eventsProcessed).toBe(2);
    // The clock did not stop at the cancelled event's time on the way.
    expect(sim.now()).toBe(3);
  });

  it("cancels an event at the same time from within an earlier-scheduled one", () => {
    const sim = new Simulation();
    const log: string[] = [];
    let victim: ScheduledEvent | undefined;
    sim.at(5, () => {
      log.push("canceller@5");
      sim.cancel(victim);
    });
    victim = logAt(sim, log, 5, "victim");
    logAt(sim, log, 5, "bystander");
    sim.run();
    expect(log).toEqual(["canceller@5", "bystander@5"]);
    expect(sim.eventsProcessed).toBe(2);
  });

  it("treats cancel(null), cancel(undefined) and cancelling an event that already ran as no-ops", () => {
    const sim = new Simulation();
    const log: string[] = [];
    const first = logAt(sim, log, 1, "a");
    logAt(sim, log, 2, "b");
    sim.cancel(null);
    sim.cancel(undefined);
    sim.run({ untilUs: 1 });
    sim.cancel(first);
    expect(sim.run()).toBe("drained");
    expect(log).toEqual(["a@1", "b@2"]);
    expect(sim.eventsProcessed).toBe(2);
  });

  it("can cancel and reschedule a timer many times (the heartbeat-reset pattern)", () => {
    const sim = new Simulation();
    let fired = 0;
    let timer: ScheduledEvent | null = null;
    const resetTimer = () => {
      sim.cancel(timer);
      timer = sim.after(100, () => fired++);
    };
    for (let t = 0; t < 1_000; t += 10) sim.at(t, resetTimer);
    sim.run();
    // Only the last reset survives: it fires 100us after the last heartbeat at 990.
    expect(fired).toBe(1);
    expect(sim.now()).toBe(1_090);
    expect(sim.eventsProcessed).toBe(101);
  });
});

describe("Simulation run limits", () => {
  it("processes events at exactly untilUs, not after, and then leaves the clock at untilUs", () => {
    const sim = new Simulation();
    const log: string[] = [];
    logAt(sim, log, 10, "a");
    logAt(sim, log, 20, "b");
    logAt(sim, log, 21, "c");
    expect(sim.run({ untilUs: 20 })).toBe("until");
    expect(log).toEqual(["a@10", "b@20"]);
    expect(sim.now()).toBe(20);
    expect(sim.pending).toBe(1);
  });

  it("moves the clock to untilUs when the queue drains earlier", () => {
    const sim = new Simulation();
    sim.at(10, () => {});
    expect(sim.run({ untilUs: 1_000 })).toBe("drained");
    expect(sim.now()).toBe(1_000);
    // An empty simulation also advances.
    const empty = new Simulation();
    expect(empty.run({ untilUs: 77 })).toBe("drained");
    expect(empty.now()).toBe(77);
  });

  it("continues where it left off on a later run", () => {
    const sim = new Simulation();
    const log: string[] = [];
    for (const t of [5, 15, 25, 35]) logAt(sim, log, t, `e${t}`);
    expect(sim.run({ untilUs: 10 })).toBe("until");
    expect(sim.now()).toBe(10);
    // Scheduling relative to the advanced clock uses untilUs as now.
    sim.after(3, () => log.push(`after@${sim.now()}`));
    expect(sim.run({ untilUs: 30 })).toBe("until");
    expect(sim.now()).toBe(30);
    expect(sim.run()).toBe("drained");
    expect(log).toEqual(["e5@5", "after@13", "e15@15", "e25@25", "e35@35"]);
    expect(sim.now()).toBe(35);
  });

  it("leaves the clock alone when untilUs is already past", () => {
    const sim = new Simulation();
    sim.at(50, () => {});
    sim.at(80, () => {});
    sim.run({ untilUs: 60 });
    expect(sim.run({ untilUs: 40 })).toBe("until");
    expect(sim.now()).toBe(60);
    expect(sim.pending).toBe(1);
  });

  it("rejects an untilUs that is not an integer, so the clock stays in whole microseconds", () => {
    const sim = new Simulation();
    sim.at(5, () => {});
    expect(() => sim.run({ untilUs: 10.5 })).toThrow(/untilUs/);
    expect(() => sim.run({ untilUs: Number.NaN })).toThrow(/untilUs/);
    expect(sim.now()).toBe(0);
    expect(sim.eventsProcessed).toBe(0);
  });

  it("returns 'budget' after exactly maxEvents processed events, and a later run continues", () => {
    const sim = new Simulation();
    let ran = 0;
    for (let i = 0; i < 10; i++) sim.at(i * 10, () => ran++);
    sim.cancel(sim.at(15, () => ran++)); // cancelled events do not use budget
    expect(sim.run({ maxEvents: 4 })).toBe("budget");
    expect(ran).toBe(4);
    expect(sim.eventsProcessed).toBe(4);
    expect(sim.now()).toBe(30);
    expect(sim.run({ maxEvents: 4 })).toBe("budget");
    expect(ran).toBe(8);
    expect(sim.now()).toBe(70);
    expect(sim.run({ maxEvents: 4 })).toBe("drained");
    expect(ran).toBe(10);
    expect(sim.run({ maxEvents: 0 })).toBe("drained");
  });

  it("rejects a maxEvents that is negative or not an integer", () => {
    const sim = new Simulation();
    sim.at(1, () => {});
    expect(() => sim.run({ maxEvents: -1 })).toThrow(/maxEvents/);
    expect(() => sim.run({ maxEvents: 1.5 })).toThrow(/maxEvents/);
    expect(() => sim.run({ maxEvents: Number.NaN })).toThrow(/maxEvents/);
    expect(sim.eventsProcessed).toBe(0);
  });

  it("stop() returns 'stopped' after the current event and a later run continues", () => {
    const sim = new Simulation();
    const log: string[] = [];
    logAt(sim, log, 1, "a");
    sim.at(2, () => {
      log.push("stopper@2");
      sim.stop();
    });
    logAt(sim, log, 2, "b");
    logAt(sim, log, 3, "c");
    expect(sim.run({ untilUs: 100 })).toBe("stopped");
    expect(log).toEqual(["a@1", "stopper@2"]);
    // The clock stays at the stopping event; untilUs is not applied.
    expect(sim.now()).toBe(2);
    expect(sim.run()).toBe("drained");
    expect(log).toEqual(["a@1", "stopper@2", "b@2", "c@3"]);
  });

  it("forgets a stop() requested outside run()", () => {
    const sim = new Simulation();
    sim.at(1, () => {});
    sim.at(2, () => {});
    sim.stop();
    expect(sim.run()).toBe("drained");
    expect(sim.eventsProcessed).toBe(2);
  });
});

describe("Simulation memory", () => {
  it("lets go of the events a burst left in the heap once a run has drained it", () => {
    const sim = new Simulation();
    const heap = (sim as unknown as { queue: { heap: { array: unknown[] }; events: unknown[] } }).queue;
    const held = (): number => heap.events.filter((ev) => ev !== undefined).length;
    for (let i = 0; i < 50_000; i++) sim.at(i, () => undefined, { payload: i });
    expect(heap.heap.array.length).toBeGreaterThanOrEqual(50_000);
    expect(held()).toBe(50_000);
    sim.at(10_000_000, () => undefined);
    expect(sim.run({ untilUs: 1_000_000 })).toBe("until");
    // One event is left: no slot holds one that ran, and the heap's array has let its room go.
    expect(sim.pending).toBe(1);
    expect(held()).toBe(1);
    expect(heap.heap.array.length).toBeLessThan(100);
    // And it still works as a heap afterwards.
    const log: string[] = [];
    logAt(sim, log, 3_000_000, "b");
    logAt(sim, log, 2_000_000, "a");
    sim.run();
    expect(log).toEqual(["a@2000000", "b@3000000"]);
  });
});

describe("Simulation failures", () => {
  it("wraps a throwing action in a SimulationFailure with sim time and event number", () => {
    const sim = new Simulation();
    const boom = new Error("invariant broken: two leaders in term 3");
    sim.at(10, () => {});
    sim.cancel(sim.at(15, () => {}));
    sim.at(20, () => {});
    sim.at(30, () => {
      throw boom;
    });
    sim.at(40, () => {});
    let caught: unknown;
    try {
      sim.run();
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(SimulationFailure);
    const failure = caught as SimulationFailure;
    expect(failure.timeUs).toBe(30);
    expect(failure.eventNumber).toBe(3);
    expect(failure.cause).toBe(boom);
    expect(failure.name).toBe("SimulationFailure");
    expect(failure.message).toBe("at t=30us (event #3): invariant broken: two leaders in term 3");
    expect(sim.now()).toBe(30);
  });

  it("wraps non-Error throws too", () => {
    const sim = new Simulation();
    sim.at(7, () => {
      throw "plain string";
    });
    expect(() => sim.run()).toThrow("at t=7us (event #1): plain string");
  });

  it("does not re-wrap a SimulationFailure from a nested run", () => {
    const inner = new Simulation();
    inner.at(3, () => {
      throw new Error("inner");
    });
    const outer = new Simulation();
    outer.at(100, () => inner.run());
    let caught: unknown;
    try {
      outer.run();
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(SimulationFailure);
    expect((caught as SimulationFailure).timeUs).toBe(3);
  });
});

describe("Simulation determinism", () => {
  /** A small self-scheduling model with random delays and cancels; returns its trace. */
  function trace(seed: number): string {
    const sim = new Simulation();
    const rng = new RandomStreams(seed).stream("model");
    const out: string[] = [];
    const timers: ScheduledEvent[] = [];
    const step = (id: number) => {
      out.push(`${id}@${sim.now()}`);
      if (sim.eventsProcessed >= 3_000) return;
      timers.push(sim.after(rng.exponential(50), step, id));
      if (rng.next() < 0.2) sim.cancel(timers[rng.int(timers.length)]);
      if (rng.next() < 0.3) sim.after(rng.int(3), step, id + 1);
    };
    for (let i = 0; i < 20; i++) sim.at(i, step, i * 1_000);
    sim.run({ untilUs: 1_000_000 });
    return out.join(",");
  }

  it("gives the same trace for the same seed and a different one for another seed", () => {
    const a = trace(42);
    expect(a.length).toBeGreaterThan(1_000);
    expect(trace(42)).toBe(a);
    expect(trace(43)).not.toBe(a);
  });
});

describe("an event's life is explicit", () => {
  it("pending, then fired or cancelled; cancelling a fired event leaves it fired", () => {
    const sim = new Simulation();
    const a = sim.at(10, () => undefined);
    const b = sim.at(20, () => undefined);
    expect([a.pending, a.fired, a.cancelled]).toEqual([true, false, false]);
    sim.cancel(b);
    expect([b.pending, b.fired, b.cancelled]).toEqual([false, false, true]);
    let during: boolean[] = [];
    const c = sim.at(15, () => (during = [c.pending, c.fired]));
    sim.run();
    expect([a.pending, a.fired, a.cancelled]).toEqual([false, true, false]);
    expect(during).toEqual([false, true]);
    sim.cancel(a);
    expect([a.fired, a.cancelled]).toEqual([true, false]);
    expect(b.fired).toBe(false);
  });
});

describe("the kernel's heap", () => {
  it("is fastpriorityqueue's only user in the simulator", () => {
    // A second comparator in the library's shared add/poll makes them polymorphic calls that V8
    // does not inline: cluster-100 ran 5-10% slower while the scheduler also used the library.
    // (It finds the module named in any import or require; a comparator handed to the kernel's
    // own queue from elsewhere would not show here, and the kernel takes none.)
    const src = path.join(path.dirname(fileURLToPath(import.meta.url)), "../../src");
    const users = (fs.readdirSync(src, { recursive: true }) as string[])
      .filter((f) => /\.[cm]?[jt]s$/.test(f) && /["']fastpriorityqueue["']/.test(fs.readFileSync(path.join(src, f), "utf8")))
      .map((f) => f.split(path.sep).join("/"))
      .sort();
    expect(users).toEqual(["kernel/event-heap.ts"]);
  });
});
