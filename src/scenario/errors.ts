// Problems found in a scenario, and the one error that carries all of them. The loader keeps
// going after the first problem so that an author fixes a file in one pass, not one per run.

/** Stands in for FILE:LINE:COL when a problem comes from a `--set PATH=VALUE` override. */
export const SET_SOURCE = "--set";

export interface ScenarioIssue {
  /** The scenario file, or "--set" for a problem in an override (then line and col are 0). */
  file: string;
  line: number;
  col: number;
  /** Where in the scenario: `services[web].resources.limits.memory`; "" for the whole file. */
  path: string;
  message: string;
}

/** `FILE:LINE:COL PATH: MESSAGE`, or `--set PATH: MESSAGE`; the path is left out when empty. */
export function formatIssue(issue: ScenarioIssue): string {
  const where = issue.file === SET_SOURCE ? SET_SOURCE : `${issue.file}:${issue.line}:${issue.col}`;
  return issue.path === "" ? `${where} ${issue.message}` : `${where} ${issue.path}: ${issue.message}`;
}

/**
 * Overrides first (they are what the user just typed), then file by file (in the order their
 * first problem was found) by line and column; problems at the same place keep the order in
 * which they were found. Identical problems are reported once.
 */
export function sortIssues(issues: readonly ScenarioIssue[]): ScenarioIssue[] {
  const seen = new Set<string>();
  const unique = issues.filter((issue) => {
    const key = formatIssue(issue);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  const files = [SET_SOURCE, ...new Set(unique.map((i) => i.file))];
  // Array.prototype.sort is stable, which keeps same-place problems in discovery order.
  return unique.sort((a, b) => files.indexOf(a.file) - files.indexOf(b.file) || a.line - b.line || a.col - b.col);
}

export class ScenarioError extends Error {
  readonly issues: ScenarioIssue[];

  constructor(issues: readonly ScenarioIssue[]) {
    const sorted = sortIssues(issues);
    super(sorted.map(formatIssue).join("\n"));
    this.name = "ScenarioError";
    this.issues = sorted;
  }
}
