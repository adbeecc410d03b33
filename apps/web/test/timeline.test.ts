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
    expect(describeEvent('SomethingNew', {})).toBe('SomethingNew');
  });
});
