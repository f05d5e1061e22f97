// CSV files written on an output's writer thread (metrics/csv-writer-thread.ts) have the bytes the
// run's own thread writes: cells packed and unpacked are the same values, and a file from the
// thread is the file from csvText, for odd cells and for a whole run's CSV files.
// The thread's body is JavaScript, so the thread's tests use the build (dist/), as the CLI does.

import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { CsvPacker, CsvUnpacker } from "../../src/metrics/csv-batch.js";
import type { OutputDir as OutputDirClass } from "../../src/metrics/output.js";
import type { CsvWriterThread as CsvWriterThreadClass } from "../../src/metrics/csv-writer-thread.js";
import type { Run as RunClass } from "../../src/engine/run.js";
import { parseScenario } from "../../src/scenario/index.js";
import { ROOT, tempDir } from "../cli/cli.js";

const { OutputDir } = (await import(path.join(ROOT, "dist/metrics/output.js"))) as { OutputDir: typeof OutputDirClass };
const { CsvWriterThread } = (await import(path.join(ROOT, "dist/metrics/csv-writer-thread.js"))) as { CsvWriterThread: typeof CsvWriterThreadClass };
const { Run } = (await import(path.join(ROOT, "dist/engine/run.js"))) as { Run: typeof RunClass };

const COLUMNS = ["n", "s", "b", "x"];

/** Rows with every kind of cell, strings CSV must quote, and values repeated across batches. */
function oddRows(count: number): object[] {
  const rows: object[] = [];
  for (let i = 0; i < count; i++) {
    rows.push({ n: i % 5 === 0 ? -0 : i / 7 - 3, s: i % 3 === 0 ? null : `w-${i % 11},"${i % 4}"\n`, b: i % 2 === 0, x: i % 9 === 0 ? 1e21 + i : 0.1 + 0.2 * i });
  }
  return rows;
}

/** A CSV written through an output's csvWriter, in batches of `batch` rows; the text committed. */
function written(after: number, rows: object[], batch: number): string {
  const dir = path.join(tempDir(), "out");
  const out = OutputDir.create(dir);
  out.csvThreadAfterRows = after;
  const sink = out.csvWriter("x.csv", COLUMNS);
  for (let i = 0; i < rows.length; i += batch) sink(rows.slice(i, i + batch));
  out.commit();
  return fs.readFileSync(path.join(dir, "x.csv"), "utf8");
}

describe("packed CSV rows", () => {
  it("unpack to the very cells that were packed, strings sent once", () => {
    const packer = new CsvPacker("x.csv", COLUMNS);
    const unpacker = new CsvUnpacker(COLUMNS.length);
    const rows = oddRows(300);
    const first = packer.pack(rows.slice(0, 150));
    const second = packer.pack(rows.slice(150));
    expect(second.strings.every((s) => !first.strings.includes(s))).toBe(true);
    const cells = [...unpacker.unpack(first), ...unpacker.unpack(second)];
    rows.forEach((row, r) => COLUMNS.forEach((c, k) => expect(Object.is(cells[r]![k], (row as Record<string, unknown>)[c]), `row ${r} ${c}`).toBe(true)));
  });

  it("refuse a missing cell or one of a kind CSV does not hold, as csvText does", () => {
    const packer = new CsvPacker("x.csv", COLUMNS);
    expect(() => packer.pack([{ n: 1, s: "a", b: true }])).toThrow('writeCsv(x.csv): row 0 has no value for column "x"');
    expect(() => packer.pack([{ n: 1, s: {}, b: true, x: 2 }])).toThrow('writeCsv(x.csv): row 0 has a object for column "s"');
  });
});

describe("a CSV written on a thread of its own", () => {
  const rows = oddRows(5_000);
  const inThread = written(Infinity, rows, 256);

  it("is there in the build, and the file is byte for byte the run's own thread's", () => {
    expect(CsvWriterThread.available).toBe(true);
    const quotedBreaks = rows.filter((r) => (r as { s: string | null }).s !== null).length;
    expect(inThread.split("\n").length).toBe(5_002 + quotedBreaks); // the header, the rows, the last newline
    expect(written(0, rows, 256)).toBe(inThread);
  });

  it("takes over part-way through, the rows before it in the file first", () => {
    expect(written(1_000, rows, 97)).toBe(inThread);
  });

  it("fails the write with the thread's reason instead of losing rows", () => {
    const thread = new CsvWriterThread();
    expect(() => {
      const file = thread.open(tempDir(), "x.csv", COLUMNS); // a directory: the thread cannot open it
      thread.write(file, rows.slice(0, 10));
      thread.close();
    }).toThrow(/writing x\.csv failed: EISDIR/);
  });
});

describe("a run's CSV files", () => {
  it("are the same whether the run's thread writes them or the output's writer thread", () => {
    const text = fs.readFileSync(path.join(ROOT, "scenarios/zone-failure.yaml"), "utf8");
    const names = ["nodes.csv", "timeseries.csv", "networks.csv"];
    const runs = [0, Infinity].map((after) => {
      const dir = path.join(tempDir(), "out");
      const out = OutputDir.create(dir);
      out.csvThreadAfterRows = after;
      const run = new Run(parseScenario(text, "zone-failure.yaml"), { out });
      while (!run.advance(100_000));
      run.finish();
      out.commit();
      return names.map((name) => fs.readFileSync(path.join(dir, name), "utf8"));
    });
    expect(runs[0]![0]!.split("\n").length).toBeGreaterThan(800); // several batches of 256 rows
    names.forEach((name, k) => expect(runs[0]![k], name).toBe(runs[1]![k]));
  });
});
