// The README's events table on a rollingUpdate that changes no field: writing the event asks for
// the tasks to be replaced (docker service update --force); `force: false` does what Swarm does
// without --force, nothing.
import { describe, expect, it } from "vitest";
import { eventsOf, runFile } from "../helpers.js";

/** Tasks of web that a run created after `t_s` (state new). */
function newWebTasks(overrides: string[], afterS: number): number {
  const { events } = runFile("scenarios/hello-cluster.yaml", ["duration=2m", ...overrides]);
  return eventsOf(events, "task", { state: "new", service: "web" }).filter((e) => (e["t_s"] as number) > afterS).length;
}

describe("a rollingUpdate that changes no field", () => {
  it("replaces every task, as --force does; with force: false, none (walkthrough: the table did not say which)", () => {
    const web = runFile("scenarios/hello-cluster.yaml", ["duration=1s", "events=[]"]).summary.services["web"]!.tasks_desired;
    expect(web).toBeGreaterThan(1);
    expect(newWebTasks(["events=[{at: 60s, rollingUpdate: {service: web}}]"], 60)).toBe(web);
    expect(newWebTasks(["events=[{at: 60s, rollingUpdate: {service: web, force: false}}]"], 60)).toBe(0);
    expect(newWebTasks(["events=[]"], 60)).toBe(0);
  });
});
