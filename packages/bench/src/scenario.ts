/** One measured figure, as written to bench-results.json. Names are stable from run to run. */
export interface Figure {
  name: string;
  value: number;
  unit: string;
  /** The raw baseline measured in the same run (null when the figure has none, e.g. a memory cap). */
  baseline: number | null;
  /** value / baseline, or null when there is no baseline. */
  ratio: number | null;
}

/** What a scenario gets from the runner. */
export interface BenchContext {
  /** The repository root (where bench-results.json goes, and where samples/ lives). */
  repoRoot: string;
  /** A fresh temporary folder for this scenario, removed after it ran. */
  tmpDir: string;
  /** A progress line on stderr (long runs must show they are alive). */
  progress(message: string): void;
}

export interface Scenario {
  /** Short and stable; `--only <substring>` matches it. */
  name: string;
  run(ctx: BenchContext): Promise<Figure[]>;
}

/** A figure with a baseline: ratio = value / baseline. */
export function compared(name: string, value: number, unit: string, baseline: number): Figure {
  return { name, value, unit, baseline, ratio: baseline === 0 ? null : value / baseline };
}

/** A figure without a baseline. */
export function absolute(name: string, value: number, unit: string): Figure {
  return { name, value, unit, baseline: null, ratio: null };
}

/** Wall-clock seconds of `fn`, measured with the monotonic clock. */
export async function timed<T>(fn: () => Promise<T> | T): Promise<{ result: T; seconds: number }> {
  const start = process.hrtime.bigint();
  const result = await fn();
  return { result, seconds: Number(process.hrtime.bigint() - start) / 1e9 };
}
