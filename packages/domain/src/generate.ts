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
 * state so far (live pids, tids, bonds) and checked with `decide` before it is yielded. It mixes
 * all seven input types over several processes, threads and devices, and produces hazards
 * (SIGSEGV, DMAR_FAULT; WRONG_ADDRESS_SPACE under EAGER_UNBIND; PASID_EXHAUSTED with a small
 * maxPasid). Pure: no clock, no I/O; take as many events as you need.
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
      return { type: 'DeviceBound', pid: process.pid, device };
    }
    if (roll < 0.42) {
      const bound = [...state.processes.values()].filter((p) => p.mm.bonds.size > 0);
      const process = pick(bound);
      const device = process && pick([...process.mm.bonds.keys()]);
      if (!process || !device) return undefined;
      return { type: 'DeviceUnbound', pid: process.pid, device };
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
    const task = pick([...state.tasks.values()]);
    if (!task) return undefined;
    // Mostly a device the task's mm has bound; sometimes any device (DMAR_FAULT, SIGSEGV).
    const bonds = [...(state.processes.get(task.pid)?.mm.bonds.keys() ?? [])];
    const device = random() < 0.85 && bonds.length > 0 ? pick(bonds) : pick(devices);
    return device === undefined ? undefined : { type: 'Enqcmd', tid: task.tid, device };
  }
}
