import type { Link } from "./link.js";

/**
 * A flow is finished when at most this many bytes remain (or this fraction of its size, for flows
 * of more than a GB): remaining bytes are differences of sums of rate x elapsed and carry floating
 * error of a few ulps, which must not leave a flow a hair short of done. Completion times subtract
 * half of it before rounding up, so a flow whose exact end is an integer microsecond ends there
 * and not one microsecond later.
 */
const EPS_BYTES = 1e-3;
const EPS_FRACTION = 1e-12;

/**
 * Where a flow is in its life. "due" means its bytes have all crossed and its callback is about to
 * run in this instant; a cancel then still suppresses the callback.
 */
export type FlowState = "running" | "due" | "done" | "cancelled";

/**
 * A transfer of `bytes` along `route`. Fields other than the readonly ones are written only by the
 * FlowNetwork that started it; they are public for speed, as the kernel's ScheduledEvent's are.
 */
export class Flow {
  state: FlowState = "running";
  /** Bytes still to cross as of `lastUs`. */
  remainingBytes: number;
  lastUs: number;
  rateBytesPerUs = 0;
  /** Started since the last recomputation, so not given a rate yet. */
  unrated = true;
  /** The microsecond its last byte crosses at its current rate; -1 until it has a rate. */
  endUs = -1;
  /** Position in the network's completion heap, -1 when not in it. */
  heapIndex = -1;
  /** At most this many bytes left counts as done (see EPS_BYTES). */
  readonly epsBytes: number;
  /** slots[k]: this flow's index in route[k].flows, for O(1) removal. */
  readonly slots: number[];
  /** Scratch of the network's component walks: the walk that last reached the flow. */
  visitMark = 0;

  constructor(
    /** Start order in its network: the tie-break wherever order matters. */
    readonly seq: number,
    readonly route: readonly Link[],
    readonly bytes: number,
    readonly boundBytesPerUs: number,
    readonly startedUs: number,
    readonly onDone: (arg: any) => void,
    readonly arg: unknown,
  ) {
    this.remainingBytes = bytes;
    this.lastUs = startedUs;
    this.epsBytes = Math.max(EPS_BYTES, bytes * EPS_FRACTION);
    this.slots = new Array<number>(route.length).fill(-1);
  }

  /** The microsecond the remaining bytes run out at `rate` from `nowUs` (now if they already have). */
  endAt(nowUs: number, rateBytesPerUs: number): number {
    const left = this.remainingBytes;
    const eps = this.epsBytes;
    return nowUs + (left <= eps ? 0 : Math.ceil((left - eps / 2) / rateBytesPerUs));
  }
}
