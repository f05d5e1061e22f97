import { readFileSync } from "node:fs";
const { loadScenarioFile } = await import("/work/main/dist/scenario/index.js");
const { Run } = await import("/work/main/dist/engine/run.js");
const args = JSON.parse(readFileSync(process.argv[2], "utf8"));
const ov = []; for (let i = 0; i < args.length; i += 2) ov.push(args[i + 1]);
const sc = loadScenarioFile("/work/main/bench/scenarios/scale.yaml", ov);
let lines = 0;
const run = new Run(sc, { out: null, events: { write() { lines++; }, close() {} }, checks: false });
let peak = 0;
while (true) { globalThis.lastHeld = run.world.recorder["held"]?.length ?? globalThis.lastHeld; const done = run.advance(20000); const h = process.memoryUsage().heapUsed; if (h > peak) peak = h; if (done) break; if (lines > 0) break; }
console.log("lines written", lines, "held", globalThis.lastHeld);
globalThis.gc(); console.log("heap after deploy MiB", (process.memoryUsage().heapUsed / 2 ** 20).toFixed(0), "peak seen", (peak / 2 ** 20).toFixed(0));
