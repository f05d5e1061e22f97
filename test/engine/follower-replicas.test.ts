// A follower applies committed commands to its replica only when the replica is read or it takes
// the leader's roles (manager/manager-node.ts): what is read must be what applying each command
// at its commit would have given.
import { describe, expect, it } from "vitest";
import type { Store } from "../../src/manager/store.js";
import { runYaml } from "../helpers.js";
import { chaosScenario } from "./chaos-schedules.js";

function contents(store: Store): string {
  const tasks = [...store.tasks.values()].map((t) => JSON.stringify(t)).sort();
  const nodes = [...store.nodes.values()].map((n) => JSON.stringify(n)).sort();
  const services = [...store.services.values()].map((s) => JSON.stringify(s)).sort();
  return [...tasks, ...nodes, ...services].join("\n");
}

describe("a follower's replica, applied when read", () => {
  // Chaos schedules kill leaders and cut managers off, so followers take the roles with
  // commands of earlier terms still unapplied.
  for (const seed of [1, 2, 3]) {
    it(`chaos schedule ${seed}: equals the leader's once it has committed as much`, () => {
      const out = runYaml(chaosScenario(seed));
      const managers = out.run.world.control.managers;
      const leader = out.run.world.control.leader();
      expect(leader).not.toBeNull();
      const followers = managers.filter((m) => m !== leader && m.host.up && m.raft.commitIndex === leader!.raft.commitIndex);
      expect(followers.length).toBeGreaterThan(0);
      // Followers hold commands they have not applied: the shortcut was taken.
      for (const f of followers) expect((f as unknown as { unapplied: unknown[] }).unapplied.length).toBeGreaterThan(0);
      for (const f of followers) {
        expect(contents(f.store)).toBe(contents(leader!.store));
        expect(f.store.changes).toBe(leader!.store.changes);
      }
      expect(out.elections.length).toBeGreaterThan(1);
    });
  }
});
