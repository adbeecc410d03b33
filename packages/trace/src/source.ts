import { readCaptureHeader } from './capture-header.js';
import type { CaptureInfo, Fact, TraceKind } from './fact.js';
import { bpftraceFormat } from './readers/bpftrace.js';
import { traceCmdFormat, tracefsFormat } from './readers/ftrace-text.js';
import { kernelLogFormat } from './readers/kernel-log.js';
import { perfScriptFormat } from './readers/perf-script.js';
import type { LineReader, TraceFormat } from './readers/reader.js';
import { type SourceStats, TraceError, type TraceReport } from './report.js';

export const FORMATS: readonly TraceFormat[] = [
  perfScriptFormat,
  traceCmdFormat,
  tracefsFormat,
  bpftraceFormat,
  kernelLogFormat,
];

/** The format these first lines are in: the reader that recognises most of them. */
export function detectFormat(lines: readonly string[]): TraceKind | undefined {
  let best: TraceFormat | undefined;
  let bestScore = 0;
  for (const format of FORMATS) {
    const score = format.detect(lines);
    if (score > bestScore) {
      best = format;
      bestScore = score;
    }
  }
  return best?.kind;
}

/** A stream of text chunks; an empty chunk means "nothing new yet" (a live source idling). */
export type Chunks = AsyncIterable<Uint8Array | string>;

export interface OpenedSource {
  stats: SourceStats;
  reorderWindowNs: number;
  info: CaptureInfo;
  /** Batches of facts; an empty batch when the source idles. */
  facts: AsyncGenerator<Fact[]>;
}

const PEEK_LINES = 200;
/** An empty chunk from a live source: nothing new for now. */
const IDLE = Symbol('idle');
const PEEK_BYTES = 1 << 18;

/** Binary files a user may pass by mistake, named so the message says what to run first. */
function binaryKind(bytes: Uint8Array): string | undefined {
  const head = Buffer.from(bytes.subarray(0, 16)).toString('latin1');
  if (head.startsWith('PERFILE2')) return 'a perf.data file: run `perf script -i FILE` and trace that';
  if (head.startsWith('\x17\x08\x44tracing'))
    return "trace-cmd's trace.dat: run `trace-cmd report -i FILE` and trace that";
  return undefined;
}

/**
 * Splits a source into lines, finds its format from the first lines (or takes `format`), reads
 * the capture header, and yields its facts; every line that is not a fact is counted in `stats`.
 * Under `strict` the first skipped line throws. Memory: one chunk and one partial line.
 */
export async function openSource(
  name: string,
  index: number,
  chunks: Chunks,
  options: { format?: TraceKind; info: CaptureInfo; strict: boolean; report: TraceReport },
): Promise<OpenedSource> {
  const iterator = chunks[Symbol.asyncIterator]();
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let rest = '';
  let lineNo = 0;
  let ended = false;
  const peeked: string[] = [];
  let peekedBytes = 0;

  const decode = (chunk: Uint8Array | string): string => {
    if (typeof chunk === 'string') return chunk;
    if (lineNo === 0 && peekedBytes === 0) {
      const binary = binaryKind(chunk);
      if (binary) throw new TraceError(name, undefined, `not a text trace: ${binary}`);
    }
    try {
      return decoder.decode(chunk, { stream: true });
    } catch {
      throw new TraceError(
        name,
        lineNo + peeked.length + 1,
        'not a text trace: the bytes are not UTF-8 (a binary file?)',
      );
    }
  };

  /** Complete lines of the next chunk (maybe none); undefined at the end; IDLE when the source idles. */
  const nextLines = async (): Promise<string[] | typeof IDLE | undefined> => {
    if (ended) return undefined;
    const next = await iterator.next();
    if (next.done) {
      ended = true;
      const tail = rest + decoder.decode();
      rest = '';
      return tail.length > 0 ? [tail] : [];
    }
    const text = decode(next.value);
    if (text.length === 0) return IDLE;
    const lines = (rest + text).split('\n');
    rest = lines.pop() ?? '';
    return lines;
  };

  // Peek at the first lines to choose the reader (by content, never by the file's name).
  while (peeked.length < PEEK_LINES && peekedBytes < PEEK_BYTES) {
    const lines = await nextLines();
    if (lines === undefined) break;
    if (lines === IDLE) {
      if (peeked.length > 0) break; // a live source that paused: decide on what came
      continue;
    }
    for (const l of lines) peekedBytes += l.length + 1;
    peeked.push(...lines);
    if (ended) break;
  }
  for (const l of peeked) {
    if (l.includes('\u0000'))
      throw new TraceError(name, peeked.indexOf(l) + 1, 'not a text trace: NUL bytes (a binary file?)');
  }
  const info: CaptureInfo = { ...options.info };
  for (const l of peeked) {
    const header = readCaptureHeader(l);
    if (header?.bootId) info.bootId = header.bootId;
    if (header?.bootTimeMs !== undefined && options.info.bootTimeMs === undefined)
      info.bootTimeMs = header.bootTimeMs;
  }
  const kind = options.format ?? detectFormat(peeked);
  if (kind === undefined) {
    const content = peeked.filter((l) => l.trim() !== '' && !l.startsWith('#'));
    if (content.length > 0 || !ended) {
      throw new TraceError(
        name,
        peeked.findIndex((l) => l.trim() !== '' && !l.startsWith('#')) + 1 || undefined,
        'not a trace this tool reads (perf script, trace-cmd report, tracefs trace, pasid.bt, kernel log); use --format to say which',
      );
    }
  }
  const format = FORMATS.find((f) => f.kind === (kind ?? 'tracefs')) as TraceFormat;
  const stats = options.report.addSource(name, format.kind);
  const reader: LineReader = format.create(info);
  const { report, strict } = options;

  const readLines = (lines: readonly string[], out: Fact[]) => {
    for (let i = 0; i < lines.length; i++) {
      let text = lines[i] as string;
      lineNo += 1;
      stats.lines += 1;
      if (text.endsWith('\r')) text = text.slice(0, -1);
      if (text.includes('\u0000')) {
        throw new TraceError(name, lineNo, 'not a text trace: NUL bytes (a binary file?)');
      }
      const outcome = reader.read(text, lineNo, index);
      if ('ignored' in outcome) report.ignore(stats, outcome.ignored);
      else if ('skipped' in outcome) {
        if (strict) throw new TraceError(name, lineNo, outcome.skipped);
        report.skip(stats, lineNo, outcome.skipped);
      } else out.push(outcome);
    }
  };

  async function* facts(): AsyncGenerator<Fact[]> {
    const first: Fact[] = [];
    readLines(peeked, first);
    peeked.length = 0;
    if (first.length > 0) yield first;
    for (;;) {
      const lines = await nextLines();
      if (lines === undefined) return;
      if (lines === IDLE) {
        yield [];
        continue;
      }
      const out: Fact[] = [];
      readLines(lines, out);
      if (out.length > 0) yield out;
    }
  }
  return { stats, info, reorderWindowNs: format.reorderWindowNs, facts: facts() };
}
