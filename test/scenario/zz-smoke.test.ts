import { test } from "vitest";
import { writeFileSync } from "node:fs";
import { parseScenario } from "../../src/scenario/index.js";
import { ROWS, BASE, CLUSTER } from "./zz-rows.js";
const lit = (s: string) => JSON.stringify(s);
test("gen", () => {
  const out: string[] = [];
  for (const [name, text, sets] of ROWS) {
    let msg = "OK";
    try { parseScenario(text, "bad.yaml", sets); } catch (e) { msg = (e as Error).message; }
    let yaml = lit(text);
    if (text.startsWith(BASE)) yaml = "BASE + " + lit(text.slice(BASE.length));
    else if (text.startsWith(CLUSTER)) yaml = "CLUSTER + " + lit(text.slice(CLUSTER.length));
    out.push(`  {\n    name: ${lit(name)},\n    yaml: ${yaml},${sets.length ? `\n    set: ${JSON.stringify(sets)},` : ""}\n    message: [\n${msg.split("\n").map(l => "      " + lit(l) + ",").join("\n")}\n    ],\n  },`);
  }
  writeFileSync("/tmp/rows-gen.txt", out.join("\n"));
});
