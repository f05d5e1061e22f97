// How changes to a network's endpoint tables spread, and how long a dead node's entries last.
// networkdb (libnetwork) gossips table events every 200 ms to 3 random nodes of that network,
// and a node that learns an event passes it on the same way; memberlist (under networkdb)
// declares a silent node dead after its probes and suspicion time, and every node then drops
// that node's entries. Values are memberlist's DefaultLANConfig, which networkdb uses.

/** memberlist GossipInterval: networkdb sends queued table events this often. */
export const GOSSIP_ROUND_US = 200_000;
/** memberlist GossipNodes: each round goes to this many random peers of the network. */
export const GOSSIP_FANOUT = 3;
/** memberlist ProbeInterval and ProbeTimeout. */
const PROBE_INTERVAL_US = 1_000_000;
const PROBE_TIMEOUT_US = 500_000;
/** memberlist SuspicionMult. */
const SUSPICION_MULT = 4;
/**
 * memberlist GossipToTheDeadTime: a node declared dead stays in the member list (and its count)
 * this long. SIMPLIFICATION: memberlist reaps it at the first wrap of its probe round after
 * that (up to one probe interval per member later); we reap it then exactly.
 */
export const GOSSIP_TO_THE_DEAD_US = 30_000_000;

/**
 * How long memberlist takes to declare a crashed node dead in a cluster of `nodes`: until some
 * member probes it (`firstProbeUs`, about one probe interval), the probe's timeout, then the
 * suspicion timeout, 4 x max(1, log10 n) intervals (memberlist suspicionTimeout). ~5.5 s at 10
 * nodes, ~9.5 s at 100, ~13.5 s at 1,000 with the probe at one interval.
 * SIMPLIFICATION: Lifeguard starts a suspicion at up to 6x that and shortens it as other members
 * confirm; with more than a handful of nodes the confirmations come at once, so we take the
 * shortest timeout.
 */
export function failureDetectionUs(nodes: number, firstProbeUs = PROBE_INTERVAL_US): number {
  const scale = Math.max(1, Math.log10(Math.max(1, nodes)));
  return firstProbeUs + PROBE_TIMEOUT_US + Math.round(SUSPICION_MULT * scale * PROBE_INTERVAL_US);
}

/**
 * When the first of `probers` live members probes a node that just crashed, `u` a uniform draw in
 * [0, 1). Each member probes one member per probe interval, from its own phase, going round its
 * list of the other `members - 1` and shuffling it at each wrap (memberlist's probe and
 * resetNodes), from wherever its round stands at the crash: its wait is its phase plus D whole
 * intervals, D the crashed node's place ahead in this round, or past the round's end into the
 * next shuffle when this round has passed it (probesPast). The first of `probers` independent
 * members is past w with P(one is past w)^probers, drawn by its inverse: about one interval at
 * any size when every other member is alive (7/12 of a round with one prober, not a half: a
 * crash lands more often in a long gap between two probes of the node). Whole microseconds; one
 * interval when no member is left to probe (nobody is there to act on the verdict).
 */
export function firstProbeUs(probers: number, members: number, u: number): number {
  if (probers < 1 || members < 2) return PROBE_INTERVAL_US;
  const round = members - 1;
  const y = Math.pow(1 - u, 1 / probers); // one member's P(wait > w) at the drawn w
  // P(wait > m + f) = G(m) - f (G(m) - G(m + 1)), G(m) = P(D >= m), G(0) = 1, G(2 round) = 0.
  let lo = 0;
  let hi = 2 * round - 1;
  while (lo < hi) {
    const m = (lo + hi) >> 1;
    if (probesPast(round, m + 1) >= y) lo = m + 1;
    else hi = m;
  }
  const at = probesPast(round, lo);
  const next = probesPast(round, lo + 1);
  const f = at > next ? Math.min(1, Math.max(0, (at - y) / (at - next))) : 0;
  return Math.round((lo + f) * PROBE_INTERVAL_US);
}

/**
 * G(m) = P(D >= m): one member whose round of `round` probes stands at slot s (uniform), the
 * crashed node at slot t of it (uniform), waits D = t - s more intervals if t >= s, else
 * round - s to the round's end and t' (uniform) into the next shuffle. Sums over s in closed form.
 */
function probesPast(round: number, m: number): number {
  const n = round;
  const sum1 = (a: number, b: number): number => (b < a ? 0 : ((a + b) * (b - a + 1)) / 2);
  const sum2 = (a: number, b: number): number => (b < a ? 0 : sq(b) - sq(a - 1));
  // Not yet passed: t - s >= m.
  const ahead = m >= n ? 0 : ((n - m) * (n - m + 1)) / (2 * n * n);
  // Passed (t < s, probability s/n): the next round reaches it at t' >= m - n + s, certain while
  // m - n + s <= 0, else with probability (n - (m - n + s)) / n.
  const sure = sum1(0, Math.min(n - 1, n - m)) / (n * n);
  const a = Math.max(0, n - m + 1);
  const b = Math.min(n - 1, 2 * n - m);
  const partly = ((2 * n - m) * sum1(a, b) - sum2(a, b)) / (n * n * n);
  return ahead + sure + partly;
}

/** 0^2 + 1^2 + ... + k^2. */
function sq(k: number): number {
  return k < 0 ? 0 : (k * (k + 1) * (2 * k + 1)) / 6;
}

/**
 * The spread of one change over `peers` nodes by push gossip, as a table: cdf[r] is the share of
 * the other peers that know it after r rounds (cdf[0] = 0, the last entry 1). Mean-field: with I
 * nodes informed, a node not yet informed is missed by all of them with probability
 * (1 - f/(peers - 1))^I, f the fanout.
 * SIMPLIFICATION: every informed node keeps pushing (networkdb retransmits an event a bounded
 * number of times, and a 30 s push-pull sync catches stragglers); each node's round is drawn from
 * this table, so nodes learn a change at different times, but not from one simulated gossip run.
 */
export function epidemicCdf(peers: number): Float64Array {
  const others = peers - 1;
  if (others <= 0) return Float64Array.of(0, 1);
  const p = Math.min(1, GOSSIP_FANOUT / others);
  const shares = [0];
  let informed = 1;
  while (peers - informed >= 0.5 && shares.length < 1000) {
    informed += (peers - informed) * (1 - Math.pow(1 - p, informed));
    shares.push((informed - 1) / others);
  }
  shares[shares.length - 1] = 1;
  return Float64Array.from(shares);
}

/** The round (1, 2, ...) in which a node whose uniform draw is `u` learns the change. */
export function roundOf(cdf: Float64Array, u: number): number {
  for (let r = 1; r < cdf.length; r++) if (u < cdf[r]!) return r;
  return cdf.length - 1;
}

/** Rounds until every peer knows. */
export function roundsToAll(cdf: Float64Array): number {
  return cdf.length - 1;
}

/** Epidemic tables by peer count, built once each. */
export class EpidemicTables {
  private readonly byPeers = new Map<number, Float64Array>();

  get(peers: number): Float64Array {
    let t = this.byPeers.get(peers);
    if (!t) {
      t = epidemicCdf(peers);
      this.byPeers.set(peers, t);
    }
    return t;
  }
}

/**
 * A uniform number in [0, 1) from a key and two integers: the draw of one node for one change.
 * Hashing (murmur3's finaliser) instead of a stream makes the draw independent of the order in
 * which nodes happen to look, so a node's tables can be brought up to date lazily and still
 * be the same in every run.
 */
export function hashUnit(key: number, a: number, b: number): number {
  let h = fmix(key ^ Math.imul(a + 0x632be5ab, 0x9e3779b1));
  h = fmix(h ^ Math.imul(b + 0x85ebca6b, 0xc2b2ae35));
  return (h >>> 0) / 4294967296;
}

function fmix(x: number): number {
  let h = x | 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h;
}
