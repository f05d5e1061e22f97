// Fixed, deterministic number formatting for every output file.
//
// Output files must be byte-identical run to run and easy to read, so every number that leaves
// the simulator goes through `round` (a fixed number of decimals per kind of quantity) and, in
// CSV, through `formatNumber` (plain decimal notation: never "-0", never "1e-7" or "1e+21").
// The precisions are part of the output contract:
//   times in seconds   -> 6 decimals (one microsecond, the kernel's resolution)
//   milliseconds       -> 3 decimals (one microsecond again)
//   utilisation (0..1) -> 4 decimals

/** Decimals for times in seconds (`t_s`, `started_s`, ...). */
export const SECONDS_DIGITS = 6;
/** Decimals for latencies in milliseconds (`p99_ms`, ...). */
export const MS_DIGITS = 3;
/** Decimals for utilisation fractions (`cpu_util`). */
export const UTIL_DIGITS = 4;

const MAX_DIGITS = 15;

/**
 * Rounds `x` to `digits` decimals, half away from zero on the exact binary value of `x`
 * (so 1.005, stored as 1.00499999..., rounds to 1). Never returns -0.
 * Throws on NaN and infinities: a metric that is not a finite number is a bug upstream.
 */
export function round(x: number, digits: number): number {
  if (!Number.isFinite(x)) {
    throw new RangeError(`round: expected a finite number, got ${x}`);
  }
  if (!Number.isInteger(digits) || digits < 0 || digits > MAX_DIGITS) {
    throw new RangeError(`round: digits must be an integer in 0..${MAX_DIGITS}, got ${digits}`);
  }
  // Most numbers of a big cluster's rows are 0 (idle nodes): no text round trip for those.
  if (x === 0) return 0;
  // The answer is toFixed's, which rounds the exact decimal expansion of the double, half away
  // from zero (1.005, stored as 1.00499999..., gives 1). Without the text round trip unless
  // y = x*10^digits, as rounded, lies exactly on a half: rounding is monotonic and a half is a
  // double, so the exact product is on the same side of every half as y, Math.round(y) is
  // toFixed's integer n, and n/10^digits (one correctly rounded division) is the double that
  // Number() makes of toFixed's text. The trap of Math.round(x*f)/f is only the exact half.
  // `+ 0` turns -0 into 0 and leaves every other value alone.
  const f = POW10[digits]!;
  const y = x * f;
  const ay = Math.abs(y);
  if (ay < FAST_BELOW && ay - Math.floor(ay) !== 0.5) return Math.round(y) / f + 0;
  // For |x| >= 1e21 toFixed falls back to exponent form, which Number() still parses exactly.
  return Number(x.toFixed(digits)) + 0;
}

const POW10 = Array.from({ length: MAX_DIGITS + 1 }, (_, i) => 10 ** i);
/** Below this, y's fraction is exact and Math.round's integer too. */
const FAST_BELOW = 2 ** 52;

/** Microseconds -> seconds with 6 decimals. */
export function secondsFromUs(us: number): number {
  return round(us / 1_000_000, SECONDS_DIGITS);
}

/** Microseconds -> milliseconds with 3 decimals. */
export function msFromUs(us: number): number {
  return round(us / 1_000, MS_DIGITS);
}

/** A 0..1 fraction with 4 decimals. */
export function roundUtil(fraction: number): number {
  return round(fraction, UTIL_DIGITS);
}

/**
 * The text of a number in a CSV cell: plain decimal notation, no exponent, no "-0".
 * `String(x)` already gives the shortest round-tripping decimal for 1e-6 <= |x| < 1e21;
 * outside that range it switches to exponent form, which we expand.
 */
export function formatNumber(x: number): string {
  if (!Number.isFinite(x)) {
    throw new RangeError(`formatNumber: expected a finite number, got ${x}`);
  }
  if (x === 0) return "0"; // covers -0
  const text = String(x);
  if (!text.includes("e")) return text;
  if (Math.abs(x) >= 1) {
    // Doubles this large are integers, so BigInt is exact.
    return BigInt(x).toString();
  }
  // Tiny magnitudes: 20 decimals is far below anything `round` lets through; trailing zeros
  // are trimmed. A value below 1e-20 prints as "0" (or "-0" trimmed to "0").
  const fixed = x.toFixed(20).replace(/0+$/, "").replace(/\.$/, "");
  return fixed === "-0" ? "0" : fixed;
}

/**
 * A fault's target for a line of text: "a-1,a-2,a-3" as it is; a long list as its first three
 * names, the last one and the count ("a-1,a-2,a-3,...,a-300 (300)"). summary.json keeps the whole list.
 */
export function shortTarget(target: string): string {
  const names = target.split(",");
  if (names.length <= 6) return target;
  return `${names.slice(0, 3).join(",")},...,${names[names.length - 1]} (${names.length})`;
}

/**
 * Node names with runs of consecutive numbers folded: ["a-1", "a-2", "a-3", "b-7"] is
 * "a-1..a-3,b-7". Every name stays findable (unlike shortTarget's "..."), in the order given.
 */
export function nameRanges(names: readonly string[]): string {
  const out: string[] = [];
  let i = 0;
  while (i < names.length) {
    const [prefix, n] = numbered(names[i]!);
    let j = i;
    if (n >= 0) {
      const next = (k: number) => `${prefix}${n + (k - i)}`;
      while (j + 1 < names.length && names[j + 1] === next(j + 1)) j++;
    }
    out.push(j > i + 1 ? `${names[i]}..${names[j]}` : names.slice(i, j + 1).join(","));
    i = j + 1;
  }
  return out.join(",");
}

/** Names in the order nameRanges groups them, a-2 before a-10: by the name before the trailing number, then by the number. */
export function byNumberedName(a: string, b: string): number {
  const [pa, na] = numbered(a);
  const [pb, nb] = numbered(b);
  return pa < pb ? -1 : pa > pb ? 1 : na - nb;
}

/** A name's text before its trailing number, and the number (-1 when it has none). */
function numbered(name: string): [string, number] {
  const m = /^(.*?)(\d+)$/.exec(name);
  return m ? [m[1]!, Number(m[2])] : [name, -1];
}

/**
 * "1,234,567" (and "-1,234.5" with `maxFractionDigits` 1): what toLocaleString("en-US") prints,
 * without it. The first toLocaleString of a process loads ICU's number formats, about 35 ms: a
 * twentieth of a short run's wall time, for the commas of its summary line. Rounds as toFixed
 * does (on the exact binary value) and drops trailing zeros of the fraction.
 */
export function groupDigits(x: number, maxFractionDigits = 0): string {
  const [whole, fraction] = x.toFixed(maxFractionDigits).split(".") as [string, string | undefined];
  const sign = whole.startsWith("-") ? "-" : "";
  const grouped = whole.slice(sign.length).replace(/\B(?=(\d{3})+$)/g, ",");
  const frac = fraction?.replace(/0+$/, "") ?? "";
  const text = `${sign}${grouped}${frac ? `.${frac}` : ""}`;
  return text === "-0" ? "0" : text;
}

/**
 * A share in percent to `digits` decimals that reads 100 only when it is 100: 99.954 at one
 * decimal is ">99.9", not "100.0" (a plan's failing value read "100.0%" within its SLO, and a
 * sweep's 99.999 "100.00" beside an exact "100.0"; walkthrough). Likewise 0 only when it is 0
 * ("<0.01"), and, given `below` (an SLO's percentile that the share missed), never `below`
 * itself: 98.996% within a p99 SLO that was missed is "<99.00", not "99.00".
 */
export function pctText(pct: number, digits: number, below = 100): string {
  const text = pct.toFixed(digits);
  if (below < 100 && pct < below && Number(text) >= below) return `<${below.toFixed(digits)}`;
  if (pct < 100 && Number(text) >= 100) return `>${(100 - 10 ** -digits).toFixed(digits)}`;
  if (pct > 0 && Number(text) <= 0) return `<${(10 ** -digits).toFixed(digits)}`;
  return text;
}

/** The share of a service's requests within its SLO (`attained`, a fraction), as the terminal says it: "99.80", or "<99.00" when it missed a p99. */
export function sloShareText(attained: number | null, met: boolean | null, percentile: number): string {
  return pctText((attained ?? 0) * 100, 2, met === false ? percentile : 100);
}

/** To one decimal, as the terminal and story.md give seconds. */
export function round1(x: number): number {
  return Math.round(x * 10) / 10;
}

/** "1 node", "3 nodes": a count and its noun, in the plural unless it is one. */
export function plural(n: number, what: string): string {
  return n === 1 ? `1 ${what}` : `${n} ${what}s`;
}
