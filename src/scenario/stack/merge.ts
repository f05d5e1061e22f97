// Several stack files merged in order, as `docker stack deploy -c a.yml -c b.yml` merges them:
// maps merge key by key, a later scalar replaces an earlier one, and lists are appended with
// items already present left out (ports, networks, constraints) except the lists that are one
// command line (`command`, `entrypoint`, `healthcheck.test`), which a later file replaces.
//
// SIMPLIFICATION: Compose merges a few lists by a key of their own (ports by published port,
// volumes by target); here two entries merge only when they are equal.

import { entryOf, type Raw, type RawEntry, type RawMap } from "../raw.js";

const REPLACED_LISTS: ReadonlySet<string> = new Set(["command", "entrypoint", "test", "dns", "dns_search"]);

export function mergeCompose(base: Raw, change: Raw, key = ""): Raw {
  if (base.kind === "map" && change.kind === "map") return mergeMaps(base, change);
  if (base.kind === "seq" && change.kind === "seq" && !REPLACED_LISTS.has(key)) {
    const seen = new Set(base.items.map(fingerprint));
    return { ...change, items: [...base.items, ...change.items.filter((item) => !seen.has(fingerprint(item)))] };
  }
  return change;
}

function mergeMaps(base: RawMap, change: RawMap): RawMap {
  const entries: RawEntry[] = base.entries.map((e) => {
    const replacement = entryOf(change, e.key);
    return replacement ? { key: e.key, keyAt: replacement.keyAt, value: mergeCompose(e.value, replacement.value, e.key) } : e;
  });
  for (const e of change.entries) if (!entryOf(base, e.key)) entries.push(e);
  return { kind: "map", entries, duplicates: [...base.duplicates, ...change.duplicates], at: change.at };
}

/** A node's content without its origins (and its keys in order: a map has none), to tell equal list items apart. */
function fingerprint(raw: Raw): string {
  if (raw.kind === "scalar") return JSON.stringify(raw.value);
  if (raw.kind === "seq") return `[${raw.items.map(fingerprint).join(",")}]`;
  const entries = raw.entries.map((e) => `${JSON.stringify(e.key)}:${fingerprint(e.value)}`);
  return `{${entries.sort().join(",")}}`;
}
