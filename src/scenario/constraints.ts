// Placement constraints and preferences, in Swarm's syntax. The loader checks them and writes
// them back in one canonical form, `KEY OP VALUE` with single spaces, which `parseConstraint`
// (exported for the scheduler) reads back without ambiguity: KEY and OP never contain spaces.

import { closest } from "./suggest.js";

export interface Constraint {
  /** node.id | node.hostname | node.role | node.platform.os | node.platform.arch | node.labels.K | engine.labels.K */
  key: string;
  op: "==" | "!=";
  value: string;
}

const FIXED_KEYS = ["node.id", "node.hostname", "node.role", "node.platform.os", "node.platform.arch"] as const;
const LABEL_KEY = /^(node|engine)\.labels\.[A-Za-z0-9_][A-Za-z0-9_.\-/]*$/;
const KEYS_HELP = `${FIXED_KEYS.join(", ")}, node.labels.KEY or engine.labels.KEY`;

/** "node.labels.disk==ssd" -> {key, op, value}, or a message saying what is wrong. */
export function parseConstraint(text: string): Constraint | string {
  const m = /^\s*([^\s=!]+)\s*(==|!=)\s*(.*?)\s*$/.exec(text);
  if (!m) return `${JSON.stringify(text)} is not a constraint (write KEY == VALUE or KEY != VALUE, e.g. node.role == worker)`;
  const key = m[1] ?? "";
  const op = m[2] === "!=" ? "!=" : "==";
  const value = m[3] ?? "";
  if (!(FIXED_KEYS as readonly string[]).includes(key) && !LABEL_KEY.test(key)) {
    // "node.lables.disk" is most likely node.labels.disk: offer label keys with the same tail.
    const tail = key.split(".").slice(2).join(".");
    const labelKeys = tail === "" ? [] : [`node.labels.${tail}`, `engine.labels.${tail}`];
    const near = closest(key, [...FIXED_KEYS, ...labelKeys]);
    const hint = near !== undefined ? `did you mean ${near}?` : `use ${KEYS_HELP}`;
    return `${JSON.stringify(text)}: unknown constraint key ${key} (${hint})`;
  }
  if (value === "") return `${JSON.stringify(text)}: the constraint has no value after ${op}`;
  if (key === "node.role" && value !== "manager" && value !== "worker") {
    return `${JSON.stringify(text)}: node.role is manager or worker`;
  }
  return { key, op, value };
}

export function formatConstraint(c: Constraint): string {
  return `${c.key} ${c.op} ${c.value}`;
}

/** The label a `spread` preference spreads over: node.labels.X or engine.labels.X. */
export function checkSpreadLabel(text: string): string | undefined {
  if (LABEL_KEY.test(text)) return undefined;
  return `${JSON.stringify(text)} is not a label to spread over (use node.labels.KEY or engine.labels.KEY, e.g. node.labels.zone)`;
}
