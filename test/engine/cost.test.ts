// The cost estimate's count of the tasks faults replace (engine/cost.ts): what a user's fault
// costs must show in the estimate, and a fault that can strike only once must count once.

import { describe, expect, it } from "vitest";
import { estimateCost } from "../../src/engine/cost.js";
import { parseScenario } from "../../src/scenario/index.js";
import { scenarioYaml } from "../helpers.js";

/** 4 workers (managers run no tasks), 40 replicated tasks and one global service (4 tasks), and `events`. */
function tasksPart(events: string, groups = "[{name: w, count: 4, cpu: 4, memory: 8GiB}]"): number {
  const text = scenarioYaml(
    { duration: "10m" },
    `cluster:
  managers: {count: 1, runTasks: false}
  nodeGroups: ${groups}
services:
  - {name: web, replicas: 40}
  - {name: agent, mode: global}
events:
${events}`,
  );
  const est = estimateCost(parseScenario(text, "t.yaml"));
  return est.parts.find((p) => p.what.startsWith("tasks"))!.events / 15;
}

describe("the tasks a fault replaces, in the cost estimate", () => {
  const deployed = 40 + 4; // the global service runs on the 4 workers, not on the manager
  it("counts a node failure's share of the replicated tasks, among the nodes that run tasks", () => {
    expect(tasksPart("  - {at: 1m, nodeFailure: {nodes: [w-1]}}")).toBe(deployed + 10);
    expect(tasksPart("  - {at: 1m, nodeFailure: {nodes: [w-1, w-2]}}")).toBe(deployed + 20);
  });

  it("counts a recurring failure's replicated tasks once (its nodes come back empty), and its global tasks at each recovery", () => {
    expect(tasksPart("  - {at: 1m, every: 2m, times: 3, nodeFailure: {nodes: [w-1], recoverAfter: 30s}}")).toBe(deployed + 10 + 3);
    expect(tasksPart("  - {at: 1m, every: 2m, times: 3, nodeFailure: {nodes: [w-1]}}")).toBe(deployed + 10);
  });

  it("counts a zone's nodes for a zone failure, as the cluster starts", () => {
    expect(tasksPart("  - {at: 1m, nodeFailure: {zones: [default]}}")).toBe(deployed + 40);
    // A node named and in a named zone counts once; the manager, which runs no tasks, not at all.
    const zoned = "[{name: w, count: 2, cpu: 4, memory: 8GiB, zone: z}, {name: v, count: 2, cpu: 4, memory: 8GiB}]";
    expect(tasksPart("  - {at: 1m, nodeFailure: {nodes: [w-1, manager-1], zones: [z]}}", zoned)).toBe(deployed + 20);
  });

  it("counts no tasks for a manager that runs none", () => {
    expect(tasksPart("  - {at: 1m, nodeFailure: {nodes: [w-1, manager-1]}}")).toBe(deployed + 10);
  });

  it("counts a removal once, a drain's node, and a restartAll's whole service each time", () => {
    expect(tasksPart("  - {at: 1m, every: 2m, times: 3, removeNodes: {nodes: [w-1]}}")).toBe(deployed + 10);
    expect(tasksPart("  - {at: 1m, drain: {node: w-2}}")).toBe(deployed + 10);
    expect(tasksPart("  - {at: 1m, every: 2m, times: 2, restartAll: {service: web}}")).toBe(deployed + 80);
  });

  it("counts nothing for a fault that moves no task", () => {
    expect(tasksPart("  - {at: 1m, killLeader: {restartAfter: 10s}}")).toBe(deployed);
  });
});
