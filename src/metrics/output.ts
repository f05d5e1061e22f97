// The output directory of a run, written all-or-nothing.
//
// Every file goes into a fresh temporary sibling of the final directory
// (`<finalDir>.tmp-<pid>-<n>`), and `commit()` swaps it into place with renames. So the final
// directory only ever holds a complete run: the previous one, or the new one.
//
// How the CLI must use it (a failed or interrupted run leaves no partial output):
//
//   const out = OutputDir.create(dir);            // before the simulation starts
//   const stopHandlers = out.abortOnSignals("the run was stopped");   // what a stop signal prints
//   try { ...run, write files...; out.commit(); }
//   catch (err) { out.abort(); throw err; }
//   finally { stopHandlers(); }
//
// create() and abort() leave the file system as it was: a parent directory that create() made is
// removed again by abort(), and a file-system refusal is an OutputDirError, not a crash.
//
// Stop signals (SIGINT, SIGTERM, SIGHUP) abort every open output: see installStopHandlers, which
// the CLI calls first.
//
// A caveat on signals: Node runs a signal handler on the event loop, so while a synchronous
// simulation loop runs, an installed handler cannot fire (and Ctrl-C appears to do nothing until
// the run ends). The CLI should therefore run the simulation in slices and yield between them
// (`await new Promise(setImmediate)`: fine in the CLI, not in simulation code). Without a
// handler, the default SIGINT kills the process at once: the final directory is still untouched,
// but the temporary sibling stays behind.
//
// Safety: `commit()` replaces the final directory wholesale, so `--out .` or `--out ~` must not
// silently delete a user's files. Every output directory carries a marker file, and an existing
// final directory is replaced only if it is empty or carries the marker; otherwise `create()`
// throws an OutputDirError before anything runs.

import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { csvText, LineWriter, type EventLog } from "./file-text.js";
import { CsvStream, SharedCsvThread } from "./csv-stream.js";

export { LineWriter, type EventLog };

/** Written into every output directory; its presence allows a later run to replace the directory. */
export const OUTPUT_MARKER_FILE = ".orchsim-output";
const OUTPUT_MARKER_TEXT = "This directory was written by orchsim and is replaced by the next run.\n";

/** The output directory cannot be used (it exists and is not ours, or a file name is bad). */
export class OutputDirError extends Error {
  override name = "OutputDirError";
}

let nextTempId = 0;

/** Outputs created and neither committed nor aborted: removed if the process ends under them. */
const open = new Set<OutputDir>();
let exitGuard = false;

/**
 * If the process ends while an output is open (a strategy module called process.exit, a
 * top-level await never settled), its temporary directory is removed on the way out.
 */
function guardExit(): void {
  if (exitGuard) return;
  exitGuard = true;
  process.on("exit", () => {
    for (const out of [...open]) out.abort();
  });
}

export class OutputDir {
  private state: "open" | "committed" | "aborted" = "open";
  private readonly writers: { close(): void; abandon?(): void }[] = [];
  /** The writer thread of its csvWriters, once one of them is past `afterRows` rows (csv-stream.ts). */
  readonly csvThread = new SharedCsvThread();
  private readonly written = new Set<string>([OUTPUT_MARKER_FILE]);

  private constructor(
    /** Absolute path of the directory the run's files end up in. */
    readonly finalDir: string,
    /** Absolute path of the temporary sibling the files are written to until commit. */
    readonly tempDir: string,
    /** The first of finalDir's parents that create() made, removed again by abort(). */
    private readonly madeParent: string | undefined,
  ) {}

  /**
   * Starts a fresh output: makes `<finalDir>.tmp-<pid>-<n>` (and finalDir's parent if missing).
   * Throws OutputDirError if finalDir exists and may not be replaced (see the header comment),
   * or if it holds one of `inputs` (the scenario, an env file, a shard): replacing the directory
   * would delete what the run reads.
   */
  static create(finalDir: string, inputs: readonly string[] = []): OutputDir {
    const finalPath = path.resolve(finalDir);
    for (const input of inputs) {
      const inputPath = path.resolve(input);
      if (inputPath === finalPath || inputPath.startsWith(finalPath + path.sep)) {
        const what = inputPath === finalPath ? "is a directory" : `holds ${input}, which`;
        throw new OutputDirError(`${finalDir} ${what} this command reads; the outputs replace that directory, so write them elsewhere (--out)`);
      }
    }
    let madeParent: string | undefined;
    try {
      assertReplaceable(finalPath);
      madeParent = makeDirs(path.dirname(finalPath));
      const tempDir = `${finalPath}.tmp-${process.pid}-${nextTempId++}`;
      // Only a crashed earlier process that had our pid can have left this name behind.
      fs.rmSync(tempDir, { recursive: true, force: true });
      fs.mkdirSync(tempDir);
      fs.writeFileSync(path.join(tempDir, OUTPUT_MARKER_FILE), OUTPUT_MARKER_TEXT);
      const out = new OutputDir(finalPath, tempDir, madeParent);
      open.add(out);
      guardExit();
      return out;
    } catch (err) {
      if (madeParent !== undefined) removeMadeParents(path.dirname(finalPath), madeParent);
      if (err instanceof OutputDirError) throw err;
      throw new OutputDirError(`cannot write the output directory ${finalDir}: ${whyNot(err)}`);
    }
  }

  /** A buffered appender for a file of this output (events.jsonl); commit and abort close it. */
  lineWriter(fileName: string): LineWriter {
    const writer = new LineWriter(this.claim(fileName));
    this.writers.push(writer);
    return writer;
  }

  /**
   * Writes a CSV with a header row (also when `rows` is empty), "\n" line ends, cells quoted only
   * when needed. Numbers are printed by formatNumber (no exponent, no -0), booleans as
   * true/false, null as an empty cell. Every row must have every column (null is allowed,
   * undefined is not): a missing column is a bug in the caller.
   */
  writeCsv(fileName: string, columns: readonly string[], rows: readonly object[]): void {
    fs.writeFileSync(this.claim(fileName), csvText(fileName, columns, rows, true));
  }

  /**
   * A CSV written as its rows come (the same text writeCsv would write for all of them),
   * a batch at a time; commit and abort write what is left and close it. Past
   * `csvThread.afterRows` rows, or once another file has started it, the output's writer thread
   * writes the rest (csv-stream.ts).
   */
  csvWriter(fileName: string, columns: readonly string[]): (rows: readonly object[]) => void {
    const stream = new CsvStream(this.claim(fileName), fileName, columns, this.csvThread);
    this.writers.push(stream);
    return (rows) => stream.write(rows);
  }

  /**
   * Writes `value` as JSON with a 2-space indent and a trailing newline. Keys come out in the
   * order the caller inserted them (except integer-like keys, which JavaScript objects always
   * put first, in ascending order). NaN and infinities throw instead of becoming null.
   */
  writeJson(fileName: string, value: unknown): void {
    const filePath = this.claim(fileName);
    const text = JSON.stringify(
      value,
      (key, item: unknown) => {
        if (typeof item === "number" && !Number.isFinite(item)) {
          throw new RangeError(`writeJson(${fileName}): "${key}" is ${item}`);
        }
        return item;
      },
      2,
    );
    fs.writeFileSync(filePath, text + "\n");
  }

  /** Writes a text file (report.html) as it is. */
  writeText(fileName: string, text: string): void {
    fs.writeFileSync(this.claim(fileName), text);
  }

  /** Closes the line writers, so that what they wrote can be read back before commit (for the report). */
  closeWriters(): void {
    this.assertOpen("close the writers of");
    for (const writer of this.writers) writer.close();
    this.csvThread.close();
  }

  /** Where the files are until commit. */
  get pendingDir(): string {
    return this.tempDir;
  }

  /**
   * Closes the writers and moves the files into finalDir: an existing finalDir is renamed aside,
   * the temporary directory renamed into place, then the old one removed.
   */
  commit(): void {
    this.assertOpen("commit");
    this.closeWriters();
    assertReplaceable(this.finalDir);
    const aside = `${this.finalDir}.old-${process.pid}-${nextTempId++}`;
    const replacing = fs.existsSync(this.finalDir);
    if (replacing) fs.renameSync(this.finalDir, aside);
    try {
      fs.renameSync(this.tempDir, this.finalDir);
    } catch (err) {
      if (replacing) fs.renameSync(aside, this.finalDir);
      throw err;
    }
    this.state = "committed";
    open.delete(this);
    if (replacing) fs.rmSync(aside, { recursive: true, force: true });
  }

  /** Removes the temporary directory. Safe to call twice, and a no-op after commit. */
  abort(): void {
    if (this.state !== "open") return;
    this.state = "aborted";
    open.delete(this);
    this.csvThread.abandon();
    for (const writer of this.writers) {
      try {
        if (writer.abandon) writer.abandon();
        else writer.close();
      } catch {
        // The files are being thrown away; a failed close must not stop the clean-up.
      }
    }
    fs.rmSync(this.tempDir, { recursive: true, force: true });
    if (this.madeParent !== undefined) removeMadeParents(path.dirname(this.finalDir), this.madeParent);
  }

  /** What a stop signal prints while this output is open (see installStopHandlers). */
  private stopMessage: string | (() => string) = "stopped; no output written";

  /**
   * Sets what SIGINT, SIGTERM or SIGHUP print while this output is open (they abort it: see
   * installStopHandlers). Returns the function that puts the default message back.
   */
  abortOnSignals(message: string | (() => string)): () => void {
    this.stopMessage = message;
    return () => {
      this.stopMessage = "stopped; no output written";
    };
  }

  /** @internal */
  stopText(): string {
    return typeof this.stopMessage === "string" ? this.stopMessage : this.stopMessage();
  }

  private claim(fileName: string): string {
    this.assertOpen(`write ${fileName}`);
    if (fileName === "" || path.basename(fileName) !== fileName || fileName === "." || fileName === "..") {
      throw new OutputDirError(`output file name must be a plain file name, got "${fileName}"`);
    }
    if (this.written.has(fileName)) {
      throw new OutputDirError(`output file ${fileName} is written twice`);
    }
    this.written.add(fileName);
    return path.join(this.tempDir, fileName);
  }

  private assertOpen(action: string): void {
    if (this.state !== "open") {
      throw new Error(`OutputDir(${this.finalDir}): cannot ${action} after ${this.state === "committed" ? "commit" : "abort"}`);
    }
  }
}

const STOP_SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"] as const;

/**
 * For the whole life of the process (the CLI calls this first): SIGINT, SIGTERM and SIGHUP
 * abort every open output (no temporary directory left behind), print one line and end the
 * process with 128 + the signal's number. Installed once, before any output exists, so that no
 * signal can fall between creating an output and guarding it.
 */
export function installStopHandlers(): void {
  for (const signal of STOP_SIGNALS) {
    process.on(signal, () => {
      const outs = [...open];
      for (const out of outs) out.abort();
      process.stderr.write(`\norchsim: ${signal}: ${outs[0]?.stopText() ?? "stopped; nothing was written"}\n`);
      process.exit(128 + (os.constants.signals[signal] ?? 0));
    });
  }
}

/**
 * mkdir -p, one level at a time: returns the first directory it made (undefined if `dir` was
 * there). Not fs.mkdirSync's `recursive`, which spins for ever under /proc on Node 20.
 */
function makeDirs(dir: string): string | undefined {
  const missing: string[] = [];
  for (let d = dir; !fs.existsSync(d); d = path.dirname(d)) {
    if (path.dirname(d) === d) break;
    missing.unshift(d);
  }
  const made: string[] = [];
  try {
    for (const d of missing) {
      fs.mkdirSync(d);
      made.push(d);
    }
  } catch (err) {
    // Leave nothing behind: the ones made before the failure go again, deepest first.
    for (const d of made.reverse()) fs.rmdirSync(d);
    throw err;
  }
  return missing[0];
}

/** The parents create() made, from `dir` up to and including `first`, if they are still empty. */
function removeMadeParents(dir: string, first: string): void {
  for (let d = dir; d.length >= first.length; d = path.dirname(d)) {
    try {
      fs.rmdirSync(d);
    } catch {
      return; // not empty (someone else wrote there) or already gone: leave it
    }
    if (d === first) return;
  }
}

/** Why the file system refused, in the user's terms. */
function whyNot(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  const reasons: Record<string, string> = {
    ENOTDIR: "a part of the path is a file, not a directory",
    ENAMETOOLONG: "a name in the path is too long",
    EACCES: "permission denied",
    EPERM: "permission denied",
    EROFS: "the file system is read-only",
    ENOENT: "a part of the path cannot be created",
    ENOSPC: "no space left on the device",
  };
  return (code !== undefined ? reasons[code] : undefined) ?? (err as Error).message;
}

/** finalDir may be replaced if it does not exist, or is a directory that is empty or ours. */
function assertReplaceable(finalDir: string): void {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(finalDir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return;
    throw err;
  }
  if (!stat.isDirectory()) {
    throw new OutputDirError(`output path ${finalDir} exists and is not a directory`);
  }
  const entries = fs.readdirSync(finalDir);
  if (entries.length === 0 || entries.includes(OUTPUT_MARKER_FILE)) return;
  throw new OutputDirError(
    `refusing to replace ${finalDir}: it is not empty and was not written by orchsim ` +
      `(no ${OUTPUT_MARKER_FILE} file); choose another output directory or remove it`,
  );
}
