/**
 * Rows of cells as aligned text for the terminal: the first `left` columns padded on the right,
 * the others (figures) on the left, two spaces between columns.
 */
export function textTable(rows: readonly (readonly string[])[], left = 1): string[] {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? "").length)));
  return rows.map((r) => r.map((cell, c) => (c < left ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join("  ").trimEnd());
}
