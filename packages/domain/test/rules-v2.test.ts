import { describe, expect, it } from 'vitest';
import {
  describeHazard,
  HAZARD_CODES,
  HAZARD_DESCRIPTIONS,
  type InputEvent,
  isMsrStale,
  LOGGED_DMAR_FAULT_DESCRIPTIONS,
  type Policy,
  REJECTION_CODES,
  REJECTION_DESCRIPTIONS,
  Replayer,
  SIGSEGV_REASON_DESCRIPTIONS,
  SIGSEGV_REASONS,
  toStateDocument,
} from '../src/index.js';
import { dsa0, iax0, spec, workedExample } from './support/specification.js';

// The rules model version 2 added: open files, the activation flag, the PASID table keyed by value.
const p100: InputEvent = { type: 'ProcessCreated', pid: 100 };
const lazy = spec('LAZY_REFCOUNT');
const mmExit = spec('MM_EXIT');
const eager = spec('EAGER_UNBIND');

describe('DeviceBound with an fd', () => {
  it('opens a file at the fd that holds the bond (cloexec default false)', () => {
    const state = mmExit
      .given([p100])
      .when({ type: 'DeviceBound', pid: 100, device: dsa0, fd: 3 })
      .then([
        { type: 'PasidAllocated', pid: 100, pasid: 1 },
        { type: 'BondAdded', pid: 100, device: dsa0, pasid: 1, bonds: 1, fd: 3, cloexec: false },
        { type: 'PasidEntryInstalled', device: dsa0, pasid: 1, pid: 100 },
      ]);
    expect(toStateDocument(state).files).toEqual([
      { pid: 100, fd: 3, device: dsa0, pasid: 1, holder: 100, cloexec: false },
    ]);
  });
  it('rejects an fd already open in the process (FD_IN_USE)', () => {
    mmExit
      .given([p100, { type: 'DeviceBound', pid: 100, device: dsa0, fd: 3 }])
      .when({ type: 'DeviceBound', pid: 100, device: iax0, fd: 3 })
      .thenRejects('FD_IN_USE', 'fd');
  });
  it('rejects cloexec without fd (CLOEXEC_WITHOUT_FD)', () => {
    mmExit
      .given([p100])
      .when({ type: 'DeviceBound', pid: 100, device: dsa0, cloexec: true })
      .thenRejects('CLOEXEC_WITHOUT_FD', 'cloexec');
  });
  it('a file bond is not a process bond: DeviceUnbound finds none (NOT_BOUND)', () => {
    mmExit
      .given([p100, { type: 'DeviceBound', pid: 100, device: dsa0, fd: 3 }])
      .when({ type: 'DeviceUnbound', pid: 100, device: dsa0 })
      .thenRejects('NOT_BOUND', 'device');
  });
});

describe('ProcessCreated with a parent', () => {
  it('copies the fd table, cloexec flags included; process bonds are not inherited', () => {
    const state = mmExit
      .given([
        p100,
        { type: 'DeviceBound', pid: 100, device: dsa0, fd: 3, cloexec: true },
        { type: 'DeviceBound', pid: 100, device: iax0 },
      ])
      .when({ type: 'ProcessCreated', pid: 200, parent: 100 })
      .then([]);
    expect(toStateDocument(state).files).toEqual([
      { pid: 100, fd: 3, device: dsa0, pasid: 1, holder: 100, cloexec: true },
      { pid: 200, fd: 3, device: dsa0, pasid: 1, holder: 100, cloexec: true },
    ]);
    expect(state.processes.get(200)?.bonds).toEqual([]);
    expect(state.files.get(2)?.refs).toBe(2);
  });
});

describe('FileClosed', () => {
  const opened: InputEvent[] = [p100, { type: 'DeviceBound', pid: 100, device: dsa0, fd: 3 }];
  it('the last reference unbinds the bond (reason close); LAZY_REFCOUNT frees at 0', () => {
    lazy
      .given(opened)
      .when({ type: 'FileClosed', pid: 100, fd: 3 })
      .then([
        { type: 'DeviceUnbound', pid: 100, device: dsa0, pasid: 1, reason: 'close', file: 2, refcount: 0 },
        { type: 'PasidEntryRemoved', device: dsa0, pasid: 1, reason: 'unbind' },
        { type: 'PasidFreed', pid: 100, pasid: 1 },
      ]);
  });
  it('a reference that is not the last changes nothing but the fd table', () => {
    const state = mmExit
      .given([...opened, { type: 'ProcessCreated', pid: 200, parent: 100 }])
      .when({ type: 'FileClosed', pid: 100, fd: 3 })
      .then([]);
    expect(toStateDocument(state).files.map((f) => [f.pid, f.fd])).toEqual([[200, 3]]);
  });
  it('MM_EXIT keeps the PASID of a live mm after its last file closes', () => {
    mmExit
      .given(opened)
      .when({ type: 'FileClosed', pid: 100, fd: 3 })
      .then([
        { type: 'DeviceUnbound', pid: 100, device: dsa0, pasid: 1, reason: 'close', file: 2 },
        { type: 'PasidEntryRemoved', device: dsa0, pasid: 1, reason: 'unbind' },
      ]);
  });
  it('EAGER_UNBIND counts the bonds files hold in any process: freed at the last one', () => {
    eager
      .given([
        ...opened,
        { type: 'ProcessCreated', pid: 200, parent: 100 },
        { type: 'FileClosed', pid: 100, fd: 3 },
      ])
      .when({ type: 'FileClosed', pid: 200, fd: 3 })
      .then([
        { type: 'DeviceUnbound', pid: 100, device: dsa0, pasid: 1, reason: 'close', file: 2 },
        { type: 'PasidEntryRemoved', device: dsa0, pasid: 1, reason: 'unbind' },
        { type: 'PasidFreed', pid: 100, pasid: 1 },
      ]);
  });
  it('rejects an fd that is not open (FD_NOT_OPEN) and an unknown process (PROCESS_NOT_FOUND)', () => {
    mmExit.given(opened).when({ type: 'FileClosed', pid: 100, fd: 4 }).thenRejects('FD_NOT_OPEN', 'fd');
    mmExit.given([]).when({ type: 'FileClosed', pid: 100, fd: 3 }).thenRejects('PROCESS_NOT_FOUND', 'pid');
  });
});

describe('Enqcmd and the activation flag', () => {
  it('without a device: only the #GP fix-up', () => {
    lazy
      .given([p100, { type: 'DeviceBound', pid: 100, device: dsa0 }])
      .when({ type: 'Enqcmd', tid: 100 })
      .then([{ type: 'MsrFixedUp', tid: 100, pasid: 1, refcount: 2 }]);
    lazy
      .given([p100, { type: 'DeviceBound', pid: 100, device: dsa0 }, { type: 'Enqcmd', tid: 100 }])
      .when({ type: 'Enqcmd', tid: 100 })
      .then([]);
    lazy
      .given([p100])
      .when({ type: 'Enqcmd', tid: 100 })
      .then([{ type: 'HazardDetected', code: 'SIGSEGV', reason: 'NO_PASID', tid: 100 }]);
  });
  it('after exec, under every policy: NO_PASID before a bind, ALREADY_ACTIVATED after (the fix-up runs once per task)', () => {
    const execd: InputEvent[] = [
      p100,
      { type: 'DeviceBound', pid: 100, device: dsa0 },
      { type: 'Enqcmd', tid: 100, device: dsa0 },
      { type: 'ProcessExec', pid: 100 },
    ];
    for (const s of [lazy, mmExit, eager]) {
      s.given(execd)
        .when({ type: 'Enqcmd', tid: 100, device: iax0 })
        .then([{ type: 'HazardDetected', code: 'SIGSEGV', reason: 'NO_PASID', tid: 100, device: iax0 }]);
      s.given([...execd, { type: 'DeviceBound', pid: 100, device: iax0 }])
        .when({ type: 'Enqcmd', tid: 100, device: iax0 })
        .then([
          { type: 'HazardDetected', code: 'SIGSEGV', reason: 'ALREADY_ACTIVATED', tid: 100, device: iax0 },
        ]);
    }
  });
});

describe('DmarFaultLogged', () => {
  it('explained when the model has no entry for (device, pasid)', () => {
    mmExit
      .given([])
      .when({ type: 'DmarFaultLogged', device: dsa0, pasid: 2, reason: '0x59' })
      .then([
        {
          type: 'HazardDetected',
          code: 'DMAR_FAULT',
          device: dsa0,
          pasid: 2,
          observed: true,
          explained: true,
        },
      ]);
  });
  it('not explained when the entry is present: the fault has another cause', () => {
    const state = mmExit
      .given([p100, { type: 'DeviceBound', pid: 100, device: dsa0 }])
      .when({ type: 'DmarFaultLogged', device: dsa0, pasid: 1 })
      .then([
        {
          type: 'HazardDetected',
          code: 'DMAR_FAULT',
          device: dsa0,
          pasid: 1,
          observed: true,
          explained: false,
        },
      ]);
    expect(toStateDocument(state).hazards).toEqual([
      { code: 'DMAR_FAULT', event: 3, device: dsa0, pasid: 1, observed: true, explained: false },
    ]);
  });
});

describe("the seed's use-after-free (LAZY_REFCOUNT)", () => {
  // 400 exec's after ENQCMD, binds iax0 (PASID 1 again); 401 fixes up; 402 keeps the process alive;
  // 400's exit is the UNBALANCED_PUT and 401's frees PASID 1 while the bond on iax0 remains.
  const freedWhileBound: InputEvent[] = [
    { type: 'ProcessCreated', pid: 400 },
    { type: 'DeviceBound', pid: 400, device: dsa0 },
    { type: 'Enqcmd', tid: 400, device: dsa0 },
    { type: 'ProcessExec', pid: 400 },
    { type: 'DeviceBound', pid: 400, device: iax0 },
    { type: 'ThreadCreated', tid: 401, pid: 400 },
    { type: 'Enqcmd', tid: 401, device: iax0 },
    { type: 'ThreadCreated', tid: 402, pid: 400 },
    { type: 'TaskExited', tid: 400 },
  ];
  it('PASID_FREED_WHILE_BOUND: the count reaches 0 while a bond remains; bond and entry stay', () => {
    const state = lazy
      .given(freedWhileBound)
      .when({ type: 'TaskExited', tid: 401 })
      .then([
        { type: 'RefcountChanged', pid: 400, pasid: 1, refcount: 0 },
        { type: 'HazardDetected', code: 'PASID_FREED_WHILE_BOUND', pid: 400, pasid: 1 },
        { type: 'PasidFreed', pid: 400, pasid: 1 },
      ]);
    expect(state.entries.get(1)?.get(iax0)).toBe(state.processes.get(400)?.mm);
  });
  const afterFree: InputEvent[] = [...freedWhileBound, { type: 'TaskExited', tid: 401 }];
  it('PASID_ENTRY_BUSY: another process is given the value, and its bind finds the slot taken', () => {
    lazy
      .given([...afterFree, { type: 'ProcessCreated', pid: 500 }])
      .when({ type: 'DeviceBound', pid: 500, device: iax0 })
      .then([
        { type: 'BindFailed', pid: 500, device: iax0 },
        { type: 'HazardDetected', code: 'PASID_ENTRY_BUSY', pid: 500, device: iax0, pasid: 1 },
      ]);
  });
  it('REFCOUNT_UNDERFLOW: unbinding the bond drops a reference on a value no longer allocated', () => {
    lazy
      .given(afterFree)
      .when({ type: 'DeviceUnbound', pid: 400, device: iax0 })
      .then([
        { type: 'PasidEntryRemoved', device: iax0, pasid: 1, reason: 'unbind' },
        { type: 'HazardDetected', code: 'REFCOUNT_UNDERFLOW', pid: 400, pasid: 1 },
      ]);
  });
});

describe('descriptions', () => {
  it('one sentence for every hazard code, SIGSEGV reason and rejection code', () => {
    for (const code of HAZARD_CODES) expect(HAZARD_DESCRIPTIONS[code]).toMatch(/^[A-Za-z].{20,}\.$/);
    for (const reason of SIGSEGV_REASONS)
      expect(SIGSEGV_REASON_DESCRIPTIONS[reason]).toMatch(/^[a-z_]+\(\).{20,}\.$/);
    for (const code of REJECTION_CODES) expect(REJECTION_DESCRIPTIONS[code]).toMatch(/^.{10,}\.$/);
  });
  it("describeHazard: the code's sentence, a SIGSEGV's reason after it, a logged DMAR fault explained or not", () => {
    expect(describeHazard({ code: 'UNBALANCED_PUT' })).toBe(HAZARD_DESCRIPTIONS.UNBALANCED_PUT);
    expect(describeHazard({ code: 'SIGSEGV', reason: 'ALREADY_ACTIVATED' })).toBe(
      `${HAZARD_DESCRIPTIONS.SIGSEGV} ${SIGSEGV_REASON_DESCRIPTIONS.ALREADY_ACTIVATED}`,
    );
    // A fault the model predicted (an ENQCMD with no entry) keeps the code's sentence.
    expect(describeHazard({ code: 'DMAR_FAULT' })).toBe(HAZARD_DESCRIPTIONS.DMAR_FAULT);
    const explained = describeHazard({ code: 'DMAR_FAULT', observed: true, explained: true });
    const unexplained = describeHazard({ code: 'DMAR_FAULT', observed: true, explained: false });
    expect(explained).toBe(LOGGED_DMAR_FAULT_DESCRIPTIONS.explained);
    expect(unexplained).toBe(LOGGED_DMAR_FAULT_DESCRIPTIONS.unexplained);
    expect(unexplained).not.toBe(explained);
  });
});

describe('isMsrStale', () => {
  const replay = (policy: Policy, inputs: readonly InputEvent[]) => {
    const replayer = new Replayer({ policy, maxPasid: 1 << 20 });
    for (const input of inputs) {
      const decision = replayer.apply(input);
      if (!decision.ok) throw new Error(decision.rejection.message);
    }
    return replayer.state;
  };
  it("flags task 100's MSR after EAGER_UNBIND handed PASID 1 to process 200 (worked example, step 13)", () => {
    const state = replay('EAGER_UNBIND', workedExample.slice(0, 13));
    expect(isMsrStale(state, state.tasks.get(100)!)).toBe(true);
    expect(state.pasids.get(1)?.pid).toBe(200);
  });
  it('never under LAZY_REFCOUNT: task 100 still holds its own PASID 1 at step 13', () => {
    const state = replay('LAZY_REFCOUNT', workedExample.slice(0, 13));
    expect(state.tasks.get(100)?.msr).toBe(1);
    expect(isMsrStale(state, state.tasks.get(100)!)).toBe(false);
  });
});
