// What the validators share while they walk a scenario: the problems found so far and the names
// each part refers to (checked at the end, once every service, node group and event is known).

import { formatIssue, type ScenarioIssue } from "./errors.js";
import { setOrigin, type Origin } from "./raw.js";

/** What a name in the file must refer to. */
export type RefKind = "service" | "network" | "workload" | "nodeGroup" | "node" | "manager" | "worker" | "nodeOrGroup" | "zone";

export interface Ref {
  kind: RefKind;
  name: string;
  at: Origin;
  path: string;
  /** An extra demand on a service: publishes a port (workloads), is replicated (scale events). */
  need?: "ports" | "replicated";
  /** With need "ports": this published port in particular. */
  port?: number;
}

export interface Note {
  at: Origin;
  path: string;
  message: string;
}

export class Ctx {
  readonly notes: Note[] = [];
  /**
   * Notes that are not problems (a setting another one makes moot), said before the run: only
   * the file's own reading keeps them, so a rolling update's re-reading of a service, which
   * inherits its fields, does not say them again.
   */
  readonly hints: string[] = [];
  readonly refs: Ref[] = [];
  /** Where each strategy module was named, by the name written (the first place). */
  readonly strategyFields: Record<string, string> = {};

  constructor(readonly file: string) {}

  report(at: Origin, path: string, message: string): void {
    this.notes.push({ at, path, message });
  }

  hint(path: string, message: string): void {
    this.hints.push(`${path} ${message}`);
  }

  /** A required field is absent from the map at `mapAt`. */
  missing(mapAt: Origin, mapPath: string, key: string, message = "missing required field"): void {
    const at =
      mapAt.kind === "set" ? setOrigin(`${mapAt.path}.${key}`, mapAt.flag)
      : mapAt.path !== undefined ? { ...mapAt, path: joinPath(mapAt.path, key) }
      : mapAt;
    this.report(at, joinPath(mapPath, key), message);
  }

  /** `file:line:col path` (or `--set path`) of a place, as messages begin. */
  where(at: Origin, path: string): string {
    const i = this.issueOf({ at, path, message: "" });
    return formatIssue(i).replace(/:? $/, "");
  }

  refer(ref: Ref): void {
    this.refs.push(ref);
  }

  /** Whether this exact problem was already reported (rolling updates re-read a service). */
  has(at: Origin, message: string): boolean {
    return this.notes.some((n) => n.message === message && sameOrigin(n.at, at));
  }

  get failed(): boolean {
    return this.notes.length > 0;
  }

  issues(): ScenarioIssue[] {
    return this.notes.map((n) => this.issueOf(n));
  }

  private issueOf({ at, path, message }: Note): ScenarioIssue {
    return at.kind === "set"
      ? { file: at.flag, line: 0, col: 0, path: at.path, message }
      : { file: at.file ?? this.file, line: at.line, col: at.col, path: at.path ?? path, message };
  }
}

function sameOrigin(a: Origin, b: Origin): boolean {
  if (a.kind === "file" && b.kind === "file") return a.line === b.line && a.col === b.col && a.file === b.file;
  if (a.kind === "set" && b.kind === "set") return a.path === b.path && a.flag === b.flag;
  return false;
}

export function joinPath(path: string, key: string): string {
  // A key that is not a plain word or path is quoted, so that a message's path reads as one (a
  // key may hold spaces or colons: " 8g}%WNg" must not run into the line's other words).
  const k = /^[\w.[\]-]+$/.test(key) ? key : JSON.stringify(key);
  return path === "" ? k : `${path}.${k}`;
}

export function indexPath(path: string, index: number | string): string {
  return `${path}[${index}]`;
}
