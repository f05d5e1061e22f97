import FastPriorityQueue from "fastpriorityqueue";

/**
 * One scheduled action; the caller keeps it as the handle to cancel it. Its life is explicit:
 * PENDING in the queue, then FIRED (its action ran) or CANCELLED (it never will); ask `pending`,
 * never infer it from `timeUs` and the clock. Fields are public for speed on the hot path; only
 * the kernel writes them.
 */
export class ScheduledEvent {
  constructor(
    public timeUs: number,
    public seq: number,
    public action: (arg: any) => void,
    public arg: unknown,
  ) {}
  /** @internal 0 pending, 1 fired, 2 cancelled (a number: the run loop reads it per event). */
  life: 0 | 1 | 2 = 0;

  /** Still in the queue: it will fire unless cancelled. */
  get pending(): boolean {
    return this.life === 0;
  }
  get fired(): boolean {
    return this.life === 1;
  }
  get cancelled(): boolean {
    return this.life === 2;
  }
}

export type RunOutcome = "drained" | "until" | "budget" | "stopped";

export interface RunLimits {
  /** Process events with time <= untilUs, then leave the clock at untilUs. */
  untilUs?: number;
  /** Stop after this many more processed events. */
  maxEvents?: number;
}

/** An exception thrown by an event's action, with where in the run it happened. */
export class SimulationFailure extends Error {
  constructor(
    readonly timeUs: number,
    readonly eventNumber: number,
    override readonly cause: unknown,
  ) {
    const inner = cause instanceof Error ? cause.message : String(cause);
    super(`at t=${timeUs}us (event #${eventNumber}): ${inner}`);
    this.name = "SimulationFailure";
  }
}

/**
 * Sequence numbers of events placed last in their instant (`lastAt`) start here, above any an
 * ordinary event can get (2^50 schedulings is years of wall time), so the heap's order stays
 * (time, sequence) with no test on the hot path.
 */
const LAST_IN_INSTANT = 2 ** 50;

function earlier(a: ScheduledEvent, b: ScheduledEvent): boolean {
  return a.timeUs < b.timeUs || (a.timeUs === b.timeUs && a.seq < b.seq);
}

/**
 * The event-queue kernel: an integer-microsecond clock and a heap keyed by (time, sequence),
 * so events at the same time run in the order they were scheduled, except those placed last in
 * their instant (`lastAt`), which run after every other event of it. It knows nothing of clusters.
 * Cancelling marks the event; the heap drops it when it reaches the top (lazy deletion keeps
 * cancel O(1), which matters for the many timers that are reset before they fire).
 */
export class Simulation {
  private readonly queue = new FastPriorityQueue<ScheduledEvent>(earlier);
  private nowUs = 0;
  private seq = 0;
  private processed = 0;
  private stopRequested = false;

  now(): number {
    return this.nowUs;
  }

  /** Events whose action has run (cancelled ones are not counted). */
  get eventsProcessed(): number {
    return this.processed;
  }

  /** Scheduled events still in the heap, including cancelled ones not yet dropped. */
  get pending(): number {
    return this.queue.size;
  }

  /** Schedule `action(arg)` at an absolute integer time, not in the past. */
  at<A>(timeUs: number, action: (arg: A) => void, arg?: A): ScheduledEvent {
    return this.schedule(timeUs, this.seq++, action, arg);
  }

  /**
   * Schedule `action(arg)` at `timeUs`, after every ordinary event of that microsecond, even one
   * scheduled later (among such events, in scheduling order). For what must see an instant whole:
   * a metrics window's close counts everything that happened at its end, and a fault strikes
   * after the microsecond's ordinary work, wherever that work was scheduled from.
   */
  lastAt<A>(timeUs: number, action: (arg: A) => void, arg?: A): ScheduledEvent {
    return this.schedule(timeUs, LAST_IN_INSTANT + this.seq++, action, arg);
  }

  /** Schedule after a delay; the delay is rounded to whole microseconds (never below 0). */
  after<A>(delayUs: number, action: (arg: A) => void, arg?: A): ScheduledEvent {
    // NaN fails both comparisons and is passed on for `at` to reject: a NaN delay is a bug upstream
    // (a bad distribution parameter), and running it "now" would hide it.
    const d = delayUs > 0 ? Math.round(delayUs) : delayUs <= 0 ? 0 : delayUs;
    return this.at(this.nowUs + d, action, arg);
  }

  private schedule<A>(timeUs: number, seq: number, action: (arg: A) => void, arg: A | undefined): ScheduledEvent {
    if (!Number.isSafeInteger(timeUs) || timeUs < this.nowUs) {
      throw new Error(`cannot schedule at ${timeUs}us: the clock is at ${this.nowUs}us and time is integer microseconds`);
    }
    const ev = new ScheduledEvent(timeUs, seq, action, arg);
    this.queue.add(ev);
    return ev;
  }

  cancel(ev: ScheduledEvent | null | undefined): void {
    if (ev && ev.life === 0) ev.life = 2;
  }

  /** Ask run() to return after the current event. */
  stop(): void {
    this.stopRequested = true;
  }

  run(limits: RunLimits = {}): RunOutcome {
    const untilUs = limits.untilUs ?? Number.MAX_SAFE_INTEGER;
    // The clock is set to untilUs on return, so a fractional or infinite limit would break the
    // integer-microsecond clock (and every later `after`); a NaN one would silently mean "no limit".
    if (!Number.isSafeInteger(untilUs)) {
      throw new Error(`run: untilUs must be an integer number of microseconds, got ${untilUs}`);
    }
    if (limits.maxEvents !== undefined && !(Number.isSafeInteger(limits.maxEvents) && limits.maxEvents >= 0)) {
      throw new Error(`run: maxEvents must be a non-negative integer, got ${limits.maxEvents}`);
    }
    const budgetEnd = limits.maxEvents === undefined ? Number.MAX_SAFE_INTEGER : this.processed + limits.maxEvents;
    this.stopRequested = false;
    const queue = this.queue;
    for (;;) {
      const next = queue.peek();
      if (next === undefined) return this.finish(untilUs, "drained");
      if (next.timeUs > untilUs) return this.finish(untilUs, "until");
      if (this.processed >= budgetEnd) return "budget";
      queue.poll();
      if (next.life === 2) continue;
      next.life = 1;
      this.nowUs = next.timeUs;
      this.processed++;
      try {
        next.action(next.arg);
      } catch (err) {
        if (err instanceof SimulationFailure) throw err;
        throw new SimulationFailure(this.nowUs, this.processed, err);
      }
      if (this.stopRequested) return "stopped";
    }
  }

  private finish(untilUs: number, outcome: RunOutcome): RunOutcome {
    if (untilUs !== Number.MAX_SAFE_INTEGER && untilUs > this.nowUs) this.nowUs = untilUs;
    return outcome;
  }
}
