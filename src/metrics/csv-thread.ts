// The body of a CSV writer thread (csv-writer-thread.ts starts it): appends the batches it is
// sent to one file, in order, as csvText would have written them, and counts each one done in
// shared memory, where the run's thread waits when it runs ahead or closes the file.

import { parentPort, workerData, type MessagePort } from "node:worker_threads";
import { CsvUnpacker, STATUS, TICKS, WriterStatus, type CsvBatch } from "./csv-batch.js";
import { cellsText, LineWriter } from "./file-text.js";

const { filePath, columns, shared, errors } = workerData as { filePath: string; columns: string[]; shared: SharedArrayBuffer; errors: MessagePort };
const ctl = new Int32Array(shared);
const unpacker = new CsvUnpacker(columns.length);
let lines: LineWriter | null = null;

/** One more message handled; `status` once the file is closed or writing failed. */
function tick(status?: number): void {
  if (status !== undefined) Atomics.store(ctl, STATUS, status);
  Atomics.add(ctl, TICKS, 1);
  Atomics.notify(ctl, TICKS);
}

parentPort!.on("message", (m: CsvBatch | "close") => {
  try {
    lines ??= new LineWriter(filePath, "a");
    if (m === "close") {
      lines.close();
      tick(WriterStatus.Closed);
      parentPort!.close();
      return;
    }
    lines.append(cellsText(columns, unpacker.unpack(m), false));
    tick();
  } catch (err) {
    errors.postMessage(err instanceof Error ? err.message : String(err));
    tick(WriterStatus.Failed);
    parentPort!.close();
  }
});
