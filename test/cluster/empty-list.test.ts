import { describe, expect, it } from "vitest";
import { freezeSharedEmptyLists, sharedEmptyList } from "../../src/cluster/empty-list.js";
import { runFile } from "../helpers.js";

// The shared empty lists are not frozen (empty-list.ts says why), so nothing stops a holder from
// writing to one; a write would hand its item to every other holder. Frozen here, a write throws
// where it happens, inside these runs: they queue, serve, cancel and kill (heavy start-ups
// failing their health checks, a zone's nodes crashing), at several requests in service per
// container and at one, the default.
describe("the shared empty lists", () => {
  it("are never written to by runs that queue, serve, cancel and kill", () => {
    const made = sharedEmptyList<{ n: number }>(); // one of this file's own, to see the freeze hold
    freezeSharedEmptyLists();
    expect(() => made.push({ n: 1 })).toThrow(TypeError);
    const storm = runFile("scenarios/startup-storm.yaml");
    const alone = runFile("scenarios/startup-storm.yaml", ["services.web.runtime.concurrency=1", "duration=8m"]);
    const zone = runFile("scenarios/zone-failure.yaml");
    for (const r of [storm, alone]) expect(r.events.some((e) => e["kind"] === "task" && e["state"] === "failed")).toBe(true);
    expect(zone.events.some((e) => e["kind"] === "node" && e["status"] === "down")).toBe(true);
  });
});
