// The body of an output's CSV writer thread (csv-writer-thread.ts starts it): appends the batches
// it is sent to their files, in order, as csvText would have written them, and counts each
// message done in shared memory, where the run's thread waits when it runs ahead or closes.
//
// Its own modules are imported inside a try: a thread that cannot load them (a broken build)
// says so through shared memory, which the run's thread reads even while it waits, instead of
// an 'error' event that the waiting thread would never see.

import { parentPort, workerData, type MessagePort } from "node:worker_threads";
import type { CsvMessage, CsvProtocol, CsvUnpacker } from "./csv-batch.js";
import type { CsvRows, LineWriter } from "./file-text.js";

// The protocol's places (csv-batch.ts TICKS, STATUS, WriterStatus) come with the data: needed
// before any module of ours has loaded.
const { shared, errors, protocol } = workerData as { shared: SharedArrayBuffer; errors: MessagePort; protocol: CsvProtocol };
const { TICKS, STATUS, CLOSED, FAILED } = protocol;
const ctl = new Int32Array(shared);

/** One more message handled; `status` once every file is closed or writing failed. */
function tick(status?: number): void {
  if (status !== undefined) Atomics.store(ctl, STATUS, status);
  Atomics.add(ctl, TICKS, 1);
  Atomics.notify(ctl, TICKS);
}

/** Writing stops: the reason goes to the run's thread, which throws it; what is still queued is dropped. */
function fail(why: string): void {
  errors.postMessage(why);
  tick(FAILED);
  parentPort!.close();
}

try {
  const { CsvUnpacker: Unpacker } = await import("./csv-batch.js");
  const { CsvRows: Rows, LineWriter: Lines } = await import("./file-text.js");
  const files: { name: string; lines: LineWriter; unpacker: CsvUnpacker; text: CsvRows }[] = [];
  let failed = false;
  const handle = (m: Exclude<CsvMessage, { type: "close" }>): void => {
    if (m.type === "open") {
      files[m.file] = { name: m.fileName, lines: new Lines(m.filePath, "append"), unpacker: new Unpacker(m.columns.length, m.known), text: new Rows() };
    } else {
      const f = files[m.file]!;
      f.lines.append(f.text.text(f.unpacker.unpack(m.batch)));
    }
  };
  const fileOf = (m: Exclude<CsvMessage, { type: "close" }>): string => (m.type === "open" ? m.fileName : (files[m.file]?.name ?? "a CSV file"));
  /** Closes every file, each in its own try: the first that fails is named. */
  const closeAll = (): string | null => {
    let why: string | null = null;
    for (const f of files) {
      try {
        f?.lines.close();
      } catch (err) {
        why ??= `writing ${f!.name} failed: ${err instanceof Error ? err.message : String(err)}`;
      }
    }
    return why;
  };
  parentPort!.on("message", (m: CsvMessage) => {
    if (failed) return;
    if (m.type === "close") {
      const why = closeAll();
      if (why !== null) fail(why);
      else {
        tick(CLOSED);
        parentPort!.close();
      }
      return;
    }
    try {
      handle(m);
      tick();
    } catch (err) {
      failed = true;
      closeAll();
      fail(`writing ${fileOf(m)} failed: ${err instanceof Error ? err.message : String(err)}`);
    }
  });
} catch (err) {
  fail(`the thread writing the CSV files could not start: ${err instanceof Error ? err.message : String(err)}`);
}
