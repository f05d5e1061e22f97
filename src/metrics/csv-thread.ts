// The body of an output's CSV writer thread (csv-writer-thread.ts starts it): appends the batches
// it is sent to their files, in order, as csvText would have written them, and counts each
// message done in shared memory, where the run's thread waits when it runs ahead or closes.

import { parentPort, workerData, type MessagePort } from "node:worker_threads";
import { CsvUnpacker, STATUS, TICKS, WriterStatus, type CsvMessage } from "./csv-batch.js";
import { cellsText, LineWriter } from "./file-text.js";

const { shared, errors } = workerData as { shared: SharedArrayBuffer; errors: MessagePort };
const ctl = new Int32Array(shared);
const files: { name: string; columns: string[]; lines: LineWriter; unpacker: CsvUnpacker }[] = [];
/** Writing failed: what is still queued is not written (the run's thread throws the failure). */
let failed = false;

/** One more message handled; `status` once every file is closed or writing failed. */
function tick(status?: number): void {
  if (status !== undefined) Atomics.store(ctl, STATUS, status);
  Atomics.add(ctl, TICKS, 1);
  Atomics.notify(ctl, TICKS);
}

function handle(m: CsvMessage): void {
  if (m.type === "open") {
    files[m.file] = { name: m.fileName, columns: m.columns, lines: new LineWriter(m.filePath, "a"), unpacker: new CsvUnpacker(m.columns.length) };
  } else if (m.type === "rows") {
    const f = files[m.file]!;
    f.lines.append(cellsText(f.columns, f.unpacker.unpack(m.batch), false));
  } else {
    for (const f of files) f?.lines.close();
  }
}

/** The file a message is about, for an error's message. */
function fileOf(m: CsvMessage): string {
  return m.type === "open" ? m.fileName : m.type === "rows" ? (files[m.file]?.name ?? "a CSV file") : "the CSV files";
}

parentPort!.on("message", (m: CsvMessage) => {
  if (failed) return;
  try {
    handle(m);
    tick(m.type === "close" ? WriterStatus.Closed : undefined);
    if (m.type === "close") parentPort!.close();
  } catch (err) {
    failed = true;
    errors.postMessage(`writing ${fileOf(m)} failed: ${err instanceof Error ? err.message : String(err)}`);
    tick(WriterStatus.Failed);
    parentPort!.close();
  }
});
