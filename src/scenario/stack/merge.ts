// Several stack files merged in order, as `docker stack deploy -c a.yml -c b.yml` merges them:
// maps merge key by key, a later scalar replaces an earlier one, and lists are appended with
// items already present left out, except the lists that are one command line (a service's
// `command` and `entrypoint`, and `healthcheck.test`), which a later file replaces. Ports are the
// same port when they publish the same port to the same target (short or long syntax alike); a
// service's `networks` written as a list on one side and as a map on the other merge as maps.
//
// SIMPLIFICATION: other lists that Compose merges by a key of their own (volumes by target,
// secrets and configs by source) merge here only when their items are equal.

import { entryOf, type Raw, type RawEntry, type RawMap } from "../raw.js";
import { scalar } from "./build.js";
import { parseShort } from "./ports.js";

/** `parent.key` of the lists a later file replaces. */
const REPLACED_LISTS: ReadonlySet<string> = new Set(["service.command", "service.entrypoint", "healthcheck.test"]);

/** What a map is, from its key and its parent's: a service's keys are read at "service". */
function kindOf(parent: string, key: string): string {
  if (parent === "services") return "service";
  return key;
}

export function mergeCompose(base: Raw, change: Raw, parent = "", key = ""): Raw {
  if (key === "networks" && parent === "service" && base.kind !== change.kind) return mergeCompose(asMap(base), asMap(change), parent, key);
  if (base.kind === "map" && change.kind === "map") return mergeMaps(base, change, kindOf(parent, key));
  if (base.kind === "seq" && change.kind === "seq" && !REPLACED_LISTS.has(`${parent}.${key}`)) {
    const identity = key === "ports" && parent === "service" ? portKeys : (item: Raw) => [fingerprint(item)];
    const seen = new Set(base.items.flatMap(identity));
    return { ...change, items: [...base.items, ...change.items.filter((item) => !identity(item).every((k) => seen.has(k)))] };
  }
  return change;
}

function mergeMaps(base: RawMap, change: RawMap, kind: string): RawMap {
  const entries: RawEntry[] = base.entries.map((e) => {
    const replacement = entryOf(change, e.key);
    return replacement ? { key: e.key, keyAt: replacement.keyAt, value: mergeCompose(e.value, replacement.value, kind, e.key) } : e;
  });
  for (const e of change.entries) if (!entryOf(base, e.key)) entries.push(e);
  return { kind: "map", entries, duplicates: [...base.duplicates, ...change.duplicates], at: change.at };
}

/** `[front, back]` -> `{front: null, back: null}`, as Compose reads a list of networks. */
function asMap(raw: Raw): Raw {
  if (raw.kind !== "seq") return raw;
  const entries = raw.items.flatMap((item) =>
    item.kind === "scalar" && typeof item.value === "string" ? [{ key: item.value, keyAt: item.at, value: scalar(null, item.at) }] : [],
  );
  return { kind: "map", entries, duplicates: [], at: raw.at };
}

/** The ports a `ports` item publishes, as `published:target/protocol/mode` (short syntax is ingress). */
function portKeys(item: Raw): string[] {
  if (item.kind === "map") {
    const get = (k: string): string => {
      const v = entryOf(item, k)?.value;
      return v?.kind === "scalar" && v.value !== null ? String(v.value).toLowerCase() : "";
    };
    return [`${get("published")}:${get("target")}/${get("protocol") || "tcp"}/${get("mode") || "ingress"}`];
  }
  const short = item.kind === "scalar" && item.value !== null ? parseShort(String(item.value)) : undefined;
  if (short === undefined || typeof short === "string") return [fingerprint(item)];
  return short.pairs.map(([published, target]) => `${published ?? ""}:${target}/${short.protocol}/ingress`);
}

/** A node's content without its origins (and its keys in order: a map has none), to tell equal list items apart. */
function fingerprint(raw: Raw): string {
  if (raw.kind === "scalar") return JSON.stringify(raw.value);
  if (raw.kind === "seq") return `[${raw.items.map(fingerprint).join(",")}]`;
  const entries = raw.entries.map((e) => `${JSON.stringify(e.key)}:${fingerprint(e.value)}`);
  return `{${entries.sort().join(",")}}`;
}
