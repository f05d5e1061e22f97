// Deterministic simulation testing in the manner of TigerBeetle's VOPR: random fault schedules,
// one seed each, and invariants checked from the outside on what the run wrote. A failure
// names the seed; `npx vitest run test/engine/chaos.test.ts` replays it exactly.
import { describe, expect, it } from "vitest";
import { TaskState } from "../../src/api/task-state.js";
import { eventsOf, runYaml, type RunOutputs } from "../helpers.js";
import { mulberry32 as rng } from "../seeded.js";

const FAULTS: ((r: () => number) => string)[] = [
  (r) => `nodeFailure: {nodes: [w-${1 + Math.floor(r() * 4)}], recoverAfter: ${10 + Math.floor(r() * 40)}s}`,
  (r) => `killLeader: {restartAfter: ${5 + Math.floor(r() * 30)}s}`,
  (r) => {
    const m = 1 + Math.floor(r() * 3);
    return `partition: {groups: [[manager-${m}, w-${1 + Math.floor(r() * 4)}], [manager-${(m % 3) + 1}]], duration: ${5 + Math.floor(r() * 30)}s}`;
  },
  (r) => `drain: {node: w-${1 + Math.floor(r() * 4)}}`,
  (r) => `activate: {node: w-${1 + Math.floor(r() * 4)}}`,
  (r) => `scale: {service: web, replicas: ${2 + Math.floor(r() * 8)}}`,
  (r) => `rollingUpdate: {service: web, image: "web:${Math.floor(r() * 100)}"}`,
  () => `restartAll: {service: web}`,
  () => `addNodes: {group: w, count: 1}`,
];

function schedule(seed: number): string {
  const r = rng(seed);
  const lines: string[] = [];
  for (let i = 0; i < 12; i++) {
    const at = 10 + Math.floor(r() * 240);
    lines.push(`  - {at: ${at}s, ${FAULTS[Math.floor(r() * FAULTS.length)]!(r)}}`);
  }
  return lines.join("\n");
}

function scenario(seed: number): string {
  return `
version: 1
name: chaos
seed: ${seed}
duration: 6m
cluster:
  managers: {count: 3, zones: [a, b, c], runTasks: false}
  nodeGroups: [{name: w, count: 4, cpu: 4, memory: 8GiB, zone: a}]
services:
  - name: web
    replicas: 6
    ports: [{published: 80, target: 80}]
    startup: {pull: 1s, cpu: 2s}
    healthcheck: {interval: 5s, timeout: 2s, retries: 3, startPeriod: 10s}
    update: {parallelism: 2, delay: 2s}
  - {name: agent, mode: global}
workload:
  - {name: users, service: web, rate: 100/s, timeout: 2s, retries: {max: 1}}
events:
${schedule(seed)}
`;
}

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
