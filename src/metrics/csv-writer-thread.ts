// An output's CSV files written on a thread of their own: the run's thread packs each batch of
// rows (csv-batch.ts) and hands it over; the text's work, about 0.4 microseconds a row, and
// its garbage move to the machine's other core. One thread serves every file of an output. The
// files' bytes are those the run's thread would have written (test/metrics/csv-writer-thread.test.ts).
//
// Waiting reads shared memory (Atomics.wait): when the thread is more than MAX_QUEUED messages
// behind, and at close. Its time limit reads the wall clock; it never changes what is written,
// only whether a thread that stopped answering fails the run instead of hanging it.

import * as fs from "node:fs";
import { fileURLToPath } from "node:url";
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from "node:worker_threads";
import { CSV_PROTOCOL, STATUS, TICKS, WriterStatus, type CsvBatch, type CsvMessage } from "./csv-batch.js";

/**
 * Messages the run's thread may be ahead by: batches of 256 to 511 rows (output.ts), so a
 * 20,000-node cluster's window and more fit, at most about 45 MiB of packed nodes.csv rows.
 */
const MAX_QUEUED = 1024;
/** The longest the thread may go without finishing a message before the run gives up on it. */
const STALL_LIMIT_MS = 60_000;

const BODY = new URL("./csv-thread.js", import.meta.url);

export class CsvWriterThread {
  /**
   * Whether the thread's body is there to start: it is in a build (dist/ and the bundle in
   * dist/bin/), not beside the TypeScript sources that tests run in process; those write in
   * their own thread, the same bytes.
   */
  static readonly available = fs.existsSync(fileURLToPath(BODY));

  private readonly worker: Worker;
  private readonly errors: MessagePort;
  private readonly ctl: Int32Array;
  /** Files opened. */
  private files = 0;
  /** Messages sent, the close included. */
  private sent = 0;
  private failure: string | null = null;

  constructor() {
    const shared = new SharedArrayBuffer(8);
    this.ctl = new Int32Array(shared);
    const { port1, port2 } = new MessageChannel();
    this.errors = port1;
    this.worker = new Worker(BODY, { workerData: { shared, errors: port2, protocol: CSV_PROTOCOL }, transferList: [port2] });
    // The body reports its own failures through shared memory (csv-thread.ts); these catch the
    // rest (the thread killed, out of memory) at the next send instead of crashing the process.
    this.worker.on("error", (err) => (this.failure ??= `the thread writing the CSV files failed: ${err.message}`));
    this.worker.on("exit", (code) => {
      if (Atomics.load(this.ctl, STATUS) === WriterStatus.Open) this.failure ??= `the thread writing the CSV files ended (exit code ${code})`;
    });
    this.worker.unref();
    port1.unref();
  }

  /**
   * A file the thread appends to from now on (its header and any rows before are already there);
   * its number. `known`: the strings its packer gave ids to in the batches written before.
   */
  open(filePath: string, fileName: string, columns: readonly string[], known: readonly string[] = []): number {
    const file = this.files++;
    this.send({ type: "open", file, fileName, filePath, columns: [...columns], known: [...known] });
    return file;
  }

  /** Appends a batch of the file's rows (its packer's: csv-batch.ts); its arrays go to the thread. */
  write(file: number, batch: CsvBatch): void {
    this.send({ type: "rows", file, batch }, [batch.values.buffer, batch.kinds.buffer]);
  }

  /** Waits until the thread has written everything and closed the files; throws what went wrong there. */
  close(): void {
    if (Atomics.load(this.ctl, STATUS) !== WriterStatus.Open || this.failure !== null) return this.check();
    this.send({ type: "close" });
    this.waitUntilBehindBy(0);
  }

  /** The output is being thrown away: the thread stops without finishing. */
  abandon(): void {
    void this.worker.terminate();
  }

  private send(m: CsvMessage, transfer: ArrayBuffer[] = []): void {
    this.check();
    if (Atomics.load(this.ctl, STATUS) === WriterStatus.Closed) throw new Error("the CSV writer thread is closed: nothing more can be written");
    this.worker.postMessage(m, transfer);
    this.sent++;
    this.waitUntilBehindBy(MAX_QUEUED);
  }

  private waitUntilBehindBy(queued: number): void {
    // Two limits in a row without progress: a process stopped (Ctrl-Z) past one limit while it
    // waits finds it passed on resuming, before the thread has had the processor back.
    let stalls = 0;
    for (;;) {
      this.check();
      const done = Atomics.load(this.ctl, TICKS);
      if (this.sent - done <= queued) return;
      if (Atomics.wait(this.ctl, TICKS, done, STALL_LIMIT_MS) !== "timed-out") stalls = 0;
      else if (++stalls === 2) {
        void this.worker.terminate();
        this.failure = `the thread writing the CSV files wrote nothing for ${(2 * STALL_LIMIT_MS) / 1000} s`;
      }
    }
  }

  private check(): void {
    if (this.failure === null && Atomics.load(this.ctl, STATUS) === WriterStatus.Failed) {
      this.failure = (receiveMessageOnPort(this.errors)?.message as string | undefined) ?? "writing the CSV files failed; the thread gave no reason";
    }
    if (this.failure !== null) throw new Error(this.failure);
  }
}
