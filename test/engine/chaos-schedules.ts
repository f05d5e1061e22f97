// The chaos test's random fault schedules (chaos.test.ts), also run by the held-heartbeats
// equivalence test (quiet-sessions.test.ts).
import { mulberry32 as rng } from "../seeded.js";
import { scenarioYaml } from "../helpers.js";

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

/**
 * A small cluster under a random schedule of 12 faults, as YAML; with `managersRunTasks`, the
 * managers run tasks too, so a leader killed takes some with it.
 */
export function chaosScenario(seed: number, managersRunTasks = false): string {
  return scenarioYaml({ name: "chaos", seed, duration: "6m" }, `
cluster:
  managers: {count: 3, zones: [a, b, c], runTasks: ${managersRunTasks}}
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
`);
}
