/**
 * A one-line progress indicator on stderr, only when stderr is a terminal: the phase, the share
 * done and, once a few seconds have passed, the time left at the pace so far.
 */
export class Progress {
  private lastText = "";
  /** When the first show() came: the pace is measured from there. */
  private startMs: number | null = null;
  /** When the line was last drawn. */
  private drawnMs = -Infinity;

  /** `redrawMs`: draw at most this often (a run's deployment share scans every task). */
  constructor(
    private readonly enabled: boolean,
    private readonly redrawMs = 0,
  ) {}

  /** `share()` of the work is done; `phase` says what is under way ("simulating"). */
  show(share: () => number, phase = "simulating"): void {
    if (!this.enabled) return;
    const nowMs = Date.now();
    if (nowMs - this.drawnMs < this.redrawMs) return;
    this.drawnMs = nowMs;
    const fraction = share();
    const pct = Math.floor(fraction * 100);
    this.startMs ??= nowMs;
    const elapsedS = (nowMs - this.startMs) / 1000;
    const left = fraction > 0.01 && elapsedS >= 3 ? `, about ${duration((elapsedS * (1 - fraction)) / fraction)} left` : "";
    const text = `${phase}... ${pct}%${left}`;
    if (text === this.lastText) return;
    this.lastText = text;
    process.stderr.write(`\r\x1b[K${text}`);
  }

  clear(): void {
    if (this.enabled && this.lastText !== "") process.stderr.write("\r\x1b[K");
  }
}

function duration(s: number): string {
  if (s < 90) return `${Math.ceil(s)}s`;
  if (s < 5400) return `${Math.round(s / 60)}m`;
  return `${(s / 3600).toFixed(1)}h`;
}
