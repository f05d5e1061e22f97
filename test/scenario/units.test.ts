import { describe, expect, test } from "vitest";
import {
  formatBytes,
  formatDurationUs,
  parseBandwidthBitsPerS,
  parseCpuCores,
  parseDurationUs,
  parseFraction,
  parseRatePerS,
  parseSizeBytes,
  type UnitResult,
} from "../../src/scenario/index.js";

type Row = [input: unknown, expected: number | string];

/** A number is the expected value; a string the expected error message. */
function table(name: string, parse: (v: unknown) => UnitResult, rows: Row[]): void {
  describe(name, () => {
    test.each(rows)("%j -> %j", (input, expected) => {
      const r = parse(input);
      if (typeof expected === "number") expect(r).toEqual({ ok: true, value: expected });
      else expect(r).toEqual({ ok: false, error: expected });
    });
  });
}

table("parseDurationUs", parseDurationUs, [
  ["250ms", 250_000],
  ["1.5s", 1_500_000],
  ["2m", 120_000_000],
  ["1h", 3_600_000_000],
  ["20us", 20],
  ["1m30s", 90_000_000],
  // The clock ticks in microseconds: a fraction of one is refused, not rounded (walkthrough: 0.5us ran as 1us)...
  ["0.0004ms", '"0.0004ms" is not a whole number of microseconds (durations are whole microseconds, the clock\'s tick)'],
  ["1.5us", '"1.5us" is not a whole number of microseconds (durations are whole microseconds, the clock\'s tick)'],
  // ...but a decimal's binary error is no fraction: 1.005 x 1000 is 1004.9999999999999.
  ["1.005ms", 1005],
  ["200h0.5us", '"200h0.5us" is not a whole number of microseconds (durations are whole microseconds, the clock\'s tick)'],
  ["0.5us0.5us", 1],
  ["1.1m", 66_000_000],
  ["4.35m", 261_000_000],
  ["0.3s", 300_000],
  ["2.7h", 9_720_000_000],
  ["8759.999999h", 31_535_999_996_400],
  [0, 0],
  ["0", 0],
  ["0s", 0],
  [30, "30 is not a duration (add a unit, e.g. 30s or 30ms)"],
  ["30", '"30" is not a duration (add a unit, e.g. 30s or 30ms)'],
  [-5, "-5 is not a duration (it must not be negative)"],
  ["-5s", '"-5s" is not a duration (it must not be negative)'],
  ["5 s", '"5 s" is not a duration (try 5s)'],
  ["5sec", '"5sec" is not a duration (try 5s)'],
  ["10 minutes", '"10 minutes" is not a duration (try 10m)'],
  ["5S", '"5S" is not a duration (try 5s)'],
  ["soon", '"soon" is not a duration (use a number and one of us, ms, s, m, h, e.g. 250ms, 1.5s or 1m30s)'],
  ["9000h", '"9000h" is too large (at most 8760h)'],
  [true, "true is not a duration"],
  [null, "nothing is not a duration"],
]);

describe("formatBytes: the shortest whole spelling, as a scenario writes sizes", () => {
  test.each([
    [9 * 2 ** 30, "9GiB"],
    [1536 * 2 ** 20, "1536MiB"],
    [16e9, "16GB"], // was "15625000KiB" (review)
    [1e9, "1GB"], // was "1000000000B"
    [125 * 2 ** 30, "125GiB"], // also 134217728KB: the binary unit, shorter
    [1024, "1KiB"],
    [1000, "1KB"],
    [10, "10B"],
    [0, "0B"],
  ])("%d -> %s", (n, text) => expect(formatBytes(n)).toBe(text));
  test("reads back as the same size", () => {
    for (const n of [9 * 2 ** 30, 16e9, 1536 * 2 ** 20, 1000, 1001]) expect(parseSizeBytes(formatBytes(n))).toEqual({ ok: true, value: n });
  });
});

describe("formatDurationUs", () => {
  test.each([
    [1_800_000_000, "30m"],
    [1_500_000, "1500ms"],
    [3_600_000_000, "1h"],
    [20, "20us"],
    [0, "0s"],
  ])("%d -> %s", (us, text) => expect(formatDurationUs(us)).toBe(text));
});

table("parseSizeBytes", parseSizeBytes, [
  ["512MiB", 512 * 2 ** 20],
  ["1GiB", 2 ** 30],
  ["1.5KiB", 1536],
  ["10B", 10],
  ["2TiB", 2 * 2 ** 40],
  ["1KB", 1000],
  ["1MB", 1e6],
  ["8GB", 8e9],
  ["1TB", 1e12],
  [0, 0],
  ["512 MB", '"512 MB" is not a size (try 512MiB)'],
  ["512mb", '"512mb" is not a size (try 512MiB)'],
  ["4g", '"4g" is not a size (try 4GiB)'],
  ["1 GiB", '"1 GiB" is not a size (try 1GiB)'],
  [512, "512 is not a size (add a unit, e.g. 512MiB or 512B)"],
  ["-1GiB", '"-1GiB" is not a size (it must not be negative)'],
  ["big", '"big" is not a size (use a number and one of B, KiB, MiB, GiB, TiB, KB, MB, GB, TB, e.g. 512MiB)'],
  ["2000TiB", '"2000TiB" is too large (at most 1024TiB)'],
]);

table("parseRatePerS", parseRatePerS, [
  ["500/s", 500],
  ["900/s", 900],
  ["30/m", 0.5],
  ["36/h", 0.01],
  ["2.5/s", 2.5],
  [0, 0],
  [500, "500 is not a rate (add a unit, e.g. 500/s)"],
  ["500 rps", '"500 rps" is not a rate (try 500/s)'],
  ["500 / s", '"500 / s" is not a rate (try 500/s)'],
  ["60/min", '"60/min" is not a rate (try 60/m)'],
  ["lots", '"lots" is not a rate (use a number per s, m or h, e.g. 500/s or 30/m)'],
  ["20000000/s", '"20000000/s" is too large (at most 10000000/s)'],
]);

table("parseFraction", parseFraction, [
  ["70%", 0.7],
  [0.7, 0.7],
  ["0.25", 0.25],
  [0, 0],
  [1, 1],
  ["100%", 1],
  ["0%", 0],
  [70, "70 is not a fraction (use 0.7 or 70%)"],
  ["150%", '"150%" is not a fraction (at most 100%)'],
  ["70 %", '"70 %" is not a fraction (try 70%)'],
  [-0.5, "-0.5 is not a fraction (use a value from 0 to 1, e.g. 0.7, or a percentage, e.g. 70%)"],
  ["most", '"most" is not a fraction (use a value from 0 to 1, e.g. 0.7, or a percentage, e.g. 70%)'],
]);

table("parseCpuCores", parseCpuCores, [
  [0.5, 0.5],
  [2, 2],
  ["0.5", 0.5],
  ["500m", 0.5],
  ["2500m", 2.5],
  [0, 0],
  [-1, "-1 is not a CPU amount (it must not be negative)"],
  ["500 m", '"500 m" is not a CPU amount (try 500m)'],
  ["2 cores", '"2 cores" is not a CPU amount (try 2)'],
  ["half", '"half" is not a CPU amount (use cores, e.g. 0.5 or 2, or millicores, e.g. 500m)'],
  [200_000, "200000 is too large (at most 100000 cores)"],
]);

table("parseBandwidthBitsPerS", parseBandwidthBitsPerS, [
  ["10Gbps", 10e9],
  ["100Mbps", 100e6],
  ["1Gbit", 1e9],
  ["56kbps", 56e3],
  ["125MB/s", 1e9],
  ["1bps", 1],
  ["10gbps", '"10gbps" is not a bandwidth (try 10Gbps)'],
  ["10 Gbps", '"10 Gbps" is not a bandwidth (try 10Gbps)'],
  [1000, "1000 is not a bandwidth (add a unit, e.g. 1000Mbps or 1000Gbps)"],
  ["fast", '"fast" is not a bandwidth (use bits per second, e.g. 100Mbps, 10Gbps or 1Gbit, or bytes, e.g. 125MB/s)'],
  ["constructor", '"constructor" is not a bandwidth (use bits per second, e.g. 100Mbps, 10Gbps or 1Gbit, or bytes, e.g. 125MB/s)'],
]);
