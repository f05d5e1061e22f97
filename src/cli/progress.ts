/**
 * A one-line progress indicator on stderr, only when stderr is a terminal: the phase, the share
 * done and, once a few seconds have passed, the time left at the pace so far.
 */
export class Progress {
  private lastText = "";
  /** When the first show() came: the pace is measured from there. */
  private startMs: number | null = null;

  constructor(private readonly enabled: boolean) {}

  /** `fraction` of the work is done; `phase` says what is under way ("simulating"). */
  show(fraction: number, phase = "simulating"): void {
    if (!this.enabled) return;
    const pct = Math.floor(fraction * 100);
    this.startMs ??= Date.now();
    const elapsedS = (Date.now() - this.startMs) / 1000;
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
