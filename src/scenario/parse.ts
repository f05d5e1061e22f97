// YAML text -> raw tree, with a line and column on every node. The `yaml` library parses; this
// file walks its document itself so that it controls what a hostile file can cost: aliases are
// expanded by copying (each expansion counted, at most ALIAS_EXPANSIONS_MAX), a cycle of aliases
// is refused, and the expanded tree is capped at NODES_MAX nodes.

import { LineCounter, isAlias, isMap, isScalar, isSeq, parseDocument, visit, type Document, type Node as YamlNode } from "yaml";
import type { Ctx } from "./context.js";
import {
  fileOrigin,
  setOrigin,
  type FileOrigin,
  type Origin,
  type OverrideFlag,
  type Raw,
  type RawMap,
} from "./raw.js";

/** Like yaml's `maxAliasCount`: enough for any sensible reuse, far too few for an alias bomb. */
export const ALIAS_EXPANSIONS_MAX = 100;
/** Nodes after alias expansion; a 1 MiB file without aliases stays well below it. */
const NODES_MAX = 1_000_000;
/** Maps and lists inside each other; a scenario needs about 8. */
const DEPTH_MAX = 64;

/** Thrown inside the walk to stop at the first resource problem; caught in parseYaml. */
class Refused extends Error {}

/** Where converted nodes say they came from: the file, or a `--set` override's path. */
type Placer = (node: YamlNode | undefined, setPath: string) => Origin;

class Converter {
  private aliases = 0;
  private nodes = 0;
  private depth = 0;
  private readonly anchors = new Map<string, YamlNode>();
  private readonly expanding: YamlNode[] = [];

  constructor(
    private readonly ctx: Ctx,
    private readonly place: Placer,
  ) {}

  convert(node: unknown, setPath: string, fallback: Origin): Raw {
    if (++this.nodes > NODES_MAX) this.refuse(fallback, `the document expands to more than ${NODES_MAX} nodes`);
    if (isAlias(node)) return this.expand(node.source, node as YamlNode, setPath);
    if (!isScalar(node) && !isMap(node) && !isSeq(node)) return { kind: "scalar", value: null, at: fallback };
    const yamlNode = node as YamlNode;
    // Anchors are recorded in document order, outside expansions, so an alias finds the last
    // anchor of that name before it, as YAML says.
    if (yamlNode.anchor && this.expanding.length === 0) this.anchors.set(yamlNode.anchor, yamlNode);
    const at = this.place(yamlNode, setPath);
    if (isSeq(node) || isMap(node)) {
      if (++this.depth > DEPTH_MAX) this.refuse(at, `maps and lists are nested more than ${DEPTH_MAX} deep`);
      try {
        if (isMap(node)) return this.convertMap(node.items, setPath, at);
        return { kind: "seq", items: node.items.map((item, i) => this.convert(item, `${setPath}.${i}`, at)), at };
      } finally {
        this.depth--;
      }
    }
    const v: unknown = node.value;
    if (v === null || typeof v === "string" || typeof v === "boolean" || typeof v === "number") {
      return { kind: "scalar", value: v, at };
    }
    this.ctx.report(at, "", `unsupported value ${String(node.source ?? v)}`);
    return { kind: "scalar", value: null, at };
  }

  private expand(name: string, alias: YamlNode, setPath: string): Raw {
    const at = this.place(alias, setPath);
    const target = this.anchors.get(name);
    if (!target) {
      this.ctx.report(at, "", `alias *${name} has no anchor &${name} before it`);
      return { kind: "scalar", value: null, at };
    }
    if (this.expanding.includes(target)) this.refuse(at, `alias *${name} refers to a node that contains it`);
    if (++this.aliases > ALIAS_EXPANSIONS_MAX) {
      this.refuse(at, `more than ${ALIAS_EXPANSIONS_MAX} aliases to expand (at *${name}); refusing a possible alias bomb`);
    }
    this.expanding.push(target);
    try {
      return this.convert(target, setPath, at);
    } finally {
      this.expanding.pop();
    }
  }

  private convertMap(pairs: readonly { key: unknown; value: unknown }[], setPath: string, at: Origin): RawMap {
    const map: RawMap = { kind: "map", entries: [], duplicates: [], at };
    const keys = new Set<string>();
    const merges: Raw[] = [];
    for (const pair of pairs) {
      const key = this.keyText(pair.key, at);
      if (key === undefined) continue;
      const keyAt = this.place(pair.key as YamlNode, `${setPath}.${key}`);
      // What a merge key brings in belongs to this map: its paths are this map's, not `<<`'s.
      const value = key === "<<" ? this.convertMerged(pair.value, setPath, keyAt) : this.convert(pair.value, `${setPath}.${key}`, keyAt);
      if (key === "<<") merges.push(value);
      else if (keys.has(key)) map.duplicates.push({ key, keyAt, value });
      else {
        keys.add(key);
        map.entries.push({ key, keyAt, value });
      }
    }
    for (const m of merges) this.mergeInto(map, keys, m);
    return map;
  }

  /** The value of `<<`: one map, or a list of them, each converted at the path of the map it merges into. */
  private convertMerged(node: unknown, setPath: string, at: Origin): Raw {
    if (!isSeq(node)) return this.convert(node, setPath, at);
    return { kind: "seq", items: node.items.map((item) => this.convert(item, setPath, at)), at: this.place(node as YamlNode, setPath) };
  }

  /** YAML 1.1 merge keys (`<<: *defaults`): keys written in the map win over merged ones. */
  private mergeInto(map: RawMap, keys: Set<string>, source: Raw): void {
    const sources = source.kind === "seq" ? source.items : [source];
    for (const s of sources) {
      if (s.kind !== "map") {
        this.ctx.report(s.at, "", "a merge key (<<) takes a map or a list of maps");
        continue;
      }
      for (const e of s.entries) {
        if (keys.has(e.key)) continue;
        keys.add(e.key);
        map.entries.push(e);
      }
    }
  }

  private keyText(key: unknown, mapAt: Origin): string | undefined {
    if (isScalar(key) && (typeof key.value === "string" || typeof key.value === "number" || typeof key.value === "boolean")) {
      return typeof key.value === "string" ? key.value : (key.source ?? String(key.value));
    }
    const at = isScalar(key) || isMap(key) || isSeq(key) || isAlias(key) ? this.place(key as YamlNode, "") : mapAt;
    this.ctx.report(at, "", "keys must be plain text");
    return undefined;
  }

  private refuse(at: Origin, message: string): never {
    this.ctx.report(at, "", message);
    throw new Refused(message);
  }
}

/**
 * Parses a scenario file's text; undefined when it is not YAML (problems are in ctx). Given
 * `file` (another file than the scenario, such as a stack file), every origin names that file and
 * the node's dotted path in it (`services.web.deploy.replicas`), which messages then show.
 */
/**
 * The offset of the flow bracket (`[` or `{`) that opens the DEPTH_MAX-th collection inside the
 * document's top one, or null if none does: only flow collections nest deep enough to overflow
 * the parser's stack. Quoted text and comments are skipped.
 */
function tooDeepOffset(text: string): number | null {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"' || c === "'") {
      // YAML escapes " with a backslash and ' by doubling it (two quoted strings in a row: the same).
      for (i++; i < text.length && text[i] !== c; i++) if (c === '"' && text[i] === "\\") i++;
    } else if (c === "#" && (i === 0 || /\s/.test(text[i - 1]!))) {
      while (i < text.length && text[i] !== "\n") i++;
    } else if (c === "[" || c === "{") {
      if (++depth === DEPTH_MAX) return i;
    } else if (c === "]" || c === "}") {
      depth = Math.max(0, depth - 1);
    }
  }
  return null;
}

/** Where the quoted text that runs on to `end` (the parser's place for its missing close) opens, or null. */
function unclosedQuoteOffset(doc: Document, end: number): number | null {
  let at: number | null = null;
  visit(doc, {
    Scalar(_key, node) {
      if ((node.type !== "QUOTE_DOUBLE" && node.type !== "QUOTE_SINGLE") || node.range === undefined || node.range === null || node.range[1] < end) return undefined;
      at = node.range[0];
      return visit.BREAK;
    },
  });
  return at;
}

/** The first character from `offset` on that is neither blank nor in a comment line, or null. */
function keyOffset(text: string, offset: number): number | null {
  const m = /(?:[ \t]*(?:#[^\n]*)?\r?\n)*[ \t]*/y;
  m.lastIndex = offset;
  const skipped = m.exec(text);
  const at = offset + (skipped?.[0].length ?? 0);
  return at < text.length ? at : null;
}

export function parseYaml(text: string, ctx: Ctx, file?: string): Raw | undefined {
  const lines = new LineCounter();
  if (text.includes("\u0000")) {
    // UTF-16 text or a binary file: the YAML parser would echo it back as one enormous line.
    ctx.report(fileOrigin(1, 1, file), "", "this is not a UTF-8 text file (it holds NUL bytes: binary, or UTF-16 text); save it as UTF-8");
    return undefined;
  }
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: false, merge: false, prettyErrors: false });
  // An error at the end of the text (a bracket never closed) is placed on its last character
  // outside comments, not on the line after the file's final newline, which no editor shows.
  const last = Math.max(0, text.trimEnd().replace(/(?:\n[ \t]*#[^\n]*)+$/, "").trimEnd().length - 1);
  const where = (offset: number): FileOrigin => {
    const { line, col } = lines.linePos(Math.min(offset, last));
    return fileOrigin(Math.max(line, 1), Math.max(col, 1), file);
  };
  // The first syntax error only: the parser's later ones follow from it (a mis-indented line
  // gives two or three at one place), and a user fixes one thing at a time.
  for (const e of doc.errors.slice(0, 1)) {
    const what = file === undefined ? "a scenario file" : "a stack file";
    const overflow = /call stack/i.test(e.message);
    // A mis-indented line gives BLOCK_AS_IMPLICIT_KEY and MULTILINE_IMPLICIT_KEY; a second ": " on
    // one line ("description: a: b") gives the first alone, and the parser's message is the right one.
    const misIndented = e.code === "BLOCK_AS_IMPLICIT_KEY" && doc.errors.some((x) => x.code === "MULTILINE_IMPLICIT_KEY");
    // The mis-indented key is on a later line than the value the parser names: the next with text.
    const lineEnd = text.indexOf("\n", e.pos[0]);
    const deeper = misIndented && lineEnd >= 0 ? keyOffset(text, lineEnd + 1) : null;
    // The parser places a mis-aligned key at the indentation before it, or at a comment line above it: name the key.
    const aligned = e.code === "BAD_INDENT" ? keyOffset(text, e.pos[0]) : null;
    // The parser finds a quote's missing close at the end of the file: name where it opens.
    const opened = e.code === "MISSING_CHAR" && /closing .?quote/.test(e.message) ? unclosedQuoteOffset(doc, e.pos[0]) : null;
    const message =
      e.code === "MULTIPLE_DOCS" ? `${what} holds a single YAML document (found a second ---)`
      : overflow ? `maps and lists are nested too deep (at most ${DEPTH_MAX})`
      : deeper !== null ? `this line is indented deeper than the key above it, so YAML reads it as part of that key's value; line it up with its sibling keys (${e.message})`
      : e.code === "BLOCK_AS_IMPLICIT_KEY" ? `a second ": " on one line; quote a value that holds one (${e.message})`
      : opened !== null ? `this quote is never closed: the rest of the file reads as its text (${e.message.replace(/ at line \d+, column \d+:?\s*$/, "")})`
      : e.message;
    // Where the parser's stack ran out depends on how deep the process already was when it
    // parsed: name the bracket that went past the limit instead, the same in every process.
    ctx.report(where((overflow ? tooDeepOffset(text) : null) ?? deeper ?? aligned ?? opened ?? e.pos[0]), "", `YAML syntax error: ${message}`);
  }
  for (const w of doc.warnings) ctx.report(where(w.pos[0]), "", `YAML: ${w.message}`);
  if (doc.errors.length > 0) return undefined;
  if (doc.contents === null) {
    ctx.report(fileOrigin(1, 1, file), "", "the file is empty");
    return undefined;
  }
  const place: Placer =
    file === undefined
      ? (node) => where(node?.range?.[0] ?? 0)
      : (node, setPath) => ({ ...where(node?.range?.[0] ?? 0), path: setPath.slice(1) });
  return convertSafely(doc, ctx, place, fileOrigin(1, 1, file, ""));
}

/** Parses the VALUE of `--set PATH=VALUE` as a YAML flow value; its nodes point at the override. */
export function parseSetValue(text: string, path: string, ctx: Ctx, flag: OverrideFlag = "--set"): Raw | undefined {
  const doc = parseDocument(text, { uniqueKeys: false, merge: false, prettyErrors: false });
  const first = doc.errors[0] ?? doc.warnings[0];
  if (first) {
    ctx.report(setOrigin(path, flag), "", `${JSON.stringify(text)} is not a valid YAML value: ${first.message}`);
    return undefined;
  }
  const place: Placer = (_node, setPath) => setOrigin(`${path}${setPath}`, flag);
  return convertSafely(doc, ctx, place, setOrigin(path, flag));
}

function convertSafely(doc: Document, ctx: Ctx, place: Placer, top: Origin): Raw | undefined {
  try {
    return new Converter(ctx, place).convert(doc.contents, "", top);
  } catch (e) {
    if (e instanceof Refused) return undefined;
    throw e;
  }
}
