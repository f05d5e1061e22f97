// How a run's files are written, whatever directory they go to (output.ts): lines appended
// through a buffer (events.jsonl, nodes.csv as it grows) and rows as CSV text in one format.

import * as fs from "node:fs";
import { stringify } from "csv-stringify/sync";
import { formatNumber } from "./fmt.js";

/** Bytes a LineWriter holds between writes. */
const FLUSH_BYTES = 64 * 1024;
/** Digits of the largest safe integer, 2^53 - 1. */
const MAX_SAFE_DIGITS = 16;

/**
 * Rows as CSV text (writeCsv's format), with the header row if `header`. A row is an object with
 * every column, or an array of its cells in the columns' order.
 */
export function csvText(fileName: string, columns: readonly string[], rows: readonly object[], header: boolean): string {
  // Handed over as arrays in the columns' order: csv-stringify reads an object's fields through
  // a lodash-style path lookup (a regular expression and an array per field), 20% of its time.
  const cells = new Array<unknown[]>(rows.length);
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r] as Record<string, unknown>;
    const given = cellsOf(fileName, columns, row, r);
    const line = new Array<unknown>(columns.length);
    for (let c = 0; c < columns.length; c++) {
      const value = given !== null ? given[c] : row[columns[c]!];
      if (value === undefined) throw new Error(`writeCsv(${fileName}): row ${r} has no value for column "${columns[c]}"`);
      line[c] = value;
    }
    cells[r] = line;
  }
  return (header ? csvHeader(columns) : "") + new CsvRows().text(cells);
}

/**
 * A row's cells when it is given as an array of them in the columns' order (checked for its
 * length), or null when it is an object with every column.
 */
export function cellsOf(fileName: string, columns: readonly string[], row: object, r: number): readonly unknown[] | null {
  if (!Array.isArray(row)) return null;
  if (row.length !== columns.length) throw new Error(`writeCsv(${fileName}): row ${r} has ${row.length} cells for ${columns.length} columns`);
  return row;
}

/** How csv-stringify is asked for every file's text: numbers by formatNumber, booleans as true/false. */
const CAST = {
  number: (value: number) => formatNumber(value),
  boolean: (value: boolean) => (value ? "true" : "false"),
};

/** A CSV file's header row, csv-stringify's. */
export function csvHeader(columns: readonly string[]): string {
  return stringify([], { header: true, columns: [...columns], cast: CAST });
}

/**
 * A file's rows as CSV text, batch after batch: the text csv-stringify makes of them (with
 * writeCsv's casts), for less. csv-stringify decides a cell's quoting on the cell's own text
 * alone, and joins cells with "," and rows with "\n". A number's text (formatNumber), true,
 * false and an empty cell (null) are never quoted; so csv-stringify is asked once for each
 * distinct string (its text is kept) and for any other kind of cell, and a row is its cells'
 * texts joined: about 0.4 us a nodes.csv row of 10 cells, against 1.5 us through csv-stringify (a
 * context object, two tuples and a spread a cell), and a 20,000-node cluster writes 7.2 million
 * such rows in a simulated hour.
 */
export class CsvRows {
  private readonly quoted = new Map<string, string>();

  /** Rows given as their cells in the columns' order; each ends with a newline. */
  text(cells: readonly (readonly unknown[])[]): string {
    let out = "";
    for (let r = 0; r < cells.length; r++) {
      const row = cells[r]!;
      let line = row.length > 0 ? this.cell(row[0]) : "";
      for (let c = 1; c < row.length; c++) line += "," + this.cell(row[c]);
      out += line + "\n";
    }
    return out;
  }

  private cell(v: unknown): string {
    if (typeof v === "number") return formatNumber(v);
    if (typeof v === "string") {
      let text = this.quoted.get(v);
      if (text === undefined) this.quoted.set(v, (text = alone(v)));
      return text;
    }
    if (v === null) return "";
    if (typeof v === "boolean") return v ? "true" : "false";
    return alone(v);
  }
}

/**
 * A cell's text as csv-stringify writes it in a row: the text of a row of it and a 0 (formatNumber's
 * "0", never quoted), less the ",0" and the record's end. Asked of a row of two cells so that what
 * it says of a cell cannot depend on the cell being alone in its row.
 */
function alone(v: unknown): string {
  const text = stringify([[v, 0]], { cast: CAST });
  return text.slice(0, text.length - ",0\n".length);
}

/**
 * Where events.jsonl's lines go: a file's LineWriter, or a stand-in that keeps them (tests,
 * benchmarks); during the deployment, HeldLines (held-lines.ts). Whole lines come by writeJson,
 * task lines in pieces ending with a newline (event-line.ts), held lines in pieces too (their
 * time's text, then their bytes by putBytes).
 */
export interface EventLog {
  writeJson(line: string): void;
  putAscii(s: string): void;
  putInt(n: number): void;
  /** Appends `bytes` as they are: UTF-8 text of whole characters (a held line's). */
  putBytes(bytes: Uint8Array): void;
  close(): void;
}

/**
 * Appends lines to one file, through a buffer of bytes written out when full. Each text is
 * encoded into the buffer as it is appended, so it is garbage at once: a string buffer held
 * 64 KiB of text (a rope of every appended piece) across V8's young-generation collections,
 * which copied it each time (the ordinary M/M/1 took 0.935 of its time this way). Each text is
 * encoded on its own, so a text must be whole (a surrogate pair split across two appends would
 * be two U+FFFD); a line may come in several texts (putAscii), each whole. Writes are
 * synchronous: the buffer is reused as soon as a flush returns.
 */
export class LineWriter implements EventLog {
  private fd: number | null;
  private readonly bytes = Buffer.allocUnsafe(FLUSH_BYTES);
  private used = 0;
  private readonly closing: (() => void)[] = [];

  /** @internal Use OutputDir.lineWriter or OutputDir.csvWriter. */
  constructor(
    readonly filePath: string,
    /** "create" makes the file (or empties it); "append" adds to one that must exist already. */
    mode: "create" | "append" = "create",
  ) {
    this.fd = fs.openSync(filePath, mode === "create" ? "w" : fs.constants.O_WRONLY | fs.constants.O_APPEND);
  }

  /** Appends `line` and a newline. `line` must not itself contain a newline. */
  write(line: string): void {
    if (line.includes("\n")) {
      throw new Error(`LineWriter: a line for ${this.filePath} contains a newline: ${line.slice(0, 80)}`);
    }
    this.append(line + "\n");
  }

  /**
   * Appends a JSON text and a newline, without looking for a newline in it: JSON.stringify
   * escapes every control character, so none is there (events.jsonl's millions of lines).
   */
  writeJson(line: string): void {
    this.append(line);
    this.append("\n");
  }

  /** Appends whole lines at once (`text` ends with a newline). */
  append(text: string): void {
    // A UTF-16 unit takes at most 3 bytes in UTF-8 (a surrogate pair, two units, takes 4); when
    // that bound does not fit, the exact size is counted: a batch of 256 CSV rows is about 20,000
    // characters, and by the bound alone the buffer would hold one batch.
    if (3 * text.length > this.free() && !this.makeRoom(Buffer.byteLength(text, "utf8"))) {
      writeAll(this.fd!, Buffer.from(text, "utf8"));
      return;
    }
    this.used += this.bytes.write(text, this.used, "utf8");
  }

  /**
   * Appends `s`, which the caller knows to be ASCII (every unit below 0x80), copied unit by unit:
   * no string is made, and nothing is left for the garbage collector. A line may be put in pieces
   * (putAscii, putInt, then "\n"); a flush between two pieces writes the same bytes. For
   * events.jsonl's task lines (event-line.ts): a 20,000-node deployment and zone failure log
   * about three million.
   */
  putAscii(s: string): void {
    const n = s.length;
    if (n > this.free() && !this.makeRoom(n)) {
      writeAll(this.fd!, Buffer.from(s, "latin1"));
      return;
    }
    const b = this.bytes;
    const at = this.used;
    for (let i = 0; i < n; i++) b[at + i] = s.charCodeAt(i);
    this.used = at + n;
  }

  putBytes(bytes: Uint8Array): void {
    const n = bytes.length;
    if (n > this.free() && !this.makeRoom(n)) {
      writeAll(this.fd!, Buffer.from(bytes.buffer, bytes.byteOffset, n));
      return;
    }
    this.bytes.set(bytes, this.used);
    this.used += n;
  }

  /** Appends the decimal digits of `n`, a non-negative safe integer (String(n)'s text). */
  putInt(n: number): void {
    if (!(Number.isSafeInteger(n) && n >= 0)) throw new RangeError(`LineWriter.putInt: ${n} is not a non-negative safe integer`);
    if (MAX_SAFE_DIGITS > this.free()) this.makeRoom(MAX_SAFE_DIGITS);
    let digits = 1;
    for (let p = 10; p <= n; p *= 10) digits++;
    const b = this.bytes;
    let at = this.used + digits;
    this.used = at;
    do {
      const q = Math.floor(n / 10);
      b[--at] = 48 + (n - 10 * q);
      n = q;
    } while (n > 0);
  }

  /** Bytes free in the buffer; throws once the file is closed. */
  private free(): number {
    if (this.fd === null) throw new Error(`LineWriter: ${this.filePath} is closed`);
    return this.bytes.length - this.used;
  }

  /** Room for `size` more bytes: the buffer is written out first if they do not fit what is free; whether they fit it (else they go on their own). */
  private makeRoom(size: number): boolean {
    if (size <= this.bytes.length - this.used) return true;
    this.flush();
    return size <= this.bytes.length;
  }

  /** Writes out what is buffered and closes the file (and whatever `alsoClose` named). Safe to call more than once. */
  close(): void {
    if (this.fd === null) return;
    const fd = this.fd;
    try {
      this.flush();
    } finally {
      this.fd = null;
      fs.closeSync(fd);
      for (const f of this.closing.splice(0)) f();
    }
  }

  /** `f` runs when this writer closes, however the output ends (committed or aborted): for a file kept beside it (held-lines.ts). */
  alsoClose(f: () => void): void {
    this.closing.push(f);
  }

  private flush(): void {
    if (this.fd === null || this.used === 0) return;
    const used = this.used;
    this.used = 0;
    writeAll(this.fd, this.bytes.subarray(0, used));
  }
}

function writeAll(fd: number, bytes: Buffer): void {
  let offset = 0;
  while (offset < bytes.length) {
    offset += fs.writeSync(fd, bytes, offset, bytes.length - offset);
  }
}
