import type { TraceKind } from './fact.js';

/** What one source said: lines read, used, ignored and skipped by reason (Perfetto's stats). */
export interface SourceStats {
  name: string;
  kind: TraceKind;
  lines: number;
  used: number;
  ignored: Map<string, number>;
  skipped: Map<string, number>;
  /** Facts used, but not as the trace said them (e.g. a child whose parent the model never saw). */
  adjusted: Map<string, number>;
}

export interface SkippedLine {
  file: string;
  line: number;
  reason: string;
}

/** A skipped line under --strict, or input that is not a trace at all: file, line and reason. */
export class TraceError extends Error {
  override readonly name = 'TraceError';
  constructor(
    readonly file: string,
    readonly line: number | undefined,
    readonly reason: string,
  ) {
    super(line === undefined ? `${file}: ${reason}` : `${file}:${line}: ${reason}`);
  }
}

const EXAMPLES = 20;

export class TraceReport {
  readonly sources: SourceStats[] = [];
  /** The first skipped lines, with file and line, for people to look at. */
  readonly examples: SkippedLine[] = [];
  skippedTotal = 0;
  /** Facts used with a change (SourceStats.adjusted), and the first of them. */
  adjustedTotal = 0;
  readonly adjustedExamples: SkippedLine[] = [];
  /** Events written without `at` because no boot time was known. */
  withoutAt = 0;
  withoutBootId = false;

  addSource(name: string, kind: TraceKind): SourceStats {
    const stats: SourceStats = {
      name,
      kind,
      lines: 0,
      used: 0,
      ignored: new Map(),
      skipped: new Map(),
      adjusted: new Map(),
    };
    this.sources.push(stats);
    return stats;
  }

  ignore(stats: SourceStats, reason: string): void {
    stats.ignored.set(reason, (stats.ignored.get(reason) ?? 0) + 1);
  }

  skip(stats: SourceStats, line: number, reason: string, example = reason): void {
    stats.skipped.set(reason, (stats.skipped.get(reason) ?? 0) + 1);
    this.skippedTotal += 1;
    if (this.examples.length < EXAMPLES) this.examples.push({ file: stats.name, line, reason: example });
  }

  /** A fact taken with a change: counted by reason, its line kept with the examples. */
  adjust(stats: SourceStats, line: number, reason: string, example = reason): void {
    stats.adjusted.set(reason, (stats.adjusted.get(reason) ?? 0) + 1);
    this.adjustedTotal += 1;
    if (this.adjustedExamples.length < EXAMPLES)
      this.adjustedExamples.push({ file: stats.name, line, reason: example });
  }

  get used(): number {
    return this.sources.reduce((n, s) => n + s.used, 0);
  }

  /** The report for stderr: a line per source, its reasons by count, the first skipped lines. */
  format(command = 'pasid trace'): string {
    const out: string[] = [];
    for (const s of this.sources) {
      const ignored = sum(s.ignored);
      const skipped = sum(s.skipped);
      out.push(
        `${command}: ${s.name} (${s.kind}): ${s.lines} lines read, ${s.used} used, ${ignored} ignored, ${skipped} skipped`,
      );
      if (ignored > 0) out.push(`  ignored: ${byCount(s.ignored)}`);
      if (skipped > 0) out.push(`  skipped: ${byCount(s.skipped)}`);
      if (s.adjusted.size > 0) out.push(`  used with a change: ${byCount(s.adjusted)}`);
    }
    for (const e of this.examples) out.push(`  ${e.file}:${e.line}: ${e.reason}`);
    if (this.skippedTotal > this.examples.length) {
      out.push(`  ... and ${this.skippedTotal - this.examples.length} more skipped lines`);
    }
    for (const e of this.adjustedExamples) out.push(`  ${e.file}:${e.line}: ${e.reason}`);
    if (this.adjustedTotal > this.adjustedExamples.length) {
      out.push(
        `  ... and ${this.adjustedTotal - this.adjustedExamples.length} more lines used with a change`,
      );
    }
    if (this.withoutAt > 0) {
      out.push(
        `${command}: no boot time (capture header or --boot-time): ${this.withoutAt} events have no "at"`,
      );
    }
    if (this.withoutBootId) out.push(`${command}: no boot id in the capture header: ids assume one boot`);
    return `${out.join('\n')}\n`;
  }

  toJSON() {
    return {
      sources: this.sources.map((s) => ({
        name: s.name,
        kind: s.kind,
        lines: s.lines,
        used: s.used,
        ignored: Object.fromEntries(s.ignored),
        skipped: Object.fromEntries(s.skipped),
        adjusted: Object.fromEntries(s.adjusted),
      })),
      examples: this.examples,
      skipped: this.skippedTotal,
      adjusted: this.adjustedTotal,
      adjustedExamples: this.adjustedExamples,
      withoutAt: this.withoutAt,
    };
  }
}

const sum = (m: Map<string, number>) => [...m.values()].reduce((a, b) => a + b, 0);
const byCount = (m: Map<string, number>) =>
  [...m.entries()]
    .sort((a, b) => b[1] - a[1])
    .map(([reason, n]) => `${n} ${reason}`)
    .join('; ');
