// An error's stack for a message. The command runs from a bundle (scripts/bundle.mjs), whose
// frames name hashed chunks of dist/bin/; its source maps go with it, and Node reads them only
// when asked (reading them at every start would cost every run 20-30 ms): say how.

/** The stack of `err` (or its text), with a hint for mapping bundle frames to src/ lines. */
export function stackText(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const stack = err.stack ?? err.message;
  if (!stack.includes("/dist/bin/") || process.sourceMapsEnabled) return stack;
  return `${stack}\n    (lines of the bundled command: run with NODE_OPTIONS=--enable-source-maps to see them in src/)`;
}
