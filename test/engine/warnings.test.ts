// Settings that cannot matter in a scenario are said, not silently ignored.
import { describe, expect, it } from "vitest";
import { scenarioWarnings } from "../../src/engine/unsupported.js";
import { parseScenario } from "../../src/scenario/index.js";
import { scenarioYaml } from "../helpers.js";

const base = scenarioYaml({ name: "w", duration: "1m" }, `
cluster:
  nodeGroups: [{name: a, count: 1, cpu: 2, memory: 4GiB}]
services: [{name: web}]
`);

describe("scenario warnings", () => {
  it("a registry when no image has a size, an encryption cost with no encrypted network, zone links with one zone", () => {
    const s = parseScenario(base, "w.yaml", [
      "cluster.registry.bandwidth=1Gbps",
      "cluster.network.encryptionCpuPerGB=2s",
      "cluster.network.crossZoneBandwidth=1Gbps",
    ]);
    const w = scenarioWarnings(s).join("\n");
    expect(w).toMatch(/cluster\.registry changes nothing/);
    expect(w).toMatch(/encryptionCpuPerGB changes nothing/);
    expect(w).toMatch(/crossZoneBandwidth changes nothing/);
  });

  it("says nothing when they act, or are left at their defaults", () => {
    expect(scenarioWarnings(parseScenario(base, "w.yaml"))).toEqual([]);
    const s = parseScenario(base, "w.yaml", [
      "cluster.registry.bandwidth=1Gbps",
      "services.web.image={name: web:1, size: 1GB}",
      "cluster.network.encryptionCpuPerGB=2s",
      "networks=[{name: default, encrypted: true}]",
    ]);
    expect(scenarioWarnings(s)).toEqual([]);
  });
});

describe("a loadSpike below its workload's rate", () => {
  const withSpike = (base: string, spike: string) =>
    parseScenario(scenarioYaml({ name: "w", duration: "5m" }, `
services: [{name: web, ports: [{published: 80, target: 80}]}]
workload: [{name: users, service: web, rate: ${base}}]
events: [{at: 2m, loadSpike: {workload: users, rate: ${spike}, duration: 1m}}]
`), "w.yaml");

  it("is said to be a dip, with both rates", () => {
    expect(scenarioWarnings(withSpike("900/s", "450/s"))).toEqual(["the loadSpike at 120 s takes users down from 900/s to 450/s: a rate below the workload's own is a dip"]);
  });

  it("says nothing of a spike above it", () => {
    expect(scenarioWarnings(withSpike("100/s", "450/s"))).toEqual([]);
  });
});
