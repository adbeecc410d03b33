import { describe, expect, it } from 'vitest';
import { type InputEvent, POLICIES, Replayer, toStateDocument } from '../src/index.js';
import { dsa0, iax0, spec } from './support/specification.js';

const p100: InputEvent = { type: 'ProcessCreated', pid: 100 };
const bind100: InputEvent = { type: 'DeviceBound', pid: 100, device: dsa0 };
const thread101: InputEvent = { type: 'ThreadCreated', tid: 101, pid: 100 };
const lazy = spec('LAZY_REFCOUNT');
const mmExit = spec('MM_EXIT');
const eager = spec('EAGER_UNBIND');

describe('ProcessCreated', () => {
  it('creates a process with no derived event, even when the parent holds a PASID', () => {
    const state = lazy
      .given([p100, bind100])
      .when({ type: 'ProcessCreated', pid: 200, parent: 100 })
      .then([]);
    expect(state.mms.get(state.processes.get(200)!.mm)?.pasid).toBeNull();
    expect(state.tasks.get(200)).toEqual({ tid: 200, pid: 200, msr: null, activated: false });
  });
  it('rejects a live pid (PROCESS_EXISTS)', () => {
    lazy.given([p100]).when(p100).thenRejects('PROCESS_EXISTS', 'pid');
  });
  it('rejects the tid of a live task (TASK_EXISTS)', () => {
    lazy
      .given([p100, thread101])
      .when({ type: 'ProcessCreated', pid: 101 })
      .thenRejects('TASK_EXISTS', 'pid');
  });
  it('rejects a parent that is not a live process (PARENT_NOT_FOUND)', () => {
    lazy
      .given([])
      .when({ type: 'ProcessCreated', pid: 5, parent: 9 })
      .thenRejects('PARENT_NOT_FOUND', 'parent');
  });
  it('takes a pid again once its process has ended: a new process', () => {
    const state = lazy
      .given([p100, { type: 'TaskExited', tid: 100 }])
      .when(p100)
      .then([]);
    expect(state.processes.get(100)?.tasks.size).toBe(1);
  });
});

describe('ThreadCreated', () => {
  it('adds a task with an invalid MSR to the process', () => {
    const state = lazy.given([p100, bind100]).when(thread101).then([]);
    expect(state.tasks.get(101)).toEqual({ tid: 101, pid: 100, msr: null, activated: false });
  });
  it('rejects an unknown process (PROCESS_NOT_FOUND)', () => {
    lazy.given([]).when(thread101).thenRejects('PROCESS_NOT_FOUND', 'pid');
  });
  it('rejects a live task id (TASK_EXISTS)', () => {
    lazy.given([p100, thread101]).when(thread101).thenRejects('TASK_EXISTS', 'tid');
  });
  it('rejects the pid of a live process as a tid (TASK_EXISTS)', () => {
    // 100's leader exits but the process lives on in 101: 100 is still the process's id.
    lazy
      .given([p100, thread101, { type: 'TaskExited', tid: 100 }])
      .when({ type: 'ThreadCreated', tid: 100, pid: 100 })
      .thenRejects('TASK_EXISTS', 'tid');
  });
});

describe('DeviceBound', () => {
  it('allocates the lowest free PASID, installs the entry, counts 1 (LAZY_REFCOUNT)', () => {
    lazy
      .given([p100])
      .when(bind100)
      .then([
        { type: 'PasidAllocated', pid: 100, pasid: 1 },
        { type: 'BondAdded', pid: 100, device: dsa0, pasid: 1, bonds: 1, refcount: 1 },
        { type: 'PasidEntryInstalled', device: dsa0, pasid: 1, pid: 100 },
      ]);
  });
  it('has no count outside LAZY_REFCOUNT', () => {
    for (const s of [mmExit, eager]) {
      s.given([p100])
        .when(bind100)
        .then([
          { type: 'PasidAllocated', pid: 100, pasid: 1 },
          { type: 'BondAdded', pid: 100, device: dsa0, pasid: 1, bonds: 1 },
          { type: 'PasidEntryInstalled', device: dsa0, pasid: 1, pid: 100 },
        ]);
    }
  });
  it('a second bind of the same device counts again but installs no second entry', () => {
    lazy
      .given([p100, bind100])
      .when(bind100)
      .then([{ type: 'BondAdded', pid: 100, device: dsa0, pasid: 1, bonds: 2, refcount: 2 }]);
  });
  it('takes a given free PASID; values skipped remain free for later binds', () => {
    const state = mmExit
      .given([p100, { type: 'ProcessCreated', pid: 200 }])
      .when({ type: 'DeviceBound', pid: 100, device: dsa0, pasid: 3 })
      .then([
        { type: 'PasidAllocated', pid: 100, pasid: 3 },
        { type: 'BondAdded', pid: 100, device: dsa0, pasid: 3, bonds: 1 },
        { type: 'PasidEntryInstalled', device: dsa0, pasid: 3, pid: 100 },
      ]);
    expect(state.pasids.has(3)).toBe(true);
    mmExit
      .given([
        p100,
        { type: 'ProcessCreated', pid: 200 },
        { type: 'DeviceBound', pid: 100, device: dsa0, pasid: 3 },
      ])
      .when({ type: 'DeviceBound', pid: 200, device: dsa0 })
      .then([
        { type: 'PasidAllocated', pid: 200, pasid: 1 },
        { type: 'BondAdded', pid: 200, device: dsa0, pasid: 1, bonds: 1 },
        { type: 'PasidEntryInstalled', device: dsa0, pasid: 1, pid: 200 },
      ]);
  });
  it('accepts a given PASID equal to the one the mm holds', () => {
    lazy
      .given([p100, bind100])
      .when({ type: 'DeviceBound', pid: 100, device: iax0, pasid: 1 })
      .then([
        { type: 'BondAdded', pid: 100, device: iax0, pasid: 1, bonds: 1, refcount: 2 },
        { type: 'PasidEntryInstalled', device: iax0, pasid: 1, pid: 100 },
      ]);
  });
  it('rejects an unknown process (PROCESS_NOT_FOUND)', () => {
    lazy.given([]).when(bind100).thenRejects('PROCESS_NOT_FOUND', 'pid');
  });
  it('rejects a given PASID held by another process (PASID_TAKEN)', () => {
    lazy
      .given([p100, bind100, { type: 'ProcessCreated', pid: 200 }])
      .when({ type: 'DeviceBound', pid: 200, device: dsa0, pasid: 1 })
      .thenRejects('PASID_TAKEN', 'pasid');
  });
  it('rejects a given PASID that differs from the one the mm holds (PASID_MISMATCH)', () => {
    lazy
      .given([p100, bind100])
      .when({ type: 'DeviceBound', pid: 100, device: iax0, pasid: 7 })
      .thenRejects('PASID_MISMATCH', 'pasid');
  });
  it('rejects a given PASID outside 1..maxPasid-1 (PASID_OUT_OF_RANGE)', () => {
    spec('MM_EXIT', 16)
      .given([p100])
      .when({ type: 'DeviceBound', pid: 100, device: dsa0, pasid: 16 })
      .thenRejects('PASID_OUT_OF_RANGE', 'pasid');
  });
  it('finds no free PASID: BindFailed and PASID_EXHAUSTED, nothing else changes', () => {
    const given: InputEvent[] = [
      p100,
      bind100,
      { type: 'ProcessCreated', pid: 200 },
      { type: 'DeviceBound', pid: 200, device: dsa0 },
      { type: 'ProcessCreated', pid: 300 },
    ];
    const state = spec('LAZY_REFCOUNT', 3)
      .given(given)
      .when({ type: 'DeviceBound', pid: 300, device: dsa0 })
      .then([
        { type: 'BindFailed', pid: 300, device: dsa0 },
        { type: 'HazardDetected', code: 'PASID_EXHAUSTED', pid: 300, device: dsa0 },
      ]);
    expect(state.mms.get(state.processes.get(300)!.mm)).toMatchObject({ pasid: null, bonds: new Map() });
    expect([...state.pasids.keys()]).toEqual([1, 2]);
  });
  it('allocates the lowest freed value first, as ida_alloc_range does', () => {
    const r = new Replayer({ policy: 'MM_EXIT', maxPasid: 1 << 20 });
    for (const pid of [10, 20, 30]) {
      r.apply({ type: 'ProcessCreated', pid });
      r.apply({ type: 'DeviceBound', pid, device: dsa0 });
    }
    r.apply({ type: 'TaskExited', tid: 30 });
    r.apply({ type: 'TaskExited', tid: 10 });
    r.apply({ type: 'ProcessCreated', pid: 40 });
    r.apply({ type: 'DeviceBound', pid: 40, device: dsa0 });
    expect(r.state.mms.get(r.state.processes.get(40)!.mm)?.pasid).toBe(1);
  });
});

describe('DeviceUnbound', () => {
  it('2 -> 1 bonds keeps the entry; LAZY_REFCOUNT count - 1', () => {
    lazy
      .given([p100, bind100, bind100])
      .when({ type: 'DeviceUnbound', pid: 100, device: dsa0 })
      .then([{ type: 'RefcountChanged', pid: 100, pasid: 1, refcount: 1 }]);
  });
  it('LAZY_REFCOUNT frees the PASID when the count reaches 0', () => {
    lazy
      .given([p100, bind100])
      .when({ type: 'DeviceUnbound', pid: 100, device: dsa0 })
      .then([
        { type: 'PasidEntryRemoved', device: dsa0, pasid: 1, reason: 'unbind' },
        { type: 'RefcountChanged', pid: 100, pasid: 1, refcount: 0 },
        { type: 'PasidFreed', pid: 100, pasid: 1 },
      ]);
  });
  it('LAZY_REFCOUNT keeps the PASID while a task holds it in its MSR', () => {
    lazy
      .given([p100, bind100, { type: 'Enqcmd', tid: 100, device: dsa0 }])
      .when({ type: 'DeviceUnbound', pid: 100, device: dsa0 })
      .then([
        { type: 'PasidEntryRemoved', device: dsa0, pasid: 1, reason: 'unbind' },
        { type: 'RefcountChanged', pid: 100, pasid: 1, refcount: 1 },
      ]);
  });
  it('MM_EXIT frees nothing on unbind', () => {
    mmExit
      .given([p100, bind100])
      .when({ type: 'DeviceUnbound', pid: 100, device: dsa0 })
      .then([{ type: 'PasidEntryRemoved', device: dsa0, pasid: 1, reason: 'unbind' }]);
  });
  it('EAGER_UNBIND frees at the last bond of the mm, even with the MSR loaded', () => {
    const given: InputEvent[] = [p100, bind100, { type: 'DeviceBound', pid: 100, device: iax0 }];
    eager
      .given(given)
      .when({ type: 'DeviceUnbound', pid: 100, device: dsa0 })
      .then([{ type: 'PasidEntryRemoved', device: dsa0, pasid: 1, reason: 'unbind' }]);
    eager
      .given([
        ...given,
        { type: 'Enqcmd', tid: 100, device: dsa0 },
        { type: 'DeviceUnbound', pid: 100, device: dsa0 },
      ])
      .when({ type: 'DeviceUnbound', pid: 100, device: iax0 })
      .then([
        { type: 'PasidEntryRemoved', device: iax0, pasid: 1, reason: 'unbind' },
        { type: 'PasidFreed', pid: 100, pasid: 1 },
      ]);
  });
  it('rejects an unknown process (PROCESS_NOT_FOUND)', () => {
    lazy
      .given([])
      .when({ type: 'DeviceUnbound', pid: 100, device: dsa0 })
      .thenRejects('PROCESS_NOT_FOUND', 'pid');
  });
  it('rejects a device with no bind left (NOT_BOUND)', () => {
    lazy
      .given([p100, bind100])
      .when({ type: 'DeviceUnbound', pid: 100, device: iax0 })
      .thenRejects('NOT_BOUND', 'device');
  });
});

describe('Enqcmd', () => {
  it('fixes up an invalid MSR from the mm (count + 1) and submits', () => {
    lazy
      .given([p100, bind100])
      .when({ type: 'Enqcmd', tid: 100, device: dsa0 })
      .then([
        { type: 'MsrFixedUp', tid: 100, pasid: 1, refcount: 2 },
        { type: 'WorkSubmitted', tid: 100, device: dsa0, pasid: 1 },
      ]);
  });
  it('a valid MSR submits without a fix-up or a count change', () => {
    lazy
      .given([p100, bind100, { type: 'Enqcmd', tid: 100, device: dsa0 }])
      .when({ type: 'Enqcmd', tid: 100, device: dsa0 })
      .then([{ type: 'WorkSubmitted', tid: 100, device: dsa0, pasid: 1 }]);
  });
  it('SIGSEGV when the MSR is invalid and the mm has no PASID', () => {
    for (const s of [lazy, mmExit, eager]) {
      s.given([p100])
        .when({ type: 'Enqcmd', tid: 100, device: dsa0 })
        .then([{ type: 'HazardDetected', code: 'SIGSEGV', reason: 'NO_PASID', tid: 100, device: dsa0 }]);
    }
  });
  it('DMAR_FAULT on a device without a PASID table entry', () => {
    mmExit
      .given([p100, bind100])
      .when({ type: 'Enqcmd', tid: 100, device: iax0 })
      .then([
        { type: 'MsrFixedUp', tid: 100, pasid: 1 },
        { type: 'HazardDetected', code: 'DMAR_FAULT', tid: 100, device: iax0, pasid: 1 },
      ]);
  });
  it('WRONG_ADDRESS_SPACE under EAGER_UNBIND, naming the process whose memory the DMA hits', () => {
    eager
      .given([
        p100,
        bind100,
        { type: 'Enqcmd', tid: 100, device: dsa0 },
        { type: 'DeviceUnbound', pid: 100, device: dsa0 },
        { type: 'ProcessCreated', pid: 200 },
        { type: 'DeviceBound', pid: 200, device: dsa0 },
      ])
      .when({ type: 'Enqcmd', tid: 100, device: dsa0 })
      .then([
        { type: 'HazardDetected', code: 'WRONG_ADDRESS_SPACE', tid: 100, pid: 200, device: dsa0, pasid: 1 },
      ]);
  });
  it('rejects an unknown task (TASK_NOT_FOUND)', () => {
    lazy.given([p100]).when({ type: 'Enqcmd', tid: 5, device: dsa0 }).thenRejects('TASK_NOT_FOUND', 'tid');
  });
});

describe('TaskExited', () => {
  it('LAZY_REFCOUNT: a task with a valid MSR stops counting', () => {
    lazy
      .given([p100, bind100, thread101, { type: 'Enqcmd', tid: 101, device: dsa0 }])
      .when({ type: 'TaskExited', tid: 101 })
      .then([{ type: 'RefcountChanged', pid: 100, pasid: 1, refcount: 1 }]);
  });
  it('a task with an invalid MSR changes no count', () => {
    lazy.given([p100, bind100, thread101]).when({ type: 'TaskExited', tid: 101 }).then([]);
  });
  it('the last task ends the process: mm released first, then its bonds unbound in bind order', () => {
    const given: InputEvent[] = [
      p100,
      { type: 'DeviceBound', pid: 100, device: iax0 },
      bind100,
      { type: 'DeviceBound', pid: 100, device: iax0 },
    ];
    lazy
      .given(given)
      .when({ type: 'TaskExited', tid: 100 })
      .then([
        { type: 'MmReleased', pid: 100 },
        { type: 'PasidEntryRemoved', device: dsa0, pasid: 1, reason: 'mm-release' },
        { type: 'PasidEntryRemoved', device: iax0, pasid: 1, reason: 'mm-release' },
        { type: 'DeviceUnbound', pid: 100, device: iax0, pasid: 1, reason: 'exit', refcount: 2 },
        { type: 'DeviceUnbound', pid: 100, device: dsa0, pasid: 1, reason: 'exit', refcount: 1 },
        { type: 'DeviceUnbound', pid: 100, device: iax0, pasid: 1, reason: 'exit', refcount: 0 },
        { type: 'PasidFreed', pid: 100, pasid: 1 },
        { type: 'ProcessExited', pid: 100 },
      ]);
    mmExit
      .given(given)
      .when({ type: 'TaskExited', tid: 100 })
      .then([
        { type: 'MmReleased', pid: 100 },
        { type: 'PasidEntryRemoved', device: dsa0, pasid: 1, reason: 'mm-release' },
        { type: 'PasidEntryRemoved', device: iax0, pasid: 1, reason: 'mm-release' },
        { type: 'DeviceUnbound', pid: 100, device: iax0, pasid: 1, reason: 'exit' },
        { type: 'DeviceUnbound', pid: 100, device: dsa0, pasid: 1, reason: 'exit' },
        { type: 'DeviceUnbound', pid: 100, device: iax0, pasid: 1, reason: 'exit' },
        { type: 'PasidFreed', pid: 100, pasid: 1 },
        { type: 'ProcessExited', pid: 100 },
      ]);
  });
  it('then closes every fd in descending order; a file shared with a child stays open', () => {
    const state = mmExit
      .given([
        p100,
        { type: 'DeviceBound', pid: 100, device: dsa0, fd: 3 },
        { type: 'DeviceBound', pid: 100, device: iax0, fd: 5 },
        { type: 'ProcessCreated', pid: 200, parent: 100 },
        { type: 'FileClosed', pid: 200, fd: 5 },
      ])
      .when({ type: 'TaskExited', tid: 100 })
      .then([
        { type: 'MmReleased', pid: 100 },
        { type: 'PasidEntryRemoved', device: dsa0, pasid: 1, reason: 'mm-release' },
        { type: 'PasidEntryRemoved', device: iax0, pasid: 1, reason: 'mm-release' },
        { type: 'FileClosed', pid: 100, fd: 5, reason: 'exit' },
        { type: 'DeviceUnbound', pid: 100, device: iax0, pasid: 1, reason: 'exit', file: 3 },
        { type: 'FileClosed', pid: 100, fd: 3, reason: 'exit' },
        { type: 'ProcessExited', pid: 100 },
      ]);
    // PASID 1 stays allocated to 100's released mm while 200's inherited fd 3 holds its bond.
    expect(toStateDocument(state).pasids).toEqual([
      { pasid: 1, pid: 100, refcount: null, devices: [], released: true },
    ]);
    expect(toStateDocument(state).files).toEqual([
      { pid: 200, fd: 3, device: dsa0, pasid: 1, holder: 100, cloexec: false },
    ]);
  });
  it('LAZY_REFCOUNT: an activated task that exec-ed drops a reference it never took (UNBALANCED_PUT)', () => {
    lazy
      .given([
        p100,
        bind100,
        { type: 'Enqcmd', tid: 100, device: dsa0 },
        { type: 'ProcessExec', pid: 100 },
        { type: 'DeviceBound', pid: 100, device: iax0 },
        thread101,
      ])
      .when({ type: 'TaskExited', tid: 100 })
      .then([
        { type: 'HazardDetected', code: 'UNBALANCED_PUT', tid: 100, pid: 100, pasid: 1 },
        { type: 'RefcountChanged', pid: 100, pasid: 1, refcount: 0 },
        { type: 'HazardDetected', code: 'PASID_FREED_WHILE_BOUND', pid: 100, pasid: 1 },
        { type: 'PasidFreed', pid: 100, pasid: 1 },
      ]);
  });
  it('MM_EXIT and EAGER_UNBIND: the same exit puts nothing (no count)', () => {
    for (const s of [mmExit, eager]) {
      s.given([
        p100,
        bind100,
        { type: 'Enqcmd', tid: 100, device: dsa0 },
        { type: 'ProcessExec', pid: 100 },
        { type: 'DeviceBound', pid: 100, device: iax0 },
        thread101,
      ])
        .when({ type: 'TaskExited', tid: 100 })
        .then([]);
    }
  });
  it('rejects an unknown task (TASK_NOT_FOUND)', () => {
    lazy.given([]).when({ type: 'TaskExited', tid: 1 }).thenRejects('TASK_NOT_FOUND', 'tid');
  });
});

describe('ProcessExec', () => {
  const given: InputEvent[] = [p100, bind100, { type: 'Enqcmd', tid: 100, device: dsa0 }];
  it('LAZY_REFCOUNT: pasid_put, then the old mm is released and its bonds unbound as at exit', () => {
    const state = lazy
      .given(given)
      .when({ type: 'ProcessExec', pid: 100 })
      .then([
        { type: 'RefcountChanged', pid: 100, pasid: 1, refcount: 1 },
        { type: 'MmReleased', pid: 100 },
        { type: 'PasidEntryRemoved', device: dsa0, pasid: 1, reason: 'mm-release' },
        { type: 'DeviceUnbound', pid: 100, device: dsa0, pasid: 1, reason: 'exec', refcount: 0 },
        { type: 'PasidFreed', pid: 100, pasid: 1 },
      ]);
    // The MSR is invalid; the activation flag stays set (only task creation clears it).
    expect(state.tasks.get(100)).toEqual({ tid: 100, pid: 100, msr: null, activated: true });
    expect(state.mms.get(state.processes.get(100)!.mm)).toMatchObject({
      pasid: null,
      bonds: new Map(),
      released: false,
    });
  });
  it('MM_EXIT frees the old mm PASID at exec when no file holds it; the process goes on in a fresh mm', () => {
    const state = mmExit
      .given(given)
      .when({ type: 'ProcessExec', pid: 100 })
      .then([
        { type: 'MmReleased', pid: 100 },
        { type: 'PasidEntryRemoved', device: dsa0, pasid: 1, reason: 'mm-release' },
        { type: 'DeviceUnbound', pid: 100, device: dsa0, pasid: 1, reason: 'exec' },
        { type: 'PasidFreed', pid: 100, pasid: 1 },
      ]);
    expect(state.processes.has(100)).toBe(true);
    expect(state.tasks.get(100)?.msr).toBeNull();
  });
  it('closes only the close-on-exec fds, in descending order; the others keep the old mm alive', () => {
    const state = mmExit
      .given([
        p100,
        { type: 'DeviceBound', pid: 100, device: dsa0, fd: 3, cloexec: true },
        { type: 'DeviceBound', pid: 100, device: iax0, fd: 4 },
        { type: 'DeviceBound', pid: 100, device: dsa0, fd: 5, cloexec: true },
      ])
      .when({ type: 'ProcessExec', pid: 100 })
      .then([
        { type: 'MmReleased', pid: 100 },
        { type: 'PasidEntryRemoved', device: dsa0, pasid: 1, reason: 'mm-release' },
        { type: 'PasidEntryRemoved', device: iax0, pasid: 1, reason: 'mm-release' },
        { type: 'FileClosed', pid: 100, fd: 5, reason: 'exec' },
        { type: 'DeviceUnbound', pid: 100, device: dsa0, pasid: 1, reason: 'exec', file: 4 },
        { type: 'FileClosed', pid: 100, fd: 3, reason: 'exec' },
        { type: 'DeviceUnbound', pid: 100, device: dsa0, pasid: 1, reason: 'exec', file: 2 },
      ]);
    const doc = toStateDocument(state);
    expect(doc.files).toEqual([{ pid: 100, fd: 4, device: iax0, pasid: 1, holder: 100, cloexec: false }]);
    expect(doc.pasids).toEqual([{ pasid: 1, pid: 100, refcount: null, devices: [], released: true }]);
  });
  it('exec by the one remaining non-leader thread takes the leader tid (de_thread)', () => {
    const state = mmExit
      .given([p100, thread101, { type: 'TaskExited', tid: 100 }])
      .when({ type: 'ProcessExec', pid: 100 })
      .then([{ type: 'MmReleased', pid: 100 }]);
    expect([...state.tasks.values()]).toEqual([{ tid: 100, pid: 100, msr: null, activated: false }]);
    expect([...(state.processes.get(100)?.tasks ?? [])]).toEqual([100]);
  });
  it('rejects an unknown process (PROCESS_NOT_FOUND)', () => {
    lazy.given([]).when({ type: 'ProcessExec', pid: 100 }).thenRejects('PROCESS_NOT_FOUND', 'pid');
  });
  it('rejects a process with more than one live task (EXEC_MULTITHREADED)', () => {
    lazy
      .given([p100, thread101])
      .when({ type: 'ProcessExec', pid: 100 })
      .thenRejects('EXEC_MULTITHREADED', 'pid');
  });
});

describe('rejections change nothing', () => {
  it.each(POLICIES)('%s: the state after a rejected input is the state before', (policy) => {
    const r = new Replayer({ policy, maxPasid: 1 << 20 });
    for (const input of [p100, bind100]) r.apply(input);
    const before = toStateDocument(r.state);
    expect(r.apply({ type: 'DeviceUnbound', pid: 100, device: iax0 }).ok).toBe(false);
    expect(toStateDocument(r.state)).toEqual(before);
    expect(r.version).toBe(2);
  });
});
