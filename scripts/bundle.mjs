// Bundles the `orchsim` command into dist/bin/ (esbuild): main.js, the three worker-thread bodies
// it starts, and the chunks they share, with the dependencies inside.
//
// Why: Node's ESM loader resolves, reads and links each module on its own. Unbundled, `orchsim run`
// loaded 156 modules (139 of ours) and its dependencies' CommonJS files in 150-200 ms before a run
// started; bundled, it loaded 16 files in about 50 ms (21 files now).
//
// Every chunk lands in dist/bin/ itself, two folders below the package root, as every source
// file that finds a file by its own URL is below src/ (test/layout.test.ts holds them there).
import * as esbuild from "esbuild";
import * as fs from "node:fs";

fs.rmSync("dist/bin", { recursive: true, force: true }); // no chunk of an earlier build left behind
await esbuild.build({
  entryPoints: ["src/cli/main.ts", "src/cli/sweep-worker.ts", "src/cli/strategy-thread.ts", "src/metrics/csv-thread.ts"],
  outdir: "dist/bin",
  // Flat: every entry and chunk in dist/bin/ itself, wherever its source is (a worker's body is
  // found as "./<name>.js" next to the module that starts it; test/cli/bundle.test.ts).
  entryNames: "[name]",
  chunkNames: "chunk-[hash]",
  bundle: true,
  splitting: true, // each command's module still loads only when that command runs (main.ts)
  format: "esm",
  platform: "node",
  target: "node20",
  sourcemap: "linked",
  // piscina starts its own worker script from its package folder; ajv is loaded only for stack
  // files, through createRequire (scenario/stack/schema.ts); the sketch library's protobuf
  // encoding is a dependency we never call.
  external: ["piscina", "ajv", "protobufjs/minimal"],
  // The CommonJS dependencies (commander, yaml, seedrandom, ...) call require() for Node's own modules.
  banner: { js: "import { createRequire as __orchsimRequire } from 'node:module'; const require = __orchsimRequire(import.meta.url);" },
  logLevel: "warning",
});
fs.chmodSync("dist/bin/main.js", 0o755);
// Before the bundle, the command was dist/cli/main.js, and npx keeps its own link to the bin it
// first saw in a project folder (~/.npm/_npx): left without its execute bit (tsc writes it
// without one), that old link would fail with "Permission denied" after an upgrade.
fs.chmodSync("dist/cli/main.js", 0o755);
