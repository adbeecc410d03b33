import type { CaptureInfo, LineOutcome } from '../fact.js';
import { BLANK, COMMENT, type LineReader, secondsToNs, type TraceFormat } from './reader.js';

/**
 * Kernel log lines, from `dmesg`, `dmesg -T`, `journalctl -k` (short, short-precise, short-iso,
 * short-monotonic). Only dmar_fault_do_one's lines (drivers/iommu/intel/dmar.c) are facts:
 *   v6.x:        "DMAR: [DMA Read PASID 0x2] Request device [6a:01.0] fault addr 0x7f00 [fault reason 0x59] ..."
 *   v5.x:        "DMAR: [DMA Read PASID 0x2] Request device [0x6a:0x01.0] fault addr 0x7f00 [fault reason 0x59] ..."
 *   older:       "DMAR: [DMA Read] Request device [6a:01.0] PASID 2 fault addr 7f00 [fault reason 06] ..."
 * The PCI domain is not printed: 0000 is assumed (docs/capture.md).
 */
const MONO = /^\[\s*(\d+\.\d+)\]\s+(?:\S+ kernel: )?(.*)$/;
const DMESG_T = /^\[(\w{3} (\w{3}) +(\d+) (\d\d:\d\d:\d\d) (\d{4}))\]\s+(.*)$/;
const JOURNAL = /^(\w{3}) (\d\d) (\d\d:\d\d:\d\d(?:\.\d+)?) \S+ kernel: (.*)$/;
const JOURNAL_ISO = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:?\d\d)) \S+ kernel: (.*)$/;
const DMAR =
  /DMAR: ?\[(DMA Read|DMA Write|INTR-REMAP)(?: (NO_PASID|PASID 0x([0-9a-f]+)))?\] Request device \[(0x)?([0-9a-f]{2}):(?:0x)?([0-9a-f]{2})\.([0-7])\](?: PASID ([0-9a-f]+))? fault (?:addr|index) (?:0x)?[0-9a-f]+ \[fault reason (0x)?([0-9a-f]+)\]/;
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

class KernelLogReader implements LineReader {
  constructor(private readonly info: CaptureInfo) {}

  read(text: string, line: number, source: number): LineOutcome {
    if (text.length === 0 || text.trim() === '') return BLANK;
    if (text.startsWith('#') || text.startsWith('-- ')) return COMMENT;
    let tsText: string;
    let ts: number;
    let message: string;
    const mono = MONO.exec(text);
    if (mono) {
      tsText = mono[1]!;
      ts = secondsToNs(tsText);
      message = mono[2]!;
    } else {
      const wall = this.wallClock(text);
      if (!wall) return { skipped: 'not a kernel log line (truncated or another format)' };
      message = wall.message;
      if (!message.includes('DMAR:')) return { ignored: 'kernel log line that is not a DMAR fault' };
      if (!DMAR.test(message)) return { ignored: 'DMAR line that is not a fault record' };
      if (this.info.bootTimeMs === undefined || wall.ms === undefined) {
        return { skipped: 'wall-clock kernel log line: needs the boot time (capture header or --boot-time)' };
      }
      tsText = wall.stamp;
      ts = Math.round((wall.ms - this.info.bootTimeMs) * 1e6);
    }
    if (!message.includes('DMAR:')) return { ignored: 'kernel log line that is not a DMAR fault' };
    const m = DMAR.exec(message);
    if (!m) return { ignored: 'DMAR line that is not a fault record' };
    if (m[1] === 'INTR-REMAP') return { ignored: 'interrupt-remapping fault (no PASID)' };
    if (m[2] === 'NO_PASID') return { ignored: 'DMAR fault without a PASID' };
    const pasidHex = m[3] ?? m[8];
    if (pasidHex === undefined) return { ignored: 'DMAR fault without a PASID' };
    // Before the 0x forms the reason was printed with %02d (decimal).
    const reasonValue = m[9] || m[4] ? Number.parseInt(m[10]!, 16) : Number(m[10]);
    return {
      ts,
      tsText,
      cpu: undefined,
      tid: undefined,
      pid: undefined,
      body: {
        kind: 'dmar_fault',
        device: `0000:${m[5]}:${m[6]}.${m[7]}`,
        pasid: Number.parseInt(pasidHex, 16),
        reason: `0x${reasonValue.toString(16).padStart(2, '0')}`,
      },
      source,
      line,
      text,
    };
  }

  private wallClock(text: string): { stamp: string; ms: number | undefined; message: string } | undefined {
    const t = DMESG_T.exec(text);
    if (t) {
      const ms = Date.parse(`${t[5]}-${month(t[2]!)}-${t[3]!.padStart(2, '0')}T${t[4]}Z`);
      return { stamp: t[1]!, ms: Number.isNaN(ms) ? undefined : ms, message: t[6]! };
    }
    const iso = JOURNAL_ISO.exec(text);
    if (iso) {
      const stamp = iso[1]!;
      const ms = Date.parse(stamp.replace(/([+-]\d\d)(\d\d)$/, '$1:$2'));
      return { stamp, ms: Number.isNaN(ms) ? undefined : ms, message: iso[2]! };
    }
    const j = JOURNAL.exec(text);
    if (j) {
      // "short" has no year: the boot's year (a capture across New Year is read wrong).
      const year =
        this.info.bootTimeMs === undefined ? undefined : new Date(this.info.bootTimeMs).getUTCFullYear();
      const ms = year === undefined ? undefined : Date.parse(`${year}-${month(j[1]!)}-${j[2]}T${j[3]}Z`);
      return {
        stamp: `${j[1]} ${j[2]} ${j[3]}`,
        ms: ms === undefined || Number.isNaN(ms) ? undefined : ms,
        message: j[4]!,
      };
    }
    return undefined;
  }
}

const month = (name: string) => String(MONTHS.indexOf(name) + 1).padStart(2, '0');

export const kernelLogFormat: TraceFormat = {
  kind: 'kernel-log',
  reorderWindowNs: 0,
  detect(lines) {
    let n = 0;
    for (const l of lines)
      if (MONO.test(l) || DMESG_T.test(l) || JOURNAL.test(l) || JOURNAL_ISO.test(l)) n += 1;
    return n;
  },
  create: (info) => new KernelLogReader(info),
};
