import type { FactBody } from '../fact.js';

/**
 * The text a tracepoint or probe prints after its name, as the kernel's TP_printk formats it
 * (the same in tracefs, trace-cmd report and perf script), turned into a fact body. Sources:
 * include/trace/events/task.h, sched.h and msr.h of Linux (see docs/capture.md for versions).
 */
export type BodyOutcome = FactBody | { ignored: string } | { skipped: string };

// "pid=%d comm=%s clone_flags=%llx oom_score_adj=%hd" (comm may hold spaces)
const NEWTASK = /^pid=(\d+) comm=.*? clone_flags=([0-9a-f]+)(?: oom_score_adj=-?\d+)?$/;
// "filename=%s pid=%d old_pid=%d"
const EXEC = /(?:^| )pid=(\d+) old_pid=(\d+)$/;
// "comm=%s pid=%d prio=%d group_dead=%s" (6.16+: commit 3e816361e94a, "sched/tracepoints: Move and
// extend the sched_process_exit() tracepoint"); "comm=%s pid=%d prio=%d" before
const EXIT = /(?:^| )pid=(\d+) prio=-?\d+(?: group_dead=(true|false))?$/;
// "%x, value %llx%s"
const WRITE_MSR = /^([0-9a-f]+), value ([0-9a-f]+)( #GP)?$/;
// kprobe lines start with "(symbol+off/size)" or, for a kretprobe, "(caller+off/size <- symbol)"
const PROBE_LOCATION = /^\([^)]*\)\s*/;
const PAIR = /([A-Za-z_][A-Za-z0-9_]*)=("[^"]*"|\S+)/g;
const PCI = /^[0-9a-f]{4}:[0-9a-f]{2}:[01][0-9a-f]\.[0-7]$/;

const truncated = (event: string) => ({
  skipped: `${event}: fields not as the kernel prints them (truncated?)`,
});

/** `name` without its subsystem (`sched:sched_process_exit` -> `sched_process_exit`). */
export function eventName(name: string): string {
  const colon = name.lastIndexOf(':');
  return colon < 0 ? name : name.slice(colon + 1);
}

export function parseEventBody(name: string, body: string): BodyOutcome {
  switch (name) {
    case 'write_msr': {
      const m = WRITE_MSR.exec(body);
      if (!m) return truncated(name);
      if (m[3]) return { ignored: 'write_msr that faulted (#GP)' };
      return { kind: 'write_msr', msr: Number.parseInt(m[1]!, 16), value: m[2]! };
    }
    case 'task_newtask': {
      const m = NEWTASK.exec(body);
      if (!m) return truncated(name);
      return { kind: 'task_newtask', pid: Number(m[1]), cloneFlags: BigInt(`0x${m[2]}`) };
    }
    case 'sched_process_exec': {
      const m = EXEC.exec(body);
      if (!m) return truncated(name);
      return { kind: 'sched_process_exec', pid: Number(m[1]), oldPid: Number(m[2]) };
    }
    case 'sched_process_exit': {
      const m = EXIT.exec(body);
      if (!m) return truncated(name);
      return m[2] === undefined
        ? { kind: 'sched_process_exit', pid: Number(m[1]) }
        : { kind: 'sched_process_exit', pid: Number(m[1]), groupDead: m[2] === 'true' };
    }
    default:
      return parseProbeBody(name, body);
  }
}

/** Integers as probes print them: decimal, or hex with 0x (x32/x64 fetch types). */
function int(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const n = /^0x[0-9a-f]+$/i.test(text)
    ? Number.parseInt(text, 16)
    : /^-?\d+$/.test(text)
      ? Number(text)
      : NaN;
  return Number.isSafeInteger(n) ? n : undefined;
}

function fields(body: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of body.replace(PROBE_LOCATION, '').matchAll(PAIR)) {
    const value = m[2]!;
    out.set(m[1]!, value.startsWith('"') ? value.slice(1, -1) : value);
  }
  return out;
}

/**
 * The dynamic events docs/capture.md defines (perf probe / kprobe_events names), and the syscall
 * tracepoints it enables. Anything else is an event this tool does not know.
 */
function parseProbeBody(name: string, body: string): BodyOutcome {
  switch (name) {
    case 'pasid_bind': // kprobe iommu_sva_bind_device dev=+0(+0(%di)):string (kobj name)
    case 'pasid_bind_ret': {
      // kretprobe: pasid=... read from the returned handle
      const f = fields(body);
      const device = f.get('dev') ?? f.get('device');
      const pasid = int(f.get('pasid'));
      if (name === 'pasid_bind' && (device === undefined || !PCI.test(device))) return truncated(name);
      if (name === 'pasid_bind_ret' && pasid === undefined) return truncated(name);
      return {
        kind: 'iommu_sva_bind_device',
        device: device ?? '',
        ...(pasid === undefined ? {} : { pasid }),
      };
    }
    case 'pasid_unbind': {
      const f = fields(body);
      const device = f.get('dev') ?? f.get('device');
      if (device === undefined || !PCI.test(device)) return truncated(name);
      const pasid = int(f.get('pasid'));
      return { kind: 'iommu_sva_unbind_device', device, ...(pasid === undefined ? {} : { pasid }) };
    }
    case 'pasid_release':
      return { kind: 'idxd_cdev_release' };
    case 'pasid_fixup': {
      const ret = int(fields(body).get('ret') ?? fields(body).get('arg1'));
      if (ret === undefined) return truncated(name);
      // Refused, the #GP becomes SIGSEGV: still an ENQCMD trap, whose outcome the model decides.
      return ret ? { kind: 'try_fixup_enqcmd_gp' } : { kind: 'try_fixup_enqcmd_gp', refused: true };
    }
    case 'sys_exit_openat': {
      // tracefs: "sys_openat -> 0x3" (print_syscall_exit's "%s -> 0x%lx", kernel/trace/
      // trace_syscalls.c, the same since 2009); perf script: "0x3" (the event's "0x%lx"). A
      // failure is negative: 64-bit two's complement hex
      const m = /(?:->\s*)?(-?(?:0x)?[0-9a-f]+)\s*$/i.exec(body);
      if (!m) return truncated(name);
      const text = m[1]!;
      const value = text.startsWith('-') ? -BigInt(text.slice(1)) : BigInt.asIntN(64, BigInt(text));
      if (value < 0n) return { ignored: 'openat failed' };
      return { kind: 'openat', fd: Number(value), cloexec: false };
    }
    case 'sys_enter_close': {
      // perf script and trace-cmd report print the event's own format, "fd: 0x%08lx". tracefs
      // prints syscall arguments itself (kernel/trace/trace_syscalls.c, print_syscall_enter):
      // "%s: %lx" (hex without 0x: "fd: a" is 10, "fd: 10" is 16) up to the 2025 change
      // "tracing: Have syscall trace events show "0x" for values greater than 10" (in this
      // machine's 6.18: "fd: 9", then "fd: 0xa"), "%lu" below 10 and "0x%lx" from 10 since.
      // Digits without 0x are hex in both: below 10 the two generations print the same text.
      const m = /fd:\s*(?:0x)?([0-9a-f]+)\s*(?:,|\)|$)/i.exec(body);
      const fd = m ? Number.parseInt(m[1]!, 16) : NaN;
      if (!Number.isSafeInteger(fd)) return truncated(name);
      return { kind: 'close', fd };
    }
    default:
      return { skipped: `unknown event "${name}"` };
  }
}
