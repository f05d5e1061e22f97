// What the machine charges for memory a process touches for the first time: the time to write
// one number into each 4 KiB page of fresh 64 MiB typed arrays, against the same writes into
// pages already touched (the baseline, in the same run). On the 2-core machines a fresh page
// costs 10.5-11.5 us, fifty times a bare-metal fault: every megabyte a run's heap grows by is
// then about 3 ms of its wall time (bench/README.md, thirty-ninth session), which is why the
// scale and hour benchmarks print their page faults. No target: it describes the machine.
import { median, wallNs, type Benchmark } from "./harness.js";

const BYTES = 64 * 2 ** 20;
const PAGE = 4096;
const ROUNDS = 5;

/** Writes one number into each page of `a`; returns the wall nanoseconds it took. */
function touch(a: Float64Array): number {
  const step = PAGE / Float64Array.BYTES_PER_ELEMENT;
  const t0 = wallNs();
  for (let i = 0; i < a.length; i += step) a[i] = i;
  return wallNs() - t0;
}

export const machineBenchmark: Benchmark = {
  name: "machine",
  description: "a page of memory touched for the first time vs one touched again (64 MiB, 16,384 pages)",
  run(ctx) {
    const pages = BYTES / PAGE;
    const fresh: number[] = [];
    const again: number[] = [];
    const faults: number[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      const a = new Float64Array(BYTES / Float64Array.BYTES_PER_ELEMENT);
      const before = process.resourceUsage().minorPageFault;
      fresh.push(touch(a) / pages);
      faults.push((process.resourceUsage().minorPageFault - before) / pages);
      again.push(touch(a) / pages);
      ctx.log(`round ${r + 1}/${ROUNDS}: ${(fresh[r]! / 1000).toFixed(2)} us a fresh page, ${again[r]!.toFixed(1)} ns a page again, ${faults[r]!.toFixed(2)} faults a page`);
    }
    const freshNs = median(fresh);
    const againNs = median(again);
    return [
      { name: "a 4 KiB page touched again", value: againNs, unit: "ns" },
      { name: "a 4 KiB page touched for the first time", value: freshNs / 1000, unit: "us", ratio: freshNs / againNs },
      { name: "minor page faults per fresh page", value: median(faults), unit: "faults" },
    ];
  },
};
