// The scenario as written, before validation: a small tree of maps, lists and scalars in which
// every node remembers where it came from (a line and column of the file, or the `--set` path
// that put it there). The validators read this tree, never the `yaml` library's own nodes, so
// that overrides, aliases and rolling-update merges all look alike to them.
//
// Maps keep their entries in a list, never as object keys: keys come from the file, and a file
// must not be able to reach a prototype ("__proto__") through the loader.

export interface FileOrigin {
  readonly kind: "file";
  readonly line: number;
  readonly col: number;
  /** Another file than the scenario's (a stack file it references); absent = the scenario. */
  readonly file?: string;
  /** The field's path as written in that other file (`services.web.deploy.replicas`), which
   * messages show instead of the scenario path the value was translated to. */
  readonly path?: string;
}
export interface SetOrigin {
  readonly kind: "set";
  /** The override path of this node, as the user would write it: `services.web.replicas`. */
  readonly path: string;
  /** The command-line option that wrote it, which messages name. */
  readonly flag: OverrideFlag;
}
/** The options that override a field: `--seed 7` is `seed=7` from `--seed`. */
export type OverrideFlag = "--set" | "--vary" | "--seed" | "--minimize";
export type Origin = FileOrigin | SetOrigin;

export type ScalarValue = string | number | boolean | null;

export interface RawScalar {
  kind: "scalar";
  value: ScalarValue;
  at: Origin;
}
export interface RawSeq {
  kind: "seq";
  items: Raw[];
  at: Origin;
}
export interface RawEntry {
  key: string;
  keyAt: Origin;
  value: Raw;
}
export interface RawMap {
  kind: "map";
  /** One entry per key, in file order (the first one when a key is repeated). */
  entries: RawEntry[];
  /** Later entries with a key already in `entries`: reported by whoever reads the map. */
  duplicates: RawEntry[];
  at: Origin;
}
export type Raw = RawScalar | RawSeq | RawMap;

export function fileOrigin(line: number, col: number, file?: string, path?: string): FileOrigin {
  if (file === undefined) return { kind: "file", line, col };
  return path === undefined ? { kind: "file", line, col, file } : { kind: "file", line, col, file, path };
}

export function setOrigin(path: string, flag: OverrideFlag = "--set"): SetOrigin {
  return { kind: "set", path, flag };
}

export function entryOf(map: RawMap, key: string): RawEntry | undefined {
  return map.entries.find((e) => e.key === key);
}

/** The value of `key`, treating an explicit null (`key:` with nothing after it) as absent. */
export function valueOf(map: RawMap, key: string): Raw | undefined {
  const value = entryOf(map, key)?.value;
  return value && !isNull(value) ? value : undefined;
}

export function isNull(raw: Raw): boolean {
  return raw.kind === "scalar" && raw.value === null;
}

/** The text of a scalar string, or undefined for anything else. */
export function textOf(raw: Raw | undefined): string | undefined {
  return raw?.kind === "scalar" && typeof raw.value === "string" ? raw.value : undefined;
}

/** What a node is, for "must be a map (got a list)" messages. */
export function describe(raw: Raw): string {
  if (raw.kind === "map") return "a map";
  if (raw.kind === "seq") return "a list";
  const v = raw.value;
  return typeof v === "string" ? quoteShort(v) : String(v);
}

/** A string quoted for a message, cut to 60 characters: a message is one readable line. */
export function quoteShort(text: string): string {
  return text.length > 60 ? `${JSON.stringify(text.slice(0, 60))}... (${text.length} characters)` : JSON.stringify(text);
}

/** The line of an origin for "first defined at line N" remarks; "" for overrides. */
export function lineNote(at: Origin): string {
  return at.kind === "file" ? ` (first defined at line ${at.line})` : "";
}

/**
 * Deep merge used by rolling updates: maps merge key by key, anything else in `change` replaces
 * what `base` had. Nodes are shared, not copied; the result is only read.
 */
export function mergeRaw(base: Raw, change: Raw): Raw {
  if (base.kind !== "map" || change.kind !== "map") return change;
  const entries: RawEntry[] = base.entries.map((e) => {
    const replacement = entryOf(change, e.key);
    if (!replacement) return e;
    return { key: e.key, keyAt: replacement.keyAt, value: mergeRaw(e.value, replacement.value) };
  });
  for (const e of change.entries) if (!entryOf(base, e.key)) entries.push(e);
  return { kind: "map", entries, duplicates: [...base.duplicates, ...change.duplicates], at: change.at };
}

/** Every origin in a subtree (nodes and keys), to tell which problems a given part caused. */
export function originsOf(raw: Raw, into: Set<Origin> = new Set()): Set<Origin> {
  into.add(raw.at);
  if (raw.kind === "seq") for (const item of raw.items) originsOf(item, into);
  if (raw.kind === "map") {
    for (const e of [...raw.entries, ...raw.duplicates]) {
      into.add(e.keyAt);
      originsOf(e.value, into);
    }
  }
  return into;
}
