import { v5 } from 'uuid';
import { describe, expect, it } from 'vitest';
import { TRACE_ID_NAMESPACE, TraceReport, traceInputs, uuidV5 } from '../src/index.js';
import { bare, collect, takesAll, textSource } from './support.js';

const bt = (ts: string, cpu: number, tid: number, fact: string, details: string) =>
  `${ts} ${cpu}   ${tid}   ${tid}   ${fact}   ${details}`;

describe('the sorter', () => {
  it('puts bpftrace lines a little out of CPU order back in time order', async () => {
    const text = [
      bt('5.000000300', 1, 9, 'sched_process_exit', 'pid=9'),
      bt('5.000000100', 0, 1, 'task_newtask', 'pid=9 clone_flags=0x1200011'),
      bt('5.000000200', 0, 9, 'sched_process_exec', 'pid=9 old_pid=9'),
    ].join('\n');
    const { inputs, report } = await collect([textSource('bt.txt', text)], { gate: takesAll });
    expect(bare(inputs).map((i) => i.type)).toEqual(['ProcessCreated', 'ProcessExec', 'TaskExited']);
    expect(report.skippedTotal).toBe(0);
  });

  it('a line older than what was already merged is skipped as out of order, with its line', async () => {
    const text = [
      '  a-1  [000] .....  9.000000: task_newtask: pid=2 comm=a clone_flags=1200011 oom_score_adj=0',
      '  b-2  [000] .....  9.500000: sched_process_exit: comm=b pid=2 prio=120',
      '  a-1  [000] .....  8.000000: task_newtask: pid=3 comm=a clone_flags=1200011 oom_score_adj=0',
    ].join('\n');
    const { inputs, report } = await collect([textSource('late.txt', text)], { gate: takesAll });
    expect(bare(inputs)).toEqual([
      { type: 'ProcessCreated', pid: 2 },
      { type: 'TaskExited', tid: 2 },
    ]);
    expect(report.examples[0]).toMatchObject({ file: 'late.txt', line: 3 });
    expect(report.examples[0]?.reason).toMatch(/^out of order: 8\.000000 s is before 9\.500000 s/);
    await expect(collect([textSource('late.txt', text)], { gate: takesAll, strict: true })).rejects.toThrow(
      /^late\.txt:3: out of order/,
    );
  });

  it('merges several sources by time, whatever order they are given in', async () => {
    const a =
      '  a-1  [000] .....  1.000000: task_newtask: pid=2 comm=a clone_flags=1200011 oom_score_adj=0\n  a-2  [000] .....  3.000000: sched_process_exit: comm=a pid=2 prio=120';
    const b =
      '[    2.000000] DMAR: [DMA Read PASID 0x1] Request device [6a:01.0] fault addr 0x1000 [fault reason 0x59] SM: x';
    const { inputs } = await collect([textSource('a.txt', a), textSource('b.txt', b)], { gate: takesAll });
    expect(bare(inputs).map((i) => i.type)).toEqual(['ProcessCreated', 'DmarFaultLogged', 'TaskExited']);
  });
});

describe('ids', () => {
  it('uuidV5 is RFC 9562 version 5, as the uuid package computes it', () => {
    // a line longer than the reused buffer, then shorter ones again (no bytes of the long one left)
    const long = `${'é'.repeat(3000)}😀`;
    for (const name of [
      '',
      'x',
      'boot\ntracefs\n1\n833.176153\n  bash-1 [001] ...',
      'ünïcode ✓',
      long,
      'x',
      '',
    ]) {
      expect(uuidV5(name)).toBe(v5(name, TRACE_ID_NAMESPACE));
    }
  });
});

describe('live sources (--follow): a quiet source holds the others back for the idle window', () => {
  const tracefs = [
    '  a-1  (      1) [000] .....  1.000000: task_newtask: pid=2 comm=a clone_flags=1200011 oom_score_adj=0',
    '  a-2  (      2) [000] .....  3.000000: sched_process_exit: comm=a pid=2 prio=120',
    '',
  ].join('\n');
  const dmar =
    '[    2.000000] DMAR: [DMA Read PASID 0x1] Request device [6a:01.0] fault addr 0x1000 [fault reason 0x59] SM: x\n';

  /** A live source: each '' is a poll that found nothing (200 ms of the test's clock). */
  function live(name: string, steps: string[], clock: { ms: number }) {
    return {
      name,
      chunks: (async function* () {
        for (const step of steps) {
          if (step === '') clock.ms += 200;
          yield step;
        }
      })(),
    };
  }

  async function run(quietPolls: number) {
    const clock = { ms: 0 };
    const report = new TraceReport();
    const batches: string[][] = [];
    const sources = [
      live('trace', [tracefs], clock),
      // the kernel log names its format at once (its first line), then goes quiet
      live(
        'dmesg',
        ['[    0.500000] idxd 0000:6a:01.0: enabling device\n', ...Array(quietPolls).fill(''), dmar],
        clock,
      ),
    ];
    const options = { gate: takesAll, sorter: { idleWindowMs: 1000, now: () => clock.ms } };
    for await (const batch of traceInputs(sources, options, report)) batches.push(batch.map((i) => i.type));
    return { batches, report };
  }

  it('a fault logged while the trace ran ahead (quiet 800 ms < 1 s) is merged in its place', async () => {
    const { batches, report } = await run(4);
    expect(batches.flat()).toEqual(['ProcessCreated', 'DmarFaultLogged', 'TaskExited']);
    // while dmesg was quiet, nothing after the time it had reached went out (empty batches)
    const first = batches.findIndex((b) => b.length > 0);
    expect(first).toBeGreaterThanOrEqual(2);
    expect(batches.slice(0, first).every((b) => b.length === 0)).toBe(true);
    expect(report.skippedTotal).toBe(0);
  });

  it('a source quiet for longer than the window is taken as caught up: its late line is out of order, reported', async () => {
    const { batches, report } = await run(8);
    expect(batches.flat()).toEqual(['ProcessCreated', 'TaskExited']);
    expect(report.examples).toEqual([
      {
        file: 'dmesg',
        line: 2,
        reason: 'out of order: 2.000000 s is before 3.000000 s, already merged',
      },
    ]);
    await expect(
      (async () => {
        const clock = { ms: 0 };
        const sources = [
          live('trace', [tracefs], clock),
          live('dmesg', ['[    0.500000] idxd: x\n', ...Array(8).fill(''), dmar], clock),
        ];
        const options = { gate: takesAll, strict: true, sorter: { idleWindowMs: 1000, now: () => clock.ms } };
        for await (const _ of traceInputs(sources, options, new TraceReport()));
      })(),
    ).rejects.toThrow(/^dmesg:2: out of order/);
  });
});
