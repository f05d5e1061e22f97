// The deployment's progress (Run.deployedShare) must move from the start, so that the time left
// the CLI shows means something: registration, Raft and allocation come before any task runs.
import { expect, it } from "vitest";
import { parseScenario } from "../../src/scenario/index.js";
import { Run } from "../../src/engine/run.js";
import { TaskState } from "../../src/api/task-state.js";
import { scenarioYaml } from "../helpers.js";

it("the deployment's share moves before any task runs, never goes back, and reaches 1", () => {
  const yaml = scenarioYaml({ name: "deploy", seed: 2, duration: "1s" }, `
cluster:
  managers: {count: 3, runTasks: false}
  nodeGroups: [{name: w, count: 200, cpu: 2, memory: 4GiB}]
services: [{name: s, replicas: 200, startup: {pull: 2s}}]
`);
  const run = new Run(parseScenario(yaml, "deploy.yaml"), { out: null });
  const samples: { share: number; running: number }[] = [];
  while (run.deploying) {
    run.advance(500);
    if (!run.deploying) break;
    let running = 0;
    for (const t of run.world.control.viewStore().tasks.values()) if (t.state === TaskState.RUNNING) running++;
    samples.push({ share: run.deployedShare, running });
  }
  const before = samples.filter((s) => s.running === 0);
  // The line moves before the first task runs: nodes ready, tasks created and assigned, three of
  // the four shares, are full by then (the first manager leads within a second, as after
  // `docker swarm init`; the nodes then join together and register in a commit or two).
  expect(before.length).toBeGreaterThan(1);
  expect(before[0]!.share).toBeLessThan(0.5);
  expect(before.at(-1)!.share).toBeGreaterThanOrEqual(0.7);
  for (let i = 1; i < samples.length; i++) expect(samples[i]!.share).toBeGreaterThanOrEqual(samples[i - 1]!.share);
  // Deployed: every node ready, every task created, assigned and running.
  expect(run.deployedShare).toBe(1);
});

it("a global service beside drained managers: the share ends at 1 (a task per eligible node, not per node)", () => {
  const yaml = scenarioYaml({ name: "deploy-global", seed: 2, duration: "1s" }, `
cluster:
  managers: {count: 3, runTasks: false}
  nodeGroups: [{name: w, count: 4, cpu: 2, memory: 4GiB}]
services: [{name: agent, mode: global}]
`);
  const run = new Run(parseScenario(yaml, "deploy.yaml"), { out: null });
  while (run.deploying) run.advance(500);
  expect(run.deployedShare).toBe(1);
});
