// Reading one map of the raw scenario against its table of allowed fields. `Fields` reports
// unknown, repeated and forbidden keys when it opens a map, then hands out each field already
// converted (and range-checked), falling back to the default, or to a placeholder after a
// problem, so that validation continues and every problem of the file is found in one pass.

import { Ctx, indexPath, joinPath } from "./context.js";
import { describe, isNull, lineNote, valueOf, type Origin, type Raw, type RawMap } from "./raw.js";
import { suggestion, closest } from "./suggest.js";
import { show, type UnitResult } from "./units.js";

/** Passed instead of a default for fields that the file must give. */
export const REQUIRED: unique symbol = Symbol("required");
export type Default<T> = T | typeof REQUIRED;

/** Keys that could reach a prototype if some consumer ever copied a map into an object. */
const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(["__proto__", "constructor", "prototype"]);

/** Names of services, node groups, networks and workloads; no dots, so `--set` can address them. */
const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9_-]{0,62}$/;
const NAME_RULE = "use up to 63 letters, digits, - and _, starting with a letter or digit";

/** A scenario's name: one directory name, not "." or "..", no separators or control characters. */
const SCENARIO_NAME_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;
const SCENARIO_NAME_RULE = "use up to 100 letters, digits, ., - and _, starting with a letter or digit";

export interface Bounds {
  min?: number;
  max?: number;
  /** Exclusive bounds. */
  above?: number;
  below?: number;
}

export interface Item {
  raw: Raw;
  path: string;
  index: number;
}

type Parse<T> = (raw: Raw) => { ok: true; value: T } | { ok: false; error: string };

/** What the unit parsers see for a node: the scalar, or a stand-in that prints as "a list". */
function plain(raw: Raw): unknown {
  if (raw.kind === "scalar") return raw.value;
  return raw.kind === "seq" ? [] : {};
}

function inBounds(value: number, raw: Raw, b: Bounds): UnitResult {
  const got = show(plain(raw));
  if (b.above !== undefined && !(value > b.above)) return { ok: false, error: `must be greater than ${b.above} (got ${got})` };
  if (b.min !== undefined && value < b.min) return { ok: false, error: `must be at least ${b.min} (got ${got})` };
  if (b.below !== undefined && !(value < b.below)) return { ok: false, error: `must be less than ${b.below} (got ${got})` };
  if (b.max !== undefined && value > b.max) return { ok: false, error: `must be at most ${b.max} (got ${got})` };
  return { ok: true, value };
}

/** Adapts a unit parser (or any number parser) to a raw node, with bounds. */
export function numberParser(parse: (v: unknown) => UnitResult, bounds: Bounds = {}): Parse<number> {
  return (raw) => {
    const r = parse(plain(raw));
    return r.ok ? inBounds(r.value, raw, bounds) : r;
  };
}

export function parseWhole(v: unknown): UnitResult {
  if (typeof v === "number" && Number.isSafeInteger(v)) return { ok: true, value: v };
  if (typeof v === "number" && Number.isInteger(v)) return { ok: false, error: `${show(v)} is too large (at most ${Number.MAX_SAFE_INTEGER})` };
  return { ok: false, error: `${show(v)} is not a whole number` };
}

export function parseNumber(v: unknown): UnitResult {
  if (typeof v === "number" && Number.isFinite(v)) return { ok: true, value: v };
  return { ok: false, error: `${show(v)} is not a number` };
}

/** Reports keys of `map` that are repeated or forbidden, and (given a table) unknown ones. */
export function checkKeys(ctx: Ctx, map: RawMap, path: string, allowed?: readonly string[]): void {
  for (const e of map.entries) {
    if (FORBIDDEN_KEYS.has(e.key)) ctx.report(e.keyAt, path, `key ${JSON.stringify(e.key)} is not allowed`);
    else if (allowed && !allowed.includes(e.key)) {
      ctx.report(e.keyAt, joinPath(path, e.key), `unknown field${suggestion(e.key, allowed, "expected one of")}`);
    }
  }
  for (const d of map.duplicates) {
    const first = map.entries.find((e) => e.key === d.key);
    ctx.report(d.keyAt, joinPath(path, d.key), `duplicate key${first ? lineNote(first.keyAt) : ""}`);
  }
}

export class Fields {
  private constructor(
    readonly ctx: Ctx,
    readonly path: string,
    readonly at: Origin,
    /** The map itself; undefined when absent or not a map. */
    readonly raw: RawMap | undefined,
    /** The node was not a map: its problem is reported, so missing fields are not. */
    private readonly broken: boolean,
  ) {}

  /** Opens `raw` (absent or null = an empty map) and checks its keys against `allowed`. */
  static open(ctx: Ctx, raw: Raw | undefined, path: string, at: Origin, allowed: readonly string[]): Fields {
    if (raw === undefined || isNull(raw)) return new Fields(ctx, path, at, undefined, false);
    if (raw.kind !== "map") {
      ctx.report(raw.at, path, `must be a map (got ${describe(raw)})`);
      return new Fields(ctx, path, raw.at, undefined, true);
    }
    checkKeys(ctx, raw, path, allowed);
    return new Fields(ctx, path, raw.at, raw, false);
  }

  get(key: string): Raw | undefined {
    return this.raw ? valueOf(this.raw, key) : undefined;
  }

  has(key: string): boolean {
    return this.get(key) !== undefined;
  }

  originOf(key: string): Origin {
    return this.get(key)?.at ?? this.at;
  }

  pathOf(key: string): string {
    return joinPath(this.path, key);
  }

  report(key: string, message: string): void {
    this.ctx.report(this.originOf(key), this.pathOf(key), message);
  }

  missing(key: string, message?: string): void {
    if (!this.broken) this.ctx.missing(this.at, this.path, key, message);
  }

  /** The field converted by `parse`; the default when absent; `fallback` after a problem. */
  take<T>(key: string, def: Default<T>, fallback: T, parse: Parse<T>): T {
    const raw = this.get(key);
    if (raw === undefined) {
      if (def !== REQUIRED) return def;
      this.missing(key);
      return fallback;
    }
    const r = parse(raw);
    if (r.ok) return r.value;
    this.ctx.report(raw.at, this.pathOf(key), r.error);
    return def === REQUIRED ? fallback : def;
  }

  num(key: string, def: Default<number>, parse: (v: unknown) => UnitResult, bounds: Bounds = {}): number {
    return this.take(key, def, NaN, numberParser(parse, bounds));
  }

  whole(key: string, def: Default<number>, bounds: Bounds = {}): number {
    return this.num(key, def, parseWhole, bounds);
  }

  text(key: string, def: Default<string>): string {
    return this.take(key, def, "", (raw) =>
      raw.kind === "scalar" && typeof raw.value === "string" && raw.value !== ""
        ? { ok: true, value: raw.value }
        : { ok: false, error: `must be text (got ${raw.kind === "scalar" && raw.value === "" ? "an empty string" : describe(raw)})` },
    );
  }

  /** The scenario's name: it names the output directory (out/<name>), so it is one plain file name. */
  scenarioName(key: string): string {
    const value = this.text(key, REQUIRED);
    if (value !== "" && !SCENARIO_NAME_RE.test(value)) {
      this.report(key, `${show(value)} is not a valid scenario name: it names the output directory, so ${SCENARIO_NAME_RULE}`);
    }
    return value;
  }

  /** A name of a service, node group, network or workload. */
  name(key: string): string {
    const value = this.text(key, REQUIRED);
    if (value !== "" && !NAME_RE.test(value)) this.report(key, `${JSON.stringify(value)} is not a valid name (${NAME_RULE})`);
    return value;
  }

  bool(key: string, def: boolean): boolean {
    return this.take(key, def, def, (raw) =>
      raw.kind === "scalar" && typeof raw.value === "boolean"
        ? { ok: true, value: raw.value }
        : { ok: false, error: `must be true or false (got ${describe(raw)})` },
    );
  }

  oneOf<T extends string>(key: string, options: readonly T[], def: Default<T>): T {
    const fallback = options[0] as T;
    return this.take(key, def, fallback, (raw) => {
      const v = raw.kind === "scalar" ? raw.value : undefined;
      const found = options.find((o) => o === v);
      if (found !== undefined) return { ok: true, value: found };
      const near = typeof v === "string" ? closest(v, options) : undefined;
      const hint = near !== undefined ? ` (did you mean ${near}?)` : "";
      return { ok: false, error: `${describe(raw)} is not one of ${options.join(", ")}${hint}` };
    });
  }

  /** A sub-map; absent or null reads as empty, so every field in it takes its default. */
  map(key: string, allowed: readonly string[]): Fields {
    return Fields.open(this.ctx, this.get(key), this.pathOf(key), this.originOf(key), allowed);
  }

  /** A sub-map whose absence means something (no healthcheck, no autoscaler): null then. */
  optionalMap(key: string, allowed: readonly string[]): Fields | null {
    return this.has(key) ? this.map(key, allowed) : null;
  }

  /** The items of a list field; absent = empty. */
  list(key: string): Item[] {
    const raw = this.get(key);
    if (raw === undefined) return [];
    if (raw.kind !== "seq") {
      this.report(key, `must be a list (got ${describe(raw)})`);
      return [];
    }
    return raw.items.map((item, index) => ({ raw: item, path: indexPath(this.pathOf(key), index), index }));
  }

  /** A list of named maps: paths use the names (`services[web]`) and names must be unique. */
  named(key: string, what: string): Item[] {
    const firstAt = new Map<string, Origin>();
    return this.list(key).map((item) => {
      const nameRaw = item.raw.kind === "map" ? valueOf(item.raw, "name") : undefined;
      const name = nameRaw?.kind === "scalar" && typeof nameRaw.value === "string" ? nameRaw.value : undefined;
      if (name === undefined || !NAME_RE.test(name)) return item;
      const path = indexPath(this.pathOf(key), name);
      const first = firstAt.get(name);
      if (first && nameRaw) this.ctx.report(nameRaw.at, joinPath(path, "name"), `duplicate ${what} name${lineNote(first)}`);
      else if (nameRaw) firstAt.set(name, nameRaw.at);
      return { ...item, path };
    });
  }

  /** A list of texts (zones, constraints, network names). */
  texts(key: string, def: readonly string[] = []): string[] {
    if (!this.has(key)) return [...def];
    const out: string[] = [];
    for (const item of this.list(key)) {
      if (item.raw.kind === "scalar" && typeof item.raw.value === "string" && item.raw.value !== "") out.push(item.raw.value);
      else this.ctx.report(item.raw.at, item.path, `must be text (got ${describe(item.raw)})`);
    }
    return out;
  }

  /** Labels: text values (numbers and booleans are taken as written, as Docker does). */
  labels(key: string): Record<string, string> {
    return this.freeMap(key, (raw) =>
      raw.kind === "scalar" && raw.value !== null && raw.value !== ""
        ? { ok: true, value: String(raw.value) }
        : { ok: false, error: `must be text (got ${describe(raw)})` },
    );
  }

  /** Generic resources (`gpu: 4`): non-negative whole numbers. */
  counts(key: string): Record<string, number> {
    return this.freeMap(key, numberParser(parseWhole, { min: 0 }));
  }

  private freeMap<T>(key: string, parse: Parse<T>): Record<string, T> {
    // A plain literal, filled only with keys that checkKeys accepted (never "__proto__").
    const out: Record<string, T> = {};
    const raw = this.get(key);
    if (raw === undefined) return out;
    if (raw.kind !== "map") {
      this.report(key, `must be a map (got ${describe(raw)})`);
      return out;
    }
    checkKeys(this.ctx, raw, this.pathOf(key));
    for (const e of raw.entries) {
      if (FORBIDDEN_KEYS.has(e.key)) continue;
      const r = parse(e.value);
      if (r.ok) out[e.key] = r.value;
      else this.ctx.report(e.value.at, joinPath(this.pathOf(key), e.key), r.error);
    }
    return out;
  }
}
