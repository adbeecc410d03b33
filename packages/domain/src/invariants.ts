import type { DerivedEvent } from './events.js';
import { bondCount, deviceBondCount, isMsrStale, type State } from './state.js';

export interface InvariantViolation {
  /** The invariant's number in the spec (0: the state's own bookkeeping). */
  invariant: number;
  message: string;
}

/**
 * Every invariant of the spec that a single state can show, checked between input events. They
 * hold until an `UNBALANCED_PUT` (the seed's code breaking its own design); see `unbalancedSince`.
 */
export function checkInvariants(state: State): InvariantViolation[] {
  const out: InvariantViolation[] = [];
  const fail = (invariant: number, message: string) => out.push({ invariant, message });
  checkBookkeeping(state, fail);

  // 1. Every PASID in the pool is held by exactly one mm and lies in [1, maxPasid).
  for (const [value, record] of state.pasids) {
    if (value < 1 || value >= state.maxPasid) fail(1, `pasid ${value} is outside [1, ${state.maxPasid})`);
    const holder = state.mms.get(record.mm);
    if (!holder) fail(1, `pasid ${value} is held by mm ${record.mm}, which is not in the state`);
    else if (holder.pasid !== value)
      fail(1, `pasid ${value} names mm ${record.mm}, which has ${holder.pasid}`);
    else if (holder.pid !== record.pid)
      fail(1, `pasid ${value} names pid ${record.pid}, its mm is ${holder.pid}'s`);
  }
  for (const mm of state.mms.values()) {
    if (mm.pasid !== null && state.pasids.get(mm.pasid)?.mm !== mm.id) {
      fail(1, `mm ${mm.id} of pid ${mm.pid} has pasid ${mm.pasid}, which the pool does not give to it`);
    }
  }

  // 2. An entry (device, p) is present exactly when the holder of p is not released and has
  //    bonds[device] > 0; it points at the holder.
  for (const [value, byDevice] of state.entries) {
    const record = state.pasids.get(value);
    for (const [device, mmId] of byDevice) {
      if (!record) fail(2, `entry (${device}, ${value}) for a PASID not in the pool`);
      else if (mmId !== record.mm)
        fail(2, `entry (${device}, ${value}) points at mm ${mmId}, not its holder`);
      const mm = state.mms.get(mmId);
      if (!mm || mm.released) fail(2, `entry (${device}, ${value}) points at a released or dropped mm`);
      else if (deviceBondCount(mm, device) === 0) fail(2, `entry (${device}, ${value}) without a bond`);
    }
  }
  for (const record of state.pasids.values()) {
    const mm = state.mms.get(record.mm);
    if (!mm || mm.released) continue;
    for (const device of mm.bonds.keys()) {
      if (state.entries.get(record.pasid)?.get(device) !== mm.id) {
        fail(2, `pid ${mm.pid} binds ${device} with pasid ${record.pasid} but has no entry`);
      }
    }
  }

  // 3. LAZY_REFCOUNT: count = the holder's bonds + live tasks using the holder whose MSR is p.
  for (const record of state.pasids.values()) {
    if (state.policy !== 'LAZY_REFCOUNT') {
      if (record.refcount !== null) fail(3, `pasid ${record.pasid} has a count outside LAZY_REFCOUNT`);
      continue;
    }
    const mm = state.mms.get(record.mm);
    let expected = mm ? bondCount(mm) : 0;
    const user = mm && !mm.released ? state.processes.get(mm.pid) : undefined;
    if (user && user.mm === record.mm) {
      for (const tid of user.tasks) if (state.tasks.get(tid)?.msr === record.pasid) expected += 1;
    }
    if (record.refcount !== expected) {
      fail(3, `pasid ${record.pasid} has count ${record.refcount}, expected ${expected}`);
    }
    if (!(expected > 0)) fail(3, `pasid ${record.pasid} is allocated with count ${expected}`);
  }

  // 4. LAZY_REFCOUNT and MM_EXIT: no stale MSR, and so never the wrong address space.
  if (state.policy !== 'EAGER_UNBIND') {
    for (const task of state.tasks.values()) {
      if (isMsrStale(state, task)) {
        const process = state.processes.get(task.pid);
        const own = process ? (state.mms.get(process.mm)?.pasid ?? null) : null;
        fail(4, `tid ${task.tid} carries pasid ${task.msr} in its MSR but its mm has ${own}`);
      }
    }
    for (const hazard of state.hazards) {
      if (hazard.code === 'WRONG_ADDRESS_SPACE') fail(4, `WRONG_ADDRESS_SPACE at event ${hazard.event}`);
    }
  }

  // 6. A released mm has no entry (above); a dropped mm has no bond and no PASID: an mm that is
  //    released with no bond left must have left the state. A process with no live task has no
  //    process bond and no fd: it has left the state.
  for (const mm of state.mms.values()) {
    if (mm.released && bondCount(mm) === 0)
      fail(6, `mm ${mm.id} of pid ${mm.pid} is dropped but holds ${mm.pasid}`);
  }
  for (const process of state.processes.values()) {
    if (process.tasks.size === 0) fail(6, `pid ${process.pid} is in the state with no live task`);
  }
  return out;
}

/** The state's own bookkeeping (invariant 0): pool, tasks, mms, bonds and files agree. */
function checkBookkeeping(state: State, fail: (invariant: number, message: string) => void): void {
  const free = new Set(state.pool.free);
  for (const value of free) {
    if (state.pasids.has(value)) fail(0, `pasid ${value} is both allocated and in the free list`);
  }
  for (const value of state.pasids.keys()) {
    if (value >= state.pool.high)
      fail(0, `pasid ${value} is allocated above the high mark ${state.pool.high}`);
  }
  if (free.size + state.pasids.size !== state.pool.high - 1) {
    fail(
      0,
      `free list (${free.size}) and allocated (${state.pasids.size}) do not cover 1..${state.pool.high - 1}`,
    );
  }
  for (const process of state.processes.values()) {
    for (const tid of process.tasks) {
      if (state.tasks.get(tid)?.pid !== process.pid)
        fail(0, `pid ${process.pid} lists tid ${tid} it does not own`);
    }
    const mm = state.mms.get(process.mm);
    if (!mm || mm.released || mm.pid !== process.pid) fail(0, `pid ${process.pid} has no live mm of its own`);
  }
  for (const task of state.tasks.values()) {
    if (!state.processes.get(task.pid)?.tasks.has(task.tid)) fail(0, `tid ${task.tid} has no live process`);
    if (task.msr !== null && !task.activated) fail(0, `tid ${task.tid} has an MSR but was never fixed up`);
  }
  for (const mm of state.mms.values()) {
    if (!mm.released && state.processes.get(mm.pid)?.mm !== mm.id) {
      fail(0, `mm ${mm.id} is not released but pid ${mm.pid} does not use it`);
    }
  }
  // Each mm's bond counts = its process bonds + the bonds of open files.
  const expected = new Map<string, number>();
  const count = (mm: number, device: string, pasid: number) => {
    const key = `${mm} ${device} ${pasid}`;
    expected.set(key, (expected.get(key) ?? 0) + 1);
  };
  const refs = new Map<number, number>();
  for (const process of state.processes.values()) {
    for (const bond of process.bonds) {
      if (bond.mm !== process.mm)
        fail(0, `pid ${process.pid} has a process bond to mm ${bond.mm}, not its own`);
      count(bond.mm, bond.device, bond.pasid);
    }
    for (const [fd, slot] of process.fds) {
      if (!state.files.has(slot.file)) fail(0, `fd ${fd} of pid ${process.pid} refers to no open file`);
      refs.set(slot.file, (refs.get(slot.file) ?? 0) + 1);
    }
  }
  for (const file of state.files.values()) {
    if (refs.get(file.id) !== file.refs)
      fail(0, `file ${file.id} counts ${file.refs} references, has ${refs.get(file.id) ?? 0}`);
    if (!state.mms.has(file.mm))
      fail(0, `file ${file.id} holds a bond to mm ${file.mm}, which is not in the state`);
    count(file.mm, file.device, file.pasid);
  }
  for (const mm of state.mms.values()) {
    for (const [device, byPasid] of mm.bonds) {
      for (const [pasid, n] of byPasid) {
        const key = `${mm.id} ${device} ${pasid}`;
        if (!(n > 0) || expected.get(key) !== n) {
          fail(
            0,
            `mm ${mm.id} counts ${n} bonds on (${device}, ${pasid}), its owners hold ${expected.get(key) ?? 0}`,
          );
        }
        expected.delete(key);
      }
    }
  }
  for (const key of expected.keys()) fail(0, `bonds ${key} are held but not counted on their mm`);
}

/**
 * Invariant 5, which needs the step and not just a state: under MM_EXIT a PASID is freed exactly
 * when its mm is dropped.
 */
export function checkStepInvariants(
  before: State,
  after: State,
  derived: readonly DerivedEvent[],
): InvariantViolation[] {
  if (before.policy !== 'MM_EXIT') return [];
  const out: InvariantViolation[] = [];
  const freed = new Set(derived.flatMap((e) => (e.type === 'PasidFreed' ? [e.pasid] : [])));
  for (const mm of before.mms.values()) {
    if (mm.pasid === null) continue;
    const dropped = !after.mms.has(mm.id);
    if (dropped !== freed.has(mm.pasid)) {
      out.push({
        invariant: 5,
        message: dropped
          ? `mm ${mm.id} of pid ${mm.pid} was dropped but its pasid ${mm.pasid} was not freed`
          : `pasid ${mm.pasid} was freed but its mm ${mm.id} (pid ${mm.pid}) was not dropped`,
      });
    }
  }
  return out;
}

/** The version of the first `UNBALANCED_PUT`, after which the invariants need not hold; or null. */
export function unbalancedSince(state: State): number | null {
  return state.hazards.find((h) => h.code === 'UNBALANCED_PUT')?.event ?? null;
}
