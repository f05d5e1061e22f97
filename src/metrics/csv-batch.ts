// CSV rows packed for another thread (csv-thread.ts): one number per cell in a Float64Array and
// one kind per cell in a Uint8Array, both handed over without a copy (a transfer list), and each
// distinct string sent once. Packing a nodes.csv row costs 0.2-0.3 microseconds; csv-stringify
// costs about four microseconds a row (a tuple, a context object and two closures per cell), and a
// 20,000-node cluster writes 7.2 million nodes.csv rows in a simulated hour.
//
// A double crosses exactly (the Float64Array holds its bits), so the thread prints every number
// as this thread would have: the file's bytes do not depend on where it was written.

import { formatNumber } from "./fmt.js";
import { cellsOf } from "./file-text.js";

/** What the writer thread is sent: a file to append to, a batch of its rows, or the end of them all. */
export type CsvMessage =
  | { type: "open"; file: number; fileName: string; filePath: string; columns: string[] }
  | { type: "rows"; file: number; batch: CsvBatch }
  | { type: "close" };

/** The writer thread's shared memory (csv-writer-thread.ts): messages it has handled, and how its files stand. */
export const TICKS = 0;
export const STATUS = 1;
export const WriterStatus = { Open: 0, Closed: 1, Failed: 2 } as const;
/** The places above, as the thread is given them (it reads them before it loads this module). */
export const CSV_PROTOCOL = { TICKS, STATUS, CLOSED: WriterStatus.Closed, FAILED: WriterStatus.Failed };
export type CsvProtocol = typeof CSV_PROTOCOL;

/** What a cell holds: a number (the value itself), a string (its id), null or a boolean. */
const Kind = { Number: 0, String: 1, Null: 2, True: 3, False: 4 } as const;

/** Rows in columns' order, ready for postMessage (values and kinds go in its transfer list). */
export interface CsvBatch {
  rows: number;
  values: Float64Array<ArrayBuffer>;
  kinds: Uint8Array<ArrayBuffer>;
  /** Strings first seen in this batch; their ids follow on from the earlier batches'. */
  strings: string[];
}

/** The sending side: gives each distinct string an id, once. */
export class CsvPacker {
  private readonly ids = new Map<string, number>();
  /** The strings by id (the reverse of `ids`). */
  private readonly byId: string[] = [];
  /**
   * Per column, the id of the last string packed. A column of few values (a node's status)
   * mostly repeats the row before; a column of names in a fixed order (nodes.csv's node, every
   * window) mostly holds the string that got the next id. Comparing with either string in `byId`
   * (the same string object, as a rule) costs less than a lookup in `ids` among 20,000 names.
   * An id freed by a failed batch has no string in `byId` until it is given again, so a guess
   * never finds a string the other side was not sent.
   */
  private readonly lastId: number[] = [];

  constructor(
    private readonly fileName: string,
    private readonly columns: readonly string[],
  ) {}

  /**
   * Packs `rows` (objects with every column, or arrays of their cells in the columns' order; null
   * is allowed, undefined is not, as csvText).
   * Cells are numbers (finite), strings, null or booleans: csvText's cells, bar the kinds no
   * row of ours has (bigint, Date, object), which are refused.
   */
  pack(rows: readonly object[]): CsvBatch {
    const strings: string[] = [];
    try {
      return this.packInto(rows, strings);
    } catch (err) {
      for (const s of strings) this.ids.delete(s); // never sent: their ids are free again
      this.byId.length = this.ids.size;
      throw err;
    }
  }

  private packInto(rows: readonly object[], strings: string[]): CsvBatch {
    const width = this.columns.length;
    const values = new Float64Array(rows.length * width);
    const kinds = new Uint8Array(rows.length * width);
    let k = 0;
    for (let r = 0; r < rows.length; r++) {
      const row = rows[r] as Record<string, unknown>;
      const given = cellsOf(this.fileName, this.columns, row, r);
      for (let c = 0; c < width; c++, k++) {
        const v = given !== null ? given[c] : row[this.columns[c]!];
        if (typeof v === "number") {
          if (!Number.isFinite(v)) formatNumber(v); // throws formatNumber's own RangeError, here and now
          values[k] = v;
        } else if (typeof v === "string") {
          kinds[k] = Kind.String;
          const last = this.lastId[c] ?? -2;
          const id = v === this.byId[last] ? last : v === this.byId[last + 1] ? last + 1 : this.idOf(v, strings);
          values[k] = id;
          this.lastId[c] = id;
        } else if (v === null) kinds[k] = Kind.Null;
        else if (typeof v === "boolean") kinds[k] = v ? Kind.True : Kind.False;
        else throw new Error(`writeCsv(${this.fileName}): row ${r} has ${v === undefined ? "no value" : `a ${typeof v}`} for column "${this.columns[c]}"`);
      }
    }
    return { rows: rows.length, values, kinds, strings };
  }

  private idOf(s: string, fresh: string[]): number {
    let id = this.ids.get(s);
    if (id === undefined) {
      id = this.ids.size;
      this.ids.set(s, id);
      this.byId[id] = s;
      fresh.push(s);
    }
    return id;
  }
}

/** The receiving side: the batches' cells again, in the order they were packed. */
export class CsvUnpacker {
  private readonly strings: string[] = [];

  constructor(private readonly width: number) {}

  unpack(b: CsvBatch): unknown[][] {
    for (const s of b.strings) this.strings.push(s);
    const rows = new Array<unknown[]>(b.rows);
    let k = 0;
    for (let r = 0; r < b.rows; r++) {
      const cells = new Array<unknown>(this.width);
      for (let c = 0; c < this.width; c++, k++) cells[c] = this.cell(b.kinds[k]!, b.values[k]!);
      rows[r] = cells;
    }
    return rows;
  }

  private cell(kind: number, value: number): unknown {
    switch (kind) {
      case Kind.Number:
        return value;
      case Kind.String:
        return this.strings[value]!;
      case Kind.Null:
        return null;
      default:
        return kind === Kind.True;
    }
  }
}
