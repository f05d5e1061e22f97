// Every folder of src/ states in its index.ts which other folders it may import
// (`// orchsim-imports: a, b`), and no file in it imports anything else of orchsim.

import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";

const SRC = path.resolve(import.meta.dirname, "../src");
const FOLDERS = fs.readdirSync(SRC, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort();

function filesOf(dir: string): string[] {
  return (fs.readdirSync(dir, { recursive: true }) as string[]).filter((f) => f.endsWith(".ts")).map((f) => path.join(dir, f));
}

describe("the layout", () => {
  for (const folder of FOLDERS) {
    it(`src/${folder} imports only what its index.ts allows`, () => {
      const index = path.join(SRC, folder, "index.ts");
      expect(fs.existsSync(index), `src/${folder}/index.ts`).toBe(true);
      const rule = /^\/\/ orchsim-imports: (.*)$/m.exec(fs.readFileSync(index, "utf8"));
      expect(rule, `src/${folder}/index.ts has no "// orchsim-imports:" line`).not.toBeNull();
      const allowed = new Set(rule![1]!.split(",").map((s) => s.trim()).filter((s) => s !== "" && s !== "(nothing)"));
      for (const a of allowed) expect(FOLDERS, `src/${folder} allows a folder that does not exist`).toContain(a);
      const wrong: string[] = [];
      for (const file of filesOf(path.join(SRC, folder))) {
        for (const m of fs.readFileSync(file, "utf8").matchAll(/(?:from|import)\s*\(?\s*"(\.[^"]+)"/g)) {
          const target = path.relative(SRC, path.resolve(path.dirname(file), m[1]!)).split(path.sep)[0]!;
          if (target !== folder && !allowed.has(target)) wrong.push(`${path.relative(SRC, file)} imports ${m[1]}`);
        }
      }
      expect(wrong).toEqual([]);
    });
  }
});

describe("files found by a module's own URL", () => {
  // The bundled command (scripts/bundle.mjs) puts every module in dist/bin/, two folders below
  // the package root; a module that finds a package file through "../" (or by its own folder's
  // name) must sit at that depth in src/ too, or the path that works in src/ and dist/ misses in
  // the bundle. (Resolving a package through createRequire is fine from anywhere.)
  it("are looked up only from files two folders below the package root", () => {
    const wrong: string[] = [];
    for (const file of filesOf(SRC)) {
      const text = fs.readFileSync(file, "utf8");
      if (!/new URL\(\s*[`"']\.\.[^)]*import\.meta\.url|import\.meta\.(dirname|filename|resolve)/.test(text)) continue;
      const depth = path.relative(path.dirname(SRC), file).split(path.sep).length - 1;
      if (depth !== 2) wrong.push(path.relative(SRC, file));
    }
    expect(wrong).toEqual([]);
  });
});
