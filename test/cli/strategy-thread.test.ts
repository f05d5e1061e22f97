// A user strategy module in its worker thread gives the run it gives in the simulator's own
// thread (README, "Writing a strategy"): the same placements and the same draws from ctx.random().
// The thread's body is JavaScript, so this test uses the build (dist/), as the CLI does.

import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import type { loadStrategies as LoadStrategies } from "../../src/cli/strategies.js";
import type { Run as RunClass } from "../../src/engine/run.js";
import type { PlacementStrategy } from "../../src/manager/scheduler/strategy.js";
import { parseScenario } from "../../src/scenario/index.js";
import { orchsim, ROOT, tempDir } from "./cli.js";
import { lineSink } from "../helpers.js";

const { loadStrategies } = (await import(path.join(ROOT, "dist/cli/strategies.js"))) as { loadStrategies: typeof LoadStrategies };
const { Run } = (await import(path.join(ROOT, "dist/engine/run.js"))) as { Run: typeof RunClass };

const RANDOM_PICK = `export default { name: "random-pick", choose(task, nodes, ctx) { return nodes[Math.floor(ctx.random() * nodes.length)]; } };\n`;

function run(file: string, strategies: ReadonlyMap<string, PlacementStrategy>): string {
  const lines: string[] = [];
  const r = new Run(parseScenario(fs.readFileSync(file, "utf8"), file), { out: null, events: lineSink(lines), strategies });
  while (!r.advance(2_000_000));
  return JSON.stringify(r.finish().summary) + lines.join("\n");
}

describe("a strategy module in its worker thread", () => {
  for (const [name, text] of [["the example least-loaded-zone", fs.readFileSync(path.join(ROOT, "examples/strategies/least-loaded-zone.js"), "utf8")], ["a random pick (ctx.random)", RANDOM_PICK]] as const) {
    it(`${name}: zone-failure's outputs are the same as in the main thread`, async () => {
      const dir = tempDir();
      fs.writeFileSync(path.join(dir, "s.js"), text);
      const file = path.join(dir, "zf.yaml");
      fs.writeFileSync(file, fs.readFileSync(path.join(ROOT, "scenarios/zone-failure.yaml"), "utf8").replace(/^cluster:$/m, "cluster:\n  scheduler: {strategy: ./s.js}"));
      const hosted = await loadStrategies(parseScenario(fs.readFileSync(file, "utf8"), file));
      if (typeof hosted === "string") throw new Error(hosted);
      const mod = (await import(path.join(dir, "s.js"))) as { default: PlacementStrategy };
      const inThread = new Map([["./s.js", { name: mod.default.name, choose: mod.default.choose.bind(mod.default) }]]);
      const a = run(file, hosted);
      expect(a).toContain('"kind":"task"');
      expect(run(file, inThread)).toBe(a);
    });
  }
});

describe("what a strategy module prints", () => {
  it("goes to stderr, every line, as the calls happen (not left in the thread when the run ends)", () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, "s.mjs"), `export default { name: "talk", choose(task, nodes) { console.log("placing", task.id); return nodes[0]; } };\n`);
    fs.writeFileSync(path.join(dir, "s.yaml"), "version: 1\nname: talk\nduration: 5s\ncluster:\n  scheduler: {strategy: ./s.mjs}\nservices: [{name: web, replicas: 9}]\n");
    const r = orchsim(["run", path.join(dir, "s.yaml"), "--out", path.join(dir, "o"), "--quiet"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe("");
    expect(r.stderr).toBe(Array.from({ length: 9 }, (_, i) => `placing web.${i + 1}.1\n`).join(""));
  });
});
