// Generated scenarios for the fuzzer: a shipped scenario, then a few mutations of the kinds a
// hostile or careless user makes (a field removed, a value replaced by something of another
// type or an absurd size, an unknown key, a list emptied, an entry duplicated), written back to
// YAML. fast-check draws the base, the paths and the values, so every case replays from its seed.

import * as fs from "node:fs";
import * as path from "node:path";
import fc from "fast-check";
import { parse, stringify } from "yaml";

const ROOT = path.resolve(import.meta.dirname, "../..");

/** The shipped scenarios, as plain data. */
export const BASES: readonly { name: string; doc: unknown }[] = fs
  .readdirSync(path.join(ROOT, "scenarios"))
  .filter((f) => f.endsWith(".yaml"))
  .sort()
  .map((f) => {
    const doc = parse(fs.readFileSync(path.join(ROOT, "scenarios", f), "utf8")) as Record<string, unknown>;
    return { name: f, doc };
  });

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** Values a user might put anywhere: other types, units gone wrong, absurd sizes. */
const junk: fc.Arbitrary<Json> = fc.oneof(
  fc.constantFrom<Json>(null, true, false, 0, -1, 1e308, -1e-308, 2 ** 53 + 1, "", " ", "0", "1us", "8760h", "1e9", "100%", "-5s", "NaN", "∞", "a".repeat(300), "../x", "1m", "500m", "10Gbps", "1/s", "1e7/s", "./missing.mjs"),
  fc.integer({ min: -1000, max: 200_000 }),
  fc.double({ noNaN: false }),
  fc.string({ maxLength: 20 }),
  fc.array(fc.integer({ min: 0, max: 10 }), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 6 }), fc.integer(), { maxKeys: 2 }),
);

type Mutation = { kind: "delete" | "replace" | "unknown" | "empty" | "duplicate" | "tweak"; at: number; value: Json; key: string; factor: number };

const mutation: fc.Arbitrary<Mutation> = fc.record({
  // "tweak" keeps a value's type and unit and scales its number: mostly valid, odd scenarios
  // for the engine; the others mostly make bad input for the loader.
  kind: fc.constantFrom("delete", "replace", "unknown", "empty", "duplicate", "tweak", "tweak", "tweak"),
  at: fc.nat(),
  value: junk,
  key: fc.string({ minLength: 1, maxLength: 8 }),
  factor: fc.constantFrom(0, 0.1, 0.5, 2, 3, 10),
});

/** The same value with its number scaled (`250ms` x 2 = `500ms`, 8 x 3 = 24). */
function tweaked(v: Json, factor: number): Json {
  if (typeof v === "number") return Number.isInteger(v) ? Math.round(v * factor) : v * factor;
  if (typeof v !== "string") return v;
  const m = /^(\d+(?:\.\d+)?)(.*)$/.exec(v);
  return m ? `${Number((Number(m[1]) * factor).toFixed(3))}${m[2]}` : v;
}

/** Every map and list in the document with the path to it, in document order. */
function containers(doc: Json, at: (string | number)[] = [], out: { path: (string | number)[]; node: Json }[] = []): typeof out {
  if (doc !== null && typeof doc === "object") {
    out.push({ path: at, node: doc });
    for (const [k, v] of Array.isArray(doc) ? doc.entries() : Object.entries(doc)) containers(v, [...at, k], out);
  }
  return out;
}

function apply(doc: Json, m: Mutation): void {
  const all = containers(doc);
  const target = all[m.at % all.length]!.node as Json[] | Record<string, Json>;
  const keys = Array.isArray(target) ? target.map((_, i) => i) : Object.keys(target);
  const key = keys.length === 0 ? undefined : keys[m.at % keys.length];
  if (Array.isArray(target)) {
    if (m.kind === "empty") target.length = 0;
    else if (m.kind === "duplicate" && key !== undefined) target.push(structuredClone(target[key as number]!));
    else if (m.kind === "delete" && key !== undefined) target.splice(key as number, 1);
    else if (m.kind === "tweak" && key !== undefined) target[key as number] = tweaked(target[key as number]!, m.factor);
    else if (key !== undefined) target[key as number] = m.value;
    return;
  }
  const k = key as string | undefined;
  if (m.kind === "unknown") target[m.key] = m.value;
  else if (m.kind === "delete" && k !== undefined) delete target[k];
  else if (m.kind === "empty" && k !== undefined) target[k] = Array.isArray(target[k]) ? [] : {};
  else if (m.kind === "tweak" && k !== undefined) target[k] = tweaked(target[k]!, m.factor);
  else if (k !== undefined) target[k] = m.value;
}

/** A YAML scenario: a shipped one with 1 to 3 mutations. */
export const scenarioText: fc.Arbitrary<{ base: string; text: string; mutations: Mutation[] }> = fc
  .record({ base: fc.nat({ max: BASES.length - 1 }), mutations: fc.array(mutation, { minLength: 1, maxLength: 3 }) })
  .map(({ base, mutations }) => {
    const doc = structuredClone(BASES[base]!.doc) as Json;
    for (const m of mutations) apply(doc, m);
    return { base: BASES[base]!.name, text: stringify(doc), mutations };
  });
