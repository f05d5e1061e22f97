// Deterministic simulation testing in the manner of TigerBeetle's VOPR: random fault schedules,
// one seed each, and invariants checked from the outside on what the run wrote. A failure
// names the seed; `npx vitest run test/engine/chaos.test.ts` replays it exactly.
import { describe, expect, it } from "vitest";
import { TaskState } from "../../src/api/task-state.js";
import { eventsOf, runYaml, type RunOutputs } from "../helpers.js";
import { chaosScenario as scenario } from "./chaos-schedules.js";

const ORDER = Object.fromEntries(Object.entries(TaskState).map(([k, v]) => [k.toLowerCase(), v]));

/** Invariants that hold for any schedule. */
function checkInvariants(out: RunOutputs): void {
  // Raft: one leader per term, and terms only grow from one election to the next.
  const terms = out.elections.map((e) => e.term);
  expect(new Set(terms).size).toBe(terms.length);
  for (let i = 1; i < terms.length; i++) expect(terms[i]!).toBeGreaterThan(terms[i - 1]!);
  // Swarm: a task never moves between nodes, and its state only ever increases.
  const byTask = new Map<string, { node: string | null; state: number }>();
  for (const e of eventsOf(out.events, "task")) {
    const seen = byTask.get(e["task"]);
    const state = ORDER[e["state"]]!;
    if (seen) {
      if (seen.node !== null && e["node"] !== null) expect(e["node"], `${e["task"]} moved`).toBe(seen.node);
      // One exception: a node that crashed forgets how its tasks ended; back up, it reports
      // a task the managers still think runs as lost ("... node restarted"), after the fact.
      const afterRestart = seen.state > TaskState.RUNNING && /node restarted/.test(String(e["reason"]));
      if (!afterRestart) expect(state, `${e["task"]} went back to ${e["state"]}`).toBeGreaterThanOrEqual(seen.state);
    }
    byTask.set(e["task"], { node: seen?.node ?? e["node"], state: Math.max(state, seen?.state ?? 0) });
  }
  // Requests are accounted for: every arrival completed or failed, or was still open at the end.
  const s = out.summary.services["web"]!;
  expect(s.completed + s.errors).toBeLessThanOrEqual(s.arrivals);
  expect(s.arrivals - s.completed - s.errors).toBeLessThan(100 * 3);
  // Every node row is a known status.
  for (const r of out.nodes) expect(["ready", "down", "unknown", "disconnected"]).toContain(r.status);
}

/** More schedules behind a flag: ORCHSIM_CHAOS_SEEDS=500 npx vitest run test/engine/chaos.test.ts */
const SEEDS = Number(process.env["ORCHSIM_CHAOS_SEEDS"] ?? 8);

describe("random fault schedules keep Raft's and Swarm's invariants", () => {
  for (let seed = 1; seed <= SEEDS; seed++) {
    it(`seed ${seed}`, () => {
      const out = runYaml(scenario(seed));
      checkInvariants(out);
      // The same seed replays exactly.
      const again = runYaml(scenario(seed));
      expect(JSON.stringify(again.summary)).toBe(JSON.stringify(out.summary));
      expect(again.events.length).toBe(out.events.length);
    });
  }
});
