import { parseConstraint } from "../../scenario/index.js";
import type { NodeRecord } from "../store.js";

/** A constraint as the scheduler compares it: lower case, as Swarm matches them. */
export interface Constraint {
  key: string;
  equal: boolean;
  value: string;
}

/** The loader's parser (one for the whole of orchsim), on constraints it already accepted. */
export function parseConstraints(exprs: string[]): Constraint[] {
  return exprs.map((expr) => {
    const c = parseConstraint(expr);
    if (typeof c === "string") throw new Error(`${c} (the loader should have refused it)`);
    return { key: c.key.toLowerCase(), equal: c.op === "==", value: c.value.toLowerCase() };
  });
}

/** What placement reads of a node: constraints and spread preferences alike. */
export type PlacedNode = Pick<NodeRecord, "id" | "role" | "labels" | "engineLabels">;

/** The node's value for a constraint key; a missing label compares as "" (as in Swarm). */
function nodeValue(key: string, node: PlacedNode): string {
  if (key === "node.id" || key === "node.hostname") return node.id;
  if (key === "node.role") return node.role;
  if (key === "node.platform.os") return "linux";
  if (key === "node.platform.arch") return "x86_64";
  if (key.startsWith("node.labels.")) return lookup(node.labels, key.slice("node.labels.".length));
  if (key.startsWith("engine.labels.")) return lookup(node.engineLabels, key.slice("engine.labels.".length));
  return "";
}

function lookup(labels: Record<string, string>, name: string): string {
  for (const [k, v] of Object.entries(labels)) if (k.toLowerCase() === name) return v;
  return "";
}

/** Swarm matches constraints case-insensitively. */
export function constraintsMatch(constraints: Constraint[], node: PlacedNode): boolean {
  for (const c of constraints) {
    const same = nodeValue(c.key, node).toLowerCase() === c.value;
    if (same !== c.equal) return false;
  }
  return true;
}
