// A stream between two hosts is one TCP connection (Raft's between two managers): what arrives is
// handed over in the order it was sent. A message that overtakes an earlier one on the wire (a
// small one on the fast path passing a large transfer) waits for it, as TCP's receive buffer
// holds segments until the gap is filled. A message lost on the way (its sender crashed
// mid-transfer, or its ends could not reach each other when it arrived) is given up in its turn.
// SIMPLIFICATION: the later ones are then handed over; TCP would reset the connection and lose
// them too. The protocol above (Raft) finds the gap and sends again in either case.

/** One direction between two hosts: messages of type T, handed over by `hand` (the same for all: no closure per message). */
export class Stream<T> {
  private sent = 0;
  private next = 0;
  /**
   * Arrived before their turn, by sequence number (null: lost). While a partition stalls a
   * transfer, every later message of the stream waits here until the heal.
   */
  private readonly early = new Map<number, T | null>();

  constructor(private readonly hand: (message: T) => void) {}

  /** The next message's sequence number. */
  take(): number {
    return this.sent++;
  }

  /** Message `seq` has arrived (null: it is lost): hand over what is now in turn. */
  arrived(seq: number, message: T | null): void {
    if (seq !== this.next) {
      this.early.set(seq, message);
      return;
    }
    this.next++;
    if (message !== null) this.hand(message);
    while (this.early.has(this.next)) {
      const m = this.early.get(this.next)!;
      this.early.delete(this.next);
      this.next++;
      if (m !== null) this.hand(m);
    }
  }

  /** Messages sent and not yet handed over or given up. */
  get open(): number {
    return this.sent - this.next;
  }
}

/** The streams between hosts, made on first use, by (from, to) host index; each hands its messages over by `hand`. */
export class HostStreams<T> {
  private readonly streams = new Map<number, Stream<T>>();

  constructor(private readonly hand: (message: T) => void) {}

  of(from: number, to: number): Stream<T> {
    const key = from * 2 ** 24 + to;
    let s = this.streams.get(key);
    if (s === undefined) {
      s = new Stream(this.hand);
      this.streams.set(key, s);
    }
    return s;
  }
}
