// The empty list that holders with nothing yet share (a CPU group's job heap, a node's busy
// groups, a container's queue and its requests in service beside the first), replaced by a list
// of their own at their first item, never written to.
//
// It is not frozen, though nothing may change it. A frozen array's elements are of another kind
// than those of the lists that replace it, and TurboFan compiles a load that has met both kinds
// (`items[0]` of a group's heap, at every request) as a call to V8's generic keyed-load code
// rather than inline: callgrind counted that call in NodeCpu.completeDue and submit, and the
// shared lists made as below took 1.7% off a 99-worker minute's instructions (bench/README.md,
// thirty-eighth session). A test freezes every list handed out (freezeSharedEmptyLists) and runs
// scenarios that queue, serve, cancel and kill: a write then throws where it happens.

const handedOut: unknown[][] = [];

/** A new shared empty list whose elements are of the kind of a list of objects. */
export function sharedEmptyList<T extends object>(): T[] {
  const list: T[] = [{} as T];
  list.length = 0;
  handedOut.push(list);
  return list;
}

/**
 * Freezes every list sharedEmptyList made, so that a write to one throws where it happens (for
 * tests: the lists are then of the frozen kind again, and slower).
 */
export function freezeSharedEmptyLists(): void {
  for (const l of handedOut) Object.freeze(l);
}
