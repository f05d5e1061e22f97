import { EventHeap } from "./event-heap.js";

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
  /** @internal The next ordinary event of its instant in its chain (see Simulation's chains). */
  next: ScheduledEvent | null = null;
  /** @internal On a chain's head while it is in the heap: the chain's last event; null otherwise. */
  tail: ScheduledEvent | null = null;

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
 * An instant has three places, kept apart by sequence number so that the heap's order stays
 * (time, sequence) with no test on the hot path: ordinary events (below 2^50: years of wall time
 * of scheduling), then keyed events (`atKeyed`: 2^50 + key, in key order), then the events placed
 * last (`lastAt`: 2^51 + their scheduling order).
 */
const KEYED = 2 ** 50;
const LAST_IN_INSTANT = 2 ** 51;
/** Chains are made once the heap holds this many events (see Simulation). */
const CHAIN_FROM = 4096;
/** Keys of keyed events are below this. */
export const MAX_EVENT_KEY = 2 ** 50;

/**
 * The event-queue kernel: an integer-microsecond clock and a heap keyed by (time, sequence),
 * so events at the same time run in the order they were scheduled, except keyed events
 * (`atKeyed`), which follow them in key order, and those placed last in their instant (`lastAt`),
 * which run after every other event of it. It knows nothing of clusters.
 * Cancelling marks the event; it is dropped when the heap, or its chain, reaches it (lazy
 * deletion keeps cancel O(1), which matters for the many timers that are reset before they fire).
 *
 * Chains: an ordinary event runs after every earlier-scheduled event of its instant and before
 * every later-scheduled one, and before the instant's keyed and last events, so events of one
 * instant scheduled in a row need only one place in the heap. Once the heap holds CHAIN_FROM
 * events, an ordinary event for the instant of one of the last four heads made (while that head
 * is still in the heap) is linked behind that head's chain instead of being pushed; the run loop
 * takes a chain's events in order once its head is out. A 20,001-node deployment sends to every
 * node at once: 400,000 events for three or four instants, which chains hold as a few heads.
 * Below CHAIN_FROM no chains are made (the look-up would cost a small run more than its heap
 * saves), and the ring of heads is emptied: an event pushed alone meanwhile must not be
 * overtaken by one joined to an older head.
 */
export class Simulation {
  private readonly queue = new EventHeap();
  /** The chain being run: its events after the one running, or null. */
  private chain: ScheduledEvent | null = null;
  /** The heads of the last chains made, while they are in the heap (leaveRing), in a ring. */
  private readonly recent: (ScheduledEvent | null)[] = [null, null, null, null];
  private recentAt = 0;
  /** Whether `recent` may hold a head: emptied when chains stop, so none is joined out of order. */
  private chaining = false;
  private nowUs = 0;
  private seq = 0;
  /**
   * The time and sequence number of the event scheduled last (isLatest): numbers, not the event,
   * since storing a young event in this long-lived object would take V8's write barrier's slow
   * path at every event (see EventHeap). No two events still to run share both: ordinary and
   * last-placed events have sequence numbers of their own, and a keyed event's place is its key,
   * one event a key and instant (atKeyed's rule, which it does not check).
   */
  private latestTimeUs = -1;
  private latestSeq = -1;
  /**
   * How far the current instant has run: the largest sequence number run at `nowUs` (events
   * scheduled for now from a later place run after it but do not move the instant back);
   * Infinity once a run has gone through the whole instant.
   */
  private instantSeq = -1;
  private processed = 0;
  private stopRequested = false;

  now(): number {
    return this.nowUs;
  }

  /** Events whose action has run (cancelled ones are not counted). */
  get eventsProcessed(): number {
    return this.processed;
  }

  /**
   * Scheduled events still in the queue, including cancelled ones not yet dropped. Counted by a
   * walk of a copy of the heap and of every chain: for tests and probes, not for a run's loop.
   */
  get pending(): number {
    let n = 0;
    for (let ev = this.chain; ev !== null; ev = ev.next) n++;
    this.queue.forEach((head) => {
      for (let ev: ScheduledEvent | null = head; ev !== null; ev = ev.next) n++;
    });
    return n;
  }

  /** Schedule `action(arg)` at an absolute integer time, not in the past. */
  at<A>(timeUs: number, action: (arg: A) => void, arg?: A): ScheduledEvent {
    if (this.queue.size < CHAIN_FROM) {
      if (this.chaining) this.stopChains();
      return this.schedule(timeUs, this.seq++, action, arg);
    }
    return this.chained(timeUs, action, arg);
  }

  /** `at` with chains: behind the chain of its instant, if one of the last few heads is for it. */
  private chained<A>(timeUs: number, action: (arg: A) => void, arg: A | undefined): ScheduledEvent {
    const recent = this.recent;
    for (let i = 0; i < recent.length; i++) {
      const head = recent[i]!;
      if (head !== null && head.timeUs === timeUs) {
        if (!Number.isSafeInteger(timeUs) || timeUs < this.nowUs) break; // schedule() says why
        const ev = new ScheduledEvent(timeUs, this.seq++, action, arg);
        head.tail!.next = ev; // a head in the ring is in the heap, with its chain's last event
        head.tail = ev;
        this.latestTimeUs = timeUs;
        this.latestSeq = ev.seq;
        return ev;
      }
    }
    const ev = this.schedule(timeUs, this.seq++, action, arg);
    ev.tail = ev;
    recent[this.recentAt] = ev;
    this.recentAt = (this.recentAt + 1) & 3;
    this.chaining = true;
    return ev;
  }

  /** A head out of the heap: nothing more joins its chain, and the ring lets go of it (and its argument). */
  private leaveRing(head: ScheduledEvent): void {
    head.tail = null;
    const recent = this.recent;
    for (let i = 0; i < recent.length; i++) if (recent[i] === head) recent[i] = null;
  }

  /** No head in `recent` may be joined any more: an event pushed alone since would run after later ones. */
  private stopChains(): void {
    this.recent.fill(null);
    this.chaining = false;
  }

  /**
   * Schedule `action(arg)` at `timeUs`, after every ordinary event of that microsecond and before
   * those placed last, in the order of `key` (0 <= key < MAX_EVENT_KEY, one event per key and
   * instant), whenever each was scheduled. For events whose place in their instant must not
   * depend on when they were scheduled: a heartbeat's, which a shortcut may schedule long after
   * the full path would have (manager/quiet-sessions.ts).
   */
  atKeyed<A>(timeUs: number, key: number, action: (arg: A) => void, arg?: A): ScheduledEvent {
    if (!(Number.isSafeInteger(key) && key >= 0 && key < MAX_EVENT_KEY)) throw new Error(`atKeyed: key ${key} is not an integer in [0, 2^50)`);
    return this.schedule(timeUs, KEYED + key, action, arg);
  }

  /**
   * Whether an event at `timeUs` with the place `key` (atKeyed) would have run by now: it is
   * earlier, or in this instant and at or before the furthest place the instant has reached (the
   * running event's own place counts as reached).
   */
  keyedDone(timeUs: number, key: number): boolean {
    return timeUs < this.nowUs || (timeUs === this.nowUs && KEYED + key <= this.instantSeq);
  }

  /**
   * Schedule `action(arg)` at `timeUs`, after every ordinary and keyed event of that microsecond,
   * even one scheduled later (among such events, in scheduling order). For what must see an instant whole:
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
    this.latestTimeUs = timeUs;
    this.latestSeq = seq;
    return ev;
  }

  /**
   * Whether `ev` is the event scheduled last (by any method; told by its time and sequence
   * number, see latestTimeUs), still pending: cancelling it and scheduling the same action for
   * its own time again, by the same method, would run everything in the same order (only the
   * sequence numbers after it would be one higher), so a timer put off to where it already is may
   * be left alone. The scheduler's batch is put off at every task that wants a node, most often
   * to the same microsecond: 346,000 events made and cancelled in a 20,001-node deployment.
   */
  isLatest(ev: ScheduledEvent): boolean {
    return ev.seq === this.latestSeq && ev.timeUs === this.latestTimeUs && ev.life === 0;
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
      // The chain under way first (or what of it a stop, a budget or a failure left), then the heap.
      const inChain = this.chain !== null;
      const next = this.chain ?? queue.peek();
      if (next === undefined) return this.finish(untilUs, "drained");
      if (next.timeUs > untilUs) return this.finish(untilUs, "until");
      if (this.processed >= budgetEnd) return this.trim("budget");
      if (!inChain) {
        queue.poll();
        if (next.tail !== null) this.leaveRing(next);
      }
      this.chain = next.next;
      next.next = null;
      if (next.life === 2) continue;
      next.life = 1;
      if (next.timeUs !== this.nowUs) this.instantSeq = next.seq;
      else if (next.seq > this.instantSeq) this.instantSeq = next.seq;
      this.nowUs = next.timeUs;
      this.processed++;
      try {
        next.action(next.arg);
      } catch (err) {
        if (err instanceof SimulationFailure) throw err;
        throw new SimulationFailure(this.nowUs, this.processed, err);
      }
      if (this.stopRequested) return this.trim("stopped");
    }
  }

  private finish(untilUs: number, outcome: RunOutcome): RunOutcome {
    this.instantSeq = Infinity; // every event up to the limit has run
    if (untilUs !== Number.MAX_SAFE_INTEGER && untilUs > this.nowUs) this.nowUs = untilUs;
    return this.trim(outcome);
  }

  /**
   * The heap keeps, past its live part, the room it had at its largest (a deployment's burst):
   * after a run that left it under half that size, let it go.
   */
  private trim(outcome: RunOutcome): RunOutcome {
    if (this.queue.slots > 2 * this.queue.size + 1024) this.queue.trim();
    return outcome;
  }
}
