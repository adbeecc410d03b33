import type { CaptureInfo, LineOutcome } from '../fact.js';
import { eventName, parseEventBody } from './event-body.js';
import { BLANK, COMMENT, type LineReader, secondsToNs, type TraceFormat } from './reader.js';

/**
 * The ftrace text layout shared by tracefs's `trace` / `trace_pipe` and `trace-cmd report`
 * (kernel/trace/trace_output.c, trace_print_context):
 *   "<comm>-<pid> [(<tgid>)] [<cpu>] [<flags>] <secs>.<usecs>: <event>: <fields>"
 * The flags column has 4 characters before v5.17 (irqs-off, need-resched, hardirq/softirq,
 * preempt-depth), 5 since (migrate-disable added), none in `trace-cmd report` unless `-l`.
 */
const LINE =
  /^\s*(.+?)-(\d+)\s+(?:\(\s*(\d+|-+)\)\s+)?\[(\d+)\]\s+(?:[.a-zA-Z0-9]{4,5}\s+)?(\d+\.\d+):\s+([\w:.-]+):\s*(.*)$/;
// The syscall tracepoints print themselves without "name:": "sys_openat -> 0x3", "sys_close(fd: 3)".
const SYSCALL =
  /^\s*(.+?)-(\d+)\s+(?:\(\s*(\d+|-+)\)\s+)?\[(\d+)\]\s+(?:[.a-zA-Z0-9]{4,5}\s+)?(\d+\.\d+):\s+sys_(\w+)(?:\((.*)\)| (->.*))$/;
const LOST = /^\s*CPU:\s*\d+ \[LOST (\d+) EVENTS\]/;

class FtraceTextReader implements LineReader {
  read(text: string, line: number, source: number): LineOutcome {
    if (text.length === 0 || text.trim() === '') return BLANK;
    if (text.startsWith('#') || text.startsWith('cpus=') || text.startsWith('version =')) return COMMENT;
    const m = LINE.exec(text) ?? syscallLine(text);
    if (!m) {
      const lost = LOST.exec(text);
      if (lost) return { skipped: 'the kernel lost events here (ring buffer overrun)' };
      return { skipped: 'not an ftrace event line (truncated or another format)' };
    }
    const body = parseEventBody(eventName(m[6]!), m[7]!);
    if ('ignored' in body || 'skipped' in body) return body;
    const tgid = m[3] !== undefined && /^\d+$/.test(m[3]) ? Number(m[3]) : undefined;
    return {
      ts: secondsToNs(m[5]!),
      tsText: m[5]!,
      cpu: Number(m[4]),
      tid: Number(m[2]),
      pid: tgid,
      body,
      source,
      line,
      text,
    };
  }
}

/** A syscall tracepoint's line in the shape of LINE's match: [.., comm, pid, tgid, cpu, ts, event, body]. */
function syscallLine(text: string): RegExpExecArray | null {
  const m = SYSCALL.exec(text);
  if (!m) return null;
  const entry = m[7] !== undefined;
  const shaped = [
    m[0],
    m[1],
    m[2],
    m[3],
    m[4],
    m[5],
    `sys_${entry ? 'enter' : 'exit'}_${m[6]}`,
    entry ? m[7] : m[8],
  ];
  return Object.assign(shaped, { index: 0, input: text }) as unknown as RegExpExecArray;
}

function countMatches(lines: readonly string[]): number {
  let n = 0;
  for (const l of lines) if (LINE.test(l)) n += 1;
  return n;
}

const HAS_FLAGS = /\]\s+[.a-zA-Z0-9]{4,5}\s+\d+\.\d+:/;

/** tracefs's `trace` (with its "# tracer:" header) and `trace_pipe` (no header, flags column). */
export const tracefsFormat: TraceFormat = {
  kind: 'tracefs',
  reorderWindowNs: 0,
  detect(lines) {
    const n = countMatches(lines);
    if (lines.some((l) => l.startsWith('# tracer:'))) return n + 2;
    if (lines.some((l) => l.startsWith('cpus='))) return 0;
    return lines.some((l) => LINE.test(l) && HAS_FLAGS.test(l)) ? n + 1 : n;
  },
  create: (_info: CaptureInfo) => new FtraceTextReader(),
};

/** `trace-cmd report`: starts with "cpus=N" (and "version = 6" in trace-cmd 3). */
export const traceCmdFormat: TraceFormat = {
  kind: 'trace-cmd',
  reorderWindowNs: 0,
  detect(lines) {
    const n = countMatches(lines);
    return lines.some((l) => l.startsWith('cpus=')) ? n + 2 : 0;
  },
  create: (_info: CaptureInfo) => new FtraceTextReader(),
};
