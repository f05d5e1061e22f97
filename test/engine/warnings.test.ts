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
