import type { InputEvent, InputEventOf } from '@pasid/domain';
import type { Fact } from './fact.js';

/**
 * Fact -> model input: the one place that knows what each kernel fact means for the lifecycle
 * model (pasid-lifecycle.md, "Changes from version 1", item 8). It keeps only what the facts
 * themselves say (which thread group a task is in, a bind waiting for its fd); whether the model
 * takes an input is the domain's to say (gate.ts), not this file's.
 */
export type Interpreted =
  /** `adjusted`: taken, but with less than the kernel knew (the report says so). */
  | {
      fact: Fact;
      input: InputEvent;
      also?: Fact;
      adjusted?: { reason: string; example: string };
      /** The kernel's bind failed with this errno: the model should fail it too. */
      bindFailed?: number;
    }
  | { fact: Fact; ignored: string }
  | { fact: Fact; skipped: string };

const CLONE_THREAD = 0x10000n;
export const MSR_IA32_PASID = 0xd93;
const MSR_IA32_PASID_VALID = 0x80000000n;

interface PendingBind {
  fact: Fact;
  pid: number;
  device: string;
  pasid: number | undefined;
}

export class Interpreter {
  /** tid -> its thread group, from what the trace showed (new tasks, tgid columns). */
  private readonly groupOf = new Map<number, number>();
  /** A bind seen in a task, waiting for the fd its openat returns (or for the task's next fact). */
  private readonly pendingBind = new Map<number, PendingBind>();
  /** Tasks inside the driver's release: their next unbind is the file's, which the model derives. */
  private readonly releasing = new Set<number>();
  /**
   * Tasks whose last fact was an IA32_PASID write: try_fixup_enqcmd_gp() writes the MSR inside
   * itself, then returns true (arch/x86/kernel/traps.c: wrmsrl(MSR_IA32_PASID, pasid |
   * MSR_IA32_PASID_VALID); current->pasid_activated = 1; return true), so its kretprobe line
   * comes right after the write, in the same task, and is the same fix-up.
   */
  private readonly msrWritten = new Set<number>();

  take(fact: Fact): Interpreted[] {
    const out: Interpreted[] = [];
    const tid = fact.tid;
    if (tid !== undefined && fact.pid !== undefined) this.groupOf.set(tid, fact.pid);
    // Only the task's very next fact can be the fix-up's return.
    if (this.msrWritten.size > 0 && tid !== undefined && fact.body.kind !== 'try_fixup_enqcmd_gp')
      this.msrWritten.delete(tid);
    const pending = tid === undefined ? undefined : this.pendingBind.get(tid);
    if (pending && tid !== undefined) {
      const body = fact.body;
      if (body.kind === 'openat') {
        this.pendingBind.delete(tid);
        out.push({
          fact: pending.fact,
          also: fact,
          input: bound(pending, { fd: body.fd, cloexec: body.cloexec }),
        });
        return out;
      }
      if (body.kind === 'iommu_sva_bind_device' && body.device === '' && pending.pasid === undefined) {
        // The kretprobe's half: the PASID of the bind whose device the entry probe gave.
        if (body.pasid !== undefined) pending.pasid = body.pasid;
        return [{ fact, ignored: 'return of the bind above (its PASID)' }];
      }
      this.pendingBind.delete(tid);
      out.push({ fact: pending.fact, input: bound(pending, {}) });
    }
    const item = this.interpret(fact);
    if (item) out.push(item);
    return out;
  }

  /** Binds still waiting for an fd when the trace ends are process bonds. */
  end(): Interpreted[] {
    const out: Interpreted[] = [];
    for (const pending of this.pendingBind.values())
      out.push({ fact: pending.fact, input: bound(pending, {}) });
    this.pendingBind.clear();
    return out;
  }

  private group(fact: Fact): number | undefined {
    if (fact.pid !== undefined) return fact.pid;
    return fact.tid === undefined ? undefined : this.groupOf.get(fact.tid);
  }

  /** What `fact` means, or undefined while it waits for a later fact (a bind for its fd). */
  private interpret(fact: Fact): Interpreted | undefined {
    const body = fact.body;
    switch (body.kind) {
      case 'task_newtask': {
        const parent = this.group(fact);
        if ((body.cloneFlags & CLONE_THREAD) !== 0n) {
          if (parent === undefined) return { fact, skipped: 'thread of a process the trace never saw start' };
          this.groupOf.set(body.pid, parent);
          return { fact, input: { type: 'ThreadCreated', tid: body.pid, pid: parent } };
        }
        this.groupOf.set(body.pid, body.pid);
        // fork, vfork, CLONE_VM without CLONE_THREAD: a process whose parent is the forking
        // task's thread group (task_newtask runs in the forking thread).
        if (parent === undefined) {
          return {
            fact,
            input: { type: 'ProcessCreated', pid: body.pid },
            adjusted: {
              reason: 'ProcessCreated without its parent (the forking task was never seen: no tgid column)',
              example: `ProcessCreated of pid ${body.pid} without its parent: the forking task ${fact.tid} was never seen (no tgid column; options/record-tgid gives it)`,
            },
          };
        }
        return { fact, input: { type: 'ProcessCreated', pid: body.pid, parent } };
      }
      case 'sched_process_exec':
        // A non-leader's exec takes the leader's id (old_pid is the thread that called exec).
        if (body.oldPid !== body.pid) this.groupOf.delete(body.oldPid);
        this.groupOf.set(body.pid, body.pid);
        return { fact, input: { type: 'ProcessExec', pid: body.pid } };
      case 'sched_process_exit':
        this.groupOf.delete(body.pid);
        return { fact, input: { type: 'TaskExited', tid: body.pid } };
      case 'write_msr': {
        if (body.msr !== MSR_IA32_PASID) return { fact, ignored: 'write_msr of another MSR' };
        if ((BigInt(`0x${body.value}`) & MSR_IA32_PASID_VALID) === 0n)
          return { fact, ignored: 'IA32_PASID cleared' };
        if (fact.tid === undefined) return { fact, skipped: 'write_msr without its task' };
        // The fix-up's own write (a capture without the kretprobe sees only this line).
        this.msrWritten.add(fact.tid);
        return { fact, input: { type: 'Enqcmd', tid: fact.tid } };
      }
      case 'try_fixup_enqcmd_gp':
        if (fact.tid === undefined) return { fact, skipped: 'fix-up without its task' };
        if (this.msrWritten.delete(fact.tid)) {
          if (!body.refused) return { fact, ignored: 'return of the fix-up whose MSR write is above' };
        }
        // Fixed up or refused (then SIGSEGV), the task took ENQCMD's #GP: the model decides which
        // (its SIGSEGV reason says why the kernel refused). A refusal writes no MSR; a fix-up
        // without its write above is one whose msr:write_msr the capture did not enable.
        return { fact, input: { type: 'Enqcmd', tid: fact.tid } };
      case 'iommu_sva_bind_device': {
        const pid = this.group(fact);
        if (pid === undefined || fact.tid === undefined) {
          return { fact, skipped: 'bind in a task of a process the trace never saw start' };
        }
        if (body.device === '') return { fact, skipped: 'bind return without its entry (device unknown)' };
        if (body.error !== undefined) {
          // The kernel tried to bind and failed (no PASID left, or the PASID table entry taken):
          // the attempt goes to the model, whose BindFailed says why (PASID_EXHAUSTED,
          // PASID_ENTRY_BUSY). No fd follows: the open failed with it.
          return { fact, input: { type: 'DeviceBound', pid, device: body.device }, bindFailed: body.error };
        }
        this.pendingBind.set(fact.tid, { fact, pid, device: body.device, pasid: body.pasid });
        return undefined;
      }
      case 'openat':
        return { fact, ignored: 'openat of a file that is not an accelerator' };
      case 'idxd_cdev_release':
        if (fact.tid !== undefined) this.releasing.add(fact.tid);
        return { fact, ignored: 'release of an accelerator file (its unbind follows)' };
      case 'iommu_sva_unbind_device': {
        if (fact.tid !== undefined && this.releasing.delete(fact.tid)) {
          return { fact, ignored: "a file's release: the model derives it from the closes" };
        }
        const pid = this.group(fact);
        if (pid === undefined)
          return { fact, skipped: 'unbind in a task of a process the trace never saw start' };
        return { fact, input: { type: 'DeviceUnbound', pid, device: body.device } };
      }
      case 'close': {
        const pid = this.group(fact);
        if (pid === undefined)
          return { fact, skipped: 'close in a task of a process the trace never saw start' };
        return { fact, input: { type: 'FileClosed', pid, fd: body.fd } };
      }
      case 'dmar_fault':
        if (body.pasid === undefined) return { fact, ignored: 'DMAR fault without a PASID' };
        return {
          fact,
          input: { type: 'DmarFaultLogged', device: body.device, pasid: body.pasid, reason: body.reason },
        };
      default:
        return assertNever(body);
    }
  }
}

function bound(pending: PendingBind, file: { fd?: number; cloexec?: boolean }): InputEvent {
  const input: InputEventOf<'DeviceBound'> = {
    type: 'DeviceBound',
    pid: pending.pid,
    device: pending.device,
  };
  if (pending.pasid !== undefined) input.pasid = pending.pasid;
  if (file.fd !== undefined) {
    input.fd = file.fd;
    input.cloexec = file.cloexec ?? false;
  }
  return input;
}

function assertNever(value: never): never {
  throw new Error(`unhandled fact: ${JSON.stringify(value)}`);
}
