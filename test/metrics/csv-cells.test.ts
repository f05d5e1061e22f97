// A CSV row may be given as its cells in the columns' order (nodes.csv's rows are): the text and
// the writer thread's batches must be what the same row as an object gives.

import fc from "fast-check";
import { stringify } from "csv-stringify/sync";
import { describe, expect, it } from "vitest";
import { CsvPacker, CsvUnpacker } from "../../src/metrics/csv-batch.js";
import { CsvRows, csvText } from "../../src/metrics/file-text.js";
import { formatNumber } from "../../src/metrics/fmt.js";
import { NETWORK_COLUMNS, NODE_COLUMNS, TIMESERIES_COLUMNS, networkCells, nodeRowOf, timeseriesCells, type NetworkRow, type NodeCells, type TimeseriesRow } from "../../src/metrics/rows.js";

const CELLS: NodeCells[] = [
  [10, "a-1", "ready", "active", 0.25, 1073741824, 68719476736, 10, 1500, 2900],
  [10, "a,2", "down", "drain", 0, 0, 68719476736, 0, 0, 0],
  [20, 'a"3', "ready", "pause", 1, 42, 7, 3, 1e21, 0.5],
];

describe("rows given as cells", () => {
  it("nodeRowOf names the cells in NODE_COLUMNS' order", () => {
    for (const cells of CELLS) {
      const row = nodeRowOf(cells);
      expect(Object.keys(row)).toEqual([...NODE_COLUMNS]);
      expect(Object.values(row)).toEqual(cells);
    }
  });

  it("timeseriesCells and networkCells list a row's fields in their files' column order", () => {
    // Every field a value of its own, so a swapped or missing one shows.
    const ts = Object.fromEntries(TIMESERIES_COLUMNS.map((c, i) => [c, i === 1 ? "web" : i === 8 ? null : i + 0.5])) as unknown as TimeseriesRow;
    expect(timeseriesCells(ts)).toEqual(TIMESERIES_COLUMNS.map((c) => ts[c]));
    const net = Object.fromEntries(NETWORK_COLUMNS.map((c, i) => [c, i === 1 || i === 2 ? `s${i}` : i + 0.5])) as unknown as NetworkRow;
    expect(networkCells(net)).toEqual(NETWORK_COLUMNS.map((c) => net[c]));
  });

  it("csvText writes cells as it writes the same rows as objects", () => {
    const asObjects = csvText("nodes.csv", NODE_COLUMNS, CELLS.map(nodeRowOf), true);
    expect(csvText("nodes.csv", NODE_COLUMNS, CELLS, true)).toBe(asObjects);
    expect(asObjects.split("\n")[2]).toBe('10,"a,2",down,drain,0,0,68719476736,0,0,0');
  });

  it("the packer sends cells as it sends the same rows as objects", () => {
    const fromCells = new CsvUnpacker(NODE_COLUMNS.length).unpack(new CsvPacker("nodes.csv", NODE_COLUMNS).pack(CELLS));
    const fromObjects = new CsvUnpacker(NODE_COLUMNS.length).unpack(new CsvPacker("nodes.csv", NODE_COLUMNS).pack(CELLS.map(nodeRowOf)));
    expect(fromCells).toEqual(fromObjects);
    expect(fromCells).toEqual(CELLS);
  });

  it("refuses a row of the wrong number of cells, naming the file and the row", () => {
    const short = [CELLS[0], CELLS[1]!.slice(0, 9)] as object[];
    expect(() => csvText("nodes.csv", NODE_COLUMNS, short, false)).toThrow("writeCsv(nodes.csv): row 1 has 9 cells for 10 columns");
    expect(() => new CsvPacker("nodes.csv", NODE_COLUMNS).pack(short)).toThrow("writeCsv(nodes.csv): row 1 has 9 cells for 10 columns");
  });
});

describe("a file's rows as text", () => {
  const text = fc.string({ unit: "binary", maxLength: 8 });
  const specials = fc.constantFrom("", " ", ",", '"', '""', "\n", "\r", "\r\n", "a,b", '=1+2', "-3", "@x", "\t", "\ufeff", "é", "😀", "ready");
  const number = fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.integer(), fc.constantFrom(-0, 0, 1e21, -1e-7, 5e-324, Number.MAX_SAFE_INTEGER));
  const cell = fc.oneof(text, specials, number, fc.boolean(), fc.constant(null));
  const rows = fc.array(fc.array(cell, { minLength: 1, maxLength: 6 }), { maxLength: 5 });

  it("are csv-stringify's text of them, with writeCsv's casts, batch after batch of one file", () => {
    const cast = { number: (v: number) => formatNumber(v), boolean: (v: boolean) => (v ? "true" : "false") };
    fc.assert(
      fc.property(fc.array(rows, { minLength: 1, maxLength: 4 }), (batches) => {
        const file = new CsvRows(); // its strings' texts kept from one batch to the next
        for (const batch of batches) expect(file.text(batch)).toBe(stringify(batch, { cast }));
      }),
      { numRuns: 500 },
    );
  });
});
