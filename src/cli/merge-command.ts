// `orchsim merge DIR...`: the shards of a sweep (`orchsim sweep --shard K/N`, run as separate
// processes or machines: a Kubernetes Indexed Job, a Slurm array, a CI matrix) combined into the
// sweep.csv, sweep-summary.csv and table that one process would have written, byte for byte.

import * as fs from "node:fs";
import * as path from "node:path";
import { FAULT_COLUMN, FAULT_METRICS, type Sample } from "./sweep-run.js";
import { writeSweep } from "./sweep-stats.js";
import { readSamples, SHARD_FILE } from "./sweep-files.js";
import { badInput, openOutput } from "./bad-input.js";

export interface ShardManifest {
  orchsim_sweep_shard: 1;
  /** The orchsim that wrote it: another version may simulate differently. */
  orchsim: string;
  scenario: string;
  /** A hash of what every variant resolved to (stack files, --set and ${VAR} included). */
  fingerprint: string;
  shard: number;
  of: number;
  /**
   * The `--set`s every run had, in order (absent in shards of an orchsim before they were kept):
   * shards that differ in them differ in `fingerprint` too (it hashes the resolved scenario, whose
   * `overrides` are these texts), so the first shard's are every shard's.
   */
  set?: string[];
  /** The sweep's variants and seeds, in the grid's order (variants outer). */
  variants: string[];
  seeds: number[];
  /** The grid indices of the runs this shard made. */
  runs: number[];
}

export function mergeCommand(dirs: readonly string[], o: { out?: string; report?: boolean; quiet?: boolean }): number {
  const shards: { dir: string; manifest: ShardManifest; rows: Sample[] }[] = [];
  for (const dir of dirs) {
    const read = readShard(dir);
    if (typeof read === "string") return badInput(read);
    shards.push({ dir, ...read });
  }
  const first = shards[0]!.manifest;
  for (const s of shards.slice(1)) {
    const differs = difference(s.manifest, first);
    if (differs !== null) return badInput(`${s.dir}: a shard of another sweep: ${differs} (against ${shards[0]!.dir})`);
  }
  const other = shards.find((s) => s.manifest.orchsim !== first.orchsim);
  if (other) return badInput(`${other.dir}: written by orchsim ${other.manifest.orchsim}, ${shards[0]!.dir} by ${first.orchsim}: their runs may differ`);
  // A shard given twice, or a copy of one given as another (the same rows twice): said as that, before the rows are judged.
  const have = new Map<number, string>();
  for (const s of shards) {
    const twice = have.get(s.manifest.shard);
    if (twice !== undefined && path.resolve(twice) === path.resolve(s.dir)) return badInput(`${s.dir} is given twice${twice === s.dir ? "" : ` (as ${twice})`}: give each shard once`);
    if (twice !== undefined) return badInput(`${s.dir}: shard ${s.manifest.shard}/${first.of} is also in ${twice}`);
    have.set(s.manifest.shard, s.dir);
  }
  // Fault columns may differ: a shard's runs may have fired fewer faults than another's. The columns
  // most shards have are the measure (the damaged shard may be the first given); a shard with no
  // rows at all has none to compare, and damage() names the runs it lacks.
  const columns = (s: { rows: Sample[] }): string => Object.keys(s.rows[0] ?? {}).filter((k) => !FAULT_COLUMN.test(k)).join(",");
  const withRows = shards.filter((s) => s.rows.length > 0);
  const usual = mostCommon(withRows.map(columns));
  const ragged = withRows.find((s) => columns(s) !== usual || s.rows.some((r) => Object.values(r).some((v) => v === undefined)));
  if (ragged) {
    // Two shards, or a tie: which one is wrong cannot be told, so both are named.
    const count = (c: string): number => withRows.filter((s) => columns(s) === c).length;
    const other = withRows.find((s) => columns(s) === usual)!;
    if (columns(ragged) !== usual && count(usual) === count(columns(ragged))) return badInput(`${ragged.dir}/sweep.csv and ${other.dir}/sweep.csv have different columns: one of them is not the file its shard wrote`);
    return badInput(`${ragged.dir}/sweep.csv: its columns differ from the other shards' sweep.csv`);
  }
  // The fault columns, which may number differently, must each be this orchsim's: its version says nothing of a build before a new one.
  const older = shards.find((s) => !faultColumnsOk(Object.keys(s.rows[0] ?? {}).filter((k) => FAULT_COLUMN.test(k))));
  if (older) return badInput(`${older.dir}/sweep.csv: its fault columns are not this orchsim's (each fault's ${FAULT_METRICS.join(", ")}): another build wrote it; run its shard again`);
  const services = usualServices(shards.flatMap((s) => s.rows));
  for (const s of shards) {
    const damaged = damage(s.rows, s.manifest, services);
    if (damaged !== null) return badInput(`${s.dir}/sweep.csv: ${damaged}: it is not the file the shard wrote (copy the shard again, or run it again)`);
  }
  const missing = Array.from({ length: first.of }, (_, i) => i + 1).filter((k) => !have.has(k));
  if (missing.length > 0) return badInput(`shard${missing.length === 1 ? "" : "s"} ${missing.map((k) => `${k}/${first.of}`).join(", ")} missing: merge needs every shard`);
  // Back into the grid's order (variants outer, seeds inner); a run's rows keep their order.
  const index = (r: Sample): number => first.variants.indexOf(r.variant) * first.seeds.length + first.seeds.indexOf(r.seed);
  const samples = shards.flatMap((s) => s.rows).map((r, i) => ({ r, i })).sort((a, b) => index(a.r) - index(b.r) || a.i - b.i).map((x) => x.r);
  const out = openOutput(o.out ?? path.join("out", `${first.scenario}-sweep`), dirs);
  if (typeof out === "number") return out;
  let text: string;
  try {
    text = writeSweep(out, samples, { scenario: first.scenario, variants: first.variants, seeds: first.seeds, set: first.set }, o.report === true);
    out.commit();
  } catch (err) {
    out.abort();
    throw err;
  }
  if (!o.quiet) process.stdout.write(`${text}\noutputs: ${out.finalDir}\n`);
  return 0;
}

/** The text most of `texts` are (the first of those tied); "" for none. */
function mostCommon(texts: readonly string[]): string {
  const counts = new Map<string, number>();
  for (const t of texts) counts.set(t, (counts.get(t) ?? 0) + 1);
  let best = "";
  let most = 0;
  for (const [t, n] of counts) if (n > most) [best, most] = [t, n];
  return best;
}

/** Each run's rows' services in order, by run (variant and seed, joined by a NUL). */
function servicesByRun(rows: readonly Sample[]): Map<string, string[]> {
  const byRun = new Map<string, string[]>();
  for (const r of rows) {
    const key = `${r.variant}\u0000${r.seed}`;
    byRun.set(key, [...(byRun.get(key) ?? []), r.service]);
  }
  return byRun;
}

/**
 * The services of a run, as most runs have them (their rows' services in order): the damaged
 * shard may be the first given, and must not become the measure of the others.
 */
function usualServices(rows: readonly Sample[]): string[] {
  const best = mostCommon([...servicesByRun(rows).values()].map((list) => list.join(",")));
  return best === "" ? [] : best.split(",");
}

/**
 * A run of the shard's manifest whose rows are not one per service (`services`, the first run's),
 * or a run it has rows of and does not list: a truncated, doubled or mixed-up copy of sweep.csv.
 */
function damage(rows: readonly Sample[], m: ShardManifest, services: readonly string[]): string | null {
  const byRun = servicesByRun(rows);
  const listed = new Set<string>();
  for (const run of m.runs) {
    const variant = m.variants[Math.floor(run / m.seeds.length)]!;
    const seed = m.seeds[run % m.seeds.length]!;
    const key = `${variant}\u0000${seed}`;
    listed.add(key);
    const got = byRun.get(key) ?? [];
    // No rows at all is damage even when no shard has any (services then lists none).
    if (got.length === 0 || got.join(",") !== services.join(",")) {
      const what = got.length === 0 ? "no rows" : got.length > services.length ? `${got.length} rows (one per service is ${services.length})` : `rows for ${got.join(", ")} only`;
      return `it has ${what} for the run of ${variant}, seed ${seed}, which ${SHARD_FILE} lists`;
    }
  }
  const stray = [...byRun.keys()].find((k) => !listed.has(k));
  if (stray !== undefined) {
    const [variant, seed] = stray.split("\u0000");
    return `it has rows for the run of ${variant}, seed ${seed}, which ${SHARD_FILE} does not list`;
  }
  return null;
}

/** What makes shard `m` part of another sweep than `first`, or null when it is of the same one. */
function difference(m: ShardManifest, first: ShardManifest): string | null {
  if (m.scenario !== first.scenario) return `its scenario is ${m.scenario}, not ${first.scenario}`;
  if (m.of !== first.of) return `it is one of ${m.of} shards, not ${first.of}`;
  if (JSON.stringify(m.seeds) !== JSON.stringify(first.seeds)) return `its seeds are ${seedText(m.seeds)}, not ${seedText(first.seeds)}`;
  if (JSON.stringify(m.variants) !== JSON.stringify(first.variants)) {
    const i = m.variants.findIndex((v, k) => v !== first.variants[k]);
    if (i < 0 || i >= first.variants.length) return `it has ${m.variants.length} variants, not ${first.variants.length}`;
    return `its variant ${i + 1} is ${m.variants[i]}, not ${first.variants[i]}`;
  }
  if (m.fingerprint !== first.fingerprint) return "its scenario file, stack files, strategy modules, --set or ${VAR} values differ";
  return null;
}

/** Seeds as a user gives them: "1-6" for a run of consecutive ones. */
function seedText(seeds: readonly number[]): string {
  const run = seeds.length > 2 && seeds.every((s, i) => i === 0 || s === seeds[i - 1]! + 1);
  return run ? `${seeds[0]}-${seeds.at(-1)}` : seeds.join(",");
}

function readShard(dir: string): { manifest: ShardManifest; rows: Sample[] } | string {
  if (!fs.existsSync(dir)) return `${dir} does not exist`;
  if (!fs.statSync(dir).isDirectory()) return `${dir} is not a directory: a shard is the directory orchsim sweep --shard wrote`;
  let manifest: ShardManifest;
  try {
    manifest = JSON.parse(fs.readFileSync(path.join(dir, SHARD_FILE), "utf8")) as ShardManifest;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return `${dir}: not a sweep shard (${code === "ENOENT" ? `no ${SHARD_FILE}: write shards with orchsim sweep --shard K/N` : (err as Error).message})`;
  }
  if (manifest.orchsim_sweep_shard !== 1 || typeof manifest.fingerprint !== "string") return `${dir}/${SHARD_FILE}: written by another orchsim version`;
  try {
    return { manifest, rows: readSamples(fs.readFileSync(path.join(dir, "sweep.csv"), "utf8")) };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return `${dir}/sweep.csv is missing: the shard did not finish, or was copied without it (copy it again, or run it again)`;
    return `${dir}/sweep.csv: ${(err as Error).message}`;
  }
}

/** Whether a sweep.csv's fault columns are f1's FAULT_METRICS, then f2's, and so on. */
function faultColumnsOk(columns: readonly string[]): boolean {
  const faults = columns.length / FAULT_METRICS.length;
  return Number.isInteger(faults) && columns.join() === Array.from({ length: faults }, (_, i) => FAULT_METRICS.map((m) => `f${i + 1}_${m}`)).flat().join();
}
