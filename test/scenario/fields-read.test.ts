// Nothing silently ignored: every field of the normalised scenario (src/scenario/types.ts) must
// be read by some code outside src/scenario, which is where the simulation, its outputs and the
// CLI live. The check resolves every property access with TypeScript's own type checker, so a
// field is found by what it is, not by its name (`name` and `count` appear everywhere). A field
// no code reads must be reported as not simulated (engine/unsupported.ts) and listed here.
import * as path from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import { unsimulatedFields } from "../../src/engine/unsupported.js";
import { parseScenario } from "../../src/scenario/index.js";

const ROOT = path.resolve(import.meta.dirname, "../..");
const TYPES = path.join(ROOT, "src/scenario/types.ts");

/** Fields the model does not simulate, each with a scenario line that sets it and the note it must get. */
const NOTED: Record<string, { yaml: string; note: RegExp }> = {
  "NetworkSpec.attachable": { yaml: "networks: [{name: tools, attachable: true}]", note: /networks\[tools\]\.attachable/ },
};

/** Fields that say what the file is, or what the model takes for granted, with why no code reads them. */
const DESCRIPTIVE: Record<string, string> = {
  "Scenario.version": "the format's version, which the loader checks (only 1 exists)",
  "PortSpec.target": "the port the container listens on; the model takes every container to listen on its target port (README, model and its limits)",
};

/**
 * Scenario fields whose type is declared in another folder: the kernel's DistributionSpec (the
 * scenario's Distribution), and metrics' SloSpec, which metrics declares again to import nothing
 * of scenario/. A field read through the type there is read. [file, name there, scenario type].
 */
const TWINS: [string, string, string][] = [
  ["src/kernel/distributions.ts", "DistributionSpec", "Distribution"],
  ["src/metrics/windows.ts", "SloSpec", "SloSpec"],
];

function program(): ts.Program {
  const config = ts.getParsedCommandLineOfConfigFile(path.join(ROOT, "tsconfig.build.json"), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => undefined })!;
  return ts.createProgram({ rootNames: config.fileNames, options: { ...config.options, noEmit: true } });
}

/** "Interface.field" for every property an interface or type literal of the file declares (`rename` maps twins). */
function declaredFields(sf: ts.SourceFile, fields = new Map<ts.Node, string>(), rename = new Map<string, string>()): Map<ts.Node, string> {
  const visit = (node: ts.Node, owner: string): void => {
    if (ts.isInterfaceDeclaration(node) || ts.isTypeAliasDeclaration(node)) owner = rename.get(node.name.text) ?? node.name.text;
    if (ts.isPropertySignature(node) && ts.isIdentifier(node.name)) {
      fields.set(node, `${owner}.${node.name.text}`);
      owner = `${owner}.${node.name.text}`;
    }
    ts.forEachChild(node, (c) => visit(c, owner));
  };
  visit(sf, "");
  return fields;
}

describe("every scenario field is read by the simulation, its outputs or the CLI", () => {
  it("or is reported as not simulated", () => {
    const prog = program();
    const checker = prog.getTypeChecker();
    const fields = declaredFields(prog.getSourceFile(TYPES)!);
    const scenarioFields = new Set(fields.values());
    for (const [file, twin, as] of TWINS) {
      const there = declaredFields(prog.getSourceFile(path.join(ROOT, file))!, new Map(), new Map([[twin, as]]));
      // A scenario type that is only an alias of the one there (Distribution): its fields are scenario fields.
      const aliased = ![...scenarioFields].some((f) => f.startsWith(`${as}.`));
      for (const [node, f] of there) {
        fields.set(node, f);
        if (aliased && f.startsWith(`${as}.`)) scenarioFields.add(f);
      }
    }
    const read = new Set<string>();
    const mark = (sym: ts.Symbol | undefined): void => {
      if (!sym) return;
      for (const root of checker.getRootSymbols(sym)) for (const d of root.declarations ?? []) {
        const f = fields.get(d);
        if (f) read.add(f);
      }
    };
    // `const { mean, sd } = spec` reads spec's properties: find them on the destructured type.
    const destructured = (b: ts.BindingElement): ts.Symbol | undefined => {
      const key = b.propertyName ?? b.name;
      if (!ts.isObjectBindingPattern(b.parent) || !ts.isIdentifier(key)) return undefined;
      return checker.getTypeAtLocation(b.parent).getProperty(key.text);
    };
    // Reads by the code that writes the not-simulated notes do not count: they say it is ignored.
    const skip = (f: string): boolean => f.startsWith(path.join(ROOT, "src/scenario")) || ["unsupported.ts", "inert-settings.ts"].some((n) => f === path.join(ROOT, "src/engine", n));
    for (const sf of prog.getSourceFiles()) {
      if (sf.isDeclarationFile || !sf.fileName.startsWith(path.join(ROOT, "src")) || skip(sf.fileName)) continue;
      const walk = (node: ts.Node): void => {
        if (ts.isPropertyAccessExpression(node)) mark(checker.getSymbolAtLocation(node.name));
        else if (ts.isBindingElement(node)) mark(destructured(node));
        ts.forEachChild(node, walk);
      };
      walk(sf);
    }
    const unread = [...scenarioFields].filter((f) => !read.has(f));
    expect(unread.sort()).toEqual([...Object.keys(NOTED), ...Object.keys(DESCRIPTIVE)].sort());
  });

  for (const [field, { yaml, note }] of Object.entries(NOTED)) {
    it(`${field} is reported when a scenario sets it`, () => {
      const s = parseScenario(`version: 1\nname: n\nduration: 1m\nservices: [{name: web}]\n${yaml}\n`, "n.yaml");
      expect(unsimulatedFields(s).join("\n")).toMatch(note);
    });
  }
});
