// A seeded chaos run shared by the safety and determinism tests.

import { Network, mulberry32, nodeIds } from "./network.js";

/**
 * Five nodes under changing faults for 300 ticks, proposing whenever someone leads; then healed
 * until everyone has applied everything.
 */
export function chaosRun(seed: number): Network<string> {
  const net = Network.of<string>(5, { electionTicks: 4, electionRandomTicks: 3, checkQuorum: seed % 2 === 0 }, seed);
  const ids = nodeIds(5);
  const faults = mulberry32(seed + 1_000);
  const pick = (): string => ids[Math.floor(faults() * ids.length)] ?? "n1";
  for (let t = 0; t < 300; t++) {
    if (t % 15 === 0) {
      net.recover();
      const f = faults();
      if (f < 0.3) net.isolate(pick());
      else if (f < 0.6) {
        const minority = [pick(), pick()];
        net.partition(minority, ids.filter((id) => !minority.includes(id)));
      } else if (f < 0.9) {
        for (const a of ids) for (const b of ids) if (a !== b) net.drop(a, b, faults() * 0.4);
      }
    }
    for (const id of net.leaderIds()) net.node(id).propose(`s${seed}t${t}`);
    net.tick();
  }
  net.recover();
  net.tickUntil(() => net.leaderIds().length === 1, 200);
  const leader = net.node(net.leaderIds()[0] ?? "");
  leader.propose("final");
  net.tickUntil(() => [...net.applied.values()].every((a) => a.length === leader.lastIndex), 200);
  return net;
}
