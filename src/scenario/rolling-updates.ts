// rollingUpdate events carry the service's whole new spec. It is the file's service with the
// changes of every rollingUpdate of that service up to this one (by time, then file order)
// merged in, and read again by the service reader, so a bad value in a change is reported
// where the change was written.

import { Ctx, joinPath } from "./context.js";
import { ref } from "./event-actions.js";
import { mergeRaw, originsOf, type Origin, type Raw, type RawMap } from "./raw.js";
import type { Fields } from "./schema.js";
import { readService, type ServiceRead } from "./services.js";
import type { SloSpec } from "./types.js";

/** A rollingUpdate read from the file, waiting for every event to be known. */
export interface PendingUpdate {
  index: number;
  atUs: number;
  service: string;
  /** The service fields the update changes (without `service` and `force`). */
  change: RawMap;
  /** Null when not written: then it is true exactly when the update changes nothing. */
  force: boolean | null;
  /** Every origin inside the event's action, to tell its problems from the service's own. */
  origins: Set<Origin>;
  at: Origin;
  path: string;
}

export function readRollingUpdate(f: Fields, index: number, atUs: number): PendingUpdate {
  const service = ref(f, "service", "service");
  const force = f.has("force") ? f.bool("force", false) : null;
  const own = (key: string): boolean => key !== "service" && key !== "force";
  const change: RawMap = {
    kind: "map",
    entries: f.raw?.entries.filter((e) => own(e.key)) ?? [],
    duplicates: f.raw?.duplicates.filter((e) => own(e.key)) ?? [],
    at: f.at,
  };
  const origins = f.raw ? originsOf(f.raw) : new Set<Origin>();
  return { index, atUs, service, change, force, origins, at: f.at, path: f.path };
}

export interface ServiceSource {
  raw: Raw;
  path: string;
}

/** Computes the spec of every pending update; problems land in ctx. */
export function resolveRollingUpdates(
  ctx: Ctx,
  pending: readonly PendingUpdate[],
  services: ReadonlyMap<string, ServiceSource>,
  slo: SloSpec,
): Map<PendingUpdate, ServiceRead> {
  const order = [...pending].sort((a, b) => rank(a.atUs) - rank(b.atUs) || a.index - b.index);
  const current = new Map<string, Raw>();
  const out = new Map<PendingUpdate, ServiceRead>();
  const blamed = new Set<string>(); // problems already put down to an earlier update
  for (const u of order) {
    const base = services.get(u.service);
    const before = current.get(u.service) ?? base?.raw ?? nameOnly(u);
    // `image: app:2` in an update changes the name and keeps the size the service gave.
    const merged = mergeRaw(imageAsMap(before), imageAsMap(u.change));
    current.set(u.service, merged);
    const sub = new Ctx(ctx.file);
    const read = readService(sub, merged, base?.path ?? u.path, slo);
    // An unknown service is reported through its reference; the spec then matters to no one.
    if (base) adopt(ctx, sub, u, base.path, blamed);
    out.set(u, read);
  }
  return out;
}

/** A service map whose `image: NAME` is rewritten as `image: {name: NAME}`, so that merges keep the size. */
function imageAsMap(raw: Raw): Raw {
  if (raw.kind !== "map") return raw;
  const i = raw.entries.findIndex((e) => e.key === "image" && e.value.kind === "scalar");
  if (i < 0) return raw;
  const e = raw.entries[i]!;
  const image: RawMap = { kind: "map", entries: [{ key: "name", keyAt: e.keyAt, value: e.value }], duplicates: [], at: e.value.at };
  const entries = raw.entries.map((x, j) => (j === i ? { ...x, value: image } : x));
  return { ...raw, entries };
}

/** Invalid times sort last: the event is reported anyway. */
function rank(us: number): number {
  return Number.isFinite(us) ? us : Infinity;
}

function nameOnly(u: PendingUpdate): RawMap {
  const name: Raw = { kind: "scalar", value: u.service, at: u.at };
  return { kind: "map", entries: [{ key: "name", keyAt: u.at, value: name }], duplicates: [], at: u.at };
}

/**
 * Problems in the update's own values are reported at them, under the event's path. Problems
 * the service already had were reported with the service. Anything else is a problem that the
 * change causes elsewhere (a reservation now above a limit): reported at the event.
 */
function adopt(ctx: Ctx, sub: Ctx, u: PendingUpdate, servicePath: string, blamed: Set<string>): void {
  const rewrite = (path: string): string => {
    if (!path.startsWith(servicePath)) return path;
    const rest = path.slice(servicePath.length).replace(/^\./, "");
    return rest === "" ? u.path : joinPath(u.path, rest);
  };
  for (const n of sub.notes) {
    if (u.origins.has(n.at)) ctx.report(n.at, rewrite(n.path), n.message);
    else if (!ctx.has(n.at, n.message)) {
      const key = `${JSON.stringify(n.at)} ${n.path} ${n.message}`;
      if (!blamed.has(key)) ctx.report(u.at, u.path, `makes ${n.path} invalid: ${n.message}`);
      blamed.add(key);
    }
  }
  for (const r of sub.refs) if (u.origins.has(r.at)) ctx.refer({ ...r, path: rewrite(r.path) });
}
