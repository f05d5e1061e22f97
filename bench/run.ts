// Runs the benchmarks and prints one table each. Usage:
//   npm run bench                                  every benchmark
//   node --expose-gc dist-bench/bench/run.js kernel  only those whose name contains "kernel"
// Exits with status 1 if any row missed its target, so a regression is visible to scripts.
import os from "node:os";
import type { BenchRow, Benchmark } from "./harness.js";
import { gcAvailable } from "./harness.js";
import { kernelBenchmark } from "./kernel.js";
import { mm1Benchmark } from "./mm1.js";
import { controlPlaneBenchmark } from "./control-plane.js";
import { clusterBenchmark } from "./cluster.js";
import { cpuBenchmark } from "./cpu.js";
import { schedulerBenchmark } from "./scheduler.js";
import { hourBenchmark, scaleBenchmark } from "./scale.js";
import { flowsBenchmark } from "./flows.js";
import { idleMemoryBenchmark } from "./idle-memory.js";
import { machineBenchmark } from "./machine.js";

/** Every benchmark, in the order they run. Add new ones here. */
const BENCHMARKS: readonly Benchmark[] = [machineBenchmark, kernelBenchmark, cpuBenchmark, mm1Benchmark, controlPlaneBenchmark, schedulerBenchmark, clusterBenchmark, flowsBenchmark, idleMemoryBenchmark, scaleBenchmark, hourBenchmark];

function formatValue(value: number): string {
  if (Number.isInteger(value) || Math.abs(value) >= 1_000) return Math.round(value).toLocaleString("en-US");
  return value.toPrecision(4);
}

function formatTable(rows: readonly BenchRow[]): string {
  const header = ["benchmark", "value", "unit", "ratio", "target", "ok"];
  const body = rows.map((r) => [
    r.name,
    formatValue(r.value),
    r.unit,
    r.ratio === undefined ? "" : r.ratio.toFixed(3),
    r.target ?? "",
    r.ok === undefined ? "" : r.ok ? "yes" : "MISSED",
  ]);
  const widths = header.map((h, c) => Math.max(h.length, ...body.map((cells) => cells[c]!.length)));
  // Numbers right-aligned, text left-aligned.
  const rightAligned = new Set([1, 3]);
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, c) => (rightAligned.has(c) ? cell.padStart(widths[c]!) : cell.padEnd(widths[c]!)))
      .join("  ")
      .trimEnd();
  return [line(header), widths.map((w) => "-".repeat(w)).join("  "), ...body.map(line)].join("\n");
}

function main(): number {
  const filter = process.argv[2];
  const selected = filter === undefined ? BENCHMARKS : BENCHMARKS.filter((b) => b.name.includes(filter));
  if (selected.length === 0) {
    console.error(`no benchmark matches "${filter}"; there are: ${BENCHMARKS.map((b) => b.name).join(", ")}`);
    return 2;
  }
  const cpu = os.cpus()[0]?.model ?? "unknown cpu";
  console.log(`node ${process.version}, ${cpu}, ${os.cpus().length} cpus, gc ${gcAvailable() ? "exposed" : "NOT exposed"}`);
  let missed = 0;
  for (const bench of selected) {
    console.log(`\n## ${bench.name}: ${bench.description}\n`);
    const rows = bench.run({ log: (message) => console.error(`  [${bench.name}] ${message}`) });
    console.log(formatTable(rows));
    missed += rows.filter((r) => r.ok === false).length;
  }
  if (missed > 0) console.log(`\n${missed} target(s) missed`);
  return missed > 0 ? 1 : 0;
}

process.exitCode = main();
