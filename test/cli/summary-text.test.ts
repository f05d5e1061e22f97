// The terminal summary says when a network ran out of addresses: tasks left NEW are otherwise
// invisible there (requests may all succeed on the tasks that did get an address).
import { describe, expect, it } from "vitest";
import { summaryText } from "../../src/cli/summary-text.js";
import { runYaml } from "../helpers.js";

describe("summary text", () => {
  it("names a network that ran out, with what failed", () => {
    const out = runYaml(`version: 1
name: full
duration: 1m
cluster:
  managers: {count: 1, runTasks: false}
  nodeGroups: [{name: w, count: 2, cpu: 8, memory: 16GiB}]
networks: [{name: back, subnet: 10.0.9.0/28}]
services:
  - {name: web, replicas: 20, networks: [back], ports: [{published: 80, target: 80}]}
workload:
  - {name: u, service: web, rate: 10/s}
`);
    const text = summaryText(out.summary, out.nodes, null, 1);
    expect(text).toMatch(/network back \(10\.0\.9\.0\/28, 13 addresses\) ran out: 10 task\(s\), VIP\(s\) or node endpoint\(s\) got no address/);
    expect(text).not.toMatch(/network ingress/);
  });
});
