// Parsers for the unit-bearing values of a scenario file ("250ms", "512MiB", "2000/s", "70%",
// "500m", "10Gbps"). Each takes what YAML produced (a string or a number, or anything else when
// the file is wrong) and returns the value in the normalised unit or a message that says what was
// wrong and, when it can guess, what the author probably meant ("try 512MiB").
//
// Units are case-sensitive and spaces are refused on purpose: "512mb" and "512 MB" are guesses
// we could make, but a capacity model silently reading a thousand times too much or too little
// memory is worse than a clear error with the fix in it.

import { quoteShort } from "./raw.js";

export type UnitResult = { ok: true; value: number } | { ok: false; error: string };

const NUMBER = String.raw`\d+(?:\.\d+)?`;

const ok = (value: number): UnitResult => ({ ok: true, value });
const fail = (error: string): UnitResult => ({ ok: false, error });

/** How a YAML value is shown in messages: strings quoted, numbers and the rest as written. */
export function show(value: unknown): string {
  if (typeof value === "string") return quoteShort(value);
  if (value === null || value === undefined) return "nothing";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a map";
  return String(value);
}

/** A plain decimal number written as text ("30", "0.5"), or undefined. */
function decimal(text: string): number | undefined {
  return new RegExp(`^${NUMBER}$`).test(text) ? Number(text) : undefined;
}

/**
 * Shared shape of every unit parser: a bare 0 is accepted (zero needs no unit), other bare
 * numbers get a hint, strings are matched strictly and, failing that, loosely to build a hint.
 */
interface UnitGrammar {
  what: string; // "a duration"
  parse: (text: string) => number | undefined; // strict; undefined = no match
  loose: (text: string) => string | undefined; // canonical spelling of a near miss
  bareHint: (n: string) => string; // "30s or 30ms"
  usage: string; // shown when nothing better can be said
  max: number;
  maxText: string;
  /** `test`: whether `text` (which parse read) is a whole number of the unit it parses to; a fraction is refused (`why`), not rounded. Absent: fractions kept. */
  whole?: { test: (text: string) => boolean; why: string };
}

function parseWith(g: UnitGrammar, input: unknown): UnitResult {
  if (typeof input === "number") {
    if (input === 0) return ok(0);
    if (!Number.isFinite(input)) return fail(`${show(input)} is not ${g.what}`);
    if (input < 0) return fail(`${show(input)} is not ${g.what} (it must not be negative)`);
    return fail(`${show(input)} is not ${g.what} (add a unit, e.g. ${g.bareHint(String(input))})`);
  }
  if (typeof input !== "string") return fail(`${show(input)} is not ${g.what}`);
  const text = input;
  if (text === "0") return ok(0);
  const strict = g.parse(text);
  if (strict !== undefined) {
    if (strict > g.max) return fail(`${show(text)} is too large (at most ${g.maxText})`);
    if (g.whole === undefined) return ok(strict);
    if (!g.whole.test(text)) return fail(`${show(text)} is not a whole number of microseconds (${g.whole.why})`);
    // Exact in decimal, so only the float product's binary error ("1.005ms" is 1004.9999999999999) is rounded away.
    return ok(Math.round(strict));
  }
  if (/^\s*-/.test(text)) return fail(`${show(text)} is not ${g.what} (it must not be negative)`);
  const bare = decimal(text.trim());
  if (bare !== undefined) return fail(`${show(text)} is not ${g.what} (add a unit, e.g. ${g.bareHint(text.trim())})`);
  const guess = g.loose(text);
  if (guess !== undefined && g.parse(guess) !== undefined) return fail(`${show(text)} is not ${g.what} (try ${guess})`);
  return fail(`${show(text)} is not ${g.what} (${g.usage})`);
}

/** Splits "512 mb" into ["512", "mb"] for the loose matchers; undefined if it has no number. */
function splitLoose(text: string): [string, string] | undefined {
  const m = new RegExp(`^\\s*(${NUMBER})\\s*(.*?)\\s*$`).exec(text);
  return m ? [m[1] ?? "", (m[2] ?? "").replace(/\s+/g, "")] : undefined;
}

// ---------------------------------------------------------------------------------- durations

const US_PER: Readonly<Record<string, number>> = { us: 1, ms: 1e3, s: 1e6, m: 60e6, h: 3600e6 };
const DURATION_WORDS: ReadonlyArray<[RegExp, string]> = [
  [/^(us|usec|usecs|µs|micros)$/i, "us"],
  [/^(ms|msec|msecs|millis|milliseconds?)$/i, "ms"],
  [/^(s|sec|secs|seconds?)$/i, "s"],
  [/^(m|min|mins|minutes?)$/i, "m"],
  [/^(h|hr|hrs|hours?)$/i, "h"],
];
/** One year: a limit that no sensible run reaches and that keeps every sum a safe integer. */
const DURATION_MAX_US = 8760 * 3600e6;

/** A duration's parts, number text and unit ("1m30s": ["1", "m"], ["30", "s"]); undefined unless every part is a number followed by a unit. */
function durationParts(text: string): [string, string][] | undefined {
  // Go-style compounds ("1m30s") are allowed; every part must be a number followed by a unit.
  const part = new RegExp(`(${NUMBER})(us|ms|s|m|h)`, "y");
  const parts: [string, string][] = [];
  let matched = 0;
  while (matched < text.length) {
    part.lastIndex = matched;
    const m = part.exec(text);
    if (!m) return undefined;
    parts.push([m[1] ?? "", m[2] ?? ""]);
    matched = part.lastIndex;
  }
  return parts.length === 0 ? undefined : parts;
}

function strictDuration(text: string): number | undefined {
  return durationParts(text)?.reduce((total, [n, unit]) => total + Number(n) * (US_PER[unit] ?? NaN), 0);
}

/**
 * Whether a duration strictDuration reads is a whole number of microseconds, decided on its
 * decimal digits (exactly, in integers): "0.5us" and "200h0.5us" are not, "1.005ms" is.
 */
function wholeMicroseconds(text: string): boolean {
  const parts = (durationParts(text) ?? []).map(([n, unit]) => {
    const [whole, fraction = ""] = n.split(".");
    return { digits: BigInt(`${whole}${fraction}`), places: fraction.length, us: BigInt(US_PER[unit] ?? 1) };
  });
  const places = Math.max(0, ...parts.map((p) => p.places));
  // Every part over the same power of ten: their sum is whole when that power divides it.
  const sum = parts.reduce((n, p) => n + p.digits * p.us * 10n ** BigInt(places - p.places), 0n);
  return sum % 10n ** BigInt(places) === 0n;
}

function looseUnit(text: string, words: ReadonlyArray<[RegExp, string]>): string | undefined {
  const parts = splitLoose(text);
  if (!parts) return undefined;
  const found = words.find(([re]) => re.test(parts[1]));
  return found ? `${parts[0]}${found[1]}` : undefined;
}

const DURATION: UnitGrammar = {
  what: "a duration",
  parse: strictDuration,
  whole: { test: wholeMicroseconds, why: "durations are whole microseconds, the clock's tick" },
  loose: (t) => looseUnit(t, DURATION_WORDS),
  bareHint: (n) => `${n}s or ${n}ms`,
  usage: "use a number and one of us, ms, s, m, h, e.g. 250ms, 1.5s or 1m30s",
  max: DURATION_MAX_US,
  maxText: "8760h",
};

/** Duration -> integer microseconds. "250ms" -> 250000; a bare number other than 0 is refused. */
export function parseDurationUs(input: unknown): UnitResult {
  return parseWith(DURATION, input);
}

/**
 * Bytes as the scenario writes sizes: the shortest whole spelling ("9GiB", "1536MiB", "16GB"), a
 * binary unit when one is as short (a size written in GB came back as "15625000KiB").
 */
export function formatBytes(n: number): string {
  let best = `${n}B`;
  for (const unit of ["GiB", "MiB", "KiB", "GB", "MB", "KB"]) {
    const size = BYTES_PER[unit]!;
    const text = `${n / size}${unit}`;
    if (n > 0 && n % size === 0 && text.length < best.length) best = text;
  }
  return best;
}

/** Microseconds -> the shortest exact spelling ("30m", "1500ms"), for messages. */
export function formatDurationUs(us: number): string {
  for (const unit of ["h", "m", "s", "ms"] as const) {
    const per = US_PER[unit] ?? 1;
    if (us !== 0 && us % per === 0) return `${us / per}${unit}`;
  }
  return us === 0 ? "0s" : `${us}us`;
}

// -------------------------------------------------------------------------------------- sizes

const BYTES_PER: Readonly<Record<string, number>> = {
  B: 1,
  KiB: 2 ** 10,
  MiB: 2 ** 20,
  GiB: 2 ** 30,
  TiB: 2 ** 40,
  KB: 1e3,
  MB: 1e6,
  GB: 1e9,
  TB: 1e12,
};
// A near miss is most often someone meaning the binary unit Docker and the kernel report.
const SIZE_WORDS: ReadonlyArray<[RegExp, string]> = [
  [/^(b|bytes?)$/i, "B"],
  [/^(k|kb|ki|kib)$/i, "KiB"],
  [/^(m|mb|mi|mib)$/i, "MiB"],
  [/^(g|gb|gi|gib)$/i, "GiB"],
  [/^(t|tb|ti|tib)$/i, "TiB"],
];

const SIZE: UnitGrammar = {
  what: "a size",
  parse: (t) => {
    const m = new RegExp(`^(${NUMBER})(B|KiB|MiB|GiB|TiB|KB|MB|GB|TB)$`).exec(t);
    return m ? Math.round(Number(m[1]) * (BYTES_PER[m[2] ?? ""] ?? NaN)) : undefined;
  },
  loose: (t) => looseUnit(t, SIZE_WORDS),
  bareHint: (n) => `${n}MiB or ${n}B`,
  usage: "use a number and one of B, KiB, MiB, GiB, TiB, KB, MB, GB, TB, e.g. 512MiB",
  max: 1024 * 2 ** 40,
  maxText: "1024TiB",
};

/** Size -> integer bytes. "512MiB" -> 536870912; "1GB" -> 1e9. */
export function parseSizeBytes(input: unknown): UnitResult {
  return parseWith(SIZE, input);
}

// -------------------------------------------------------------------------------------- rates

const RATE_WORDS: ReadonlyArray<[RegExp, string]> = [
  [/^(\/s|\/sec|\/second|ps|rps|qps|persecond|\/seconds)$/i, "/s"],
  [/^(\/m|\/min|\/minute|rpm|perminute)$/i, "/m"],
  [/^(\/h|\/hr|\/hour|rph|perhour)$/i, "/h"],
];
const PER_S: Readonly<Record<string, number>> = { s: 1, m: 1 / 60, h: 1 / 3600 };

const RATE: UnitGrammar = {
  what: "a rate",
  parse: (t) => {
    const m = new RegExp(`^(${NUMBER})/(s|m|h)$`).exec(t);
    return m ? Number(m[1]) * (PER_S[m[2] ?? ""] ?? NaN) : undefined;
  },
  loose: (t) => looseUnit(t, RATE_WORDS),
  bareHint: (n) => `${n}/s`,
  usage: "use a number per s, m or h, e.g. 500/s or 30/m",
  max: 1e7,
  maxText: "10000000/s",
};

/** Rate -> events per second (float). "900/s" -> 900; "30/m" -> 0.5. */
export function parseRatePerS(input: unknown): UnitResult {
  return parseWith(RATE, input);
}

// ---------------------------------------------------------------------------------- fractions

/** Fraction -> 0..1. Accepts 0.7, "0.7" and "70%". */
export function parseFraction(input: unknown): UnitResult {
  const hint = "use a value from 0 to 1, e.g. 0.7, or a percentage, e.g. 70%";
  if (typeof input === "number") {
    if (input >= 0 && input <= 1) return ok(input);
    if (input > 1 && input <= 100) return fail(`${show(input)} is not a fraction (use ${input / 100} or ${input}%)`);
    return fail(`${show(input)} is not a fraction (${hint})`);
  }
  if (typeof input !== "string") return fail(`${show(input)} is not a fraction`);
  const plain = decimal(input);
  if (plain !== undefined) return parseFraction(plain);
  const m = new RegExp(`^(${NUMBER})%$`).exec(input);
  if (m) {
    const pct = Number(m[1]);
    return pct <= 100 ? ok(pct / 100) : fail(`${show(input)} is not a fraction (at most 100%)`);
  }
  const spaced = new RegExp(`^\\s*(${NUMBER})\\s*%\\s*$`).exec(input);
  if (spaced) return fail(`${show(input)} is not a fraction (try ${spaced[1]}%)`);
  return fail(`${show(input)} is not a fraction (${hint})`);
}

/** A percentage that may exceed 100% ("200%") -> a fraction (2). */
export function parsePercentage(input: unknown): UnitResult {
  const m = typeof input === "string" ? new RegExp(`^(${NUMBER})%$`).exec(input) : null;
  if (m) return ok(Number(m[1]) / 100);
  return fail(`${show(input)} is not a percentage (e.g. 100% or 250%)`);
}

// ---------------------------------------------------------------------------------------- CPU

const CPU_MAX_CORES = 100_000;

/** CPU -> cores (float). Accepts 0.5, 2, "0.5" and millicores "500m". */
export function parseCpuCores(input: unknown): UnitResult {
  const usage = "use cores, e.g. 0.5 or 2, or millicores, e.g. 500m";
  let cores: number | undefined;
  if (typeof input === "number" && Number.isFinite(input)) {
    if (input < 0) return fail(`${show(input)} is not a CPU amount (it must not be negative)`);
    cores = input;
  } else if (typeof input === "string") {
    const milli = /^(\d+)m$/.exec(input);
    cores = milli ? Number(milli[1]) / 1000 : decimal(input);
    if (cores === undefined) {
      if (/^\s*-/.test(input)) return fail(`${show(input)} is not a CPU amount (it must not be negative)`);
      const parts = splitLoose(input);
      if (parts && /^(m|millis?|millicores?)$/i.test(parts[1])) return fail(`${show(input)} is not a CPU amount (try ${parts[0]}m)`);
      if (parts && /^(|cores?|cpus?|vcpus?)$/i.test(parts[1])) return fail(`${show(input)} is not a CPU amount (try ${parts[0]})`);
      return fail(`${show(input)} is not a CPU amount (${usage})`);
    }
  } else {
    return fail(`${show(input)} is not a CPU amount (${usage})`);
  }
  if (cores > CPU_MAX_CORES) return fail(`${show(input)} is too large (at most ${CPU_MAX_CORES} cores)`);
  // Below a thousandth of a core, CPU work would take longer than the simulated clock can hold.
  if (cores > 0 && cores < 0.001) return fail(`${show(input)} is too small (at least 1m, a thousandth of a core)`);
  return ok(cores);
}

// ---------------------------------------------------------------------------------- bandwidth

// A Map, not an object: the unit text comes from the file and must never reach a prototype.
const BITS_PER: ReadonlyMap<string, number> = new Map(Object.entries({
  bps: 1,
  Kbps: 1e3,
  kbps: 1e3,
  Mbps: 1e6,
  Gbps: 1e9,
  Tbps: 1e12,
  bit: 1,
  Kbit: 1e3,
  kbit: 1e3,
  Mbit: 1e6,
  Gbit: 1e9,
  Tbit: 1e12,
  "B/s": 8,
  "KB/s": 8e3,
  "MB/s": 8e6,
  "GB/s": 8e9,
  "KiB/s": 8 * 2 ** 10,
  "MiB/s": 8 * 2 ** 20,
  "GiB/s": 8 * 2 ** 30,
}));
const BANDWIDTH_WORDS: ReadonlyArray<[RegExp, string]> = [
  [/^(kbps|kbit|kb\/s|kbit\/s)$/i, "Kbps"],
  [/^(mbps|mbit|mb\/s|mbit\/s)$/i, "Mbps"],
  [/^(gbps|gbit|gb\/s|gbit\/s)$/i, "Gbps"],
  [/^(tbps|tbit|tb\/s|tbit\/s)$/i, "Tbps"],
];

const BANDWIDTH: UnitGrammar = {
  what: "a bandwidth",
  parse: (t) => {
    const m = new RegExp(`^(${NUMBER})(.+)$`).exec(t);
    const per = m ? BITS_PER.get(m[2] ?? "") : undefined;
    return m && per !== undefined ? Number(m[1]) * per : undefined;
  },
  loose: (t) => looseUnit(t, BANDWIDTH_WORDS),
  bareHint: (n) => `${n}Mbps or ${n}Gbps`,
  usage: "use bits per second, e.g. 100Mbps, 10Gbps or 1Gbit, or bytes, e.g. 125MB/s",
  max: 1e15,
  maxText: "1000Tbps",
};

/** Bandwidth -> bits per second. "10Gbps" -> 1e10; "1Gbit" -> 1e9; "125MB/s" -> 1e9. */
export function parseBandwidthBitsPerS(input: unknown): UnitResult {
  return parseWith(BANDWIDTH, input);
}
