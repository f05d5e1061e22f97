import type { NodeInfo } from "./node-info.js";
import { candidateSet, type CandidateSet, type GroupContext } from "./candidates.js";
import type { PlacedNode } from "./constraints.js";

/**
 * Swarm's decision tree for placement preferences (swarmkit nodeSet.tree): one level per
 * `spread` preference, one branch per value of its label, the nodes at the leaves. Each level
 * knows how many active tasks of the service its nodes hold, counting every node of the branch
 * (also those that fail the filters), as swarmkit does.
 */
export interface PlacementTree {
  /** Active tasks of the service on the nodes below, when the group started. */
  tasks: number;
  /** Branches in ascending order of label value; null at a leaf. */
  branches: PlacementTree[] | null;
  /** At a leaf: the nodes that passed the filters. */
  candidates: CandidateSet | null;
}

const NODE_LABELS = "node.labels.";
const ENGINE_LABELS = "engine.labels.";

/**
 * The value a node has for a preference's descriptor; a missing label is "" so that every node
 * has a branch. Swarm matches the prefix case-insensitively and the label name exactly.
 */
export function spreadValue(descriptor: string, node: Pick<PlacedNode, "labels" | "engineLabels">): string {
  const lower = descriptor.toLowerCase();
  if (lower.startsWith(NODE_LABELS)) return node.labels[descriptor.slice(NODE_LABELS.length)] ?? "";
  if (lower.startsWith(ENGINE_LABELS)) return node.engineLabels[descriptor.slice(ENGINE_LABELS.length)] ?? "";
  // The loader refuses anything else; swarmkit skips such a level, and so do we.
  return "";
}

interface Building {
  tasks: number;
  next: Map<string, Building> | null;
  passing: NodeInfo[];
}

/**
 * Builds the tree over `nodes` (in creation order) and filters each node once with the group's
 * pipeline. With no preferences the tree is one leaf holding every node that passed.
 */
export function buildPlacementTree(nodes: readonly NodeInfo[], preferences: readonly string[], g: GroupContext): PlacementTree {
  const root: Building = { tasks: 0, next: null, passing: [] };
  const service = g.task.service;
  const descriptors = preferences.filter((d) => {
    const lower = d.toLowerCase();
    return lower.startsWith(NODE_LABELS) || lower.startsWith(ENGINE_LABELS);
  });
  for (const info of nodes) {
    const held = info.tasksOfService(service);
    let at = root;
    for (const descriptor of descriptors) {
      at.tasks += held;
      at.next ??= new Map();
      const value = spreadValue(descriptor, info.node);
      let branch = at.next.get(value);
      if (!branch) {
        branch = { tasks: 0, next: null, passing: [] };
        at.next.set(value, branch);
      }
      at = branch;
    }
    at.tasks += held;
    if (g.pipeline.process(info)) at.passing.push(info);
  }
  return finish(root, g);
}

/** Sorts branches by value: Go iterates a map in random order; we need one fixed order. */
function finish(b: Building, g: GroupContext): PlacementTree {
  if (b.next === null) return { tasks: b.tasks, branches: null, candidates: candidateSet(b.passing, g) };
  const values = [...b.next.keys()].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0));
  return { tasks: b.tasks, branches: values.map((v) => finish(b.next!.get(v)!, g)), candidates: null };
}

/** Places up to `n` tasks on one leaf; returns how many it placed. */
export type PlaceOnLeaf = (candidates: CandidateSet, n: number) => number;

/**
 * Splits `n` tasks across the branches of `tree` so that each branch's count of the service's
 * tasks evens out, as swarmkit's scheduleNTasksOnSubtree does: every round computes the even
 * share of the branches that still have room, asks each branch below it for the difference
 * (the first `remainder` of them for one more), and a branch that places fewer than asked is
 * out of room: later rounds share its part among the others. Recurses level by level.
 *
 * Its arithmetic is kept as swarmkit's, quirks included: the branch counts are those from when
 * the group started (not updated between rounds); a branch out of room does not use up the
 * remainder, so after a full branch the split can be uneven by more than one task; and a round
 * may ask the branches for more than `n` in all, so an inner level can place more than it was
 * asked for (never more than the group holds). Integer division truncates, as in Go.
 */
export function placeOnSubtree(tree: PlacementTree, n: number, placeOnLeaf: PlaceOnLeaf): number {
  if (tree.branches === null) return placeOnLeaf(tree.candidates!, n);
  const branches = tree.branches;
  const noRoom = new Set<PlacementTree>();
  let placed = 0;
  let tasksInUsable = tree.tasks;
  while (placed !== n && noRoom.size !== branches.length) {
    const usable = branches.length - noRoom.size;
    const desired = Math.trunc((tasksInUsable + n - placed) / usable);
    let remainder = (tasksInUsable + n - placed) % usable;
    let asked = 0;
    for (const branch of branches) {
      if (noRoom.has(branch)) continue;
      if (branch.tasks > desired || (branch.tasks === desired && remainder <= 0)) continue;
      const share = desired - branch.tasks + (remainder > 0 ? 1 : 0);
      asked++;
      const got = placeOnSubtree(branch, share, placeOnLeaf);
      if (got < share) {
        noRoom.add(branch);
        tasksInUsable -= branch.tasks;
      } else if (remainder > 0) {
        remainder--;
      }
      placed += got;
    }
    // SIMPLIFICATION: after an inner level overshot (placed > n), swarmkit can reach a round in
    // which no branch is below the even share and loop forever; we stop there instead.
    if (asked === 0) break;
  }
  return placed;
}
