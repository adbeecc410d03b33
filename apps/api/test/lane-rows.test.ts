import { readFileSync } from 'node:fs';
import { checkInputEvent, type InputEvent, lifetimes } from '@pasid/domain';
import { describe, expect, it } from 'vitest';
import { laneRows } from '../src/lanes/lane-rows.js';

/** The input events of a sample history (samples/<name>). */
function historyInputs(name: string): InputEvent[] {
  return readFileSync(new URL(`../../../samples/${name}`, import.meta.url), 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>)
    .filter((v) => 'type' in v)
    .map((v) => {
      const check = checkInputEvent(v);
      if (!check.ok) throw new Error(check.reason);
      return check.event;
    });
}

const of = (policy: 'LAZY_REFCOUNT' | 'EAGER_UNBIND') =>
  lifetimes({ policy, maxPasid: 1 << 20 }, historyInputs('worked-example.jsonl'));
const lanes = (rows: ReturnType<typeof laneRows>) =>
  rows.flatMap((r) =>
    r.kind === 'lane' ? [{ label: r.label, bars: r.bars.map((b) => [b.from, b.to, b.label]) }] : [],
  );

describe('laneRows', () => {
  it('draws PASID 1 until step 14 and PASID 2 from 13 (worked example, LAZY_REFCOUNT)', () => {
    const rows = lanes(laneRows(of('LAZY_REFCOUNT'), {}));
    expect(rows.find((r) => r.label === 'PASID 1')!.bars).toEqual([[2, 14, 'pid 100']]);
    expect(rows.find((r) => r.label === 'PASID 2')!.bars).toEqual([[13, null, 'pid 200']]);
    expect(rows.find((r) => r.label === 'tid 100')!.bars).toEqual([
      [1, 14, ''],
      [4, 14, 'MSR 1'],
    ]);
    expect(rows.find((r) => r.label === 'SIGSEGV (1)')).toBeTruthy();
  });
  it('gives value 1 two generations under EAGER_UNBIND', () => {
    const rows = lanes(laneRows(of('EAGER_UNBIND'), {}));
    expect(rows.find((r) => r.label === 'PASID 1')!.bars).toEqual([
      [2, 11, 'pid 100'],
      [13, null, 'pid 200'],
    ]);
  });
  it('keeps only what concerns pid 200 when filtered by it', () => {
    const rows = lanes(laneRows(of('LAZY_REFCOUNT'), { pid: 200 }));
    expect(rows.map((r) => r.label)).toEqual([
      'SIGSEGV (1)',
      'PASID 2',
      'pid 200',
      'tid 200',
      '0000:6a:01.0 · PASID 2',
    ]);
  });
  it('narrows to the tasks that carried a PASID and to a hazard code', () => {
    const rows = lanes(laneRows(of('LAZY_REFCOUNT'), { pasid: 1, code: 'DMAR_FAULT' }));
    expect(rows.map((r) => r.label)).toEqual([
      'DMAR_FAULT (1)',
      'PASID 1',
      'pid 100',
      'tid 100',
      'tid 101',
      '0000:6a:01.0 · PASID 1',
      '0000:6a:02.0 · PASID 1',
    ]);
  });
});

describe('open file lanes (samples/inherited-file.jsonl, MM_EXIT)', () => {
  const inherited = lifetimes(
    { policy: 'MM_EXIT', maxPasid: 1 << 20 },
    historyInputs('inherited-file.jsonl'),
  );
  it('draws the file 300 opened, until 301 closes the copy it inherited, and each fd slot under it', () => {
    const rows = lanes(laneRows(inherited, {}));
    const at = rows.findIndex((r) => r.label === 'file of pid 300');
    expect(rows.slice(at, at + 3)).toEqual([
      { label: 'file of pid 300', bars: [[2, 7, '0000:6a:01.0 · PASID 1']] },
      { label: 'pid 300 fd 3', bars: [[2, 5, 'opened']] },
      { label: 'pid 301 fd 3', bars: [[4, 7, 'inherited from 300']] },
    ]);
  });
  it('filters by fd: the files that had it, their PASID, and the processes that held it', () => {
    expect(lanes(laneRows(inherited, { fd: 3 })).map((r) => r.label)).toEqual([
      'PASID 1',
      'pid 300',
      'tid 300',
      'pid 301',
      'tid 301',
      'file of pid 300',
      'pid 300 fd 3',
      'pid 301 fd 3',
      '0000:6a:01.0 · PASID 1',
    ]);
    // With a pid, all must match: 301's slot of the file (PASID 1 and its entry are 300's).
    expect(lanes(laneRows(inherited, { fd: 3, pid: 301 })).map((r) => r.label)).toEqual([
      'pid 301',
      'tid 301',
      'file of pid 300',
      'pid 301 fd 3',
    ]);
    expect(lanes(laneRows(inherited, { fd: 4 }))).toEqual([]);
  });
  it('adds no file group to a history without fds', () => {
    expect(laneRows(of('LAZY_REFCOUNT'), {}).some((r) => r.group === 'files')).toBe(false);
  });
});
