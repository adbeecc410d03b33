import type { DerivedEvent, InputEvent } from './events.js';
import type { State } from './state.js';

export interface InvariantViolation {
  /** The invariant's number in the spec (0: the state's own bookkeeping). */
  invariant: number;
  message: string;
}

/** Every invariant of the spec that a single state can show, checked between input events. */
export function checkInvariants(state: State): InvariantViolation[] {
  const out: InvariantViolation[] = [];
  const fail = (invariant: number, message: string) => out.push({ invariant, message });

  // 1. Every PASID in the pool is held by exactly one mm and lies in [1, maxPasid).
  for (const [value, record] of state.pasids) {
    if (value < 1 || value >= state.maxPasid) fail(1, `pasid ${value} is outside [1, ${state.maxPasid})`);
    const holder = state.processes.get(record.pid);
    if (!holder) fail(1, `pasid ${value} is held by pid ${record.pid}, which is not a live process`);
    else if (holder.mm.pasid !== value)
      fail(1, `pasid ${value} names pid ${record.pid}, whose mm has ${holder.mm.pasid}`);
  }
  for (const process of state.processes.values()) {
    const pasid = process.mm.pasid;
    if (pasid !== null && state.pasids.get(pasid)?.pid !== process.pid) {
      fail(1, `pid ${process.pid} has pasid ${pasid}, which the pool does not give to it`);
    }
  }
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

  // 2. An entry (device, p) is present exactly when the holder of p has bonds[device] > 0.
  for (const record of state.pasids.values()) {
    const bonds = state.processes.get(record.pid)?.mm.bonds ?? new Map<string, number>();
    for (const device of record.devices) {
      if (!((bonds.get(device) ?? 0) > 0)) fail(2, `entry (${device}, ${record.pasid}) without a bond`);
    }
    for (const [device, n] of bonds) {
      if (n > 0 && !record.devices.has(device)) fail(2, `pid ${record.pid} binds ${device} with no entry`);
    }
  }
  for (const process of state.processes.values()) {
    if (process.mm.pasid === null && process.mm.bonds.size > 0) {
      fail(2, `pid ${process.pid} has bonds but no pasid`);
    }
    for (const [device, n] of process.mm.bonds) {
      if (!(n > 0)) fail(2, `pid ${process.pid} keeps a bond count of ${n} for ${device}`);
    }
  }

  // 3. LAZY_REFCOUNT: count = bonds + holder's live tasks with msr = p, and > 0 while allocated.
  for (const record of state.pasids.values()) {
    if (state.policy !== 'LAZY_REFCOUNT') {
      if (record.refcount !== null) fail(3, `pasid ${record.pasid} has a count outside LAZY_REFCOUNT`);
      continue;
    }
    const holder = state.processes.get(record.pid);
    let expected = 0;
    if (holder) {
      for (const n of holder.mm.bonds.values()) expected += n;
      for (const tid of holder.tasks) if (state.tasks.get(tid)?.msr === record.pasid) expected += 1;
    }
    if (record.refcount !== expected) {
      fail(3, `pasid ${record.pasid} has count ${record.refcount}, expected ${expected}`);
    }
    if (!(expected > 0)) fail(3, `pasid ${record.pasid} is allocated with count ${expected}`);
  }

  // 4. LAZY_REFCOUNT and MM_EXIT: no stale MSR.
  if (state.policy !== 'EAGER_UNBIND') {
    for (const task of state.tasks.values()) {
      const own = state.processes.get(task.pid)?.mm.pasid ?? null;
      if (task.msr !== null && task.msr !== own) {
        fail(4, `tid ${task.tid} carries pasid ${task.msr} in its MSR but its mm has ${own}`);
      }
    }
    for (const hazard of state.hazards) {
      if (hazard.code === 'WRONG_ADDRESS_SPACE') fail(4, `WRONG_ADDRESS_SPACE at event ${hazard.event}`);
    }
  }

  // 6. A process with no live task has no bond and no PASID (here: a process has a live task).
  for (const process of state.processes.values()) {
    if (process.tasks.size === 0) fail(6, `pid ${process.pid} is in the state with no live task`);
    for (const tid of process.tasks) {
      if (state.tasks.get(tid)?.pid !== process.pid)
        fail(0, `pid ${process.pid} lists tid ${tid} it does not own`);
    }
  }
  for (const task of state.tasks.values()) {
    if (!state.processes.get(task.pid)?.tasks.has(task.tid)) fail(0, `tid ${task.tid} has no live process`);
  }
  return out;
}

/**
 * Invariant 5, which needs the step and not just a state: under MM_EXIT a PASID is freed exactly
 * when its process ends or execs.
 */
export function checkStepInvariants(
  before: State,
  input: InputEvent,
  derived: readonly DerivedEvent[],
): InvariantViolation[] {
  if (before.policy !== 'MM_EXIT') return [];
  const out: InvariantViolation[] = [];
  const freed = derived.filter((e) => e.type === 'PasidFreed');
  const ended = derived.some((e) => e.type === 'ProcessExited') || input.type === 'ProcessExec';
  const pid =
    input.type === 'ProcessExec'
      ? input.pid
      : input.type === 'TaskExited'
        ? before.tasks.get(input.tid)?.pid
        : undefined;
  const held = pid === undefined ? null : (before.processes.get(pid)?.mm.pasid ?? null);
  if (!ended && freed.length > 0)
    out.push({ invariant: 5, message: `${input.type} freed a pasid under MM_EXIT` });
  if (ended && held !== null && freed.length !== 1) {
    out.push({ invariant: 5, message: `pid ${pid} ended holding pasid ${held} but it was not freed once` });
  }
  return out;
}
