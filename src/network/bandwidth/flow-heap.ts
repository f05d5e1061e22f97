import type { Flow } from "./flow.js";

function before(a: Flow, b: Flow): boolean {
  return a.endUs < b.endUs || (a.endUs === b.endUs && a.seq < b.seq);
}

/**
 * The network's flows by completion time (then start order, so flows ending in the same microsecond
 * complete in the order they started). Each flow keeps its index, so a rate change moves its entry
 * in O(log n) and a cancel removes it, instead of leaving a dead entry behind: with thousands of
 * rates changing per recomputation, dead kernel events would pile up by the million.
 */
export class FlowHeap {
  private readonly items: Flow[] = [];

  get size(): number {
    return this.items.length;
  }

  peek(): Flow | undefined {
    return this.items[0];
  }

  /** Inserts the flow, or moves it if its `endUs` changed while it was in the heap. */
  place(flow: Flow): void {
    let i = flow.heapIndex;
    if (i < 0) {
      i = this.items.length;
      this.items.push(flow);
    }
    this.siftUp(i, flow);
    this.siftDown(flow.heapIndex);
  }

  pop(): Flow | undefined {
    const top = this.items[0];
    if (top !== undefined) this.removeAt(0);
    return top;
  }

  remove(flow: Flow): void {
    const i = flow.heapIndex;
    if (i < 0) return;
    if (this.items[i] !== flow) throw new Error(`network: flow #${flow.seq} is not where the completion heap put it`);
    this.removeAt(i);
  }

  private removeAt(i: number): void {
    const items = this.items;
    const removed = items[i]!;
    const last = items.pop()!;
    removed.heapIndex = -1;
    if (i === items.length) return;
    this.siftUp(i, last);
    this.siftDown(last.heapIndex);
  }

  /** Puts `flow` at or above position i. */
  private siftUp(i: number, flow: Flow): void {
    const items = this.items;
    while (i > 0) {
      const p = (i - 1) >> 1;
      const parent = items[p]!;
      if (!before(flow, parent)) break;
      items[i] = parent;
      parent.heapIndex = i;
      i = p;
    }
    items[i] = flow;
    flow.heapIndex = i;
  }

  private siftDown(i: number): void {
    const items = this.items;
    const n = items.length;
    const flow = items[i]!;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= n) break;
      const right = items[c + 1];
      if (right !== undefined && before(right, items[c]!)) c++;
      const child = items[c]!;
      if (!before(child, flow)) break;
      items[i] = child;
      child.heapIndex = i;
      i = c;
    }
    items[i] = flow;
    flow.heapIndex = i;
  }
}
