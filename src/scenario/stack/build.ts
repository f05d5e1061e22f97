// Small constructors for the raw tree the translator writes. Every node it makes takes the
// origin of the Compose value it came from, so that a problem found later by the scenario's
// validators is reported at that value's line and column in the stack file.

import { valueOf, type Origin, type Raw, type RawMap, type RawScalar, type RawSeq, type ScalarValue } from "../raw.js";

export function scalar(value: ScalarValue, at: Origin): RawScalar {
  return { kind: "scalar", value, at };
}

export function seq(items: Raw[], at: Origin): RawSeq {
  return { kind: "seq", items, at };
}

/** A map of the entries that have a value; each key is placed where its value came from. */
export function map(at: Origin, pairs: ReadonlyArray<readonly [string, Raw | undefined]>): RawMap {
  const entries = pairs.flatMap(([key, value]) => (value === undefined ? [] : [{ key, keyAt: value.at, value }]));
  return { kind: "map", entries, duplicates: [], at };
}

/** A map's child map, or undefined. */
export function child(m: Raw | undefined, key: string): RawMap | undefined {
  const v = m?.kind === "map" ? valueOf(m, key) : undefined;
  return v?.kind === "map" ? v : undefined;
}

/** A map's scalar value, rewritten by `f` (a unit conversion), or undefined. */
export function leaf(m: Raw | undefined, key: string, f: (s: RawScalar) => RawScalar = (s) => s): RawScalar | undefined {
  const v = m?.kind === "map" ? valueOf(m, key) : undefined;
  return v?.kind === "scalar" ? f(v) : undefined;
}

/** A map's child list, or undefined. */
export function list(m: Raw | undefined, key: string): RawSeq | undefined {
  const v = m?.kind === "map" ? valueOf(m, key) : undefined;
  return v?.kind === "seq" ? v : undefined;
}
