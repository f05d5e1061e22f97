// The cost guard of run, sweep and plan: refuse a run estimated past --max-events before
// anything is written, and say how long a big one will take.

import { availableParallelism } from "node:os";
import { costRefusal, DEFAULT_MAX_EVENTS, estimateCost, wallText } from "../engine/cost.js";
import type { Scenario } from "../scenario/types.js";

export const MAX_EVENTS_HELP = `refuse runs estimated past this many kernel events (default ${DEFAULT_MAX_EVENTS.toExponential(0).replace("e+", "e")}, about 17 minutes on a small cluster, longer on a big one; 0 = no limit)`;

/** The --max-events value, or what is wrong with it. */
export function parseMaxEvents(text: string | undefined): number | string {
  if (text === undefined) return DEFAULT_MAX_EVENTS;
  const n = Number(text);
  if (text.trim() === "" || !Number.isFinite(n) || n < 0) return `--max-events: "${text}" is not a number of events (e.g. 5e9, or 0 for no limit)`;
  return n;
}

/**
 * Why the runs are refused (a message for exit 2), or null; runs estimated to take over 30 s
 * are announced on stderr unless `quiet`, on the `threads` they share (no more than the cores).
 */
export function checkCost(scenario: Scenario, maxEvents: number, runs: number, quiet: boolean, threads = 1): string | null {
  const est = estimateCost(scenario);
  const refusal = costRefusal(est, maxEvents, runs);
  if (refusal !== null) return `${scenario.file}: ${refusal}`;
  const at = onThreads(threads, runs);
  const wallS = (est.wallS * runs) / at;
  if (!quiet && wallS > 30) {
    process.stderr.write(`orchsim: an estimated ${((est.events * runs) / 1e6).toFixed(0)} million events, ${wallText(wallS)} ${where(at)}\n`);
  }
  return null;
}

/**
 * Plan's announcement, unless `quiet`, when its work may pass 30 s: up to `values` values of
 * `runs` seeds each, none costlier than `top` (the range's top, the most nodes or replicas).
 */
export function announcePlan(top: Scenario, runs: number, values: number, quiet: boolean, threads: number): void {
  const at = onThreads(threads, runs);
  const perValueS = (estimateCost(top).wallS * runs) / at;
  if (quiet || perValueS * values <= 30) return;
  process.stderr.write(`orchsim: up to ${values} value${values === 1 ? "" : "s"} of ${runs} seed${runs === 1 ? "" : "s"}, each at most ${wallText(perValueS)} (the range's top) ${where(at)}: at most ${wallText(perValueS * values)} in all\n`);
}

/** The threads runs share: no more than the runs and the cores. */
function onThreads(threads: number, runs: number): number {
  return Math.max(1, Math.min(threads, runs, availableParallelism()));
}

function where(threads: number): string {
  return threads === 1 ? "on one core" : `on ${threads} threads`;
}
