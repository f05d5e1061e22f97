// Shared by the stack tests: stack files and the scenario around them are written into a fresh
// temporary folder per case, and loaded with an explicit `env` so that no test reads the
// machine's environment.

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll } from "vitest";
import { scenarioYaml } from "../../helpers.js";
import { loadScenarioFile, ScenarioError, type Scenario, type ServiceSpec } from "../../../src/scenario/index.js";

export type Files = Readonly<Record<string, string>>;
export type Vars = Readonly<Record<string, string>>;

export const MS = 1_000;
export const S = 1_000_000;
export const MIB = 2 ** 20;
export const GIB = 2 ** 30;

/** The scenario file every case loads. */
export const SCENARIO = "s.yaml";
/** The stack file most cases write. */
export const STACK = "docker-stack.yml";

/**
 * The smallest scenario around a stack: `stack` is written as given (a file name, or a list),
 * `rest` is appended (a `services:` list, `events:`, ...).
 */
export function stackScenarioYaml(stack: string | readonly string[] = `./${STACK}`, rest = ""): string {
  const ref = typeof stack === "string" ? stack : `[${stack.join(", ")}]`;
  return scenarioYaml(
    { name: "stack-test", duration: "10m" },
    `stack: ${ref}
cluster:
  managers: {count: 3}
  nodeGroups: [{name: w, count: 3, cpu: 4, memory: 8GiB}]
${rest}`,
  );
}

/**
 * Returns a writer: each call makes a new folder (under one temporary root, removed after the
 * test file) holding `files`, and returns the folder. Call at the top of a test file.
 */
export function folders(): (files: Files) => string {
  const root = mkdtempSync(join(tmpdir(), "orchsim-stackfiles-"));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  let n = 0;
  return (files) => {
    const dir = join(root, String(n++));
    mkdirSync(dir);
    for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
    return dir;
  };
}

/** Loads `dir`/s.yaml with the given variables (never the process environment). */
export function load(dir: string, env: Vars = {}, overrides: readonly string[] = []): Scenario {
  return loadScenarioFile(join(dir, SCENARIO), overrides, { env });
}

/** The ScenarioError `f` throws; fails the test when it throws nothing or something else. */
export function errorOf(f: () => unknown): ScenarioError {
  try {
    f();
  } catch (e) {
    if (e instanceof ScenarioError) return e;
    throw e;
  }
  throw new Error("the scenario was accepted");
}

export function service(s: Scenario, name: string): ServiceSpec {
  const found = s.services.find((x) => x.name === name);
  if (found === undefined) throw new Error(`no service ${name} (have ${s.services.map((x) => x.name).join(", ")})`);
  return found;
}
