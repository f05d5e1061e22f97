// Compose's own spellings of durations and sizes, rewritten in the scenario's units so that the
// scenario's validators read them: Compose reads durations as Go does (`1m30s`, `500ms`, `2h`,
// also `ns` and `µs`) and memory sizes as docker's go-units RAMInBytes does (`512M`, `1g`,
// `1.5gb`, bare bytes), where k, m, g, t and p are powers of 1024.

import type { RawScalar } from "../raw.js";

const GO_UNIT_US: Readonly<Record<string, number>> = { ns: 1e-3, us: 1, "µs": 1, "μs": 1, ms: 1e3, s: 1e6, m: 60e6, h: 3600e6 };
const GO_DURATION = /^([0-9]*(?:\.[0-9]*)?)(ns|us|µs|μs|ms|s|m|h)/;
/** What the scenario's duration parser reads as it is (no ns, no µs). */
const SCENARIO_DURATION = /^(?:\d+(?:\.\d+)?(?:us|ms|s|m|h))+$/;

/** A Go duration ("1m30s", "0") in microseconds, or undefined when Go would refuse it. */
export function goDurationUs(text: string): number | undefined {
  if (text === "0") return 0;
  let rest = text;
  let total = 0;
  while (rest !== "") {
    const m = GO_DURATION.exec(rest);
    if (!m || m[1] === "" || m[1] === ".") return undefined;
    total += Number(m[1]) * (GO_UNIT_US[m[2] ?? ""] ?? NaN);
    rest = rest.slice(m[0].length);
  }
  return text === "" ? undefined : total;
}

/** go-units RAMInBytes: a number, an optional space, then k, m, g, t or p with optional i and b. */
const COMPOSE_SIZE = /^(\d+(?:\.\d+)?) ?([kKmMgGtTpP])?[iI]?[bB]?$/;
const SCENARIO_SIZE_UNIT: Readonly<Record<string, string>> = { "": "B", k: "KiB", m: "MiB", g: "GiB", t: "TiB", p: "PiB" };

/**
 * A duration value as the scenario reads it: kept as written when the scenario spells it the
 * same way, else in whole microseconds. A value Go would refuse is left for the scenario's parser
 * to explain.
 */
export function durationValue(raw: RawScalar): RawScalar {
  if (typeof raw.value !== "string" || SCENARIO_DURATION.test(raw.value)) return raw;
  const us = goDurationUs(raw.value);
  return us === undefined ? raw : { ...raw, value: `${Math.round(us)}us` };
}

/** A Compose size ("512M") as the scenario writes it ("512MiB"); bare digits are bytes. */
export function sizeValue(raw: RawScalar): RawScalar {
  const v = raw.value;
  // The Compose schema takes memory sizes as text only.
  if (typeof v !== "string") return raw;
  const m = COMPOSE_SIZE.exec(v.trim());
  if (!m) return raw;
  const unit = SCENARIO_SIZE_UNIT[(m[2] ?? "").toLowerCase()];
  if (unit === "PiB") return { ...raw, value: `${Number(m[1]) * 1024}TiB` };
  return { ...raw, value: `${m[1]}${unit}` };
}

/** Compose accepts numbers written as text where it wants them ("3" for replicas, after ${N}). */
export function numberValue(raw: RawScalar): RawScalar {
  const v = raw.value;
  if (typeof v === "string" && /^\s*-?\d+(?:\.\d+)?\s*$/.test(v)) return { ...raw, value: Number(v) };
  return raw;
}

/** Booleans written as text ("true", "false"), as Compose casts them after interpolation. */
export function boolValue(raw: RawScalar): RawScalar {
  const v = raw.value;
  if (typeof v !== "string") return raw;
  const t = v.trim().toLowerCase();
  if (t === "true" || t === "1" || t === "yes" || t === "y" || t === "on") return { ...raw, value: true };
  if (t === "false" || t === "0" || t === "no" || t === "n" || t === "off" || t === "") return { ...raw, value: false };
  return raw;
}
