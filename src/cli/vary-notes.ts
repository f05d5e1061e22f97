// What a sweep (--vary) or a plan (--minimize) is told before it varies a field, when the
// scenario would not follow the change the way the question means it.

import { groupsWithNodes, managerZones } from "../engine/hosts.js";
import { groupTotals, loadScenarioFile, type LoadOptions, type Override } from "../scenario/index.js";
import type { Scenario } from "../scenario/types.js";
import { formatDurationUs } from "../scenario/units.js";

/**
 * The notes for varying `paths` of `file` (with the run's own --set): read against the file as
 * written, whose counts say what "every node of the group" means; none if it does not load
 * without the varied values (their runs say what is wrong).
 */
export function varyNotes(file: string, sets: readonly Override[], options: LoadOptions, paths: readonly string[]): string[] {
  if (!paths.some((p) => groupOfCount(p) !== undefined || p === CLUSTER_STRATEGY)) return [];
  let base: Scenario;
  try {
    base = loadScenarioFile(file, sets, options);
  } catch {
    return [];
  }
  return [...fixedFailureNotes(base, paths), ...ownStrategyNotes(base, paths)];
}

const CLUSTER_STRATEGY = "cluster.scheduler.strategy";

/**
 * The cluster's strategy varied while services name their own (services[].strategy), which it
 * does not change: when every service does, every variant is the same run (walkthrough: a sweep
 * of three strategies gave three equal rows, unexplained); when some do, it places only the
 * others' tasks (theirs are placed by their own strategy, around where the others went).
 */
export function ownStrategyNotes(s: Scenario, paths: readonly string[]): string[] {
  if (!paths.includes(CLUSTER_STRATEGY)) return [];
  const own = s.services.filter((x) => x.strategy !== null);
  if (own.length === 0) return [];
  const names = own.map((x) => `${x.name} (${x.strategy})`).join(", ");
  if (own.length === s.services.length) return [`${CLUSTER_STRATEGY} changes nothing here: every service names its own strategy (services[].strategy), which it does not change: ${names}`];
  const who = own.length === 1 ? "a service names its own strategy" : "services name their own strategy";
  return [`${CLUSTER_STRATEGY} is varied, but ${who} (services[].strategy), which it does not change: ${names}; it places only the others' tasks (theirs still move with where those go)`];
}

/**
 * A node group's count varied while a nodeFailure names every node the group has in the file:
 * the failure meant the group (or its zone) and takes the same nodes at every count ("a-1, a-2
 * and a-3 fail", not "zone a fails"). One note per such failure, naming `zones:` as the way to
 * say it. A failure of some of the group's nodes ("one worker dies") gets none: it means those.
 */
export function fixedFailureNotes(s: Scenario, paths: readonly string[]): string[] {
  const notes: string[] = [];
  const totals = groupTotals(s.cluster.nodeGroups, s.events);
  for (const p of new Set(paths)) {
    const name = groupOfCount(p);
    const group = s.cluster.nodeGroups.find((g) => g.name === name);
    if (!group) continue;
    for (const e of s.events) {
      if (e.action.type !== "nodeFailure") continue;
      const named = e.action.nodes.filter((n) => n.startsWith(`${group.name}-`) && /^\d+$/.test(n.slice(group.name.length + 1)));
      if (group.count === 0 || named.length < group.count || e.action.zones.includes(group.zone)) continue;
      const fixed = `the nodeFailure at ${formatDurationUs(e.atUs)} fails ${named.join(", ")} whatever ${p} is`;
      // zones: [z] fails every host in z: the advice only when that is the group (and its managers).
      const others = sharing(s, group, new Set(e.action.nodes), totals);
      if (others.length > 0) {
        notes.push(`${fixed}; zone ${group.zone} also holds node group${others.length > 1 ? "s" : ""} ${others.join(", ")}, so zones: [${group.zone}] would fail ${others.length > 1 ? "those" : "it"} too: to fail all of ${group.name} at each value, give ${group.name} a zone of its own and the failure zones: [that zone]`);
        continue;
      }
      const managers = managerZones(s.cluster.managers).includes(group.zone) ? ", its managers too" : "";
      notes.push(`${fixed}; to fail all of zone ${group.zone} at each value${managers}, give it zones: [${group.zone}]`);
    }
  }
  return notes;
}

/**
 * The other node groups with nodes in `group`'s zone, but those the failure (`failing`) names
 * whole: zones: [z] would fail them too, where the failure as written does not.
 */
function sharing(s: Scenario, group: Scenario["cluster"]["nodeGroups"][number], failing: ReadonlySet<string>, totals: ReadonlyMap<string, number>): string[] {
  const namedWhole = (g: { name: string }): boolean => Array.from({ length: totals.get(g.name) ?? 0 }, (_, i) => `${g.name}-${i + 1}`).every((n) => failing.has(n));
  return groupsWithNodes(s).filter((g) => g !== group && g.zone === group.zone && !namedWhole(g)).map((g) => g.name);
}

/** The node group whose count `path` is (`cluster.nodeGroups.<group>.count`), or undefined. */
function groupOfCount(path: string): string | undefined {
  return /^cluster\.nodeGroups\.([^.]+)\.count$/.exec(path)?.[1];
}
