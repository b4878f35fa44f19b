/** Events per second over a sliding window, for logs and /health. */
export class RateMeter {
  readonly #windowMs: number;
  readonly #samples: { at: number; n: number }[] = [];

  constructor(windowMs: number) {
    this.#windowMs = windowMs;
  }

  add(n: number, at = Date.now()): void {
    this.#samples.push({ at, n });
    this.#trim(at);
  }

  perSecond(now = Date.now()): number {
    this.#trim(now);
    if (this.#samples.length === 0) return 0;
    const total = this.#samples.reduce((s, x) => s + x.n, 0);
    const span = Math.max(1_000, now - this.#samples[0].at);
    return (total * 1_000) / span;
  }

  #trim(now: number): void {
    while (this.#samples.length > 0 && now - this.#samples[0].at > this.#windowMs) this.#samples.shift();
  }
}
