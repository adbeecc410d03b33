/**
 * The state views' model: a pure function of the state at a step and the state one step before,
 * so that every row knows whether it appeared, changed or went away at this step. The compare view
 * uses the same model with the other policy's state of the same step in place of the step before
 * (`against`): a row is then new when only this policy has it, changed when the other policy's
 * differs.
 */
import type {
  Bond,
  FreedEntry,
  HazardEntry,
  LedgerState,
  OpenFileEntry,
  Policy,
  ProcessEntry,
} from '../ledger/types';

/**
 * What happened to a row at this step; against another policy: `added` only this policy has it,
 * `changed` the other's differs (rows only the other has are drawn on its side, not here).
 */
export type Change = 'added' | 'changed' | 'removed' | null;

export interface PasidRow {
  key: string;
  pasid: number;
  pid: number;
  refcount: number | null;
  devices: string[];
  /** The holding mm has no live task any more: only open files (in other processes, or kept across an exec) hold it. */
  released: boolean;
  change: Change;
  /** Fields that changed since the previous step (for a changed row). */
  changed: ReadonlySet<'pid' | 'refcount' | 'devices' | 'released'>;
  /** The count before this step, when it changed. */
  previousRefcount: number | null;
  /** What the count is made of: the holder's bonds, and the tasks whose MSR holds this value. */
  bonds: Bond[];
  msrTasks: { tid: number; pid: number }[];
  /** The open fds whose file's bond is to the holder's mm with this value (what keeps a released mm). */
  heldBy: { pid: number; fd: number }[];
}

export interface TaskRow {
  key: string;
  tid: number;
  pid: number;
  msr: number | null;
  /** The #GP fix-up has run in this task; it survives exec, so the fix-up never runs again. */
  activated: boolean;
  /** The MSR holds a PASID that is not its mm's, as the API says (EAGER_UNBIND's stale MSR). */
  stale: boolean;
  change: Change;
  previousMsr: number | null;
}

/** One fd of a process's fd table. */
export interface FdRow {
  key: string;
  fd: number;
  device: string;
  pasid: number;
  /** The pid whose mm the file's bond is to: the process that opened it. */
  holder: number;
  cloexec: boolean;
  /** Inherited at fork: the bond belongs to the file, so it is to the opener's mm, not this process's. */
  inherited: boolean;
  /** The mm the bond is to is released (its process exited or exec'd): this file keeps it. */
  holderReleased: boolean;
  change: Change;
}

export interface ProcessRow {
  key: string;
  pid: number;
  parent: number | null;
  pasid: number | null;
  tasks: TaskRow[];
  /** Null when the API serves no bond counts (derived from PASID table entries instead). */
  bonds: (Bond & { change: Change })[] | null;
  /** The fd table, by fd. */
  files: FdRow[];
  change: Change;
}

export interface EntryRow {
  key: string;
  device: string;
  pasid: number;
  pid: number;
  change: Change;
}

export interface HazardRow extends HazardEntry {
  key: string;
  /** Caused by the input event of this step. */
  isNew: boolean;
}

export interface StateView {
  policy: LedgerState['policy'];
  /** The policy whose state of the same step the rows are marked against; null: the step before. */
  against: Policy | null;
  version: number;
  pasids: PasidRow[];
  processes: ProcessRow[];
  entries: EntryRow[];
  /** Freed PASIDs in order; `pid` and `event` are known when the freeing events were given. */
  freed: { pasid: number; pid: number | null; event: number | null; isNew: boolean }[];
  hazards: HazardRow[];
  counts: { pasids: number; processes: number; tasks: number; entries: number; hazards: number };
  /** Whether anything at all differs from the previous step (or from the other policy). */
  anyChange: boolean;
}

const sameList = (a: readonly unknown[], b: readonly unknown[]) =>
  a.length === b.length && a.every((x, i) => x === b[i]);

/** Processes as served, or rebuilt from the tasks and PASIDs when the API serves none. */
export function processesOf(state: LedgerState): ProcessEntry[] {
  if (state.processes) return [...state.processes].sort((a, b) => a.pid - b.pid);
  const byPid = new Map<number, ProcessEntry>();
  const get = (pid: number) => {
    let p = byPid.get(pid);
    if (!p) {
      p = { pid, parent: null, pasid: null, tasks: [], bonds: [] };
      byPid.set(pid, p);
    }
    return p;
  };
  for (const t of state.tasks) get(t.pid).tasks.push(t.tid);
  for (const r of state.pasids) {
    const p = get(r.pid);
    p.pasid = r.pasid;
  }
  return [...byPid.values()].sort((a, b) => a.pid - b.pid);
}

function entriesOf(state: LedgerState): { key: string; device: string; pasid: number; pid: number }[] {
  const rows = state.pasids.flatMap((r) =>
    r.devices.map((device) => ({ key: `${device}/${r.pasid}`, device, pasid: r.pasid, pid: r.pid })),
  );
  return rows.sort((a, b) => a.pasid - b.pasid || a.device.localeCompare(b.device));
}

/** How rows are marked: against the step before (gone rows kept, struck) or another policy. */
interface Marking {
  /** Another policy's state: rows only it has are left out, and counts (LAZY_REFCOUNT's alone) are not compared. */
  againstPolicy: boolean;
}

function pasidRows(state: LedgerState, prev: LedgerState | null, marking: Marking): PasidRow[] {
  const bondsOf = new Map(processesOf(state).map((p) => [p.pid, p.bonds]));
  const msrTasks = new Map<number, { tid: number; pid: number }[]>();
  for (const t of state.tasks) {
    if (t.msr !== null) msrTasks.set(t.msr, [...(msrTasks.get(t.msr) ?? []), { tid: t.tid, pid: t.pid }]);
  }
  const before = new Map(prev?.pasids.map((r) => [r.pasid, r]) ?? []);
  const now = new Set(state.pasids.map((r) => r.pasid));
  const rows: PasidRow[] = state.pasids.map((r) => {
    const old = before.get(r.pasid);
    const changed = new Set<'pid' | 'refcount' | 'devices' | 'released'>();
    if (old) {
      if (old.pid !== r.pid) changed.add('pid');
      if (!marking.againstPolicy && old.refcount !== r.refcount) changed.add('refcount');
      if (!sameList(old.devices, r.devices)) changed.add('devices');
      if (old.released !== r.released) changed.add('released');
    }
    return {
      key: `p${r.pasid}`,
      ...r,
      change: prev === null ? null : !old ? 'added' : changed.size > 0 ? 'changed' : null,
      changed,
      previousRefcount: old && changed.has('refcount') ? old.refcount : null,
      // A released mm's process (gone, or exec'd into a new mm) no longer has its bonds.
      bonds: r.released ? [] : [...(bondsOf.get(r.pid) ?? [])],
      msrTasks: (msrTasks.get(r.pasid) ?? []).sort((a, b) => a.tid - b.tid),
      heldBy: state.files
        .filter((f) => f.holder === r.pid && f.pasid === r.pasid)
        .map((f) => ({ pid: f.pid, fd: f.fd })),
    };
  });
  for (const old of marking.againstPolicy ? [] : (prev?.pasids ?? [])) {
    if (!now.has(old.pasid)) {
      rows.push({
        key: `p${old.pasid}`,
        ...old,
        change: 'removed',
        changed: new Set(),
        previousRefcount: null,
        bonds: [],
        msrTasks: [],
        heldBy: [],
      });
    }
  }
  return rows.sort((a, b) => a.pasid - b.pasid);
}

/** The fd table of `pid` in `state`, each fd marked against the state before. */
function fdRows(
  state: LedgerState,
  prev: LedgerState | null,
  pid: number,
  marking: Marking,
  gone = false,
): FdRow[] {
  const row = (f: OpenFileEntry, change: Change): FdRow => ({
    key: `f${f.pid}:${f.fd}`,
    fd: f.fd,
    device: f.device,
    pasid: f.pasid,
    holder: f.holder,
    cloexec: f.cloexec,
    inherited: f.holder !== f.pid,
    holderReleased: state.pasids.some((r) => r.pasid === f.pasid && r.pid === f.holder && r.released),
    change,
  });
  const now = gone ? [] : state.files.filter((f) => f.pid === pid);
  const before = new Map(prev?.files.filter((f) => f.pid === pid).map((f) => [f.fd, f]) ?? []);
  const rows = now.map((f) => {
    const old = before.get(f.fd);
    const same =
      old !== undefined &&
      old.device === f.device &&
      old.pasid === f.pasid &&
      old.holder === f.holder &&
      old.cloexec === f.cloexec;
    return row(f, prev === null ? null : !old ? 'added' : same ? null : 'changed');
  });
  const fdsNow = new Set(now.map((f) => f.fd));
  if (!marking.againstPolicy)
    for (const [fd, old] of before) if (!fdsNow.has(fd)) rows.push(row(old, 'removed'));
  return rows.sort((a, b) => a.fd - b.fd);
}

function processRows(state: LedgerState, prev: LedgerState | null, marking: Marking): ProcessRow[] {
  const tasksNow = new Map(state.tasks.map((t) => [t.tid, t]));
  const tasksBefore = new Map(prev?.tasks.map((t) => [t.tid, t]) ?? []);
  const procsNow = processesOf(state);
  const procsBefore = new Map(prev ? processesOf(prev).map((p) => [p.pid, p]) : []);
  const hasBonds = state.processes !== null;

  const taskRow = (tid: number, pid: number): TaskRow => {
    const t = tasksNow.get(tid);
    const old = tasksBefore.get(tid);
    const msr = t?.msr ?? null;
    const activated = t?.activated ?? false;
    return {
      key: `t${tid}`,
      tid,
      pid,
      msr,
      activated,
      stale: t?.msrStale ?? false,
      change:
        prev === null
          ? null
          : !old
            ? 'added'
            : old.msr !== msr || old.activated !== activated
              ? 'changed'
              : null,
      previousMsr: old && old.msr !== msr ? old.msr : null,
    };
  };

  const rows: ProcessRow[] = procsNow.map((p) => {
    const old = procsBefore.get(p.pid);
    const tasks = p.tasks.map((tid) => taskRow(tid, p.pid));
    for (const tid of marking.againstPolicy ? [] : (old?.tasks ?? [])) {
      if (!tasksNow.has(tid)) {
        const gone = tasksBefore.get(tid);
        tasks.push({
          key: `t${tid}`,
          tid,
          pid: p.pid,
          msr: gone?.msr ?? null,
          activated: gone?.activated ?? false,
          stale: false,
          change: 'removed',
          previousMsr: null,
        });
      }
    }
    tasks.sort((a, b) => a.tid - b.tid);
    let bonds: ProcessRow['bonds'] = null;
    if (hasBonds) {
      const oldBonds = new Map(old?.bonds.map((b) => [b.device, b.count]) ?? []);
      bonds = p.bonds.map((b) => ({
        ...b,
        change:
          prev === null
            ? null
            : !oldBonds.has(b.device)
              ? 'added'
              : oldBonds.get(b.device) !== b.count
                ? 'changed'
                : null,
      }));
      for (const [device, count] of marking.againstPolicy ? [] : oldBonds) {
        if (!p.bonds.some((b) => b.device === device)) bonds.push({ device, count, change: 'removed' });
      }
    }
    const files = fdRows(state, prev, p.pid, marking);
    const changed =
      old !== undefined &&
      (old.pasid !== p.pasid ||
        tasks.some((t) => t.change !== null) ||
        bonds?.some((b) => b.change !== null) ||
        files.some((f) => f.change !== null));
    return {
      key: `P${p.pid}`,
      pid: p.pid,
      parent: p.parent ?? old?.parent ?? null,
      pasid: p.pasid,
      tasks,
      bonds,
      files,
      change: prev === null ? null : !old ? 'added' : changed ? 'changed' : null,
    };
  });
  const pidsNow = new Set(procsNow.map((p) => p.pid));
  for (const [pid, old] of marking.againstPolicy ? [] : procsBefore) {
    if (pidsNow.has(pid)) continue;
    rows.push({
      key: `P${pid}`,
      pid,
      parent: old.parent,
      pasid: old.pasid,
      tasks: old.tasks.map((tid) => ({
        ...taskRow(tid, pid),
        msr: tasksBefore.get(tid)?.msr ?? null,
        activated: tasksBefore.get(tid)?.activated ?? false,
        stale: false,
        change: 'removed' as const,
      })),
      bonds: hasBonds ? old.bonds.map((b) => ({ ...b, change: 'removed' as const })) : null,
      files: fdRows(state, prev, pid, marking, true),
      change: 'removed',
    });
  }
  return rows.sort((a, b) => a.pid - b.pid);
}

function entryRows(state: LedgerState, prev: LedgerState | null, marking: Marking): EntryRow[] {
  const now = entriesOf(state);
  const before = prev ? entriesOf(prev) : [];
  const beforeKeys = new Set(before.map((e) => e.key));
  const nowKeys = new Set(now.map((e) => e.key));
  const beforePid = new Map(before.map((e) => [e.key, e.pid]));
  const rows: EntryRow[] = now.map((e) => ({
    ...e,
    change:
      prev === null
        ? null
        : !beforeKeys.has(e.key)
          ? 'added'
          : beforePid.get(e.key) !== e.pid
            ? 'changed'
            : null,
  }));
  if (!marking.againstPolicy)
    for (const e of before) if (!nowKeys.has(e.key)) rows.push({ ...e, change: 'removed' });
  return rows.sort((a, b) => a.pasid - b.pasid || a.device.localeCompare(b.device));
}

/**
 * The view of `state`, with every difference from `prev` (the state one step before) marked.
 * `freedEvents` (the history's PasidFreed events, in order) name who held each freed value and when.
 * With `against`, `prev` is that policy's state of the same step instead (the compare view).
 */
export function toStateView(
  state: LedgerState,
  prev: LedgerState | null,
  freedEvents?: readonly FreedEntry[],
  options: { against?: Policy } = {},
): StateView {
  const marking: Marking = { againstPolicy: options.against !== undefined && prev !== null };
  const pasids = pasidRows(state, prev, marking);
  const processes = processRows(state, prev, marking);
  const entries = entryRows(state, prev, marking);
  const freedBefore = prev?.freed.length ?? state.freed.length;
  // Against another policy: what this side freed (or found) that the other did not, value by value.
  const freedOnlyHere = marking.againstPolicy ? onlyHere(state.freed, prev?.freed ?? [], String) : null;
  const hazardsOnlyHere = marking.againstPolicy
    ? onlyHere(state.hazards, prev?.hazards ?? [], hazardKey)
    : null;
  const freed = state.freed.map((pasid, i) => {
    const known = freedEvents?.[i];
    const matches = known !== undefined && known.pasid === pasid && known.event <= state.version;
    return {
      pasid,
      pid: matches ? known.pid : null,
      event: matches ? known.event : null,
      isNew: freedOnlyHere ? freedOnlyHere[i]! : prev !== null && i >= freedBefore,
    };
  });
  const hazards = state.hazards.map((h, i) => ({
    ...h,
    key: `h${i}`,
    isNew: hazardsOnlyHere ? hazardsOnlyHere[i]! : h.event === state.version && state.version > 0,
  }));
  const anyChange =
    pasids.some((r) => r.change) ||
    processes.some((r) => r.change) ||
    entries.some((r) => r.change) ||
    freed.some((f) => f.isNew) ||
    hazards.some((h) => h.isNew);
  return {
    policy: state.policy,
    against: marking.againstPolicy ? (options.against ?? null) : null,
    version: state.version,
    pasids,
    processes,
    entries,
    freed,
    hazards,
    counts: {
      pasids: state.pasids.length,
      processes: processes.filter((p) => p.change !== 'removed').length,
      tasks: state.tasks.length,
      entries: entries.filter((e) => e.change !== 'removed').length,
      hazards: state.hazards.length,
    },
    anyChange,
  };
}

const hazardKey = (h: HazardEntry) =>
  [h.code, h.reason, h.event, h.tid, h.pid, h.device, h.pasid, h.observed, h.explained].join('|');

/**
 * For each item of `here`, whether it is one `there` lacks, compared as multisets by `key` (a
 * value freed twice on this side and once on the other: the second is this side's alone).
 */
function onlyHere<T>(here: readonly T[], there: readonly T[], key: (item: T) => string): boolean[] {
  const left = new Map<string, number>();
  for (const item of there) left.set(key(item), (left.get(key(item)) ?? 0) + 1);
  return here.map((item) => {
    const n = left.get(key(item)) ?? 0;
    if (n === 0) return true;
    left.set(key(item), n - 1);
    return false;
  });
}

/** How many of `hazards` (in event order) were caused by input events up to `version`. */
export function hazardCountUpTo(hazards: readonly HazardEntry[], version: number): number {
  let lo = 0;
  let hi = hazards.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (hazards[mid]!.event <= version) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * A state fetched without its hazards, given those of the whole recorded history that it had
 * seen: recorded hazards never change, so the state at `v` has exactly those of events <= v.
 */
export function withHazards(state: LedgerState, hazards: readonly HazardEntry[]): LedgerState {
  return { ...state, hazards: hazards.slice(0, hazardCountUpTo(hazards, state.version)) };
}
