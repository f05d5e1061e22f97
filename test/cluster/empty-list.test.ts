import { describe, expect, it } from "vitest";
import { sharedEmptyList, sharedEmptyListsIntact } from "../../src/cluster/empty-list.js";
import { runFile } from "../helpers.js";

// The shared empty lists are not frozen (empty-list.ts says why), so nothing stops a holder from
// writing to one; a write would hand its item to every other holder. These runs queue, serve,
// cancel and kill: heavy start-ups failing their health checks, and a zone's nodes crashing.
describe("the shared empty lists", () => {
  it("are still empty after runs that queue, serve, cancel and kill", () => {
    const storm = runFile("scenarios/startup-storm.yaml");
    const zone = runFile("scenarios/zone-failure.yaml");
    expect(storm.events.some((e) => e["kind"] === "task" && e["state"] === "failed")).toBe(true);
    expect(zone.events.some((e) => e["kind"] === "node" && e["status"] === "down")).toBe(true);
    expect(sharedEmptyListsIntact()).toBe(true);
  });

  it("are reported when one was written to", () => {
    const list = sharedEmptyList<{ n: number }>();
    list.push({ n: 1 });
    expect(sharedEmptyListsIntact()).toBe(false);
    list.length = 0;
    expect(sharedEmptyListsIntact()).toBe(true);
  });
});
