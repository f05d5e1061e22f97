/** networkdb gossips every 200 ms to 3 random peers of the network. */
export const GOSSIP_ROUND_US = 200_000;
/** memberlist needs a few probe rounds to declare a silent node dead (derived: ~5 s with LAN defaults). */
export const FAILURE_DETECTION_US = 5_000_000;

/**
 * How long a change of a service's backends takes to reach every node by gossip: a round per
 * factor of three nodes (each round reaches 3 more peers), at least one. ~0.4 s at 5 nodes,
 * ~1 s at 100, ~1.4 s at 1,000 (SWARM.md: "~1-2 s at 100 nodes").
 * SIMPLIFICATION: every node learns the change at the same moment, after this delay; real
 * gossip reaches some nodes sooner than others.
 */
export function gossipDelayUs(nodes: number): number {
  return GOSSIP_ROUND_US * Math.max(1, Math.ceil(Math.log(Math.max(nodes, 1)) / Math.log(3)));
}
