import type { FactBody, LineOutcome } from '../fact.js';
import { BLANK, COMMENT, type LineReader, secondsToNs, type TraceFormat } from './reader.js';

/**
 * The lines of tools/capture/pasid.bt: fixed columns, then the kernel fact's name and its
 * key=value details (the script's header comment lists them):
 *   "486.012734123 1   10535   10535   task_newtask    pid=10536 clone_flags=0x3d0f00"
 */
const LINE = /^(\d+\.\d{9})\s+(\d+)\s+(\d+)\s+(\d+)\s+([a-z_]+)(?:\s+(.*))?$/;
const PAIR = /([a-z_]+)=(\S+)/g;
const PCI = /^[0-9a-f]{4}:[0-9a-f]{2}:[01][0-9a-f]\.[0-7]$/;

function details(text: string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  if (text) for (const m of text.matchAll(PAIR)) out.set(m[1]!, m[2]!);
  return out;
}

function int(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const n = text.startsWith('0x') ? Number.parseInt(text.slice(2), 16) : Number(text);
  return Number.isSafeInteger(n) && n >= 0 ? n : undefined;
}

const bad = (fact: string, field: string) => ({ skipped: `${fact}: missing or bad field "${field}"` });

function body(fact: string, d: Map<string, string>): FactBody | { skipped: string } | { ignored: string } {
  switch (fact) {
    case 'task_newtask': {
      const pid = int(d.get('pid'));
      const flags = d.get('clone_flags');
      if (pid === undefined) return bad(fact, 'pid');
      if (flags === undefined || !/^0x[0-9a-f]+$/.test(flags)) return bad(fact, 'clone_flags');
      return { kind: fact, pid, cloneFlags: BigInt(flags) };
    }
    case 'sched_process_exec': {
      const pid = int(d.get('pid'));
      const oldPid = int(d.get('old_pid'));
      if (pid === undefined) return bad(fact, 'pid');
      if (oldPid === undefined) return bad(fact, 'old_pid');
      return { kind: fact, pid, oldPid };
    }
    case 'sched_process_exit': {
      const pid = int(d.get('pid'));
      if (pid === undefined) return bad(fact, 'pid');
      const dead = d.get('group_dead');
      return dead === undefined ? { kind: fact, pid } : { kind: fact, pid, groupDead: dead === '1' };
    }
    case 'iommu_sva_bind_device':
    case 'iommu_sva_unbind_device': {
      const device = d.get('device');
      if (device === undefined || !PCI.test(device)) return bad(fact, 'device');
      const err = d.get('err');
      if (fact === 'iommu_sva_bind_device' && err !== undefined) {
        if (!/^-\d+$/.test(err)) return bad(fact, 'err');
        return { kind: fact, device, error: Number(err) };
      }
      const pasid = int(d.get('pasid'));
      return pasid === undefined ? { kind: fact, device } : { kind: fact, device, pasid };
    }
    case 'idxd_cdev_open': {
      const fd = int(d.get('fd'));
      if (fd === undefined) return bad(fact, 'fd');
      return { kind: 'openat', fd, cloexec: d.get('cloexec') === '1' };
    }
    case 'close': {
      const fd = int(d.get('fd'));
      if (fd === undefined) return bad(fact, 'fd');
      return { kind: 'close', fd };
    }
    case 'idxd_cdev_release':
      return { kind: 'idxd_cdev_release' };
    case 'try_fixup_enqcmd_gp': {
      // kretprobe: ret=1 fixed up (or no ret: a script filtering on /retval/), ret=0 refused
      const ret = d.get('ret');
      if (ret !== undefined && int(ret) === undefined) return bad(fact, 'ret');
      const pasid = int(d.get('pasid'));
      return {
        kind: fact,
        ...(pasid === undefined ? {} : { pasid }),
        ...(ret !== undefined && int(ret) === 0 ? { refused: true } : {}),
      };
    }
    case 'write_msr': {
      const msr = d.get('msr');
      const value = d.get('value');
      if (msr === undefined || !/^0x[0-9a-f]+$/.test(msr)) return bad(fact, 'msr');
      if (value === undefined || !/^0x[0-9a-f]+$/.test(value)) return bad(fact, 'value');
      return { kind: fact, msr: Number.parseInt(msr.slice(2), 16), value: value.slice(2) };
    }
    default:
      return { skipped: `unknown fact "${fact}"` };
  }
}

class BpftraceReader implements LineReader {
  read(text: string, line: number, source: number): LineOutcome {
    if (text.length === 0 || text.trim() === '') return BLANK;
    if (text.startsWith('#') || text.startsWith('TIME') || text.startsWith('Attaching ')) return COMMENT;
    const m = LINE.exec(text);
    if (!m) return { skipped: 'not a pasid.bt line (truncated or another format)' };
    const b = body(m[5]!, details(m[6]));
    if ('skipped' in b || 'ignored' in b) return b;
    return {
      ts: secondsToNs(m[1]!),
      tsText: m[1]!,
      cpu: Number(m[2]),
      pid: Number(m[3]),
      tid: Number(m[4]),
      body: b,
      source,
      line,
      text,
    };
  }
}

export const bpftraceFormat: TraceFormat = {
  kind: 'bpftrace',
  // bpftrace prints each CPU's perf buffer in turn: lines of different CPUs interleave late.
  reorderWindowNs: 50e6,
  detect(lines) {
    let n = 0;
    for (const l of lines) if (LINE.test(l)) n += 1;
    if (lines.some((l) => /^TIME\s+CPU\s+PID\s+TID\s+FACT/.test(l))) n += 2;
    return n;
  },
  create: () => new BpftraceReader(),
};
