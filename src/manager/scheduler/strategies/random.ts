import type { PlacementStrategy } from "../strategy.js";

/** Any node that passed the filters, uniformly, from the scheduler's seeded stream. */
export const random: PlacementStrategy = {
  name: "random",
  choose(_task, candidates, ctx) {
    return candidates[Math.floor(ctx.random() * candidates.length)]!;
  },
};
