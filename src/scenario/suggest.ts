// "Did you mean ...?" for misspelt field names, enum values and references.

/** Optimal string alignment distance: Levenshtein plus swaps of two neighbours ("wbe" -> "web"). */
export function editDistance(a: string, b: string): number {
  const rows: number[][] = [];
  for (let i = 0; i <= a.length; i++) {
    const row: number[] = [i];
    for (let j = 1; j <= b.length; j++) {
      if (i === 0) {
        row.push(j);
        continue;
      }
      const prev = rows[i - 1] ?? [];
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min((prev[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        d = Math.min(d, (rows[i - 2]?.[j - 2] ?? 0) + 1);
      }
      row.push(d);
    }
    rows.push(row);
  }
  return rows[a.length]?.[b.length] ?? 0;
}

/** The candidate closest to `word`, if one is close enough to be a likely typo. */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  const lower = word.toLowerCase();
  const sameCase = candidates.find((c) => c.toLowerCase() === lower);
  if (sameCase !== undefined) return sameCase;
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const d = editDistance(lower, c.toLowerCase());
    const longer = Math.max(word.length, c.length);
    const allowed = Math.max(1, Math.floor(longer / 3));
    // An edit of every letter ("x" for "a") is another word, not a typo of it.
    if (d <= allowed && d < longer && d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  return best;
}

const LIST_MAX = 20;

/** "a, b, c" (shortened to the first few, with a count of the rest). */
export function listNames(names: readonly string[]): string {
  if (names.length <= LIST_MAX) return names.join(", ");
  return `${names.slice(0, LIST_MAX).join(", ")} and ${names.length - LIST_MAX} more`;
}

/**
 * " (did you mean X?)" when a candidate is close, otherwise " (<label>: a, b, c)", or
 * " (there are none)" when there is nothing to choose from.
 */
export function suggestion(word: string, candidates: readonly string[], label = "known"): string {
  const near = closest(word, candidates);
  if (near !== undefined) return ` (did you mean ${near}?)`;
  if (candidates.length === 0) return " (there are none)";
  return ` (${label}: ${listNames(candidates)})`;
}
