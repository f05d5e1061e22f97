// A CSV file written on a thread of its own: the run's thread packs each batch of rows
// (csv-batch.ts) and hands it over; csv-stringify's work, about four microseconds a row, and its
// garbage move to the machine's other core. The file's bytes are those the run's thread would
// have written (test/metrics/csv-writer-thread.test.ts).
//
// Waiting reads shared memory (Atomics.wait): when the thread is more than MAX_QUEUED batches
// behind, and at close. Its time limit reads the wall clock; it never changes what is written,
// only whether a thread that stopped answering fails the run instead of hanging it.

import * as fs from "node:fs";
import { fileURLToPath } from "node:url";
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from "node:worker_threads";
import { CsvPacker, STATUS, TICKS, WriterStatus } from "./csv-batch.js";

/**
 * Batches the run's thread may be ahead by: 256 rows each, so a 20,000-node cluster's window
 * (78 batches) and more fit, about 23 MiB of packed nodes.csv rows at most.
 */
const MAX_QUEUED = 1024;
/** The longest the thread may go without finishing a batch before the run gives up on it. */
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
  private readonly packer: CsvPacker;
  /** Messages sent, the close included. */
  private sent = 0;
  private failure: string | null = null;

  /** Appends to `filePath` (its header and any rows before are already there). */
  constructor(
    filePath: string,
    private readonly fileName: string,
    columns: readonly string[],
  ) {
    const shared = new SharedArrayBuffer(8);
    this.ctl = new Int32Array(shared);
    this.packer = new CsvPacker(fileName, columns);
    const { port1, port2 } = new MessageChannel();
    this.errors = port1;
    this.worker = new Worker(BODY, { workerData: { filePath, columns: [...columns], shared, errors: port2 }, transferList: [port2] });
    this.worker.unref();
    port1.unref();
  }

  write(rows: readonly object[]): void {
    const b = this.packer.pack(rows);
    this.worker.postMessage(b, [b.values.buffer, b.kinds.buffer]);
    this.sent++;
    this.waitUntilBehindBy(MAX_QUEUED);
  }

  /** Waits until the thread has written everything and closed the file; throws what went wrong there. */
  close(): void {
    if (Atomics.load(this.ctl, STATUS) !== WriterStatus.Open) return this.check();
    this.worker.postMessage("close");
    this.sent++;
    this.waitUntilBehindBy(0);
  }

  /** The output is being thrown away: the thread stops without finishing. */
  abandon(): void {
    void this.worker.terminate();
  }

  private waitUntilBehindBy(queued: number): void {
    for (;;) {
      this.check();
      const done = Atomics.load(this.ctl, TICKS);
      if (this.sent - done <= queued) return;
      if (Atomics.wait(this.ctl, TICKS, done, STALL_LIMIT_MS) === "timed-out") {
        void this.worker.terminate();
        throw new Error(`the thread writing ${this.fileName} wrote nothing for ${STALL_LIMIT_MS / 1000} s`);
      }
    }
  }

  private check(): void {
    if (this.failure === null && Atomics.load(this.ctl, STATUS) === WriterStatus.Failed) {
      const why = receiveMessageOnPort(this.errors)?.message as string | undefined;
      this.failure = `writing ${this.fileName} failed: ${why ?? "its thread gave no reason"}`;
    }
    if (this.failure !== null) throw new Error(this.failure);
  }
}
