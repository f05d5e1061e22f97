// A CSV file written as its rows come (OutputDir.csvWriter), and the writer thread the CSV files
// of one output share (csv-writer-thread.ts): the bytes are those writeCsv would write for all
// the rows at once, whichever thread makes the text.

import { csvHeader, CsvRows, LineWriter } from "./file-text.js";
import { CsvPacker, CsvUnpacker } from "./csv-batch.js";
import { CsvWriterThread } from "./csv-writer-thread.js";

/**
 * Rows a stream holds, packed (csv-batch.ts), before it writes them. Few: a big cluster's window
 * is tens of thousands of rows, and text made of more rows at once outlives more of V8's young-generation collections,
 * to be copied into the old generation, where it dies as garbage only a full collection frees
 * (2,001 workers for 30 minutes: 4,096 rows a batch peaked at 449 MiB, 256 at 362 MiB and ran 6%
 * faster). Held as objects, 256 rows of each file did the same in a long run of few rows a
 * window: packing them as they come took the ordinary M/M/1 (10,000 windows) to 0.91 of its
 * time and 108 from 125 MiB (14 alternating pairs).
 */
const CSV_BATCH_ROWS = 256;

/**
 * The writer thread costs about 5 ms of the run's thread to start, and some 60 ms of the other
 * core's, where V8 compiles and collects for the run's thread too; a batch of rows then costs a
 * message to it. A row costs the run's thread about 0.3 us packed for the thread, and about
 * 0.5 us more when it makes the row's text itself (unpacked, then its text: file-text.ts
 * CsvRows, 0.4 us). So the thread pays where a run writes many rows: a 20,000-node cluster
 * writes 20,000 nodes.csv rows a window (millions in an hour). It did not pay the ordinary M/M/1
 * its 10,000 windows (40,000 rows in three files): without the thread 0.89 of the CPU, the wall
 * time within the noise (0.986 and 1.014, 16 alternating pairs each, fortieth session; it paid,
 * 1.10, when csv-stringify made every cell's text). Past 100,000 rows in one file it starts: a 10,000-node cluster's
 * eleventh window, an hour of a 300-node one.
 */
const CSV_THREAD_AFTER_ROWS = 100_000;

/** An output's writer thread: started by the first of its streams past `afterRows` rows, joined by the others at their next batch. */
export class SharedCsvThread {
  /** Rows a stream writes in the run's own thread before it hands the rest to the writer thread. */
  afterRows = CSV_THREAD_AFTER_ROWS;
  private thread: CsvWriterThread | null = null;

  /** Whether the thread has started (for tests that must know which path wrote). */
  get started(): boolean {
    return this.thread !== null;
  }

  /** The thread a stream that has had `rows` rows writes through from now on, or null to write on in its own. */
  for(rows: number): CsvWriterThread | null {
    if (this.thread === null && (rows <= this.afterRows || !CsvWriterThread.available)) return null;
    return (this.thread ??= new CsvWriterThread());
  }

  /** Waits until the thread has written and closed every file handed to it. */
  close(): void {
    this.thread?.close();
  }

  abandon(): void {
    this.thread?.abandon();
  }
}

/**
 * One CSV file written CSV_BATCH_ROWS rows at a time, in the run's thread or, past its threshold,
 * the shared one. Rows are packed as they come (csv-batch.ts): a batch waits as numbers, and both
 * threads make its text from the same cells.
 */
export class CsvStream {
  private readonly lines: LineWriter;
  private readonly packer: CsvPacker;
  /** The run's own thread's side of the packing, while it writes the text itself. */
  private readonly unpacker: CsvUnpacker;
  private readonly text = new CsvRows();
  private thread: CsvWriterThread | null = null;
  /** Its number on the thread, once handed over. */
  private file = -1;
  private rowsSeen = 0;

  constructor(
    private readonly filePath: string,
    private readonly fileName: string,
    private readonly columns: readonly string[],
    private readonly share: SharedCsvThread,
  ) {
    this.lines = new LineWriter(filePath);
    this.lines.append(csvHeader(columns));
    this.packer = new CsvPacker(fileName, columns, CSV_BATCH_ROWS);
    this.unpacker = new CsvUnpacker(columns.length);
  }

  write(rows: readonly object[]): void {
    this.packer.add(rows);
    if (this.packer.held >= CSV_BATCH_ROWS) this.flush();
  }

  /** Writes what is held and closes its own file (rows handed to the thread are written when the share closes). */
  close(): void {
    try {
      this.flush();
    } finally {
      this.lines.close();
    }
  }

  /** The output is being thrown away: nothing more is written. */
  abandon(): void {
    this.lines.close();
  }

  private flush(): void {
    if (this.packer.held === 0) return;
    this.rowsSeen += this.packer.held;
    if (this.thread === null) {
      const thread = this.share.for(this.rowsSeen);
      if (thread !== null) {
        // What is written so far is in the file before the thread appends to it; the stream is
        // the thread's only once that close succeeded (a failed one is thrown, and a later close
        // writes what it holds here, not to a file the thread never opened).
        this.lines.close();
        this.file = thread.open(this.filePath, this.fileName, this.columns, this.unpacker.known);
        this.thread = thread;
      }
    }
    const batch = this.packer.take();
    if (this.thread !== null) this.thread.write(this.file, batch);
    else this.lines.append(this.text.text(this.unpacker.unpack(batch)));
  }
}
