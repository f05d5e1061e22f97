// The command users run is the bundle in dist/bin/ (scripts/bundle.mjs), built by the global setup
// as `npm install` builds it. What it must hold for the files it finds by its own URL.
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT } from "./cli.js";
import { stackText } from "../../src/cli/stack-text.js";

const SRC = path.join(ROOT, "src");
const BIN = path.join(ROOT, "dist/bin");

function sources(): string[] {
  return (fs.readdirSync(SRC, { recursive: true }) as string[]).filter((f) => f.endsWith(".ts")).map((f) => path.join(SRC, f));
}

describe("the bundled command", () => {
  it("ships, in package.json's files, every top-level folder the README points users to", () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as { files: string[] };
    const readme = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");
    for (const folder of ["assets", "scenarios", "examples"]) {
      expect(readme.includes(`${folder}/`), folder).toBe(true);
      expect(pkg.files, folder).toContain(folder);
    }
  });

  it("is package.json's bin, executable", () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as { bin: Record<string, string> };
    expect(pkg.bin).toEqual({ orchsim: "dist/bin/main.js" });
    expect(fs.statSync(path.join(ROOT, pkg.bin["orchsim"]!)).mode & 0o111).not.toBe(0);
  });

  it("has, next to every module, each worker body that a module starts by its own URL", () => {
    const wanted: string[] = [];
    for (const file of sources()) {
      for (const m of fs.readFileSync(file, "utf8").matchAll(/new URL\(\s*["'`]\.\/([^"'`]+\.js)["'`]\s*,\s*import\.meta\.url/g)) wanted.push(m[1]!);
    }
    expect(wanted.sort()).toEqual(["csv-thread.js", "strategy-thread.js", "sweep-worker.js"]);
    for (const name of wanted) expect(fs.existsSync(path.join(BIN, name)), `dist/bin/${name}`).toBe(true);
  });

  it("keeps every chunk in dist/bin/ itself, two folders below the package root", () => {
    const nested = (fs.readdirSync(BIN, { withFileTypes: true })).filter((d) => d.isDirectory()).map((d) => d.name);
    expect(nested).toEqual([]);
  });
});

describe("a stack from the bundle", () => {
  it("says how to see its frames as src/ lines, and a stack from elsewhere is left as it is", () => {
    const bundled = new Error("boom");
    bundled.stack = "Error: boom\n    at f (file:///x/dist/bin/chunk-ABC.js:1:2)";
    expect(stackText(bundled)).toBe(`${bundled.stack}\n    (lines of the bundled command: run with NODE_OPTIONS=--enable-source-maps to see them in src/)`);
    const plain = new Error("boom");
    plain.stack = "Error: boom\n    at f (file:///x/src/a.ts:1:2)";
    expect(stackText(plain)).toBe(plain.stack);
    expect(stackText("text")).toBe("text");
  });
});
