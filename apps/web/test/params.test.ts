import { describe, expect, it } from 'vitest';
import { parseEnv } from '@/lib/env';
import { filterFromParams, filterToParams } from '@/lib/ledger/filter-params';
import { parsePosition, sampleVersions } from '@/lib/replay/position';
import { toPasidSeries } from '@/lib/replay/series';
import { resolveWsUrl } from '../lib/ws-target';
import { workedExampleStates } from './helpers';

describe('parsePosition', () => {
  it('reads ?at= as a step of the history, the latest when absent', () => {
    expect(parsePosition('12', 14)).toEqual({ ok: true, at: 12 });
    expect(parsePosition(['3', '4'], 14)).toEqual({ ok: true, at: 3 });
    expect(parsePosition('0', 14)).toEqual({ ok: true, at: 0 });
    expect(parsePosition(undefined, 14)).toEqual({ ok: true, at: 14 });
  });
  it('names a position outside the history or not a number instead of showing another step', () => {
    expect(parsePosition('99', 14)).toEqual({
      ok: false,
      message: 'There is no step 99: this history has 14 input events (steps 0 to 14).',
    });
    expect(parsePosition('abc', 14)).toMatchObject({
      ok: false,
      message: expect.stringContaining('"abc" is not a step'),
    });
    expect(parsePosition('-2', 14)).toMatchObject({ ok: false });
    expect(parsePosition('1.5', 14)).toMatchObject({ ok: false });
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
    expect(series.lines.map((l) => l.pasid)).toEqual([1, 2]);
    expect(series.lines[0]!.counts).toEqual([null, null, 1, 1, 2, 3, 4, 4, 4, 3, 2, 1, 1, 1, 0]);
    expect(series.lines[1]!.counts).toEqual([...Array(13).fill(null), 1, 1]);
    expect(series.allocated.map((p) => p.allocated)).toEqual([0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 1]);
  });
  it('has no count lines under MM_EXIT', () => {
    const states = workedExampleStates('MM_EXIT');
    const series = toPasidSeries(states.map((s) => ({ version: s.version, pasids: s.pasids })));
    expect(series.hasRefcounts).toBe(false);
    expect(series.lines).toEqual([]);
  });
  it('draws every PASID, sorted as numbers, not the busiest twelve', () => {
    const samples = Array.from({ length: 30 }, (_, v) => ({
      version: v,
      pasids: Array.from({ length: v }, (_, i) => ({ pasid: i + 1, pid: 100 + i, refcount: 1 })),
    }));
    const series = toPasidSeries(samples);
    expect(series.lines).toHaveLength(29);
    expect(series.lines.slice(0, 4).map((l) => l.pasid)).toEqual([1, 2, 3, 4]);
    expect(series.lines.map((l) => l.pasid)).toContain(14);
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
  it('defaults to the local API; the browser takes the API port on its own host name', () => {
    expect(parseEnv({})).toEqual({
      apiUrl: 'http://localhost:4000/graphql',
      apiWs: { kind: 'api-port', secure: false, port: '4000', path: '/graphql' },
      // PASID_HISTORY_LIMIT's default, the same as the API's: 1 GB.
      historyLimit: 1024 ** 3,
    });
    expect(parseEnv({ PASID_HISTORY_LIMIT: '50mb' }).historyLimit).toBe(50 * 1024 ** 2);
    expect(() => parseEnv({ PASID_HISTORY_LIMIT: 'lots' })).toThrow(/PASID_HISTORY_LIMIT: must be a size/);
    const page = { protocol: 'http:', host: 'ledger.lab:3000', hostname: 'ledger.lab' };
    expect(resolveWsUrl(parseEnv({}).apiWs, page)).toBe('ws://ledger.lab:4000/graphql');
  });
  it('takes a path on the page origin, or an absolute URL as given', () => {
    const page = { protocol: 'https:', host: 'ledger.example.org', hostname: 'ledger.example.org' };
    expect(resolveWsUrl(parseEnv({ PASID_API_WS_URL: '/graphql' }).apiWs, page)).toBe(
      'wss://ledger.example.org/graphql',
    );
    expect(resolveWsUrl(parseEnv({ PASID_API_WS_URL: 'wss://api.example.org/graphql' }).apiWs, page)).toBe(
      'wss://api.example.org/graphql',
    );
    expect(() => parseEnv({ PASID_API_WS_URL: 'http://api/graphql' })).toThrow(/PASID_API_WS_URL/);
  });
  it('says which variable is wrong', () => {
    expect(() => parseEnv({ PASID_API_URL: 'localhost:4000' })).toThrow(/PASID_API_URL/);
  });
  it('refuses the shared writer key of earlier versions: people sign in with their own', () => {
    expect(() => parseEnv({ PASID_API_KEY: 'k' })).toThrow(/PASID_API_KEY: is no longer read.*sign in/);
    expect(() => parseEnv({ PASID_API_KEY_FILE: '.data/web-api-key' })).toThrow(/PASID_API_KEY_FILE/);
  });
});
