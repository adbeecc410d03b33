/**
 * What a reader gets out of one trace line: a kernel fact with its time and context, before any
 * interpretation. Readers produce facts; `interpret.ts` alone turns them into model inputs.
 */

/** The input formats, one reader each (`--format` takes these names). */
export const TRACE_KINDS = ['perf-script', 'trace-cmd', 'tracefs', 'bpftrace', 'kernel-log'] as const;
export type TraceKind = (typeof TRACE_KINDS)[number];

/** The kernel facts the lifecycle is made of, each named after where the kernel records it. */
export type FactBody =
  /** task:task_newtask, in the forking task: `pid` is the new task. */
  | { kind: 'task_newtask'; pid: number; cloneFlags: bigint }
  /** sched:sched_process_exec: `pid` after exec (the leader's), `oldPid` the exec'ing thread's. */
  | { kind: 'sched_process_exec'; pid: number; oldPid: number }
  /** sched:sched_process_exit: a task (not a process) exits; `groupDead` only on kernels with it. */
  | { kind: 'sched_process_exit'; pid: number; groupDead?: boolean }
  /** msr:write_msr: any MSR; the IA32_PASID ones (0xd93) are the ENQCMD fix-up. */
  /** `value` in hex digits as printed: most writes are of other MSRs and never need it parsed. */
  | { kind: 'write_msr'; msr: number; value: string }
  /**
   * A kretprobe on try_fixup_enqcmd_gp: a user-mode #GP with ENQCMD enabled. Returned true: the
   * MSR was fixed up. `refused` (returned false): the kernel sends SIGSEGV (the mm has no PASID,
   * or the task was already activated, e.g. before an exec).
   */
  | { kind: 'try_fixup_enqcmd_gp'; pasid?: number; refused?: boolean }
  /**
   * iommu_sva_bind_device returned a handle for `device` (PASID when the capture read it), or
   * failed with `error` (a negative errno: -ENOSPC, -EBUSY).
   */
  | { kind: 'iommu_sva_bind_device'; device: string; pasid?: number; error?: number }
  /** iommu_sva_unbind_device; `release` when it ran inside the driver's file release. */
  | { kind: 'iommu_sva_unbind_device'; device: string; pasid?: number; release?: boolean }
  /** The openat that opened the accelerator returned `fd` (O_CLOEXEC in `cloexec`). */
  | { kind: 'openat'; fd: number; cloexec: boolean }
  /** close() of an fd that refers to an accelerator file. */
  | { kind: 'close'; fd: number }
  /** The driver's release (the last fput of the file): the unbind that follows belongs to it. */
  | { kind: 'idxd_cdev_release' }
  /** A DMAR fault line of the kernel log (dmar_fault_do_one's pr_err). */
  | { kind: 'dmar_fault'; device: string; pasid: number | undefined; reason: string };

export type FactKind = FactBody['kind'];

export interface Fact {
  /** Nanoseconds since boot (the trace clock). */
  ts: number;
  /** The timestamp as the line wrote it (part of the event's id). */
  tsText: string;
  /** CPU the line was printed on, when the format says. */
  cpu: number | undefined;
  /** The task in whose context the kernel recorded it (common_pid), when known. */
  tid: number | undefined;
  /** That task's thread group, when the line says (tgid column, bpftrace's pid). */
  pid: number | undefined;
  body: FactBody;
  /** Where it came from: the source's index, the line number and the line's text. */
  source: number;
  line: number;
  text: string;
}

/** What a reader makes of a line: a fact, or why not. */
export type LineOutcome =
  | Fact
  /** Not a fact and not a problem: comments, headers, events that are not PASID facts. */
  | { ignored: string }
  /** A line the reader could not take: counted, reported, fatal under --strict. */
  | { skipped: string };

/** What a capture says about itself: a header line, or --boot-time. */
export interface CaptureInfo {
  bootId?: string;
  /** Wall-clock time of boot, in milliseconds since the epoch (with a fraction). */
  bootTimeMs?: number;
}
