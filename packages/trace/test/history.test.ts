import { checkInputEvent, formatHistoryEvent, INPUT_EVENT_TYPES, type InputEvent } from '@pasid/domain';
import { describe, expect, it } from 'vitest';
import { DomainGate, historyLine } from '../src/index.js';

const meta = { id: '0b7d9c52-3f2a-5d1e-9c4b-2a6f8e1d3c5b', at: '2026-12-01T08:21:35.244Z' };
/** One input of every type the domain knows, every optional field given. */
const everyType: InputEvent[] = [
  { type: 'ProcessCreated', pid: 2, parent: 1, ...meta },
  { type: 'ThreadCreated', tid: 3, pid: 2, ...meta },
  { type: 'DeviceBound', pid: 2, device: '0000:6a:01.0', pasid: 1, fd: 3, cloexec: true, ...meta },
  { type: 'DeviceUnbound', pid: 2, device: '0000:6a:01.0', ...meta },
  { type: 'FileClosed', pid: 2, fd: 3, ...meta },
  { type: 'Enqcmd', tid: 3, device: '0000:6a:01.0', ...meta },
  { type: 'TaskExited', tid: 3, ...meta },
  { type: 'ProcessExec', pid: 2, ...meta },
  { type: 'DmarFaultLogged', device: '0000:6a:01.0', pasid: 0, reason: '0x59', ...meta },
];

describe('history lines of a trace are the domain input events', () => {
  it('covers every input type of the domain, and writes each as formatHistoryEvent does, key order included', () => {
    expect(everyType.map((e) => e.type).sort()).toEqual([...INPUT_EVENT_TYPES].sort());
    for (const event of everyType) {
      const line = historyLine(event);
      expect(line).toBe(formatHistoryEvent(event));
      expect(checkInputEvent(JSON.parse(line))).toEqual({ ok: true, event });
    }
  });

  it('the gate refuses, by the domain schema, a field no history could hold (a pid above MAX_ID, a long reason)', () => {
    const gate = new DomainGate();
    expect(gate.apply({ type: 'ProcessCreated', pid: 2 ** 31 })).toMatchObject({
      ok: false,
      code: 'INVALID_INPUT',
      field: 'pid',
    });
    expect(
      gate.apply({ type: 'DmarFaultLogged', device: '0000:6a:01.0', pasid: 2, reason: 'x'.repeat(65) }),
    ).toMatchObject({ ok: false, code: 'INVALID_INPUT', field: 'reason' });
    // taken, with the types of what the model derived from it (a failed bind's check reads them)
    const taken = gate.apply({ type: 'DmarFaultLogged', device: '0000:6a:01.0', pasid: 2, reason: '0x59' });
    expect(taken.ok).toBe(true);
    expect(taken.ok && Array.isArray(taken.derived)).toBe(true);
    const bound =
      gate.apply({ type: 'ProcessCreated', pid: 9 }) &&
      gate.apply({ type: 'DeviceBound', pid: 9, device: '0000:6a:01.0' });
    expect(bound).toMatchObject({
      ok: true,
      derived: ['PasidAllocated', 'BondAdded', 'PasidEntryInstalled'],
    });
  });
});
