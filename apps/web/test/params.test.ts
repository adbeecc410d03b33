import { describe, expect, it } from 'vitest';
import { parseEnv } from '@/lib/env';
import { filterFromParams, filterToParams } from '@/lib/ledger/filter-params';
import { parsePosition, sampleVersions } from '@/lib/replay/position';
import { toPasidSeries } from '@/lib/replay/series';
import { workedExampleStates } from './helpers';

describe('parsePosition', () => {
  it('reads ?at= and clamps it to the history', () => {
    expect(parsePosition('12', 14)).toBe(12);
    expect(parsePosition(['3', '4'], 14)).toBe(3);
    expect(parsePosition('99', 14)).toBe(14);
    expect(parsePosition('-2', 14)).toBe(0);
    expect(parsePosition('abc', 14)).toBe(14);
    expect(parsePosition(undefined, 14)).toBe(14);
  });
});

describe('sampleVersions', () => {
  it('takes every version of a small history', () => {
    expect(sampleVersions(4, 10)).toEqual([0, 1, 2, 3, 4]);
  });
  it('spreads a sample over a big one, both ends included', () => {
    const s = sampleVersions(100_000, 400);
    expect(s).toHaveLength(400);
    expect(s[0]).toBe(0);
    expect(s.at(-1)).toBe(100_000);
    expect(s.every((v, i) => i === 0 || v > s[i - 1]!)).toBe(true);
  });
});

describe('toPasidSeries', () => {
  it('gives PASID 1 its counts and the allocated total at each step of the worked example', () => {
    const states = workedExampleStates('LAZY_REFCOUNT');
    const series = toPasidSeries(states.map((s) => ({ version: s.version, pasids: s.pasids })));
    expect(series.hasRefcounts).toBe(true);
    expect(series.pasids).toEqual([1, 2]);
    expect(series.points.map((p) => p.p1 ?? null)).toEqual([
      null,
      null,
      1,
      1,
      2,
      3,
      4,
      4,
      4,
      3,
      2,
      1,
      1,
      1,
      null,
    ]);
    expect(series.points.map((p) => p.allocated)).toEqual([0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 1]);
  });
  it('has no count lines under MM_EXIT', () => {
    const states = workedExampleStates('MM_EXIT');
    const series = toPasidSeries(states.map((s) => ({ version: s.version, pasids: s.pasids })));
    expect(series.hasRefcounts).toBe(false);
    expect(series.pasids).toEqual([]);
  });
});

describe('audit filter params', () => {
  it('round-trips through the URL', () => {
    const filter = filterFromParams({
      system: 'a',
      type: 'Enqcmd, HazardDetected',
      kind: 'derived',
      from: '2026-11-24T08:00',
    });
    expect(filter).toEqual({
      system: 'a',
      types: ['Enqcmd', 'HazardDetected'],
      kind: 'DERIVED',
      actor: undefined,
      correlationId: undefined,
      from: '2026-11-24T08:00:00.000Z',
      to: undefined,
    });
    expect(filterFromParams(Object.fromEntries(filterToParams(filter)))).toEqual(filter);
  });
  it('ignores what is not a filter', () => {
    expect(filterFromParams({ kind: 'maybe', from: 'yesterday' })).toMatchObject({
      kind: undefined,
      from: undefined,
    });
  });
});

describe('parseEnv', () => {
  it('defaults to the local API and derives the websocket address', () => {
    expect(parseEnv({})).toEqual({
      apiUrl: 'http://localhost:4000/graphql',
      apiWsUrl: 'ws://localhost:4000/graphql',
      apiKey: undefined,
      apiKeyFile: undefined,
    });
  });
  it('says which variable is wrong', () => {
    expect(() => parseEnv({ PASID_API_URL: 'localhost:4000' })).toThrow(/PASID_API_URL/);
  });
});
