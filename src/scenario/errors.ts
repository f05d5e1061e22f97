// Problems found in a scenario, and the one error that carries all of them. The loader keeps
// going after the first problem so that an author fixes a file in one pass, not one per run.

/** Whether an issue's `file` is an override's option (`--set`, `--vary`, ...) rather than a file. */
export function isFlag(file: string): boolean {
  return file.startsWith("--");
}

export interface ScenarioIssue {
  /** The scenario file, or the option of an override ("--set", "--vary", "--seed"; then line and col are 0). */
  file: string;
  line: number;
  col: number;
  /** Where in the scenario: `services[web].resources.limits.memory`; "" for the whole file. */
  path: string;
  message: string;
}

/** `FILE:LINE:COL PATH: MESSAGE`, or `--set PATH: MESSAGE`; the path is left out when empty. */
export function formatIssue(issue: ScenarioIssue): string {
  const where = isFlag(issue.file) ? issue.file : `${issue.file}:${issue.line}:${issue.col}`;
  // `--seed` sets one field: its path would only repeat the option.
  if (issue.file === "--seed" && issue.path === "seed") return `${where}: ${issue.message}`;
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
  const files = [...new Set([...unique.filter((i) => isFlag(i.file)), ...unique].map((i) => i.file))];
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
