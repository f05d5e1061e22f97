import { describe, expect, it } from "vitest";
import { Simulation } from "../../src/kernel/index.js";
import { NodeCpu } from "../../src/cluster/cpu.js";
import { Container, type ContainerRequest, type Downstream } from "../../src/cluster/container.js";
import type { ServiceSpec } from "../../src/scenario/types.js";

interface Req extends ContainerRequest {
  n: number;
}

/** One worker, a queue of `queue`, each request 1 ms of CPU on a one-core node. */
function container(queue: number): { sim: Simulation; c: Container<Req>; done: number[]; rejected: number[] } {
  const sim = new Simulation();
  const cpu = new NodeCpu(sim, 1);
  const done: number[] = [];
  const rejected: number[] = [];
  const spec = { runtime: { memoryBytes: 0, concurrency: 1, queue } } as unknown as ServiceSpec;
  const callbacks = {
    completed: (r: Req) => void done.push(r.n),
    dropped: (r: Req, _c: unknown, why: string) => void (why === "rejected" ? rejected.push(r.n) : undefined),
  };
  const c = new Container<Req>("t1", spec, 0, cpu.group(Infinity), { work: () => 1_000, calls: [], callbacks, downstream: null });
  return { sim, c, done, rejected };
}

describe("a container's queue", () => {
  // The ring starts small and grows: order and the limit must be the same as a full-size queue's.
  for (const queue of [1, 3, 4, 5, 9, 128]) {
    it(`serves in arrival order and rejects past a queue of ${queue}, across wrap-arounds`, () => {
      const { sim, c, done, rejected } = container(queue);
      let n = 0;
      // 5 fill a ring of 4; two are served, so the next 4 wrap it around before it grows.
      const bursts = [5, 4, queue + 3, 2];
      for (const burst of bursts) {
        for (let i = 0; i < burst; i++) c.accept({ n: n++, workUs: 0, job: null });
        sim.run({ untilUs: sim.now() + 2_500 });
      }
      sim.run();
      expect([...done, ...rejected].sort((a, b) => a - b)).toEqual(Array.from({ length: n }, (_, i) => i));
      expect(done).toEqual([...done].sort((a, b) => a - b));
      // Nothing is rejected until `queue` wait; then all that arrive past it are.
      expect(rejected.length).toBeGreaterThan(0);
      if (queue >= 7) expect(rejected[0]).toBeGreaterThanOrEqual(9);
    });
  }
});

/**
 * A container of `concurrency` workers (and a queue of 10) on a node of `cores`; each request's
 * work is the next of `works`. The log says when each request was answered or dropped.
 */
function setup(cores: number, concurrency: number, works: number[], downstream: Downstream<Req> | null = null, calls = 0) {
  const sim = new Simulation();
  const cpu = new NodeCpu(sim, cores);
  const log: string[] = [];
  const spec = { runtime: { memoryBytes: 0, concurrency, queue: 10 } } as unknown as ServiceSpec;
  const callbacks = {
    completed: (r: Req) => void log.push(`done ${r.n}@${sim.now()}`),
    dropped: (r: Req, _c: unknown, why: string) => void log.push(`drop ${r.n} ${why}@${sim.now()}`),
  };
  let i = 0;
  const requests = { work: () => works[i++ % works.length]!, calls: Array.from({ length: calls }, () => ({ service: 0, timeoutUs: 1, dnsCacheUs: 0 })), callbacks, downstream };
  const c = new Container<Req>("t1", spec, 0, cpu.group(Infinity), requests);
  return { sim, c, log };
}

describe("a container's workers", () => {
  // One handler serves every container's CPU jobs and is told which job ended: each completion
  // must go to the request that holds that job, whatever order the jobs finish in.
  it("answer each request when its own work is done, in processor-sharing order (3, 1 and 2 ms on one core)", () => {
    const { sim, c, log } = setup(1, 3, [3_000, 1_000, 2_000]);
    for (let n = 0; n < 3; n++) c.accept({ n, workUs: 0, job: null });
    sim.run();
    // Three jobs share the core: the 1 ms one ends at 3 ms; then two share it, and the 2 ms one
    // (1 ms left) ends 2 ms later; the 3 ms one has 1 ms left, alone, and ends at 6 ms.
    expect(log).toEqual(["done 1@3000", "done 2@5000", "done 0@6000"]);
  });
});

describe("a killed container", () => {
  it("drops every request in service and queued, and none of their jobs ends afterwards", () => {
    const { sim, c, log } = setup(8, 2, [3000, 1000, 2000]);
    for (let n = 0; n < 3; n++) c.accept({ n, workUs: 0, job: null });
    sim.run({ untilUs: 1500 });
    c.kill();
    sim.run();
    expect(log).toEqual(["done 1@1000", "drop 0 stopped@1500", "drop 2 stopped@1500"]);
  });

  it("ignores a downstream call's answer that comes after the kill", () => {
    const pending: ((ok: boolean) => void)[] = [];
    const { sim, c, log } = setup(8, 2, [1000], { call: (_from, _call, done) => void pending.push(done) }, 2);
    c.accept({ n: 0, workUs: 0, job: null });
    c.accept({ n: 1, workUs: 0, job: null });
    sim.run();
    expect(pending).toHaveLength(2);
    pending[0]!(true); // request 0's first call answered: its second goes out
    expect(pending).toHaveLength(3);
    c.kill();
    for (const answer of pending) answer(true);
    expect(log).toEqual(["drop 0 stopped@1000", "drop 1 stopped@1000"]);
  });
});
