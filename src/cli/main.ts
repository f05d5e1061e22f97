#!/usr/bin/env node
import { Command, CommanderError } from "commander";
import { orchsimVersion } from "./version.js";
import { MAX_EVENTS_HELP } from "./cost-guard.js";
import { installStopHandlers } from "../metrics/output.js";
import { tuneHeap } from "./heap.js";
import { stackText } from "./stack-text.js";

// Each command's module is imported when the command runs: a process loads only what it uses
// (`run` has no use for the report's CSV parser or the sweep's thread pool), and start-up is
// part of every short run's wall time.

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** Help text for a command: examples a user can copy. */
function examples(...lines: string[]): string {
  return `\nExamples:\n${lines.map((l) => `  $ ${l}`).join("\n")}\n`;
}

/** Exit codes: 0 ok, 1 a failure inside the simulation, 2 bad input or usage. */
async function main(argv: string[]): Promise<number> {
  const program = new Command();
  program
    .name("orchsim")
    .description("Deterministic discrete-event simulator of a Docker Swarm cluster")
    .version(orchsimVersion())
    .addHelpText("after", examples("orchsim run scenarios/hello-cluster.yaml", "orchsim run --help"))
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });
  let code = 0;
  program
    .command("run")
    .description("simulate a scenario and write its outputs")
    .argument("<scenario>", "scenario file (YAML)")
    .option("--seed <n>", "override the scenario's seed")
    .option("--set <path=value>", "override a field (repeatable), e.g. services.web.replicas=6", collect, [])
    .option("--out <dir>", "output directory (default out/<scenario name>)")
    .option("-q, --quiet", "print nothing but errors")
    .option("--env-file <file>", "KEY=VALUE lines for ${VAR} in the scenario's stack files (the environment wins over them)")
    .option("--report", "also write report.html (charts and tables that open offline in a browser) and story.md (what happened, fault by fault)")
    .option("--max-events <n>", MAX_EVENTS_HELP)
    .option("--no-checks", "do not check the invariants live (leaders, tasks, placement, requests): for benchmarks")
    .addHelpText("after", examples("orchsim run scenarios/startup-storm.yaml --report", "orchsim run scenarios/zone-failure.yaml --seed 7 --out results/seed7", "orchsim run scenarios/hello-cluster.yaml --set services.web.replicas=6 --set workload.users.rate=900/s"))
    .action(async (file: string, opts: { seed?: string; set: string[]; out?: string; quiet?: boolean; report?: boolean; envFile?: string; maxEvents?: string; checks: boolean }) => {
      code = await (await import("./run-command.js")).runCommand(file, opts);
    });
  program
    .command("validate")
    .description("check a scenario and explain every problem found")
    .argument("<scenario>", "scenario file (YAML)")
    .option("--set <path=value>", "override a field (repeatable)", collect, [])
    .option("--env-file <file>", "KEY=VALUE lines for ${VAR} in the scenario's stack files (the environment wins over them)")
    .addHelpText("after", examples("orchsim validate scenarios/startup-storm.yaml", "orchsim validate my.yaml --set services.web.replicas=0"))
    .action(async (file: string, opts: { set: string[]; envFile?: string }) => {
      code = await (await import("./validate-command.js")).validateCommand(file, opts);
    });
  program
    .command("import")
    .description("write a starter scenario for a Compose / docker stack deploy file; the stack stays the source of truth")
    .argument("<stack...>", "stack files (docker-stack.yml), merged in order as repeated -c flags are")
    .option("-o, --output <scenario>", "where to write the scenario (default: standard output)")
    .option("--env-file <file>", "KEY=VALUE lines for ${VAR} in the stack (the environment wins over them)")
    .option("--force", "overwrite the output file")
    .addHelpText("after", examples("orchsim import examples/stacks/webshop/docker-stack.yml -o my-shop.yaml && orchsim run my-shop.yaml --report", "orchsim import docker-stack.yml docker-stack.prod.yml --env-file prod.env -o prod.yaml", "orchsim run examples/stacks/webshop/webshop.yaml --report"))
    .action(async (stacks: string[], opts: { output?: string; envFile?: string; force?: boolean }) => {
      code = (await import("./import-command.js")).importCommand(stacks, opts);
    });
  program
    .command("report")
    .description("write report.html and story.md into the output directory of a finished run, or sweep-report.html into a sweep's")
    .argument("<outdir>", "a run's output directory, or a sweep's (orchsim sweep or merge)")
    .option("--compare <other>", "another run's output directory: what changed, and its p99 on the latency charts")
    .addHelpText("after", examples("orchsim run scenarios/zone-failure.yaml && orchsim report out/zone-failure", "orchsim report out/a --compare out/b", "orchsim report out/zone-failure-sweep"))
    .action(async (dir: string, opts: { compare?: string }) => {
      code = await (await import("./report-command.js")).reportCommand(dir, opts.compare);
    });
  program
    .command("compare")
    .description("what changed between two runs, per service and per fault")
    .argument("<a>", "the first run's output directory")
    .argument("<b>", "the second run's output directory")
    .addHelpText("after", examples("orchsim run scenarios/zone-failure.yaml --out a && orchsim run scenarios/zone-failure.yaml --set cluster.nodeGroups.a.count=5 --out b && orchsim compare a b"))
    .action(async (a: string, b: string) => {
      code = (await import("./compare-command.js")).compareCommand(a, b);
    });
  program
    .command("sweep")
    .description("run a scenario over several seeds and variants; mean ± 95% CI and paired differences")
    .argument("<scenario>", "scenario file (YAML)")
    .option("--seeds <seeds>", "a count (10 = seeds 1-10), a range (5-14) or a list (1,7,9)", "10")
    .option("--vary <path=a,b>", "a field (or fields joined by commas, set together) and the values to compare (repeatable: all combinations)", collect, [])
    .option("--set <path=value>", "override a field in every run (repeatable)", collect, [])
    .option("--out <dir>", "output directory (default out/<scenario name>-sweep, or out/<scenario name>-sweep-K-of-N for a shard)")
    .option("-q, --quiet", "print nothing but errors")
    .addHelpText("after", examples("orchsim sweep scenarios/hello-cluster.yaml --seeds 20 --vary cluster.scheduler.strategy=spread,binpack", "orchsim sweep scenarios/zone-failure.yaml --seeds 10 --vary cluster.nodeGroups.a.count=3,4,5"))
    .option("--env-file <file>", "KEY=VALUE lines for ${VAR} in the scenario's stack files (the environment wins over them)")
    .option("--report", "also write sweep-report.html: each metric per variant with its 95% CI and the paired difference, as charts")
    .option("--jobs <n>", "runs at once, on worker threads (default: one per core); the outputs do not depend on it")
    .option("--shard <k/n>", "make only the k-th of n shares of the runs, to combine with orchsim merge (k from 1)")
    .option("--max-events <n>", `${MAX_EVENTS_HELP}, over all the runs it makes (a shard: its own)`)
    .action(async (file: string, opts: { seeds: string; vary: string[]; set: string[]; out?: string; quiet?: boolean; report?: boolean; envFile?: string; jobs?: string; shard?: string; maxEvents?: string }) => {
      code = await (await import("./sweep-command.js")).sweepCommand(file, opts);
    });
  program
    .command("plan")
    .description("the smallest value of a field (a node count) at which every service meets its SLO, in the whole run and after every fault, in every seed")
    .argument("<scenario>", "scenario file (YAML)")
    .requiredOption("--minimize <path>", "the field to minimise, e.g. cluster.nodeGroups.web.count; several, separated by commas, take the same value (each zone's group: nodes per zone)")
    .requiredOption("--range <lo..hi>", "the values to search, e.g. 2..16")
    .option("--seeds <seeds>", "the seeds each value must pass: a count (10 = seeds 1-10), a range (5-14) or a list (1,7,9)", "10")
    .option("--set <path=value>", "override a field in every run (repeatable)", collect, [])
    .option("--env-file <file>", "KEY=VALUE lines for ${VAR} in the scenario's stack files")
    .option("--jobs <n>", "runs at once, on worker threads (default: one per core)")
    .option("--out <dir>", "output directory for plan.csv and plan.json (default out/<scenario name>-plan)")
    .option("--max-events <n>", `${MAX_EVENTS_HELP}, for each value's runs`)
    .option("--recover-within <duration>", "judge each fault by recovery within this long (e.g. 60s), and the SLO over the requests outside the faults' disruptions instead of the whole run")
    .option("-q, --quiet", "print nothing but errors")
    .addHelpText("after", `${examples("orchsim plan scenarios/hello-cluster.yaml --minimize cluster.nodeGroups.web.count --range 1..8 --seeds 10", "orchsim plan scenarios/zone-failure.yaml --minimize cluster.nodeGroups.a.count,cluster.nodeGroups.b.count,cluster.nodeGroups.c.count --range 3..8 --seeds 3")}\nThe answer is also in plan.json; with no value in the range that meets every SLO, plan exits 3.\n`)
    .action(async (file: string, opts: { minimize: string; range: string; seeds: string; set: string[]; envFile?: string; jobs?: string; out?: string; quiet?: boolean; maxEvents?: string; recoverWithin?: string }) => {
      code = await (await import("./plan-command.js")).planCommand(file, opts);
    });
  program
    .command("merge")
    .description("combine the shards of a sweep (sweep --shard k/n) into the files one sweep would have written")
    .argument("<dirs...>", "the shards' output directories, every shard once")
    .option("--out <dir>", "output directory (default out/<scenario name>-sweep)")
    .option("--report", "also write sweep-report.html")
    .option("-q, --quiet", "print nothing but errors")
    .addHelpText("after", examples("orchsim sweep scenarios/zone-failure.yaml --seeds 20 --shard 1/2 --out s1 && orchsim sweep scenarios/zone-failure.yaml --seeds 20 --shard 2/2 --out s2 && orchsim merge s1 s2"))
    .action(async (dirs: string[], opts: { out?: string; report?: boolean; quiet?: boolean }) => {
      code = (await import("./merge-command.js")).mergeCommand(dirs, opts);
    });
  try {
    await program.parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 2;
    throw err;
  }
  return code;
}

// A command ends by returning its exit code. If the process ends before that (a strategy module
// called process.exit, or its top-level await never settled and the event loop ran dry), the
// user must not read silence as success.
let finished = false;
process.on("exit", (code) => {
  // 128 + N: a stop signal, already reported by the command's handler.
  if (finished || code >= 128) return;
  process.stderr.write(`orchsim: the process ended before the command finished (exit code ${code}); a strategy module may have called process.exit or awaited something that never happened; nothing was written\n`);
  process.exitCode = 1;
});

/**
 * Ends the process once the command has returned and its output is written: node's own ending
 * first takes V8's heap apart, which for a 20,001-worker run's 1.1 GB took 0.2-0.3 s after the
 * outputs were committed (the operating system frees the memory at once). Output still waiting
 * to be written (a slow pipe) is left to node's own ending, which writes it first. A write to a
 * reader already gone (EPIPE: `orchsim run hello.yaml | true`) reports its error on a later
 * tick, which the exit comes before: the command's own exit code stands (it was an EPIPE crash
 * with exit code 1, after the outputs were committed).
 */
function end(code: number): void {
  process.exitCode = code;
  if (process.stdout.writableLength === 0 && process.stderr.writableLength === 0) process.exit(code);
}

tuneHeap();
installStopHandlers();
main(process.argv).then(
  (code) => {
    finished = true;
    end(code);
  },
  (err: unknown) => {
    finished = true;
    process.stderr.write(`orchsim: internal error: ${stackText(err)}\n`);
    process.exitCode = 1;
  },
);
