// A scenario's notes as the commands print them: the same prefix from validate and from run.
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { orchsim, tempDir } from "./cli.js";

const GPUS = `version: 1
name: gpus
duration: 10s
services:
  - name: web
    replicas: 1
    resources: {reservations: {generic: {gpu: 1000000000}}}
`;
const NOTE = "note: services[web]: no node can ever hold one of its tasks (it reserves gpu 1000000000, and no node has more than 0), so its tasks stay pending for the whole run\n";

describe("a scenario's notes", () => {
  it("are prefixed note: by run, before it starts, as validate prints them (walkthrough: run said orchsim:)", () => {
    const dir = tempDir();
    const file = path.join(dir, "s.yaml");
    fs.writeFileSync(file, GPUS);
    expect(orchsim(["validate", file]).stdout).toContain(NOTE);
    const run = orchsim(["run", file, "--out", path.join(dir, "o")]);
    expect(run.code).toBe(0);
    expect(run.stderr).toBe(NOTE);
    expect(run.stdout).not.toContain("no node can ever hold"); // said once: the summary leaves out what was shown
  });
});
