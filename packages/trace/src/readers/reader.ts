import type { CaptureInfo, LineOutcome, TraceKind } from '../fact.js';

/**
 * One input format. `detect` looks at the first lines of a source (never its name) and says how
 * many it recognises; `create` makes a reader for one source, which may keep state across lines
 * (what its header said).
 */
export interface TraceFormat {
  readonly kind: TraceKind;
  /**
   * How far (ns) its lines can be out of time order: 0 for tools that sort what they print
   * (perf script, trace-cmd report, tracefs's merged per-CPU buffers, the kernel log).
   */
  readonly reorderWindowNs: number;
  detect(lines: readonly string[]): number;
  create(info: CaptureInfo): LineReader;
}

export interface LineReader {
  /** One line, without its newline. `source`/`line` are copied into the fact. */
  read(text: string, line: number, source: number): LineOutcome;
}

/** Seconds since boot as printed ("486.012734" or "486.012734123") -> nanoseconds. */
export function secondsToNs(text: string): number {
  const dot = text.indexOf('.');
  if (dot < 0) return Number(text) * 1e9;
  const frac = text.slice(dot + 1, dot + 10).padEnd(9, '0');
  return Number(text.slice(0, dot)) * 1e9 + Number(frac);
}

export const COMMENT = { ignored: 'comment or header line' } as const;
export const BLANK = { ignored: 'blank line' } as const;
