import type { LineOutcome } from '../fact.js';
import { eventName, parseEventBody } from './event-body.js';
import { BLANK, COMMENT, type LineReader, secondsToNs, type TraceFormat } from './reader.js';

/**
 * `perf script`'s default layout for tracepoints (tools/perf/builtin-script.c: comm, tid,
 * [cpu], time, event name, then the TP_printk fields):
 *   "            bash  1234 [001]   486.012734: sched:sched_process_exec: filename=..."
 * With `-F +pid` the tid column reads "pid/tid". comm may hold spaces ("npm ci").
 */
const LINE = /^\s*(.*?)\s+(\d+)(?:\/(\d+))?\s+\[(\d+)\]\s+(\d+\.\d+):\s+(?:\d+\s+)?([\w:.-]+):\s*(.*)$/;

class PerfScriptReader implements LineReader {
  read(text: string, line: number, source: number): LineOutcome {
    if (text.length === 0 || text.trim() === '') return BLANK;
    if (text.startsWith('#')) return COMMENT;
    const m = LINE.exec(text);
    if (!m) return { skipped: 'not a perf script event line (truncated or another format)' };
    const body = parseEventBody(eventName(m[6]!), m[7]!);
    if ('ignored' in body || 'skipped' in body) return body;
    const withPid = m[3] !== undefined;
    return {
      ts: secondsToNs(m[5]!),
      tsText: m[5]!,
      cpu: Number(m[4]),
      tid: Number(withPid ? m[3] : m[2]),
      pid: withPid ? Number(m[2]) : undefined,
      body,
      source,
      line,
      text,
    };
  }
}

export const perfScriptFormat: TraceFormat = {
  kind: 'perf-script',
  reorderWindowNs: 0,
  detect(lines) {
    let n = 0;
    for (const l of lines) if (LINE.test(l) && !/-\d+\s+(\(|\[)/.test(l)) n += 1;
    return n;
  },
  create: () => new PerfScriptReader(),
};
