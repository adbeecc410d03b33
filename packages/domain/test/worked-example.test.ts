import { describe, expect, it } from 'vitest';
import { type InputEvent, type Policy, Replayer, toStateDocument } from '../src/index.js';

const dsa0 = '0000:6a:01.0';
const iax0 = '0000:6a:02.0';
const workedExample: InputEvent[] = [
  { type: 'ProcessCreated', pid: 100 },
  { type: 'DeviceBound', pid: 100, device: dsa0 },
  { type: 'ThreadCreated', tid: 101, pid: 100 },
  { type: 'Enqcmd', tid: 100, device: dsa0 },
  { type: 'Enqcmd', tid: 101, device: dsa0 },
  { type: 'DeviceBound', pid: 100, device: iax0 },
  { type: 'ProcessCreated', pid: 200, parent: 100 },
  { type: 'Enqcmd', tid: 200, device: dsa0 },
  { type: 'DeviceUnbound', pid: 100, device: dsa0 },
  { type: 'TaskExited', tid: 101 },
  { type: 'DeviceUnbound', pid: 100, device: iax0 },
  { type: 'Enqcmd', tid: 100, device: dsa0 },
  { type: 'DeviceBound', pid: 200, device: dsa0 },
  { type: 'TaskExited', tid: 100 },
];

function run(policy: Policy) {
  const r = new Replayer({ policy, maxPasid: 1 << 20 });
  const steps = workedExample.map((input) => {
    const d = r.apply(input);
    if (!d.ok) throw new Error(d.rejection.message);
    return { derived: d.events, state: r.fork() };
  });
  return { steps, doc: toStateDocument(r.state) };
}

describe('worked example', () => {
  it('LAZY_REFCOUNT gives the contract document', () => {
    const { doc } = run('LAZY_REFCOUNT');
    expect(doc).toEqual({
      policy: 'LAZY_REFCOUNT',
      events: 14,
      pasids: [{ pasid: 2, pid: 200, refcount: 1, devices: [dsa0] }],
      tasks: [{ tid: 200, pid: 200, msr: null }],
      freed: [1],
      hazards: [
        { code: 'SIGSEGV', event: 8, tid: 200, device: dsa0 },
        { code: 'DMAR_FAULT', event: 12, tid: 100, device: dsa0, pasid: 1 },
      ],
    });
  });
  it('LAZY_REFCOUNT counts of PASID 1 step by step', () => {
    const { steps } = run('LAZY_REFCOUNT');
    const counts = steps.map((s) => s.state.pasids.get(1)?.refcount ?? null);
    expect(counts).toEqual([null, 1, 1, 2, 3, 4, 4, 4, 3, 2, 1, 1, 1, null]);
  });
  it('EAGER_UNBIND hands PASID 1 to process 200', () => {
    const { doc } = run('EAGER_UNBIND');
    expect(doc.freed).toEqual([1]);
    expect(doc.pasids).toEqual([{ pasid: 1, pid: 200, refcount: null, devices: [dsa0] }]);
  });
});
