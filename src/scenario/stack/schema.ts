// Validation against the Compose Specification's own JSON schema (assets/compose/), with ajv, so
// that what Compose accepts is accepted and what it refuses is refused. ajv's errors name a JSON
// pointer; each is traced back to the node it names, so the message carries the stack file's
// line and column. Of the errors ajv finds for one value, only the most specific are kept (a
// wrong key inside a long-syntax port, not "must match exactly one schema in oneOf").

import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import type { ErrorObject, ValidateFunction } from "ajv";
import type { Ctx } from "../context.js";
import { entryOf, type Origin, type Raw, type RawMap } from "../raw.js";
import { suggestion } from "../suggest.js";
import { COMPOSE_SPEC_URL } from "../package-files.js";

let compiled: ValidateFunction | undefined;

/** Loaded and compiled on first use only: a run without a stack file does not pay for ajv. */
function validator(): ValidateFunction {
  if (compiled === undefined) {
    const { Ajv } = createRequire(import.meta.url)("ajv") as typeof import("ajv");
    const schema = JSON.parse(readFileSync(COMPOSE_SPEC_URL, "utf8")) as { $schema?: string };
    // The schema is draft-07, ajv's own draft; its $schema spells the URL in a way ajv's copy of
    // the meta-schema is not registered under. strict: false because it uses `deprecated`, an
    // annotation draft-07 does not define.
    delete schema.$schema;
    const ajv = new Ajv({ allErrors: true, strict: false, verbose: true });
    compiled = ajv.compile(schema);
  }
  return compiled;
}

/**
 * Reports every problem the Compose schema finds in one stack file's tree. True when each was a
 * field Compose does not know: those fields are then taken out of the tree, so that the values
 * of the others can still be read and their problems reported in the same pass.
 */
export function checkComposeSchema(ctx: Ctx, root: Raw): boolean {
  const validate = validator();
  if (validate(toPlain(root))) return true;
  const unknown: { map: RawMap; key: string }[] = [];
  let other = false;
  for (const e of mostSpecific(validate.errors ?? [])) {
    const node = nodeAt(root, e.instancePath);
    ctx.report(originOf(node, e), "", messageOf(e));
    const field = unknownField(node, e);
    if (field !== null) unknown.push(field);
    else other = true;
  }
  if (other) return false;
  for (const { map, key } of unknown) map.entries = map.entries.filter((x) => x.key !== key);
  return true;
}

/** Plain JSON for ajv. Keys are defined, not assigned, so "__proto__" stays a plain key. */
export function toPlain(raw: Raw): unknown {
  if (raw.kind === "scalar") return raw.value;
  if (raw.kind === "seq") return raw.items.map(toPlain);
  const out: Record<string, unknown> = {};
  for (const e of raw.entries) Object.defineProperty(out, e.key, { value: toPlain(e.value), enumerable: true, writable: true, configurable: true });
  return out;
}

/**
 * Errors whose value has no deeper error, and one "must be A or B" per value for type errors.
 * A value with both kinds matched one branch's type (a long-syntax port is a map): what is wrong
 * inside that branch says more than the other branches' types.
 */
function mostSpecific(errors: readonly ErrorObject[]): ErrorObject[] {
  const real = errors.filter((e) => e.keyword !== "oneOf" && e.keyword !== "anyOf" && e.keyword !== "if");
  const deepest = real.filter((e) => !real.some((o) => o.instancePath.startsWith(`${e.instancePath}/`)));
  const specific = new Set(deepest.filter((e) => e.keyword !== "type").map((e) => e.instancePath));
  const out: ErrorObject[] = [];
  const types = new Map<string, ErrorObject>();
  for (const e of deepest) {
    if (e.keyword !== "type") out.push(e);
    else if (!specific.has(e.instancePath)) {
      const seen = types.get(e.instancePath);
      if (seen !== undefined) (seen.params as { type: string[] }).type.push(...typeNames(e));
      else {
        const merged = { ...e, params: { type: typeNames(e) } };
        types.set(e.instancePath, merged);
        out.push(merged);
      }
    }
  }
  return out;
}

function typeNames(e: ErrorObject): string[] {
  const t = (e.params as { type: string | string[] }).type;
  return Array.isArray(t) ? t : t.split(",");
}

function nodeAt(root: Raw, pointer: string): Raw {
  let node = root;
  for (const part of pointer.split("/").slice(1).map((p) => p.replace(/~1/g, "/").replace(/~0/g, "~"))) {
    const next = node.kind === "map" ? entryOf(node, part)?.value : node.kind === "seq" ? node.items[Number(part)] : undefined;
    if (next === undefined) break;
    node = next;
  }
  return node;
}

/** The map and key of a field Compose does not know, when that is what `e` says of `node`. */
function unknownField(node: Raw, e: ErrorObject): { map: RawMap; key: string } | null {
  const key = (e.params as { additionalProperty?: string }).additionalProperty;
  return e.keyword === "additionalProperties" && key !== undefined && node.kind === "map" ? { map: node, key } : null;
}

function originOf(node: Raw, e: ErrorObject): Origin {
  const field = unknownField(node, e);
  return field === null ? node.at : (entryOf(field.map, field.key)?.keyAt ?? node.at);
}

function messageOf(e: ErrorObject): string {
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case "additionalProperties": {
      const key = String(p["additionalProperty"]);
      const known = Object.keys((e.parentSchema as { properties?: object } | undefined)?.properties ?? {});
      return `${JSON.stringify(key)} is not a Compose field here${suggestion(key, known, "expected one of")}`;
    }
    case "type":
      return `must be ${englishList((p["type"] as string[]).map(article))} (got ${shown(e.data)})`;
    case "enum":
      return `must be one of ${(p["allowedValues"] as unknown[]).map(String).join(", ")} (got ${shown(e.data)})`;
    case "required":
      return `missing required field ${String(p["missingProperty"])}`;
    case "uniqueItems":
      return `items ${String(p["j"])} and ${String(p["i"])} are the same`;
    default:
      return e.message ?? "is not valid Compose";
  }
}

function article(type: string): string {
  const names: Record<string, string> = { object: "a map", array: "a list", string: "text", integer: "a whole number", number: "a number", boolean: "true or false", null: "empty" };
  return names[type] ?? type;
}

function englishList(items: readonly string[]): string {
  const unique = [...new Set(items)];
  return unique.length <= 1 ? (unique[0] ?? "") : `${unique.slice(0, -1).join(", ")} or ${unique[unique.length - 1]}`;
}

function shown(v: unknown): string {
  if (Array.isArray(v)) return "a list";
  if (v !== null && typeof v === "object") return "a map";
  return typeof v === "string" ? JSON.stringify(v) : String(v);
}
