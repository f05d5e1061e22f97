// Reads cases.yaml and runs one case with the built CLI in a fresh directory (see README.md).

import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { orchsim, tempDir, type CliResult } from "../cli/cli.js";

type FileSpec = string | { utf16: string } | { nested: number };

export interface CorpusCase {
  name: string;
  why: string;
  files: Record<string, FileSpec>;
  args: string[];
  code: number;
  stderr?: string;
  stdout?: string;
  stderrStartsWith?: string;
  stderrIncludes?: string[];
}

export const CASES_FILE = path.join(import.meta.dirname, "cases.yaml");

export function readCases(): CorpusCase[] {
  return parse(fs.readFileSync(CASES_FILE, "utf8")) as CorpusCase[];
}

/** A scenario whose description is lists inside lists, `depth` deep. */
function nestedScenario(depth: number): string {
  return `version: 1\nname: deep\nduration: 10s\nservices: [{name: web, replicas: 1}]\ndescription: ${"[".repeat(depth)}${"]".repeat(depth)}\n`;
}

function bytesOf(spec: FileSpec): Buffer {
  if (typeof spec === "string") return Buffer.from(spec, "utf8");
  if ("utf16" in spec) return Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(spec.utf16, "utf16le")]);
  return Buffer.from(nestedScenario(spec.nested), "utf8");
}

/** Every path under `dir` with its size, sorted: what "left as it was" compares. */
export function listing(dir: string): string[] {
  return (fs.readdirSync(dir, { recursive: true, withFileTypes: true }) as fs.Dirent[])
    .map((d) => {
      const p = path.relative(dir, path.join(d.parentPath, d.name));
      return d.isDirectory() ? `${p}/` : `${p} ${fs.statSync(path.join(dir, p)).size}`;
    })
    .sort();
}

/** Runs a case: the CLI's answer with the temporary directory written as $DIR, and the listings. */
export function runCase(c: CorpusCase): { result: CliResult; before: string[]; after: string[] } {
  const dir = tempDir();
  for (const [name, spec] of Object.entries(c.files ?? {})) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), bytesOf(spec));
  }
  const before = listing(dir);
  // Each case takes a second or two; one that hangs fails instead of stalling the suite.
  const raw = orchsim(c.args.map((a) => a.replaceAll("$DIR", dir)), dir, 30_000);
  const after = listing(dir);
  const real = fs.realpathSync(dir);
  const strip = (s: string): string => s.replaceAll(real, "$DIR").replaceAll(dir, "$DIR");
  fs.rmSync(dir, { recursive: true, force: true });
  return { result: { code: raw.code, stdout: strip(raw.stdout), stderr: strip(raw.stderr) }, before, after };
}
