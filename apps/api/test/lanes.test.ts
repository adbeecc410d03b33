import { generateHistory, type InputEvent, type Lifetimes, lifetimes, writeHistory } from '@pasid/domain';
import { postgresAvailable } from '@pasid/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from './support/api.js';
import { gql, ok } from './support/client.js';
import { workedExampleText } from './support/worked-example.js';

interface Bar {
  key: string;
  from: number;
  to: number | null;
  tone: string;
  label: string;
  count: number;
}
interface Mark {
  code: string;
  version: number;
  lastVersion: number;
  count: number;
}
interface Row {
  kind: 'GROUP' | 'LANE';
  key: string;
  group: string;
  label: string;
  count: number;
  bars: Bar[];
  marks: Mark[];
}
interface Window {
  version: number;
  from: number;
  to: number;
  step: number;
  total: number;
  offset: number;
  rows: Row[];
  devices: string[];
  codes: string[];
  hasFiles: boolean;
}

const QUERY = `query Lanes($system: String!, $policy: Policy, $from: Int, $to: Int, $resolution: Int,
    $filter: LaneFilterInput, $offset: Int, $first: Int) {
  lanes(system: $system, policy: $policy, from: $from, to: $to, resolution: $resolution, filter: $filter,
      offset: $offset, first: $first) {
    version from to step total offset devices codes hasFiles
    rows { kind key group label count bars { key from to tone label count } marks { code version lastVersion count } }
  }
}`;

/** A random history long enough for merging to matter, short enough to ask at a step per version. */
const RANDOM_EVENTS = 3000;
const POLICY = 'LAZY_REFCOUNT';

const randomInputs = (): InputEvent[] => {
  const out: InputEvent[] = [];
  for (const e of generateHistory({ policy: POLICY, maxPasid: 1 << 20, seed: 11 })) {
    out.push(e);
    if (out.length === RANDOM_EVENTS) break;
  }
  return out;
};

describe.skipIf(!(await postgresAvailable('the lanes API tests')))(
  'lanes: windows of the lifetimes, filtered, bars merged and marks bucketed to a resolution',
  () => {
    let t: TestApi;
    const inputs = randomInputs();
    let full: Lifetimes;

    const lanes = (variables: Record<string, unknown>) =>
      ok<{ lanes: Window }>(t.url, QUERY, variables, t.tokens.reader).then((d) => d.lanes);
    /** Every row of a window, page after page. */
    const allRows = async (variables: Record<string, unknown>) => {
      const rows: Row[] = [];
      for (let offset = 0; ; ) {
        const page = await lanes({ ...variables, offset, first: 150 });
        rows.push(...page.rows);
        offset += page.rows.length;
        if (offset >= page.total) return { window: page, rows };
      }
    };
    const laneOf = (rows: Row[], key: string) => rows.find((r) => r.key === key);
    const barsOf = (rows: Row[], key: string) => laneOf(rows, key)?.bars.map((b) => [b.from, b.to, b.label]);

    beforeAll(async () => {
      t = await startTestApi();
      await ok(
        t.url,
        'mutation Import($s: String!, $h: String!) { importHistory(system: $s, history: $h) { version } }',
        { s: 'worked-example', h: workedExampleText },
        t.tokens.writer,
      );
      await ok(
        t.url,
        'mutation Import($s: String!, $h: String!) { importHistory(system: $s, history: $h) { version } }',
        { s: 'random', h: [...writeHistory({ policy: POLICY }, inputs)].join('') },
        t.tokens.writer,
      );
      full = lifetimes({ policy: POLICY, maxPasid: 1 << 20 }, inputs);
    });
    afterAll(() => t?.close());

    it('draws the worked example: PASID 1 until step 14, PASID 2 from 13, task 100 with MSR 1', async () => {
      const { window, rows } = await allRows({ system: 'worked-example' });
      expect([window.version, window.from, window.to]).toEqual([14, 0, 15]);
      expect(barsOf(rows, 'pasid:1')).toEqual([[2, 14, 'pid 100']]);
      expect(barsOf(rows, 'pasid:2')).toEqual([[13, null, 'pid 200']]);
      expect(barsOf(rows, 'task:100:1')).toEqual([
        [1, 14, ''],
        [4, 14, 'MSR 1'],
      ]);
      expect(laneOf(rows, 'hazard:DMAR_FAULT')?.marks).toEqual([
        { code: 'DMAR_FAULT', version: 12, lastVersion: 12, count: 1 },
      ]);
      expect(window.devices).toEqual(['0000:6a:01.0', '0000:6a:02.0']);
      expect(window.codes).toContain('SIGSEGV');
    });

    it('gives value 1 two generations under EAGER_UNBIND', async () => {
      const { rows } = await allRows({ system: 'worked-example', policy: 'EAGER_UNBIND' });
      expect(barsOf(rows, 'pasid:1')).toEqual([
        [2, 11, 'pid 100'],
        [13, null, 'pid 200'],
      ]);
    });

    it('filters in the query: pid 200, and PASID 1 with DMAR_FAULT', async () => {
      const byPid = await allRows({ system: 'worked-example', filter: { pid: 200 } });
      expect(byPid.rows.filter((r) => r.kind === 'LANE').map((r) => r.key)).toEqual([
        'hazard:SIGSEGV',
        'pasid:2',
        'process:200:7',
        'task:200:7',
        'entry:0000:6a:01.0 · PASID 2',
      ]);
      const byPasid = await allRows({ system: 'worked-example', filter: { pasid: 1, code: 'DMAR_FAULT' } });
      expect(byPasid.rows.filter((r) => r.kind === 'LANE').map((r) => r.label)).toEqual([
        'DMAR_FAULT (1)',
        'PASID 1',
        'pid 100',
        'tid 100',
        'tid 101',
        '0000:6a:01.0 · PASID 1',
        '0000:6a:02.0 · PASID 1',
      ]);
    });

    it('keeps only the lanes with something in the window, headings counting them', async () => {
      const { rows } = await allRows({ system: 'worked-example', from: 13, to: 15 });
      expect(laneOf(rows, 'pasid:2')).toBeTruthy();
      // PASID 1's generation ends at 14: it is in [13, 15); the DMAR fault at 12 is not.
      expect(laneOf(rows, 'pasid:1')).toBeTruthy();
      expect(laneOf(rows, 'hazard:DMAR_FAULT')).toBeUndefined();
      const groups = rows.filter((r) => r.kind === 'GROUP');
      for (const g of groups)
        expect(g.count).toBe(rows.filter((r) => r.kind === 'LANE' && r.group === g.group).length);
    });

    it("returns the domain's lifetimes exactly at a step per version (random history)", async () => {
      const { window, rows } = await allRows({ system: 'random', resolution: RANDOM_EVENTS + 1 });
      expect(window.step).toBeLessThanOrEqual(1);
      expect(rows.flatMap((r) => r.bars).every((b) => b.count === 1)).toBe(true);
      for (const value of new Set(full.pasids.map((g) => g.pasid))) {
        expect(barsOf(rows, `pasid:${value}`)).toEqual(
          full.pasids.filter((g) => g.pasid === value).map((g) => [g.from, g.to, `pid ${g.pid}`]),
        );
      }
      const tasks = full.processes.flatMap((p) => p.tasks);
      expect(rows.filter((r) => r.key.startsWith('task:')).length).toBe(tasks.length);
      for (const task of tasks.slice(0, 200)) {
        expect(laneOf(rows, `task:${task.tid}:${task.from}`)?.bars.map((b) => [b.from, b.to])).toEqual([
          [task.from, task.to],
          ...task.msr.map((m) => [m.from, m.to]),
        ]);
      }
      const marks = rows.filter((r) => r.key.startsWith('hazard:')).flatMap((r) => r.marks);
      expect(marks.reduce((n, m) => n + m.count, 0)).toBe(full.hazards.length);
    });

    it('merges bars less than a step apart so that they cover exactly the union of the bars (random history)', async () => {
      const fine = await allRows({ system: 'random', resolution: RANDOM_EVENTS + 1 });
      const end = (b: Bar) => b.to ?? RANDOM_EVENTS + 1;
      const kind = (tone: string) => (tone === 'pasid-alt' ? 'pasid' : tone);
      for (const [from, to, resolution] of [
        [0, RANDOM_EVENTS + 1, 40],
        [700, 1900, 25],
        [1000, 1300, 7],
      ] as const) {
        const coarse = await allRows({ system: 'random', from, to, resolution });
        const step = (to - from) / resolution;
        expect(coarse.window.step).toBeCloseTo(step);
        const inWindow = (b: Bar) => b.from < to && end(b) > from;
        const fineLanes = fine.rows.filter(
          (r) =>
            r.kind === 'LANE' &&
            (r.bars.some(inWindow) || r.marks.some((m) => m.version >= from && m.version < to)),
        );
        expect(coarse.rows.filter((r) => r.kind === 'LANE').map((r) => r.key)).toEqual(
          fineLanes.map((r) => r.key),
        );
        let merged = 0;
        for (const lane of fineLanes) {
          const got = laneOf(coarse.rows, lane.key)!;
          for (const k of new Set(lane.bars.map((b) => kind(b.tone)))) {
            const bars = lane.bars
              .filter((b) => kind(b.tone) === k && inWindow(b))
              .sort((a, b) => a.from - b.from);
            const aggregates = got.bars.filter((b) => kind(b.tone) === k);
            // Every bar is in exactly one aggregate, and each aggregate is its bars' extent.
            expect(aggregates.reduce((n, a) => n + a.count, 0)).toBe(bars.length);
            let i = 0;
            for (const a of aggregates) {
              const members = bars.slice(i, i + a.count);
              i += a.count;
              expect(a.from).toBe(members[0]!.from);
              expect(a.to === null ? null : a.to).toBe(
                members.some((b) => b.to === null) ? null : Math.max(...members.map(end)),
              );
              // Inside an aggregate no gap of a step or more; between two, always one.
              let reach = end(members[0]!);
              for (const b of members.slice(1)) {
                expect(b.from - reach).toBeLessThan(step);
                reach = Math.max(reach, end(b));
              }
              if (a.count > 1) merged += 1;
            }
            for (let j = 1; j < aggregates.length; j++)
              expect(aggregates[j]!.from - end(aggregates[j - 1]!)).toBeGreaterThanOrEqual(step);
            expect(aggregates.length).toBeLessThanOrEqual(resolution + 1);
          }
          // Marks: one bucket per step they fall in, the counts adding up to the hazards in the window.
          const marks = lane.marks.filter((m) => m.version >= from && m.version < to);
          expect(got.marks.reduce((n, m) => n + m.count, 0)).toBe(marks.length);
          expect(got.marks.length).toBeLessThanOrEqual(resolution);
          for (const m of got.marks)
            expect(Math.floor((m.version - from) / Math.max(1, step))).toBe(
              Math.floor((m.lastVersion - from) / Math.max(1, step)),
            );
        }
        if (resolution === 40) expect(merged).toBeGreaterThan(0);
      }
    });

    it('refuses a resolution, a page or a window out of bounds, and an unknown system', async () => {
      for (const variables of [
        { system: 'random', resolution: 0 },
        { system: 'random', first: 0 },
        { system: 'random', from: 10, to: 10 },
        { system: 'random', from: RANDOM_EVENTS + 5 },
      ]) {
        const res = await gql(t.url, QUERY, variables, t.tokens.reader);
        expect(res.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
      }
      const missing = await gql(t.url, QUERY, { system: 'nowhere' }, t.tokens.reader);
      expect(missing.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    });
  },
);
