// Growth of the typed arrays that hold per-index state (per host, per flow, per link): one rule
// for every layer that keeps such arrays.

/**
 * A new typed array of at least `n` elements (of `a`'s kind) holding `a`'s contents, zeros after
 * them: the length doubles from at least 16 until it fits, to amortise growth. Arrays grown
 * together from one length to one `n` stay the same length.
 */
export function grownTo<T extends Float64Array | Int32Array | Uint8Array>(a: T, n: number): T {
  let size = Math.max(16, a.length);
  while (size < n) size *= 2;
  const b = new (a.constructor as new (size: number) => T)(size);
  b.set(a);
  return b;
}
