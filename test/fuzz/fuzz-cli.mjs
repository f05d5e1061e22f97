#!/usr/bin/env node
// npm run fuzz -- [--cases N] [--seed S]: the fuzzer (fuzz.test.ts) with more cases.
import { spawnSync } from "node:child_process";

const args = process.argv.slice(2);
const value = (flag, fallback) => {
  const i = args.indexOf(flag);
  return i >= 0 && args[i + 1] !== undefined ? args[i + 1] : fallback;
};
const cases = value("--cases", "1000");
const seed = value("--seed", String(Date.now() % 100000));
if (!/^\d+$/.test(cases) || !/^\d+$/.test(seed)) {
  process.stderr.write("usage: npm run fuzz -- [--cases N] [--seed S]\n");
  process.exit(2);
}
process.stdout.write(`fuzz: ${cases} cases, seed ${seed} (replay with --seed ${seed})\n`);
const r = spawnSync("npx", ["vitest", "run", "test/fuzz/fuzz.test.ts", "--testTimeout", "0"], {
  stdio: "inherit",
  env: { ...process.env, ORCHSIM_FUZZ_CASES: cases, ORCHSIM_FUZZ_SEED: seed },
});
process.exit(r.status ?? 1);
