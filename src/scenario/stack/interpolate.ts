// Variable interpolation as Compose does it, in every value of a stack file (never in keys):
//   $VAR, ${VAR}          the variable, or "" when unset (with a note, as Compose warns)
//   ${VAR:-default}       default when unset or empty; ${VAR-default} only when unset
//   ${VAR:?message}       an error when unset or empty; ${VAR?message} only when unset
//   ${VAR:+other}         other when set and not empty; ${VAR+other} when set
//   $$                    a literal $
// Defaults, messages and replacements may themselves hold ${...}. Anything else after a $ is an
// error, as in Compose ("invalid interpolation format").

import type { Ctx } from "../context.js";
import type { Origin, Raw, RawScalar } from "../raw.js";

export type Env = Readonly<Record<string, string | undefined>>;

const NAME = /^[_A-Za-z][_A-Za-z0-9]*/;

class TemplateError extends Error {}

interface Result {
  text: string;
  /** Variables used that were not set and had no default: Compose warns about each. */
  unset: string[];
}

/**
 * Interpolates every string value of `raw` in place; problems are reported against the value.
 * `unset` gets each variable used while unset, with the first value that used it.
 */
export function interpolate(ctx: Ctx, raw: Raw, env: Env, unset: Map<string, Origin>): void {
  if (raw.kind === "seq") {
    raw.items = raw.items.map((item) => (item.kind === "scalar" ? interpolateScalar(ctx, item, env, unset) : (interpolate(ctx, item, env, unset), item)));
  } else if (raw.kind === "map") {
    for (const e of [...raw.entries, ...raw.duplicates]) {
      if (e.value.kind === "scalar") e.value = interpolateScalar(ctx, e.value, env, unset);
      else interpolate(ctx, e.value, env, unset);
    }
  }
}

function interpolateScalar(ctx: Ctx, raw: RawScalar, env: Env, unset: Map<string, Origin>): RawScalar {
  if (typeof raw.value !== "string" || !raw.value.includes("$")) return raw;
  try {
    const r = substitute(raw.value, env);
    for (const name of r.unset) if (!unset.has(name)) unset.set(name, raw.at);
    return { ...raw, value: r.text };
  } catch (e) {
    if (!(e instanceof TemplateError)) throw e;
    ctx.report(raw.at, "", e.message);
    return raw;
  }
}

/** The text with every variable replaced. Throws TemplateError, quoting `whole` (the value). */
export function substitute(text: string, env: Env, whole = text): Result {
  const unset: string[] = [];
  let out = "";
  let i = 0;
  while (i < text.length) {
    const dollar = text.indexOf("$", i);
    if (dollar < 0) {
      out += text.slice(i);
      break;
    }
    out += text.slice(i, dollar);
    const next = text[dollar + 1];
    if (next === "$") {
      out += "$";
      i = dollar + 2;
    } else if (next === "{") {
      const end = closingBrace(text, dollar + 2);
      if (end < 0) throw invalid(whole);
      out += braced(text.slice(dollar + 2, end), whole, env, unset);
      i = end + 1;
    } else {
      const name = NAME.exec(text.slice(dollar + 1))?.[0];
      if (name === undefined) throw invalid(whole);
      out += lookup(name, env, unset);
      i = dollar + 1 + name.length;
    }
  }
  return { text: out, unset };
}

/** The index of the } that closes a ${ whose body starts at `from`, counting nested ${...}. */
function closingBrace(text: string, from: number): number {
  let depth = 1;
  for (let i = from; i < text.length; i++) {
    if (text[i] === "$" && text[i + 1] === "$") i++;
    else if (text[i] === "$" && text[i + 1] === "{") {
      depth++;
      i++;
    } else if (text[i] === "}" && --depth === 0) return i;
  }
  return -1;
}

function braced(body: string, whole: string, env: Env, unset: string[]): string {
  const name = NAME.exec(body)?.[0];
  if (name === undefined) throw invalid(whole);
  const rest = body.slice(name.length);
  if (rest === "") return lookup(name, env, unset);
  const op = /^(:-|-|:\?|\?|:\+|\+)/.exec(rest)?.[0];
  if (op === undefined) throw invalid(whole);
  const arg = (): string => {
    const inner = substitute(rest.slice(op.length), env, whole);
    unset.push(...inner.unset);
    return inner.text;
  };
  const value = env[name];
  const set = value !== undefined;
  const usable = set && (op.startsWith(":") ? value !== "" : true);
  switch (op) {
    case ":-":
    case "-":
      return usable ? value : arg();
    case ":?":
    case "?": {
      if (usable) return value;
      const message = arg();
      throw new TemplateError(`required variable ${name} is missing a value${message === "" ? "" : `: ${message}`}`);
    }
    default: // :+ and +
      return usable ? arg() : "";
  }
}

function lookup(name: string, env: Env, unset: string[]): string {
  const value = env[name];
  if (value === undefined) unset.push(name);
  return value ?? "";
}

function invalid(text: string): TemplateError {
  return new TemplateError(`invalid interpolation format in ${JSON.stringify(text)} (write $$ for a literal $)`);
}
