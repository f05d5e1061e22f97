import type { Scenario } from "../scenario/types.js";
import { unsimulatedInjections } from "./injections.js";

/**
 * Fields that validate but that the model does not simulate yet. The run prints them once and
 * lists them in summary.json's notes, so nobody mistakes a silent no-op for a result.
 */
export function unsimulatedFields(s: Scenario): string[] {
  // Every field of version 1 is simulated today; new ones are listed here until they are.
  return unsimulatedInjections(s.events);
}
