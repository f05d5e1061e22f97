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
import { OutputDir as OutputDirSrc } from "../../src/metrics/output.js";
import { CsvWriterThread as CsvWriterThreadSrc } from "../../src/metrics/csv-writer-thread.js";
import { Run as RunSrc } from "../../src/engine/run.js";
import { orchsim, readOutputs, ROOT, tempDir } from "../cli/cli.js";

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

/** A CSV written through an output's csvWriter, in batches of `batch` rows: the text committed, and whether the thread wrote. */
function written(after: number, rows: object[], batch: number): { text: string; threaded: boolean } {
  const dir = path.join(tempDir(), "out");
  const out = OutputDir.create(dir);
  out.csvThread.afterRows = after;
  const sink = out.csvWriter("x.csv", COLUMNS);
  for (let i = 0; i < rows.length; i += batch) sink(rows.slice(i, i + batch));
  const threaded = out.csvThread.started;
  out.commit();
  return { text: fs.readFileSync(path.join(dir, "x.csv"), "utf8"), threaded };
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
    expect(() => packer.pack([{ n: NaN, s: "a", b: true, x: 2 }])).toThrow(new RangeError("formatNumber: expected a finite number, got NaN"));
  });

  it("send again, with the next batch, the strings of a batch that failed to pack", () => {
    const packer = new CsvPacker("x.csv", COLUMNS);
    const unpacker = new CsvUnpacker(COLUMNS.length);
    expect(() => packer.pack([{ n: 1, s: "fresh", b: true, x: 2 }, { n: 1, s: "a" }])).toThrow(/no value/);
    const first = packer.pack([{ n: 1, s: "fresh", b: true, x: 2 }]);
    expect(first.strings).toEqual(["fresh"]);
    expect(unpacker.unpack(first)[0]![1]).toBe("fresh");
    // The failed string was the last of its column: the column's memory of it goes with its id.
    expect(() => packer.pack([{ n: 1, s: "newer" }])).toThrow(/no value/);
    const again = packer.pack([{ n: 1, s: "newer", b: true, x: 2 }]);
    expect(again.strings).toEqual(["newer"]);
    expect(unpacker.unpack(again)[0]![1]).toBe("newer");
  });

  it("hold the rows of several adds, past its first size, and a failed add leaves those before it held, cells and strings", () => {
    const packer = new CsvPacker("x.csv", COLUMNS, 4);
    const rows = oddRows(30);
    packer.add(rows.slice(0, 3));
    expect(() => packer.add([rows[3]!, { n: true, s: "dropped", b: null, x: "y" }, { n: 1, s: "b" }])).toThrow(/no value/);
    expect(packer.held).toBe(3);
    for (let i = 3; i < 30; i += 9) packer.add(rows.slice(i, i + 9));
    const batch = packer.take();
    expect(packer.held).toBe(0);
    expect(batch.strings).not.toContain("dropped");
    const cells = new CsvUnpacker(COLUMNS.length).unpack(batch);
    expect(cells.length).toBe(30);
    rows.forEach((row, r) => COLUMNS.forEach((c, k) => expect(Object.is(cells[r]![k], (row as Record<string, unknown>)[c]), `row ${r} ${c}`).toBe(true)));
  });

  it("unpack part-way through a file with the strings of the batches before (a writer thread that takes over)", () => {
    const packer = new CsvPacker("x.csv", COLUMNS);
    const own = new CsvUnpacker(COLUMNS.length);
    const rows = oddRows(40);
    own.unpack(packer.pack(rows.slice(0, 20)));
    const later = packer.pack(rows.slice(20));
    const cells = new CsvUnpacker(COLUMNS.length, own.known).unpack(later);
    expect(cells).toEqual(own.unpack(later));
    expect(cells.map((c) => c[1])).toEqual(rows.slice(20).map((r) => (r as { s: unknown }).s));
  });
});

describe("packed CSV rows of a column of names in a fixed order (nodes.csv's node)", () => {
  it("unpack to the same names window after window, through removals, additions, reorders and a failed batch", () => {
    const packer = new CsvPacker("x.csv", COLUMNS);
    const unpacker = new CsvUnpacker(COLUMNS.length);
    const windows = [
      ["w-1", "w-2", "w-3", "w-4"],
      ["w-1", "w-2", "w-3", "w-4"],
      ["w-1", "w-3", "w-4"], // w-2 removed: w-1 is followed by a name that is not the next id's
      ["w-1", "w-3", "w-4", "w-5", "w-2"], // a new name, and an old one back at the end
      ["w-4", "w-3", "w-2", "w-1", "w-5"],
    ];
    for (const names of windows) {
      const rows = names.map((s, i) => ({ n: i, s, b: true, x: 0 }));
      expect(unpacker.unpack(packer.pack(rows)).map((cells) => cells[1])).toEqual(names);
    }
    // A batch that fails after a fresh name: the name's id is freed, and the next batch uses it again.
    expect(() => packer.pack([{ n: 1, s: "w-6", b: true, x: 0 }, { n: 1, s: "w-7" }])).toThrow(/no value/);
    const names = ["w-5", "w-6", "w-7", "w-1"];
    expect(unpacker.unpack(packer.pack(names.map((s) => ({ n: 0, s, b: true, x: 0 })))).map((cells) => cells[1])).toEqual(names);
  });
});

describe("a CSV written on a thread of its own", () => {
  const rows = oddRows(5_000);
  const own = written(Infinity, rows, 256);

  it("is there in the build, and the file is byte for byte the run's own thread's", () => {
    expect(CsvWriterThread.available).toBe(true);
    expect(own.threaded).toBe(false);
    const quotedBreaks = rows.filter((r) => (r as { s: string | null }).s !== null).length;
    expect(own.text.split("\n").length).toBe(5_002 + quotedBreaks); // the header, the rows, the last newline
    expect(written(0, rows, 256)).toEqual({ text: own.text, threaded: true });
  });

  it("takes over part-way through, the rows before it in the file first", () => {
    expect(written(1_000, rows, 97)).toEqual({ text: own.text, threaded: true });
  });

  it("refuses rows once closed instead of losing them", () => {
    const filePath = path.join(tempDir(), "x.csv");
    fs.writeFileSync(filePath, "n,s,b,x\n"); // the thread appends to a file the output made
    const thread = new CsvWriterThread();
    const file = thread.open(filePath, "x.csv", COLUMNS);
    thread.close();
    expect(() => thread.write(file, new CsvPacker("x.csv", COLUMNS).pack(rows.slice(0, 1)))).toThrow("the CSV writer thread is closed");
  });

  it("fails the write with the thread's reason instead of losing rows", () => {
    const thread = new CsvWriterThread();
    expect(() => {
      const file = thread.open(tempDir(), "x.csv", COLUMNS); // a directory: the thread cannot open it
      thread.write(file, new CsvPacker("x.csv", COLUMNS).pack(rows.slice(0, 10)));
      thread.close();
    }).toThrow(/writing x\.csv failed: EISDIR/);
  });
});

describe("a run's CSV files", () => {
  const names = ["nodes.csv", "timeseries.csv", "networks.csv"];
  const text = fs.readFileSync(path.join(ROOT, "scenarios/zone-failure.yaml"), "utf8");
  function files(after: number): { files: string[]; threaded: boolean } {
    const dir = path.join(tempDir(), "out");
    const out = OutputDir.create(dir);
    out.csvThread.afterRows = after;
    const run = new Run(parseScenario(text, "zone-failure.yaml"), { out });
    while (!run.advance(100_000));
    run.finish();
    const threaded = out.csvThread.started;
    out.commit();
    return { files: names.map((name) => fs.readFileSync(path.join(dir, name), "utf8")), threaded };
  }
  const own = files(Infinity);

  it("are the same whether the run's thread writes them or the output's writer thread", () => {
    expect(own.threaded).toBe(false);
    expect(own.files[0]!.split("\n").length).toBeGreaterThan(800); // several batches of 256 rows
    // 0: every file on the thread from its first rows; 300: nodes.csv starts the thread part-way,
    // and the other two, which have rows in the file already, follow it there.
    for (const after of [0, 300]) {
      const threaded = files(after);
      expect(threaded.threaded, `after ${after}`).toBe(true);
      names.forEach((name, k) => expect(threaded.files[k], `${name}, after ${after}`).toBe(own.files[k]));
    }
  });
});

describe("the command's writer thread", () => {
  it("writes, through the bundle, the files a run in process writes on its own thread", () => {
    // 1,000 one-second windows of 111 nodes: nodes.csv passes the thread's 100,000 rows
    // (csv-stream.ts) and starts it; the other two files, with rows written already, follow.
    const yaml = "version: 1\nname: long\nseed: 3\nduration: 1000s\nmetrics: {interval: 1s}\ncluster:\n  managers: {count: 1}\n  nodeGroups:\n    - {name: w, count: 110, cpu: 4, memory: 8GiB}\nservices:\n  - {name: s, replicas: 4, ports: [{published: 80, target: 8080}], request: {cpu: 20ms}}\nworkload:\n  - {name: u, service: s, rate: 2/s}\n";
    const dir = tempDir();
    const file = path.join(dir, "long.yaml");
    fs.writeFileSync(file, yaml);
    const r = orchsim(["run", file, "--out", path.join(dir, "cli"), "--quiet"]);
    expect(r.code, r.stderr).toBe(0);
    expect(CsvWriterThreadSrc.available).toBe(false); // in process, from the sources: no thread
    const out = OutputDirSrc.create(path.join(dir, "own"));
    const run = new RunSrc(parseScenario(yaml, file), { out });
    while (!run.advance(100_000));
    run.finish();
    out.commit();
    const cli = readOutputs(path.join(dir, "cli"));
    const own = readOutputs(path.join(dir, "own"));
    expect([...cli.keys()].filter((n) => n !== "perf.json")).toEqual([...own.keys()]);
    expect(cli.get("nodes.csv")!.toString().split("\n").length).toBe(111_002);
    for (const name of own.keys()) if (name !== "perf.json") expect(cli.get(name)!.equals(own.get(name)!), name).toBe(true);
  });
});
