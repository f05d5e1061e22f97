/** A one-line progress indicator on stderr, only when stderr is a terminal. */
export class Progress {
  private last = -1;

  constructor(private readonly enabled: boolean) {}

  show(fraction: number): void {
    if (!this.enabled) return;
    const pct = Math.floor(fraction * 100);
    if (pct === this.last) return;
    this.last = pct;
    process.stderr.write(`\rsimulating... ${pct}%`);
  }

  clear(): void {
    if (this.enabled && this.last >= 0) process.stderr.write("\r\x1b[K");
  }
}
