// `stack:` in a scenario: the user's Compose / `docker stack deploy` files become the scenario's
// services and networks. The files are read, interpolated, merged in order (as repeated -c
// flags are), checked against the Compose schema and translated into the scenario's raw form,
// with every value keeping its origin in its stack file; then the scenario's own `services` and
// `networks` entries of the same name are merged over them. What the stack says that nothing
// reads comes back as notes.

import { readFileSync } from "node:fs";
import * as path from "node:path";
import { parse as parseDotenv } from "dotenv";
import { Ctx } from "../context.js";
import { readInputFile, whyUnreadable } from "../input-file.js";
import { parseYaml } from "../parse.js";
import { entryOf, fileOrigin, mergeRaw, textOf, valueOf, type Origin, type Raw, type RawEntry, type RawMap } from "../raw.js";
import { interpolate, type Env } from "./interpolate.js";
import { mergeCompose } from "./merge.js";
import { Notes } from "./notes.js";
import { assignPublished } from "./ports.js";
import { checkComposeSchema } from "./schema.js";
import { translateStack } from "./translate.js";

export type { Env } from "./interpolate.js";

export interface StackOptions {
  /** Variables for ${VAR}; the process environment unless given. */
  env?: Env;
  /** A file of KEY=VALUE lines; a variable set in `env` wins over it, as in Compose. */
  envFile?: string;
}

/**
 * Replaces root's `stack` entry by the services and networks of the files it names. Returns the
 * notes, or undefined when a stack file has problems that leave its services unread (they are in
 * ctx): the scenario's own checks would only add problems caused by the services that are
 * missing. A field Compose does not know is reported and left out, and the rest is read on, so
 * that a misspelt field does not hide the problems of the others.
 */
export function expandStack(ctx: Ctx, root: RawMap, scenarioFile: string, opts: StackOptions = {}): string[] | undefined {
  const entry = entryOf(root, "stack");
  if (!entry) return [];
  root.entries = root.entries.filter((e) => e !== entry);
  const refs = stackFiles(ctx, entry.value);
  const before = ctx.notes.length;
  const env = environment(ctx, opts);
  const notes = new Notes();
  const unset = new Map<string, Origin>();
  let merged: Raw | undefined;
  // Whether the values can still be read: every problem so far was an unknown field, taken out.
  let readable = true;
  for (const ref of refs) {
    const display = path.isAbsolute(ref.name) ? ref.name : path.join(path.dirname(scenarioFile), ref.name);
    const tree = readStackFile(ctx, display, ref.at);
    if (tree === undefined) {
      readable = false;
      continue;
    }
    const problems = ctx.notes.length;
    interpolate(ctx, tree, env, unset);
    if (ctx.notes.length > problems) readable = false;
    if (!checkComposeSchema(ctx, tree)) readable = false;
    merged = merged === undefined ? tree : mergeCompose(merged, tree);
  }
  // With no services left (`servces:`), reading on would only add that the scenario has none.
  if (merged !== undefined && merged.kind === "map" && valueOf(merged, "services")?.kind !== "map") readable = false;
  if (merged === undefined || merged.kind !== "map" || (ctx.notes.length > before && !readable)) return undefined;
  // A misspelt field (taken out) does not hide the other fields' problems: the stack is read on,
  // and the scenario's own checks report what is wrong in its values too.
  const reported = ctx.notes.length;
  const stack = translateStack(ctx, merged, notes);
  assignPublished(ctx, stack.ports, notes);
  if (ctx.notes.length > reported) return undefined;
  mergeNamed(root, "services", stack.services);
  mergeNamed(root, "networks", stack.networks);
  for (const [name, at] of unset) notes.add(at, `\${${name}}`, "the variable is not set; it reads as empty text (as in Compose)");
  return notes.text();
}

/** `stack: FILE` or `stack: [FILE, ...]`. */
function stackFiles(ctx: Ctx, raw: Raw): { name: string; at: Origin }[] {
  const items = raw.kind === "seq" ? raw.items : [raw];
  const out: { name: string; at: Origin }[] = [];
  for (const item of items) {
    const name = textOf(item);
    if (name === undefined || name === "") ctx.report(item.at, "stack", "must be the path of a stack file (docker-stack.yml), or a list of them");
    else out.push({ name, at: item.at });
  }
  if (raw.kind === "seq" && raw.items.length === 0) ctx.report(raw.at, "stack", "must name at least one stack file");
  return out;
}

function readStackFile(ctx: Ctx, file: string, at: Origin): Raw | undefined {
  const read = readInputFile(file);
  if ("tooLarge" in read) ctx.report(fileOrigin(1, 1, file, ""), "", read.tooLarge);
  if ("unreadable" in read) ctx.report(at, "stack", `cannot read ${file}: ${read.unreadable}`);
  if (!("text" in read)) return undefined;
  const text = read.text;
  const tree = parseYaml(text, ctx, file);
  if (tree !== undefined && tree.kind !== "map") {
    ctx.report(tree.at, "", "a stack file is a map of fields (version, services, networks, ...)");
    return undefined;
  }
  if (tree !== undefined && looksLikeScenario(tree)) {
    // Its fields would each be wrong for Compose (`version: must be text`, `services: must be a
    // map`), and none of those messages would say why (walkthrough: `orchsim import` of a scenario).
    ctx.report(fileOrigin(1, 1, file, ""), "", notAStack(file));
    return undefined;
  }
  return tree;
}

/** What is said of a scenario given where a stack file belongs (here, and by `orchsim import`). */
export function notAStack(file: string): string {
  return `this is an orchsim scenario, not a Compose / docker stack deploy file: run it with \`orchsim run ${file}\``;
}

/** Whether a file's text is a scenario rather than a stack (`orchsim import` asks before it reads it as one). */
export function isScenarioText(text: string, file: string): boolean {
  const tree = parseYaml(text, new Ctx(file), file);
  return tree?.kind === "map" && looksLikeScenario(tree);
}

/** A scenario's marks, which no Compose file has: `version: 1` (a number) or services as a list. */
function looksLikeScenario(tree: RawMap): boolean {
  const version = valueOf(tree, "version");
  return (version?.kind === "scalar" && version.value === 1) || valueOf(tree, "services")?.kind === "seq";
}

function environment(ctx: Ctx, opts: StackOptions): Env {
  const env = opts.env ?? process.env;
  if (opts.envFile === undefined) return env;
  try {
    return { ...parseDotenv(readFileSync(opts.envFile, "utf8")), ...env };
  } catch (e) {
    ctx.report(fileOrigin(1, 1, opts.envFile, ""), "", `cannot read the env file: ${whyUnreadable(e)}`);
    return env;
  }
}

/**
 * The stack's items first, each with the scenario's item of the same name merged over it, then
 * the scenario's items the stack does not have.
 */
function mergeNamed(root: RawMap, key: string, fromStack: RawMap[]): void {
  if (fromStack.length === 0) return;
  const own = entryOf(root, key);
  const ownItems = own?.value.kind === "seq" ? own.value.items : [];
  const nameOf = (raw: Raw): string | undefined => (raw.kind === "map" ? textOf(valueOf(raw, "name")) : undefined);
  const stackNames = new Set(fromStack.map(nameOf));
  const items = fromStack.map((item) => {
    const over = ownItems.find((o) => nameOf(o) === nameOf(item));
    return over === undefined ? item : mergeRaw(item, over);
  });
  items.push(...ownItems.filter((o) => !stackNames.has(nameOf(o))));
  const at = own?.value.at ?? fromStack[0]!.at;
  const entry: RawEntry = { key, keyAt: own?.keyAt ?? at, value: { kind: "seq", items, at } };
  if (own) root.entries[root.entries.indexOf(own)] = entry;
  else root.entries.push(entry);
}
