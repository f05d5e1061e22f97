// `--set PATH=VALUE`: changes the parsed file before it is validated, so a bad value is
// reported against the override that wrote it. PATH is dotted; lists of named things are
// addressed by name (`services.web.replicas`), other lists by index (`events.0.at`); missing
// maps on the way are created. VALUE is a YAML flow value: `6`, `[a, b]`, `{cpu: 2}`, `900/s`.

import { Ctx } from "./context.js";
import { parseSetValue } from "./parse.js";
import { describe, entryOf, isNull, setOrigin, textOf, valueOf, type OverrideFlag, type Raw, type RawMap, type RawSeq } from "./raw.js";
import { listNames } from "./suggest.js";

/** Lists addressed by the `name` of their items, and what an item is called in messages. */
const NAMED_LISTS: ReadonlyMap<string, string> = new Map([
  ["services", "service"],
  ["workload", "workload"],
  ["networks", "network"],
  ["cluster.nodeGroups", "node group"],
]);
const FORBIDDEN = new Set(["__proto__", "constructor", "prototype"]);
/**
 * Networks that exist without being declared (types.ts NetworkSpec): `--set networks.ingress.subnet=...`
 * declares the one it names, as writing `networks: [{name: ingress, subnet: ...}]` would.
 */
const IMPLICIT_NETWORKS = new Set(["ingress", "default"]);

/** Where the walk stands: the node, its override path, and its path with list items as []. */
interface Spot {
  node: Raw;
  path: string;
  shape: string;
  /** The whole override path: problems with the path are reported against it. */
  full: string;
  flag: OverrideFlag;
}

/** `PATH=VALUE` from `--set`, or from another option that messages should name. */
export type Override = string | { readonly flag: OverrideFlag; readonly text: string };

export function overrideText(o: Override): string {
  return typeof o === "string" ? o : o.text;
}

export function applyOverrides(ctx: Ctx, root: RawMap, overrides: readonly Override[]): void {
  for (const o of overrides) applyOverride(ctx, root, overrideText(o), typeof o === "string" ? "--set" : o.flag);
}

function applyOverride(ctx: Ctx, root: RawMap, text: string, flag: OverrideFlag): void {
  const eq = text.indexOf("=");
  const path = (eq < 0 ? text : text.slice(0, eq)).trim();
  const fail = (message: string, at = path): void => ctx.report(setOrigin(at, flag), "", message);
  if (eq <= 0 || path === "") return fail(`${JSON.stringify(text)} is not PATH=VALUE (e.g. services.web.replicas=30)`);
  const segments = path.split(".");
  if (segments.some((s) => s === "")) return fail("the path has an empty part");
  const bad = segments.find((s) => FORBIDDEN.has(s));
  if (bad !== undefined) return fail(`key ${JSON.stringify(bad)} is not allowed`);
  const value = parseSetValue(text.slice(eq + 1), path, ctx, flag);
  if (value === undefined) return;
  let spot: Spot | undefined = { node: root, path: "", shape: "", full: path, flag };
  for (let i = 0; i < segments.length - 1; i++) {
    spot = step(ctx, spot, segments[i] ?? "", segments[i + 1] ?? "");
    if (!spot) return;
  }
  put(ctx, spot, segments[segments.length - 1] ?? "", value);
}

const join = (a: string, b: string): string => (a === "" ? b : `${a}.${b}`);

/** One segment down, creating a map (or a list, before an index) where the path goes through nothing. */
function step(ctx: Ctx, spot: Spot, seg: string, next: string): Spot | undefined {
  const path = join(spot.path, seg);
  const { node } = spot;
  if (node.kind === "seq") {
    const index = findItem(ctx, node, seg, spot);
    const item = index === undefined ? undefined : node.items[index];
    return item && { node: item, path, shape: `${spot.shape}[]`, full: spot.full, flag: spot.flag };
  }
  if (node.kind === "scalar") {
    ctx.report(setOrigin(spot.full, spot.flag), "", `${spot.path} is ${describe(node)}, not a map`);
    return undefined;
  }
  const shape = join(spot.shape, seg);
  const entry = entryOf(node, seg);
  if (entry && !isNull(entry.value)) return { node: entry.value, path, shape, full: spot.full, flag: spot.flag };
  const what = NAMED_LISTS.get(shape);
  if (shape === "networks" && IMPLICIT_NETWORKS.has(next)) {
    const list: RawSeq = { kind: "seq", items: [], at: setOrigin(path, spot.flag) };
    if (entry) entry.value = list;
    else node.entries.push({ key: seg, keyAt: setOrigin(path, spot.flag), value: list });
    return { node: list, path, shape, full: spot.full, flag: spot.flag };
  }
  if (what !== undefined) {
    // The next segment would name an item of a list the file does not have.
    ctx.report(setOrigin(spot.full, spot.flag), "", `there is no ${what} to change (the file has no ${seg} list)`);
    return undefined;
  }
  const created: Raw = /^\d+$/.test(next)
    ? { kind: "seq", items: [], at: setOrigin(path, spot.flag) }
    : { kind: "map", entries: [], duplicates: [], at: setOrigin(path, spot.flag) };
  if (entry) entry.value = created;
  else node.entries.push({ key: seg, keyAt: setOrigin(path, spot.flag), value: created });
  return { node: created, path, shape, full: spot.full, flag: spot.flag };
}

/** The index of the item `seg` names: by name in named lists, else by position. */
function findItem(ctx: Ctx, seq: RawSeq, seg: string, spot: Spot): number | undefined {
  const what = NAMED_LISTS.get(spot.shape);
  if (what !== undefined) {
    const names = seq.items.map((item) => (item.kind === "map" ? textOf(valueOf(item, "name")) : undefined));
    const found = names.indexOf(seg);
    if (found >= 0) return found;
    if (spot.shape === "networks" && IMPLICIT_NETWORKS.has(seg)) {
      const at = setOrigin(join(spot.path, seg), spot.flag);
      seq.items.push({ kind: "map", entries: [{ key: "name", keyAt: at, value: { kind: "scalar", value: seg, at } }], duplicates: [], at });
      return seq.items.length - 1;
    }
    const known = names.filter((n): n is string => n !== undefined);
    const list = known.length > 0 ? `known: ${listNames(known)}` : "there are none";
    ctx.report(setOrigin(spot.full, spot.flag), "", `no ${what} named ${JSON.stringify(seg)} (${list})`);
    return undefined;
  }
  const index = /^\d+$/.test(seg) ? Number(seg) : NaN;
  if (index < seq.items.length) return index;
  const n = seq.items.length;
  const why = Number.isNaN(index) ? `${spot.path} is a list: use an index` : `${spot.path} has ${n} item${n === 1 ? "" : "s"}`;
  ctx.report(setOrigin(spot.full, spot.flag), "", `no item ${JSON.stringify(seg)} (${why}, from 0)`);
  return undefined;
}

/** Sets the last segment; one past the end of an unnamed list appends (adds an event). */
function put(ctx: Ctx, spot: Spot, seg: string, value: Raw): void {
  const { node } = spot;
  const path = join(spot.path, seg);
  if (node.kind === "map") {
    const entry = entryOf(node, seg);
    if (entry) entry.value = value;
    else node.entries.push({ key: seg, keyAt: setOrigin(path, spot.flag), value });
    return;
  }
  if (node.kind === "scalar") {
    ctx.report(setOrigin(spot.full, spot.flag), "", `${spot.path} is ${describe(node)}, not a map`);
    return;
  }
  if (!NAMED_LISTS.has(spot.shape) && seg === String(node.items.length)) {
    node.items.push(value);
    return;
  }
  const index = findItem(ctx, node, seg, spot);
  if (index === undefined) return;
  // A named item replaced by null or a scalar read as an item with no fields (walkthrough: a
  // "missing required field" line per field); --set cannot remove one.
  const what = NAMED_LISTS.get(spot.shape);
  if (what !== undefined && value.kind !== "map") {
    ctx.report(setOrigin(spot.full, spot.flag), "", `a ${what} is a map of its fields, not ${describe(value)}${isNull(value) ? " (--set cannot remove one: edit the file)" : ""}`);
    return;
  }
  node.items[index] = value;
}
