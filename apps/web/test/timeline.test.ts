import {
  DERIVED_EVENT_TYPES,
  generateHistory,
  INPUT_EVENT_TYPES,
  type Policy,
  Replayer,
} from '@pasid/domain';
import { describe, expect, it } from 'vitest';
import type { LedgerEvent } from '@/lib/ledger/types';
import { describeEvent, toTimeline } from '@/lib/replay/timeline';

const event = (
  position: number,
  version: number,
  index: number,
  type: string,
  data: Record<string, unknown>,
): LedgerEvent => ({
  id: `e${position}`,
  position: String(position),
  system: 's',
  version,
  index,
  kind: index === 0 ? 'INPUT' : 'DERIVED',
  type,
  data: { type, ...data },
  actor: 'test',
  correlationId: 'c',
  causationId: null,
  recordedAt: '2026-11-24T00:00:00.000Z',
  observedAt: null,
  hash: 'h',
});

describe('toTimeline', () => {
  it('folds derived events under their input, in index order, and collects hazards', () => {
    const steps = toTimeline([
      event(1, 1, 0, 'ProcessCreated', { pid: 100 }),
      event(2, 2, 0, 'Enqcmd', { tid: 100, device: '0000:6a:01.0' }),
      event(4, 2, 2, 'ProcessExited', { pid: 100 }),
      event(3, 2, 1, 'HazardDetected', { code: 'SIGSEGV', tid: 100 }),
    ]);
    expect(steps.map((s) => [s.version, s.input?.type, s.derived.map((d) => d.index), s.hazards])).toEqual([
      [1, 'ProcessCreated', [], []],
      [2, 'Enqcmd', [1, 2], ['SIGSEGV']],
    ]);
  });
});

describe('describeEvent', () => {
  it('says what an event did, with the count when it changed', () => {
    expect(describeEvent('MsrFixedUp', { tid: 101, pasid: 1, refcount: 3 })).toBe(
      '#GP fixed up: MSR of 101 = 1 (count 3)',
    );
    expect(
      describeEvent('HazardDetected', { code: 'DMAR_FAULT', tid: 100, device: '0000:6a:01.0', pasid: 1 }),
    ).toBe('hazard DMAR_FAULT by 100 on 0000:6a:01.0 PASID 1');
    expect(describeEvent('ProcessCreated', { pid: 200, parent: 100 })).toBe('process 200 created by 100');
  });

  it("says the model version 2 events: fds, closes, released mms, the kernel's logged faults", () => {
    expect(describeEvent('DeviceBound', { pid: 300, device: '0000:6a:01.0', fd: 3, cloexec: true })).toBe(
      '300 binds 0000:6a:01.0 as fd 3 (cloexec)',
    );
    expect(describeEvent('FileClosed', { pid: 301, fd: 3 })).toBe('301 closes fd 3');
    expect(describeEvent('FileClosed', { pid: 301, fd: 4, reason: 'exec' })).toBe(
      'fd 4 of 301 closed at exec',
    );
    expect(describeEvent('MmReleased', { pid: 300 })).toBe('mm of 300 released (no live task uses it)');
    expect(
      describeEvent('DmarFaultLogged', { device: '0000:6a:01.0', pasid: 0, reason: 'PTE not present' }),
    ).toBe('kernel logged a DMAR fault on 0000:6a:01.0 for PASID 0: PTE not present');
    expect(describeEvent('Enqcmd', { tid: 7 })).toBe('ENQCMD by 7, no device named (the #GP fix-up only)');
    // The input asks for an unbind; the derived one is a close, exit or exec's, with its file.
    expect(describeEvent('DeviceUnbound', { pid: 100, device: '0000:6a:02.0' })).toBe(
      '100 unbinds 0000:6a:02.0',
    );
    expect(
      describeEvent('DeviceUnbound', {
        pid: 300,
        device: '0000:6a:01.0',
        pasid: 1,
        reason: 'close',
        file: 2,
        refcount: 0,
      }),
    ).toBe('300 unbinds 0000:6a:01.0 at close, PASID 1 (the file opened at event 2) (count 0)');
    expect(
      describeEvent('HazardDetected', {
        code: 'WRONG_ADDRESS_SPACE',
        tid: 100,
        device: '0000:6a:01.0',
        pasid: 1,
        pid: 200,
      }),
    ).toBe("hazard WRONG_ADDRESS_SPACE by 100 on 0000:6a:01.0 PASID 1 in 200's memory");
  });

  it('says so of a type the domain does not know, instead of printing the bare type', () => {
    expect(describeEvent('SomethingNew', {})).toBe(
      'SomethingNew (an event type this version of the web app does not know)',
    );
  });

  it('describes every input and derived event of generated histories, under every policy, with no field missing', () => {
    const seen = new Set<string>();
    for (const policy of ['LAZY_REFCOUNT', 'MM_EXIT', 'EAGER_UNBIND'] as Policy[]) {
      const replayer = new Replayer({ policy, maxPasid: 4 });
      const inputs = generateHistory({ policy, maxPasid: 4, seed: 11, processes: 8 });
      for (let i = 0; i < 3000; i++) {
        const input = inputs.next().value;
        const decision = replayer.apply(input);
        if (!decision.ok) throw new Error(decision.rejection.message);
        for (const event of [input, ...decision.events]) {
          const { type, ...data } = event;
          const line = describeEvent(type, data);
          seen.add(type);
          expect(line, `${type} ${JSON.stringify(data)}`).not.toMatch(/undefined|null|NaN|\[object/);
          expect(line).not.toContain('does not know');
        }
      }
    }
    // Every type of the domain's union was met (the generator makes them all).
    expect([...seen].sort()).toEqual([...new Set([...INPUT_EVENT_TYPES, ...DERIVED_EVENT_TYPES])].sort());
  });
});
