import { describe, expect, it } from 'vitest';
import { forWhatIf, type InputEvent, Replayer, toStateDocument } from '../src/index.js';

const dsa = '0000:6a:01.0';
// Recorded under EAGER_UNBIND: the kernel reuses PASID 1 for 200 while task 100 still carries it.
const recorded: InputEvent[] = [
  { type: 'ProcessCreated', pid: 100 },
  { type: 'DeviceBound', pid: 100, device: dsa, pasid: 1 },
  { type: 'Enqcmd', tid: 100, device: dsa },
  { type: 'DeviceUnbound', pid: 100, device: dsa },
  { type: 'ProcessCreated', pid: 200 },
  { type: 'DeviceBound', pid: 200, device: dsa, pasid: 1 },
];

describe('forWhatIf', () => {
  it('drops only the observed PASID of a bind', () => {
    expect(
      forWhatIf({ type: 'DeviceBound', pid: 7, device: dsa, pasid: 3, at: '2026-11-24T08:00:00Z' }),
    ).toEqual({
      type: 'DeviceBound',
      pid: 7,
      device: dsa,
      at: '2026-11-24T08:00:00Z',
    });
    const enqcmd: InputEvent = { type: 'Enqcmd', tid: 7, device: dsa };
    expect(forWhatIf(enqcmd)).toBe(enqcmd);
  });

  it('lets another policy replay a history whose observed PASIDs it would reject', () => {
    const strict = new Replayer({ policy: 'LAZY_REFCOUNT', maxPasid: 1 << 20 });
    const decisions = recorded.map((e) => strict.apply(e));
    expect(decisions.at(-1)).toMatchObject({ ok: false, rejection: { code: 'PASID_TAKEN', field: 'pasid' } });

    const whatIf = new Replayer({ policy: 'LAZY_REFCOUNT', maxPasid: 1 << 20 });
    for (const e of recorded) expect(whatIf.apply(forWhatIf(e)).ok).toBe(true);
    const doc = toStateDocument(whatIf.state);
    expect(doc.events).toBe(recorded.length);
    expect(doc.pasids.map((p) => [p.pasid, p.pid])).toEqual([
      [1, 100],
      [2, 200],
    ]);
  });
});
