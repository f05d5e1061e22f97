// The files a sweep's directory holds beside its CSVs, and sweep.csv read back: what merge and
// report read. Apart from sweep-stats.ts and sweep-run.ts, which bring the whole simulator with
// them: `orchsim report` on one run must not load it.

import { parse } from "csv-parse/sync";
import type { Sample } from "./sweep-run.js";

/** What a shard writes beside its sweep.csv (merge-command.ts ShardManifest). */
export const SHARD_FILE = "sweep-shard.json";

/**
 * What a sweep's directory says of itself, beside sweep.csv: `orchsim report DIR` draws
 * sweep-report.html from the two (a sweep run without --report, or merged without it).
 */
export const SWEEP_FILE = "sweep.json";
export interface SweepManifest {
  orchsim_sweep: 1;
  /** The orchsim that wrote it. */
  orchsim: string;
  scenario: string;
  /** The variants in the grid's order: the first is the baseline of the paired differences. */
  variants: string[];
  seeds: number[];
  /** The `--set PATH=VALUE`s every run had, in order; absent when not known (merged from shards of an orchsim before it). */
  set?: string[];
}

const TEXT_COLUMNS = new Set(["variant", "service"]);

/** sweep.csv's rows as the runs gave them (an empty cell is NaN, as it was written). */
export function readSamples(csvText: string): Sample[] {
  const records = parse(csvText, { columns: true }) as Record<string, string>[];
  return records.map((rec) => Object.fromEntries(Object.entries(rec).map(([k, v]) => [k, TEXT_COLUMNS.has(k) ? v : v === "" ? NaN : Number(v)])) as unknown as Sample);
}
