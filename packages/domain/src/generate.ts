import type { InputEvent } from './events.js';
import { Replayer } from './replayer.js';
import type { State, SystemConfig } from './state.js';

export interface GenerateOptions extends SystemConfig {
  /** Seed of the pseudo-random choices: the same seed gives the same history. */
  seed: number;
  /** How many live processes the history hovers around (default 24). */
  processes?: number;
  /** Devices to bind (default four DSA/IAA addresses). */
  devices?: readonly string[];
}

export const SAMPLE_DEVICES = ['0000:6a:01.0', '0000:6a:02.0', '0000:e7:01.0', '0000:e7:02.0'] as const;

/** mulberry32: a small seeded PRNG, so generated histories are reproducible. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * An endless random history that the rules accept at every step: each input is built from the
 * state so far (live pids, tids, bonds, fds) and checked with `decide` before it is yielded. It
 * mixes all nine input types over several processes, threads and devices: binds with and without
 * an fd (some close-on-exec), closes, forks that inherit fds, exec after ENQCMD, ENQCMD without a
 * device, logged DMAR faults; and produces hazards (SIGSEGV, DMAR_FAULT; WRONG_ADDRESS_SPACE
 * under EAGER_UNBIND; UNBALANCED_PUT and what follows under LAZY_REFCOUNT; PASID_EXHAUSTED with a
 * small maxPasid). Pure: no clock, no I/O; take as many events as you need.
 */
export function* generateHistory(options: GenerateOptions): Generator<InputEvent, never> {
  const random = prng(options.seed);
  const devices = options.devices ?? SAMPLE_DEVICES;
  const target = options.processes ?? 24;
  const replayer = new Replayer({ policy: options.policy, maxPasid: options.maxPasid });
  const pick = <T>(items: readonly T[]): T | undefined => items[Math.floor(random() * items.length)];
  let nextId = 100;
  for (;;) {
    const input = candidate(replayer.state);
    if (input && replayer.apply(input).ok) yield input;
  }

  function candidate(state: State): InputEvent | undefined {
    const roll = random();
    const live = state.processes.size;
    if (live === 0 || (live < target && roll < 0.08)) {
      const parent = random() < 0.5 ? pick([...state.processes.keys()]) : undefined;
      const pid = nextId++;
      return parent === undefined ? { type: 'ProcessCreated', pid } : { type: 'ProcessCreated', pid, parent };
    }
    if (roll < 0.16) {
      const process = pick([...state.processes.values()]);
      if (!process || process.tasks.size >= 6) return undefined;
      return { type: 'ThreadCreated', tid: nextId++, pid: process.pid };
    }
    if (roll < 0.3) {
      const process = pick([...state.processes.values()]);
      const device = pick(devices);
      if (!process || !device) return undefined;
      if (random() < 0.5) return { type: 'DeviceBound', pid: process.pid, device };
      // open() returns the lowest free fd; 0-2 are stdio.
      let fd = 3;
      while (process.fds.has(fd)) fd += 1;
      return random() < 0.3
        ? { type: 'DeviceBound', pid: process.pid, device, fd, cloexec: true }
        : { type: 'DeviceBound', pid: process.pid, device, fd };
    }
    if (roll < 0.42) {
      const process = pick([...state.processes.values()]);
      if (!process) return undefined;
      const fd = pick([...process.fds.keys()]);
      if (fd !== undefined && (random() < 0.5 || process.bonds.length === 0)) {
        return { type: 'FileClosed', pid: process.pid, fd };
      }
      const bond = pick(process.bonds);
      return bond && { type: 'DeviceUnbound', pid: process.pid, device: bond.device };
    }
    if (roll < 0.5) {
      const task = pick([...state.tasks.values()]);
      // Keep the population steady: exits mostly when there are enough processes.
      if (!task || (live < target / 2 && task.tid === task.pid && random() < 0.8)) return undefined;
      return { type: 'TaskExited', tid: task.tid };
    }
    if (roll < 0.54) {
      const single = [...state.processes.values()].filter((p) => p.tasks.size === 1);
      const process = pick(single);
      return process && { type: 'ProcessExec', pid: process.pid };
    }
    if (roll < 0.545) {
      // A fault the kernel logged: mostly for a PASID in use, sometimes for one the model never saw.
      const device = pick(devices);
      const pasid = random() < 0.7 ? pick([...state.pasids.keys()]) : Math.floor(random() * 64);
      return device === undefined || pasid === undefined
        ? undefined
        : { type: 'DmarFaultLogged', device, pasid, reason: '0x59' };
    }
    const task = pick([...state.tasks.values()]);
    if (!task) return undefined;
    if (roll < 0.56) return { type: 'Enqcmd', tid: task.tid };
    // Mostly a device the task's mm has bound; sometimes any device (DMAR_FAULT, SIGSEGV).
    const process = state.processes.get(task.pid);
    const bonds = process ? [...(state.mms.get(process.mm)?.bonds.keys() ?? [])] : [];
    const device = random() < 0.85 && bonds.length > 0 ? pick(bonds) : pick(devices);
    return device === undefined ? undefined : { type: 'Enqcmd', tid: task.tid, device };
  }
}
