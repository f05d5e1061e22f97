// The cost guard of run, sweep and plan: refuse a run estimated past --max-events before
// anything is written, and say how long a big one will take.

import { costRefusal, DEFAULT_MAX_EVENTS, estimateCost, wallText } from "../engine/cost.js";
import type { Scenario } from "../scenario/types.js";
import { runThreadLimits } from "./heap.js";

export const MAX_EVENTS_HELP = `refuse runs estimated past this many kernel events (default ${DEFAULT_MAX_EVENTS.toExponential(0).replace("e+", "e")}, about 17 minutes on a small cluster, longer on a big one; 0 = no limit)`;

/** The --max-events value, or what is wrong with it. */
export function parseMaxEvents(text: string | undefined): number | string {
  if (text === undefined) return DEFAULT_MAX_EVENTS;
  const n = Number(text);
  if (text.trim() === "" || !Number.isFinite(n) || n < 0) return `--max-events: "${text}" is not a number of events (e.g. 5e9, or 0 for no limit)`;
  return n;
}

/**
 * What node's young generation flag is worth to a long run on the main thread (README at
 * --max-semi-space-size), said with the announcement of such a run when node has no size of its own.
 */
export const YOUNG_GENERATION_TIP = "NODE_OPTIONS=--max-semi-space-size=32 may make it 5-10% faster, see the README";

/**
 * Why the runs are refused (a message for exit 2), or null; a run estimated to take over 30 s
 * is announced on stderr unless `quiet`. `onMainThread`: the runs are this thread's (orchsim run),
 * whose young generation only node's flags can size (a sweep's threads have theirs: heap.ts).
 */
export function checkCost(scenario: Scenario, maxEvents: number, runs: number, quiet: boolean, onMainThread = false): string | null {
  const est = estimateCost(scenario);
  const refusal = costRefusal(est, maxEvents, runs);
  if (refusal !== null) return `${scenario.file}: ${refusal}`;
  const total = est.events * runs;
  const pace = est.eventsPerWallS;
  if (!quiet && total / pace > 30) {
    const tip = onMainThread && runThreadLimits(process.execArgv).maxYoungGenerationSizeMb !== undefined ? ` (${YOUNG_GENERATION_TIP})` : "";
    process.stderr.write(`orchsim: an estimated ${(total / 1e6).toFixed(0)} million events, ${wallText(total, pace)} at ${Math.round(pace / 1000)}k events/s${tip}\n`);
  }
  return null;
}
