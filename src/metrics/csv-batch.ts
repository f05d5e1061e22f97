// CSV rows packed as a stream gets them (csv-stream.ts), for its own thread's text or another
// thread's (csv-thread.ts): one number per cell in a Float64Array and one kind per cell in a
// Uint8Array, both handed over without a copy (a transfer list), and each distinct string sent
// once. Packing a nodes.csv row costs 0.2-0.3 microseconds, its text about 0.4 (file-text.ts
// CsvRows), and a 20,000-node cluster writes 7.2 million nodes.csv rows in a simulated hour.
//
// A double crosses exactly (the Float64Array holds its bits), so the thread prints every number
// as this thread would have: the file's bytes do not depend on where it was written.

import { formatNumber } from "./fmt.js";
import { cellsOf } from "./file-text.js";

/** What the writer thread is sent: a file to append to, a batch of its rows, or the end of them all. */
export type CsvMessage =
  | { type: "open"; file: number; fileName: string; filePath: string; columns: string[]; known: string[] }
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

/**
 * The sending side: packs rows as they come, so a file's rows wait for their batch as numbers in
 * typed arrays, not as objects (held objects outlive V8's young-generation collections and are
 * copied at each: the ordinary M/M/1's 10,000 windows held 256 rows of each file a time), and
 * gives each distinct string an id, once.
 */
export class CsvPacker {
  private readonly ids = new Map<string, number>();
  /** The strings by id (the reverse of `ids`). */
  private readonly byId: string[] = [];
  /**
   * Per column, the id of the last string packed. A column of few values (a node's status)
   * mostly repeats the row before; a column of names in a fixed order (nodes.csv's node, every
   * window) mostly holds the string that got the next id. Comparing with either string in `byId`
   * (the same string object, as a rule) costs less than a lookup in `ids` among 20,000 names.
   * An id freed by a failed add has no string in `byId` until it is given again, so a guess
   * never finds a string the other side was not sent.
   */
  private readonly lastId: number[] = [];
  private values: Float64Array<ArrayBuffer>;
  private kinds: Uint8Array<ArrayBuffer>;
  /** Rows held since the last take. */
  private rows = 0;
  /** Strings first seen in the rows held. */
  private strings: string[] = [];

  constructor(
    private readonly fileName: string,
    private readonly columns: readonly string[],
    private readonly capacityRows = 256,
  ) {
    this.values = new Float64Array(capacityRows * columns.length);
    this.kinds = new Uint8Array(capacityRows * columns.length);
  }

  /** Rows packed and not yet taken. */
  get held(): number {
    return this.rows;
  }

  /**
   * Packs `rows` after those held (objects with every column, or arrays of their cells in the
   * columns' order; null is allowed, undefined is not, as csvText). Cells are numbers (finite),
   * strings, null or booleans: csvText's cells, bar the kinds no row of ours has (bigint, Date,
   * object), which are refused; a refused row leaves none of `rows` held.
   */
  add(rows: readonly object[]): void {
    const rowsBefore = this.rows;
    const stringsBefore = this.strings.length;
    this.reserve(rowsBefore + rows.length);
    try {
      this.packInto(rows);
    } catch (err) {
      const width = this.columns.length;
      this.kinds.fill(Kind.Number, rowsBefore * width, (rowsBefore + rows.length) * width);
      for (const s of this.strings.splice(stringsBefore)) this.ids.delete(s); // never sent: their ids are free again
      this.byId.length = this.ids.size;
      this.rows = rowsBefore;
      throw err;
    }
  }

  /** The rows held, as a batch for an unpacker; none are held after. */
  take(): CsvBatch {
    const size = this.rows * this.columns.length;
    const batch: CsvBatch = { rows: this.rows, values: this.values.slice(0, size), kinds: this.kinds.slice(0, size), strings: this.strings };
    this.kinds.fill(Kind.Number, 0, size);
    this.rows = 0;
    this.strings = [];
    return batch;
  }

  /** `rows` as a batch of their own (add, then take). */
  pack(rows: readonly object[]): CsvBatch {
    this.add(rows);
    return this.take();
  }

  private reserve(rows: number): void {
    const cells = rows * this.columns.length;
    if (cells <= this.values.length) return;
    const size = Math.max(cells, 2 * this.values.length);
    const values = new Float64Array(size);
    const kinds = new Uint8Array(size);
    values.set(this.values);
    kinds.set(this.kinds);
    this.values = values;
    this.kinds = kinds;
  }

  private packInto(rows: readonly object[]): void {
    const width = this.columns.length;
    const { values, kinds } = this;
    let k = this.rows * width;
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
          const id = v === this.byId[last] ? last : v === this.byId[last + 1] ? last + 1 : this.idOf(v);
          values[k] = id;
          this.lastId[c] = id;
        } else if (v === null) kinds[k] = Kind.Null;
        else if (typeof v === "boolean") kinds[k] = v ? Kind.True : Kind.False;
        else throw new Error(`writeCsv(${this.fileName}): row ${r} has ${v === undefined ? "no value" : `a ${typeof v}`} for column "${this.columns[c]}"`);
      }
    }
    this.rows += rows.length;
  }

  private idOf(s: string): number {
    let id = this.ids.get(s);
    if (id === undefined) {
      id = this.ids.size;
      this.ids.set(s, id);
      this.byId[id] = s;
      this.strings.push(s);
    }
    return id;
  }
}

/** The receiving side: the batches' cells again, in the order they were packed. */
export class CsvUnpacker {
  private readonly strings: string[];

  /** `known`: the strings of batches before the first it will be given (an unpacker that joins part-way). */
  constructor(
    private readonly width: number,
    known: readonly string[] = [],
  ) {
    this.strings = [...known];
  }

  /** The strings of every batch unpacked so far, and those it was given to start with, by id. */
  get known(): readonly string[] {
    return this.strings;
  }

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
