import { describe, expect, it } from "vitest";
import { Simulation } from "../../src/kernel/index.js";
import { NodeCpu } from "../../src/cluster/cpu.js";
import { Container, type ContainerRequest } from "../../src/cluster/container.js";
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
  const c = new Container<Req>("t1", spec, 0, cpu.group(Infinity), { cpu, callbacks, downstream: null }, { work: () => 1_000, calls: [] });
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
