import type { Scenario } from "../scenario/types.js";
import { unsimulatedInjections } from "./injections.js";

/**
 * Fields that validate but that the model does not simulate yet. The run prints them once and
 * lists them in summary.json's notes, so nobody mistakes a silent no-op for a result.
 */
export function unsimulatedFields(s: Scenario): string[] {
  const out: string[] = [];
  for (const svc of s.services) {
    const p = `services[${svc.name}]`;
    if (svc.request.calls.length > 0) out.push(`${p}.request.calls`);
  }
  return [...out, ...unsimulatedInjections(s.events)];
}
