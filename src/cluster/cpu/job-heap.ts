import type { CpuJob } from "./group.js";
import { sharedEmptyList } from "../empty-list.js";

function before(a: CpuJob, b: CpuJob): boolean {
  return a.tagUs < b.tagUs || (a.tagUs === b.tagUs && a.seq < b.seq);
}

/** The heap of a group without jobs: shared (empty-list.ts), replaced at the next push. */
const EMPTY: CpuJob[] = sharedEmptyList<CpuJob>();

/**
 * A binary min-heap of one group's jobs by finish tag (then submission order, so equal tags finish
 * first-come first-served). Each job keeps its own index, so a cancel removes it in O(log n)
 * instead of leaving a dead entry that would distort the group's job count, and so its rate.
 */
export class JobHeap {
  /**
   * Made afresh with each first job and dropped when the last one leaves. Pushing into [] would
   * reserve 17 places, which a container that only ran its start-up job (most of a big cluster's)
   * would keep for ever; [job] reserves one. And on a big cluster's idle node a kept list is two
   * cache misses of the next request (the list and its places), a new one none.
   */
  private items: CpuJob[] = EMPTY;

  get size(): number {
    return this.items.length;
  }

  peek(): CpuJob | undefined {
    return this.items[0];
  }

  push(job: CpuJob): void {
    if (this.items.length === 0) {
      this.items = [job];
      job.heapIndex = 0;
      return;
    }
    job.heapIndex = this.items.length;
    this.items.push(job);
    this.siftUp(job.heapIndex);
  }

  pop(): CpuJob | undefined {
    const top = this.items[0];
    if (top !== undefined) this.removeAt(0);
    return top;
  }

  remove(job: CpuJob): void {
    const i = job.heapIndex;
    if (this.items[i] !== job) throw new Error(`cpu: job #${job.seq} is not in its group's heap`);
    this.removeAt(i);
  }

  /** Empties the heap and returns what it held, in no particular order. */
  drain(): CpuJob[] {
    const all = this.items;
    this.items = EMPTY;
    for (const job of all) job.heapIndex = -1;
    return all === EMPTY ? [] : all;
  }

  /**
   * Subtracts `deltaUs` from every tag and rebuilds the heap: floating subtraction keeps the order
   * of tags but may turn a strict inequality into a tie, which the sequence tie-break then decides
   * differently, so the heap property is restored from scratch (O(n), and rare).
   */
  shiftTags(deltaUs: number): void {
    const items = this.items;
    for (const job of items) job.tagUs -= deltaUs;
    for (let i = (items.length >> 1) - 1; i >= 0; i--) this.siftDown(i);
  }

  private removeAt(i: number): void {
    const items = this.items;
    const removed = items[i]!;
    const last = items.pop()!;
    removed.heapIndex = -1;
    if (items.length === 0) this.items = EMPTY;
    if (i === items.length) return;
    items[i] = last;
    last.heapIndex = i;
    // The moved job may belong above or below position i; at most one of these moves it.
    this.siftUp(i);
    this.siftDown(last.heapIndex);
  }

  private siftUp(i: number): void {
    const items = this.items;
    const job = items[i]!;
    while (i > 0) {
      const p = (i - 1) >> 1;
      const parent = items[p]!;
      if (!before(job, parent)) break;
      items[i] = parent;
      parent.heapIndex = i;
      i = p;
    }
    items[i] = job;
    job.heapIndex = i;
  }

  private siftDown(i: number): void {
    const items = this.items;
    const n = items.length;
    const job = items[i]!;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= n) break;
      const right = items[c + 1];
      if (right !== undefined && before(right, items[c]!)) c++;
      const child = items[c]!;
      if (!before(child, job)) break;
      items[i] = child;
      child.heapIndex = i;
      i = c;
    }
    items[i] = job;
    job.heapIndex = i;
  }
}
