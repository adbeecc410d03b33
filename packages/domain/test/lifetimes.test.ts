import { describe, expect, it } from 'vitest';
import { lifetimes } from '../src/index.js';
import { dsa0, iax0, inheritedFile, workedExample } from './support/specification.js';

const config = (policy: 'LAZY_REFCOUNT' | 'MM_EXIT' | 'EAGER_UNBIND') => ({ policy, maxPasid: 1 << 20 });

describe('lifetimes of the worked example', () => {
  it('LAZY_REFCOUNT: PASID 1 held by 100 from step 2 until it is freed at 14; PASID 2 by 200 from 13', () => {
    const l = lifetimes(config('LAZY_REFCOUNT'), workedExample);
    expect(l.version).toBe(14);
    expect(l.pasids).toEqual([
      { pasid: 1, pid: 100, generation: 1, from: 2, to: 14 },
      { pasid: 2, pid: 200, generation: 1, from: 13, to: null },
    ]);
  });

  it('EAGER_UNBIND: value 1 has two generations, 100 until step 11 and 200 from 13', () => {
    const l = lifetimes(config('EAGER_UNBIND'), workedExample);
    expect(l.pasids).toEqual([
      { pasid: 1, pid: 100, generation: 1, from: 2, to: 11 },
      { pasid: 1, pid: 200, generation: 2, from: 13, to: null },
    ]);
    // Task 100 still carries PASID 1 in its MSR after 11, until it exits at 14.
    const task100 = l.processes.find((p) => p.pid === 100)!.tasks.find((t) => t.tid === 100)!;
    expect(task100.msr).toEqual([{ tid: 100, pid: 100, pasid: 1, from: 4, to: 14 }]);
  });

  it('gives processes, tasks with their MSR spans, entries and hazards', () => {
    const l = lifetimes(config('LAZY_REFCOUNT'), workedExample);
    expect(l.processes.map((p) => [p.pid, p.parent, p.from, p.to])).toEqual([
      [100, null, 1, 14],
      [200, 100, 7, null],
    ]);
    const tasks = l.processes.flatMap((p) =>
      p.tasks.map((t) => [t.tid, t.from, t.to, t.msr.map((m) => [m.pasid, m.from, m.to])]),
    );
    expect(tasks).toEqual([
      [100, 1, 14, [[1, 4, 14]]],
      [101, 3, 10, [[1, 5, 10]]],
      [200, 7, null, []],
    ]);
    expect(l.entries).toEqual([
      { device: dsa0, pasid: 1, pid: 100, from: 2, to: 9 },
      { device: dsa0, pasid: 2, pid: 200, from: 13, to: null },
      { device: iax0, pasid: 1, pid: 100, from: 6, to: 11 },
    ]);
    expect(l.hazards.map((h) => [h.version, h.code])).toEqual([
      [8, 'SIGSEGV'],
      [12, 'DMAR_FAULT'],
    ]);
  });
});

describe('lifetimes of open files', () => {
  it("the inherited file: opened by 300 at fd 3 (step 2), copied to 301 at fork (4), released at 301's close (7)", () => {
    const l = lifetimes(config('MM_EXIT'), inheritedFile);
    expect(l.files).toEqual([
      {
        file: 2,
        device: dsa0,
        pasid: 1,
        holder: 300,
        from: 2,
        to: 7,
        fds: [
          // 300's own fd goes when 300 exits (5); 301's, inherited, holds the file until it closes it.
          { pid: 300, fd: 3, cloexec: false, inheritedFrom: null, from: 2, to: 5 },
          { pid: 301, fd: 3, cloexec: false, inheritedFrom: 300, from: 4, to: 7 },
        ],
      },
    ]);
    // The file outlives its opener: PASID 1 stays with 300's released mm until the file goes.
    expect(l.pasids[0]).toEqual({ pasid: 1, pid: 300, generation: 1, from: 2, to: 7 });
  });

  it('exec closes a close-on-exec fd and keeps the others (their files still bound to the old mm)', () => {
    const l = lifetimes(config('MM_EXIT'), [
      { type: 'ProcessCreated', pid: 500 },
      { type: 'DeviceBound', pid: 500, device: dsa0, fd: 3, cloexec: true },
      { type: 'DeviceBound', pid: 500, device: iax0, fd: 4 },
      { type: 'ProcessExec', pid: 500 },
      { type: 'FileClosed', pid: 500, fd: 4 },
    ]);
    expect(
      l.files.map((f) => [f.file, f.device, f.from, f.to, f.fds.map((s) => [s.fd, s.cloexec, s.to])]),
    ).toEqual([
      [2, dsa0, 2, 4, [[3, true, 4]]],
      [3, iax0, 3, 5, [[4, false, 5]]],
    ]);
  });

  it('no file without an fd: the worked example has none', () => {
    expect(lifetimes(config('LAZY_REFCOUNT'), workedExample).files).toEqual([]);
  });
});
