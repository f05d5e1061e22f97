// The empty list that holders with nothing yet share (a CPU group's job heap, a node's busy
// groups, a container's queue), replaced by a list of their own at their first item, never
// written to.
//
// It is not frozen, though nothing may change it. A frozen array's elements are of another kind
// than those of the lists that replace it, and TurboFan compiles a load that has met both kinds
// (`items[0]` of a group's heap, at every request) as a call to V8's generic keyed-load code
// rather than inline: callgrind counted that call in NodeCpu.completeDue and submit, and the
// shared lists made as below took 1.7% off a 99-worker minute's instructions (bench/README.md,
// thirty-eighth session). A test holds every list handed out to still being empty after runs
// that queue, serve, cancel and kill.

const handedOut: unknown[][] = [];

/** A new shared empty list whose elements are of the kind of a list of objects. */
export function sharedEmptyList<T extends object>(): T[] {
  const list: T[] = [{} as T];
  list.length = 0;
  handedOut.push(list);
  return list;
}

/** Whether every list sharedEmptyList made is still empty (for tests). */
export function sharedEmptyListsIntact(): boolean {
  return handedOut.every((l) => l.length === 0);
}
