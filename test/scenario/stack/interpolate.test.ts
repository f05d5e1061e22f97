// ${VAR} interpolation in stack files, as Compose does it: the substitution rules on their own,
// then through the loader (values become numbers where Compose wants numbers, errors point at the
// value in the stack file, an env file is read and the given variables win over it).

import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { parseScenario, ScenarioError } from "../../../src/scenario/index.js";
import { substitute } from "../../../src/scenario/stack/interpolate.js";
import { errorOf, folders, stackScenarioYaml, service, SCENARIO, STACK, type Vars } from "./helpers.js";

const text = (t: string, env: Vars = {}): string => substitute(t, env).text;
const invalid = (t: string): string => `invalid interpolation format in ${JSON.stringify(t)} (write $$ for a literal $)`;

describe("substitute", () => {
  test("$VAR and ${VAR}", () => {
    expect(substitute("$TAG", { TAG: "2" })).toEqual({ text: "2", unset: [] });
    expect(substitute("web:${TAG}-x", { TAG: "2" })).toEqual({ text: "web:2-x", unset: [] });
    // A bare name ends at the first character that cannot be in a name.
    expect(text("$A-b.$B_1c", { A: "1", B_1c: "2" })).toBe("1-b.2");
    expect(text("no variables here")).toBe("no variables here");
  });

  test("an unset variable reads as empty text and is reported in `unset`", () => {
    expect(substitute("a${X}b$Y", {})).toEqual({ text: "ab", unset: ["X", "Y"] });
    // Set but empty is set: nothing to report.
    expect(substitute("a${X}b", { X: "" })).toEqual({ text: "ab", unset: [] });
  });

  test("${VAR:-default} when unset or empty; ${VAR-default} only when unset", () => {
    expect(text("${V:-d}", {})).toBe("d");
    expect(text("${V:-d}", { V: "" })).toBe("d");
    expect(text("${V:-d}", { V: "v" })).toBe("v");
    expect(text("${V-d}", {})).toBe("d");
    expect(text("${V-d}", { V: "" })).toBe("");
    expect(text("${V-d}", { V: "v" })).toBe("v");
    // A variable with a default is not reported as unset.
    expect(substitute("${V:-d}${W-e}", {}).unset).toEqual([]);
    // The default may be empty.
    expect(substitute("x${V:-}y", {})).toEqual({ text: "xy", unset: [] });
  });

  test("${VAR:?message} fails when unset or empty; ${VAR?message} only when unset", () => {
    expect(() => substitute("${X:?need X}", {})).toThrow("required variable X is missing a value: need X");
    expect(() => substitute("${X:?need X}", { X: "" })).toThrow("required variable X is missing a value: need X");
    expect(text("${X:?need X}", { X: "x" })).toBe("x");
    expect(() => substitute("${X?need X}", {})).toThrow("required variable X is missing a value: need X");
    expect(text("${X?need X}", { X: "" })).toBe("");
    // Without a message, the sentence ends at the name; a message may hold variables itself.
    expect(() => substitute("${X:?}", {})).toThrow(/^required variable X is missing a value$/);
    expect(() => substitute("${X:?set it, $WHO}", { WHO: "Ann" })).toThrow("required variable X is missing a value: set it, Ann");
  });

  test("${VAR:+other} when set and not empty; ${VAR+other} when set", () => {
    expect(text("${V:+x}", { V: "v" })).toBe("x");
    expect(text("${V:+x}", { V: "" })).toBe("");
    expect(text("${V:+x}", {})).toBe("");
    expect(text("${V+x}", { V: "v" })).toBe("x");
    expect(text("${V+x}", { V: "" })).toBe("x");
    expect(text("${V+x}", {})).toBe("");
    expect(substitute("${V:+x}${V+y}", {}).unset).toEqual([]);
  });

  test("$$ is a literal $, never the start of a variable", () => {
    expect(substitute("$$HOME", {})).toEqual({ text: "$HOME", unset: [] });
    expect(text("cost: 5$$", {})).toBe("cost: 5$");
    expect(text("$${V}", { V: "v" })).toBe("${V}");
    expect(text("${V:-$$}", {})).toBe("$");
  });

  test("nested defaults, evaluated only when needed", () => {
    expect(text("${A:-${B:-z}}", {})).toBe("z");
    expect(text("${A:-${B:-z}}", { B: "b" })).toBe("b");
    expect(text("${A:-${B:-z}}", { A: "a", B: "b" })).toBe("a");
    expect(substitute("${A:-${B}}", {})).toEqual({ text: "", unset: ["B"] });
    // The default is not looked at when A is set: B is not reported.
    expect(substitute("${A:-${B}}", { A: "a" })).toEqual({ text: "a", unset: [] });
    expect(text("x${A:-[${B:-y}]}z", {})).toBe("x[y]z");
  });

  test.each(["${", "web:${TAG", "$ ", "a $", "${A!}", "${}", "${1A}", "$1", "${A:}", "${ A}"])("%j is not a valid template", (t) => {
    expect(() => substitute(t, { A: "a" })).toThrow(invalid(t));
  });
});

const write = folders();

/** `stack` in a fresh folder, and the scenario around it given to parseScenario as text. */
function parse(stack: string, env: Vars, envFile?: string): { s: ReturnType<typeof parseScenario>; dir: string } {
  const dir = write({ [STACK]: stack });
  const options = envFile === undefined ? { env } : { env, envFile };
  return { s: parseScenario(stackScenarioYaml(), join(dir, SCENARIO), [], options), dir };
}

const WEB = `version: "3.8"
services:
  web:
    image: web:\${TAG:-1}
    deploy:
      replicas: \${N:-2}
    ports: ["\${PORT:-80}:8080"]
`;

describe("through the loader", () => {
  test("a default, then the variable; numbers where Compose wants numbers; lists too", () => {
    const plain = service(parse(WEB, {}).s, "web");
    expect([plain.image.name, plain.replicas, plain.ports[0]?.published]).toEqual(["web:1", 2, 80]);
    const set = service(parse(WEB, { TAG: "2", N: "4", PORT: "8000" }).s, "web");
    expect([set.image.name, set.replicas, set.ports[0]?.published]).toEqual(["web:2", 4, 8000]);
  });

  test("replicas: ${N}", () => {
    const { s } = parse(`services:\n  web:\n    image: web:1\n    deploy:\n      replicas: \${N}\n`, { N: "4" });
    expect(service(s, "web").replicas).toBe(4);
    expect(s.notes).toEqual([]);
  });

  test("an unset variable without a default is a note, as Compose warns", () => {
    const { s, dir } = parse(`services:\n  web:\n    image: web:\${TAG}\n`, {});
    const file = join(dir, STACK);
    expect(service(s, "web").image.name).toBe("web:");
    expect(s.notes).toEqual([`${file}:3: \${TAG}: the variable is not set; it reads as empty text (as in Compose) (service web)`]);
  });

  test("${X:?need X} is an error at the value in the stack file, with its Compose path", () => {
    const dir = write({ [STACK]: `services:\n  web:\n    image: "\${X:?need X}"\n` });
    const e = errorOf(() => parseScenario(stackScenarioYaml(), join(dir, SCENARIO), [], { env: {} }));
    expect(e.issues).toEqual([
      { file: join(dir, STACK), line: 3, col: 12, path: "services.web.image", message: "required variable X is missing a value: need X" },
    ]);
  });

  test("an invalid template is an error at its value", () => {
    const dir = write({ [STACK]: `services:\n  web:\n    image: web:1\n    deploy:\n      labels: ["a=\${"]\n` });
    const e = errorOf(() => parseScenario(stackScenarioYaml(), join(dir, SCENARIO), [], { env: {} }));
    expect(e.message).toBe(`${join(dir, STACK)}:5:16 services.web.deploy.labels.0: ${invalid("a=${")}`);
  });

  test("an env file is read, and `env` wins over it", () => {
    const dir = write({ "vars.env": "TAG=7\nN=3\n" });
    const envFile = join(dir, "vars.env");
    const fromFile = service(parse(WEB, {}, envFile).s, "web");
    expect([fromFile.image.name, fromFile.replicas]).toEqual(["web:7", 3]);
    const both = service(parse(WEB, { TAG: "2" }, envFile).s, "web");
    expect([both.image.name, both.replicas]).toEqual(["web:2", 3]);
  });

  test("a missing env file is an error naming it", () => {
    const dir = write({ [STACK]: WEB });
    const envFile = join(dir, "nope.env");
    const e = errorOf(() => parseScenario(stackScenarioYaml(), join(dir, SCENARIO), [], { env: {}, envFile }));
    expect(e).toBeInstanceOf(ScenarioError);
    expect(e.message).toBe(`${envFile}:1:1 cannot read the env file: no such file`);
  });

  test("envFile without a stack changes nothing", () => {
    const dir = write({ "vars.env": "TAG=7\n" });
    const s = parseScenario(
      "version: 1\nname: x\nduration: 1m\nservices: [{name: web, image: {name: \"web:${TAG}\"}}]\n",
      join(dir, SCENARIO),
      [],
      { env: {}, envFile: join(dir, "vars.env") },
    );
    // The scenario itself is not interpolated: only stack files are.
    expect(service(s, "web").image.name).toBe("web:${TAG}");
  });
});
