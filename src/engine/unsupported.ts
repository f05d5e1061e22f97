import type { Scenario } from "../scenario/types.js";
import { unsimulatedInjections } from "./injections.js";

/**
 * Fields that validate but that the model does not simulate. The run prints them once and lists
 * them in summary.json's notes, so nobody mistakes a silent no-op for a result.
 */
export function unsimulatedFields(s: Scenario): string[] {
  const attachable = s.networks.filter((n) => n.attachable).map((n) => `networks[${n.name}].attachable (standalone containers are not modelled)`);
  return [...attachable, ...unsimulatedInjections(s.events)];
}

/**
 * What the scenario sets up that will fail by construction, said before the run: calls to a
 * service that shares no network with the caller (the name does not resolve).
 */
export function scenarioWarnings(s: Scenario): string[] {
  const networksOf = new Map(s.services.map((x) => [x.name, x.networks]));
  const warnings: string[] = [];
  for (const caller of s.services) {
    for (const call of caller.request.calls) {
      const theirs = networksOf.get(call.service) ?? [];
      if (!caller.networks.some((n) => theirs.includes(n))) {
        warnings.push(`services ${caller.name} and ${call.service} share no network: every call from ${caller.name} to ${call.service} fails at once (the name does not resolve)`);
      }
    }
  }
  return warnings;
}
