import {
  assertNever,
  type DerivedEvent,
  type HazardCode,
  type HazardFields,
  type InputEvent,
} from './events.js';
import { type RecordedStep, Replayer } from './replayer.js';
import type { SystemConfig } from './state.js';

/**
 * Lifetimes: who held what from which step to which, as Perfetto or KernelShark draw a trace's
 * lanes. A span starts at the version (1-based input) whose step began it and ends at the version
 * whose step ended it (`to: null` while it is still open at the end of the history). Read from
 * the derived events the rules emit, so a lane never restates a rule.
 */
export interface Span {
  from: number;
  to: number | null;
}

/** One allocation of a PASID value: held by `pid` from `from` until freed at `to`. */
export interface PasidGeneration extends Span {
  pasid: number;
  pid: number;
  /** 1 for the value's first allocation, 2 when it is handed out again, ... */
  generation: number;
}

/** A PASID table entry (device, pasid) while it is installed, pointing at `pid`'s mm. */
export interface EntrySpan extends Span {
  device: string;
  pasid: number;
  pid: number;
}

/** A task's IA32_PASID MSR while it holds `pasid` (from the #GP fix-up until exit or exec). */
export interface MsrSpan extends Span {
  tid: number;
  pid: number;
  pasid: number;
}

export interface TaskLifetime extends Span {
  tid: number;
  pid: number;
  msr: MsrSpan[];
}

export interface ProcessLifetime extends Span {
  pid: number;
  parent: number | null;
  tasks: TaskLifetime[];
}

/** One fd-table slot (pid, fd) referring to an open file, from the open or the fork until its close. */
export interface FdSpan extends Span {
  pid: number;
  fd: number;
  cloexec: boolean;
  /** The process the slot was copied from at fork; null for the fd the file was opened at. */
  inheritedFrom: number | null;
}

/**
 * One open file (one `open()` of an accelerator) from its open until its last reference is closed:
 * its device, the PASID its bond was made with, the process whose mm the bond is to, and every fd
 * slot that referred to it (fork copies them: the bond belongs to the file).
 */
export interface FileLifetime extends Span {
  /** The file's id: the version of the `DeviceBound` that opened it. */
  file: number;
  device: string;
  pasid: number;
  /** The process that opened it, whose mm the bond is to. */
  holder: number;
  /** Its fd slots, by start. */
  fds: FdSpan[];
}

export interface HazardMark extends Omit<HazardFields, 'code'> {
  code: HazardCode;
  /** The version whose step detected it. */
  version: number;
}

export interface Lifetimes {
  /** The last version folded. */
  version: number;
  /** Every generation of every value, by value then by start. */
  pasids: PasidGeneration[];
  /** Processes in creation order, each with its tasks in creation order. A reused pid is a new process. */
  processes: ProcessLifetime[];
  /** PASID table entries, by device then by start. */
  entries: EntrySpan[];
  /** Open files, in the order they were opened. */
  files: FileLifetime[];
  hazards: HazardMark[];
}

/**
 * Folds recorded steps (inputs with the events derived from them) into lifetimes. Use `step` for
 * each step in order, then `result`; or `lifetimes(config, inputs)` to decide the history first.
 */
export class LifetimeRecorder {
  private version = 0;
  private readonly generations: PasidGeneration[] = [];
  private readonly generationCount = new Map<number, number>();
  private readonly openGeneration = new Map<number, PasidGeneration>();
  private readonly processes: ProcessLifetime[] = [];
  private readonly liveProcess = new Map<number, ProcessLifetime>();
  private readonly liveTask = new Map<number, TaskLifetime>();
  private readonly entries: EntrySpan[] = [];
  private readonly openEntry = new Map<string, EntrySpan>();
  private readonly hazards: HazardMark[] = [];
  private readonly files: FileLifetime[] = [];
  private readonly liveFile = new Map<number, FileLifetime>();
  /** pid -> fd -> the open slot and its file. */
  private readonly liveFd = new Map<number, Map<number, { file: FileLifetime; span: FdSpan }>>();

  step({ input, derived }: RecordedStep): void {
    this.version += 1;
    this.input(input);
    for (const event of derived) this.derived(event);
  }

  result(): Lifetimes {
    const byStart = (a: Span, b: Span) => a.from - b.from;
    return {
      version: this.version,
      pasids: [...this.generations].sort((a, b) => a.pasid - b.pasid || byStart(a, b)),
      processes: this.processes,
      entries: [...this.entries].sort((a, b) =>
        a.device < b.device ? -1 : a.device > b.device ? 1 : byStart(a, b),
      ),
      files: this.files,
      hazards: this.hazards,
    };
  }

  private input(input: InputEvent): void {
    const v = this.version;
    switch (input.type) {
      case 'ProcessCreated': {
        const process: ProcessLifetime = {
          pid: input.pid,
          parent: input.parent ?? null,
          from: v,
          to: null,
          tasks: [],
        };
        this.processes.push(process);
        this.liveProcess.set(input.pid, process);
        this.startTask(process, input.pid);
        // fork copies the parent's fd table: each slot a new reference to the same open file.
        if (input.parent !== undefined) {
          for (const [fd, { file, span }] of this.liveFd.get(input.parent) ?? []) {
            this.openFd(file, input.pid, fd, span.cloexec, input.parent);
          }
        }
        return;
      }
      case 'ThreadCreated': {
        const process = this.liveProcess.get(input.pid);
        if (process) this.startTask(process, input.tid);
        return;
      }
      case 'TaskExited': {
        const task = this.liveTask.get(input.tid);
        if (!task) return;
        task.to = v;
        this.endMsr(task);
        this.liveTask.delete(input.tid);
        return;
      }
      case 'ProcessExec': {
        // The fresh mm starts with every MSR of the process invalid.
        for (const task of this.liveProcess.get(input.pid)?.tasks ?? [])
          if (task.to === null) this.endMsr(task);
        return;
      }
      case 'FileClosed':
        this.closeFd(input.pid, input.fd);
        return;
      case 'DeviceBound':
      case 'DeviceUnbound':
      case 'DmarFaultLogged':
      case 'Enqcmd':
        return;
      default:
        assertNever(input);
    }
  }

  private derived(event: DerivedEvent): void {
    const v = this.version;
    switch (event.type) {
      case 'PasidAllocated': {
        const generation = (this.generationCount.get(event.pasid) ?? 0) + 1;
        this.generationCount.set(event.pasid, generation);
        const span: PasidGeneration = { pasid: event.pasid, pid: event.pid, generation, from: v, to: null };
        this.generations.push(span);
        this.openGeneration.set(event.pasid, span);
        return;
      }
      case 'PasidFreed': {
        const span = this.openGeneration.get(event.pasid);
        if (span) span.to = v;
        this.openGeneration.delete(event.pasid);
        return;
      }
      case 'PasidEntryInstalled': {
        const holder = this.openGeneration.get(event.pasid)?.pid ?? 0;
        const span: EntrySpan = { device: event.device, pasid: event.pasid, pid: holder, from: v, to: null };
        this.entries.push(span);
        this.openEntry.set(`${event.device}/${event.pasid}`, span);
        return;
      }
      case 'PasidEntryRemoved': {
        const key = `${event.device}/${event.pasid}`;
        const span = this.openEntry.get(key);
        if (span) span.to = v;
        this.openEntry.delete(key);
        return;
      }
      case 'MsrFixedUp': {
        const task = this.liveTask.get(event.tid);
        if (task) task.msr.push({ tid: task.tid, pid: task.pid, pasid: event.pasid, from: v, to: null });
        return;
      }
      case 'ProcessExited': {
        const process = this.liveProcess.get(event.pid);
        if (process) process.to = v;
        this.liveProcess.delete(event.pid);
        return;
      }
      case 'HazardDetected': {
        const { type: _type, ...fields } = event;
        this.hazards.push({ ...fields, version: v });
        return;
      }
      case 'BondAdded': {
        if (event.fd === undefined) return;
        const file: FileLifetime = {
          file: v,
          device: event.device,
          pasid: event.pasid,
          holder: event.pid,
          from: v,
          to: null,
          fds: [],
        };
        this.files.push(file);
        this.liveFile.set(v, file);
        this.openFd(file, event.pid, event.fd, event.cloexec ?? false, null);
        return;
      }
      case 'FileClosed':
        this.closeFd(event.pid, event.fd);
        return;
      case 'DeviceUnbound': {
        // The open file's last reference went: its bond is unbound with it.
        if (event.file === undefined) return;
        const file = this.liveFile.get(event.file);
        if (file) file.to = v;
        this.liveFile.delete(event.file);
        return;
      }
      case 'WorkSubmitted':
      case 'RefcountChanged':
      case 'BindFailed':
      case 'MmReleased':
        return;
      default:
        assertNever(event);
    }
  }

  private openFd(file: FileLifetime, pid: number, fd: number, cloexec: boolean, from: number | null): void {
    const span: FdSpan = { pid, fd, cloexec, inheritedFrom: from, from: this.version, to: null };
    file.fds.push(span);
    let table = this.liveFd.get(pid);
    if (!table) {
      table = new Map();
      this.liveFd.set(pid, table);
    }
    table.set(fd, { file, span });
  }

  private closeFd(pid: number, fd: number): void {
    const table = this.liveFd.get(pid);
    const slot = table?.get(fd);
    if (!table || !slot) return;
    slot.span.to = this.version;
    table.delete(fd);
    if (table.size === 0) this.liveFd.delete(pid);
  }

  private startTask(process: ProcessLifetime, tid: number): void {
    const task: TaskLifetime = { tid, pid: process.pid, from: this.version, to: null, msr: [] };
    process.tasks.push(task);
    this.liveTask.set(tid, task);
  }

  private endMsr(task: TaskLifetime): void {
    const open = task.msr[task.msr.length - 1];
    if (open && open.to === null) open.to = this.version;
  }
}

/** The lifetimes of a history under `config`: its inputs decided and folded. Throws on a rejected input. */
export function lifetimes(config: SystemConfig, inputs: Iterable<InputEvent>): Lifetimes {
  const replayer = new Replayer(config);
  const recorder = new LifetimeRecorder();
  for (const input of inputs) {
    const decision = replayer.apply(input);
    if (!decision.ok) {
      throw new Error(
        `input ${replayer.version + 1} (${input.type}) rejected: ${decision.rejection.message}`,
      );
    }
    recorder.step({ input, derived: decision.events });
  }
  return recorder.result();
}
