import { apiError } from '../errors.js';

/**
 * Bounds long work (log walks, what-if replays): at most `maxRunning` at once in this process,
 * and at most `maxPerCaller` running or waiting for one caller (an API key, or anonymous). What
 * goes beyond is refused at once with TOO_MANY_REQUESTS (retryable), so one key cannot occupy the
 * database and the event loop with hundreds of aliased fields, and short requests stay short.
 */
export class WorkGate {
  private running = 0;
  private readonly waiting: (() => void)[] = [];
  private readonly perCaller = new Map<string, number>();

  constructor(
    private readonly maxRunning: number,
    private readonly maxPerCaller: number,
  ) {}

  async run<T>(caller: string, what: string, work: () => Promise<T>): Promise<T> {
    const mine = this.perCaller.get(caller) ?? 0;
    if (mine >= this.maxPerCaller) {
      throw apiError(
        'TOO_MANY_REQUESTS',
        `${what}: at most ${this.maxPerCaller} long operations (log walks, replays) per key at once; retry later`,
        { retryable: true, limit: this.maxPerCaller },
      );
    }
    this.perCaller.set(caller, mine + 1);
    try {
      if (this.running >= this.maxRunning) await new Promise<void>((resolve) => this.waiting.push(resolve));
      else this.running += 1;
      try {
        return await work();
      } finally {
        // Hand the slot to the next waiter directly (running stays counted), or free it.
        const next = this.waiting.shift();
        if (next) next();
        else this.running -= 1;
      }
    } finally {
      const left = (this.perCaller.get(caller) ?? 1) - 1;
      if (left === 0) this.perCaller.delete(caller);
      else this.perCaller.set(caller, left);
    }
  }
}
