import { describe, expect, it } from 'vitest';
import { detectFormat } from '../src/index.js';
import { bare, collect, fixture, takesAll } from './support.js';

const lifecycle = (
  pids: { shell: number; main: number; thread: number; child: number },
  parentKnown = true,
) => [
  parentKnown
    ? { type: 'ProcessCreated', pid: pids.main, parent: pids.shell }
    : { type: 'ProcessCreated', pid: pids.main },
  { type: 'ProcessExec', pid: pids.main },
  { type: 'ThreadCreated', tid: pids.thread, pid: pids.main },
  { type: 'TaskExited', tid: pids.thread },
  { type: 'ProcessCreated', pid: pids.child, parent: pids.main },
  { type: 'ProcessExec', pid: pids.child },
  { type: 'TaskExited', tid: pids.child },
  { type: 'TaskExited', tid: pids.main },
];

describe('each reader on its fixture (formats from the kernel and the tools)', () => {
  it('tracefs trace of Linux 6.18 (5 flag columns, tgid column, group_dead)', async () => {
    const { inputs, report } = await collect([fixture('tracefs-v6.18.txt')], { gate: takesAll });
    expect(report.sources[0]?.kind).toBe('tracefs');
    expect(bare(inputs)).toEqual(lifecycle({ shell: 18038, main: 18040, thread: 18041, child: 18042 }));
    expect(report.sources[0]).toMatchObject({ lines: 19, used: 8 });
    expect(report.sources[0]?.ignored.get('write_msr of another MSR')).toBe(1);
    expect(report.skippedTotal).toBe(0);
  });

  it('tracefs trace_pipe before v5.17 (4 flag columns, exit without group_dead, no tgid column)', async () => {
    const { inputs, report } = await collect([fixture('tracefs-v5.10.txt')], { gate: takesAll });
    expect(report.sources[0]?.kind).toBe('tracefs');
    expect(bare(inputs)).toEqual([
      // no tgid column: the forking task 2001 was never seen, so its thread group is unknown
      { type: 'ProcessCreated', pid: 2100 },
      { type: 'ProcessExec', pid: 2100 },
      { type: 'ThreadCreated', tid: 2101, pid: 2100 },
      { type: 'Enqcmd', tid: 2101 },
      { type: 'TaskExited', tid: 2101 },
      { type: 'TaskExited', tid: 2100 },
    ]);
    // taken, but the report says what it lacks
    expect(report.sources[0]?.adjusted.size).toBe(1);
    expect(report.adjustedExamples).toEqual([
      {
        file: 'tracefs-v5.10.txt',
        line: 5,
        reason:
          'ProcessCreated of pid 2100 without its parent: the forking task 2001 was never seen (no tgid column; options/record-tgid gives it)',
      },
    ]);
  });

  it('perf script default layout (comm with spaces, subsystem:event names)', async () => {
    const { inputs, report } = await collect([fixture('perf-script-v6.txt')], { gate: takesAll });
    expect(report.sources[0]?.kind).toBe('perf-script');
    expect(bare(inputs).map((i) => i.type)).toEqual([
      'ProcessExec',
      'ThreadCreated',
      'TaskExited',
      'ProcessCreated',
      'ProcessExec',
      'TaskExited',
      'TaskExited',
    ]);
    expect(bare(inputs)[1]).toEqual({ type: 'ThreadCreated', tid: 10615, pid: 10613 });
  });

  it('trace-cmd report', async () => {
    const { inputs, report } = await collect([fixture('trace-cmd-3.1.txt')], { gate: takesAll });
    expect(report.sources[0]?.kind).toBe('trace-cmd');
    expect(bare(inputs)).toEqual(
      lifecycle({ shell: 10784, main: 10786, thread: 10787, child: 10788 }, false),
    );
  });

  it.each([
    ['dmesg-v6.txt', '[6a:01.0]'],
    ['dmesg-v5.txt', '[0x6a:0x01.0]'],
    ['dmesg-v4.txt', 'PASID 2 ... [fault reason 89] (decimal)'],
  ])('kernel log %s (%s): DmarFaultLogged in PCI domain 0000', async (name) => {
    const { inputs, report } = await collect([fixture(name)], { gate: takesAll });
    expect(report.sources[0]?.kind).toBe('kernel-log');
    expect(bare(inputs)).toEqual([
      { type: 'DmarFaultLogged', device: '0000:6a:01.0', pasid: 2, reason: '0x59' },
    ]);
  });

  it('dmesg -T and journalctl -k need the boot time: skipped and counted without it, taken with it', async () => {
    for (const [name, line] of [
      ['dmesg-T.txt', 5],
      ['journalctl-k.txt', 5],
    ] as const) {
      const without = await collect([fixture(name)], { gate: takesAll });
      expect(without.inputs).toEqual([]);
      expect(without.report.examples[0]).toMatchObject({ file: name, line });
      expect(without.report.examples[0]?.reason).toMatch(/boot time/);
      const bootTimeMs = Date.parse('2026-12-01T08:19:55Z');
      const withBoot = await collect([fixture(name)], { gate: takesAll, bootTimeMs });
      expect(bare(withBoot.inputs)).toEqual([
        { type: 'DmarFaultLogged', device: '0000:6a:01.0', pasid: 2, reason: '0x59' },
      ]);
      expect(withBoot.inputs[0]?.at).toBe('2026-12-01T08:34:55.000Z');
    }
  });

  it('detection looks at content, not names', () => {
    expect(
      detectFormat([
        'cpus=2',
        '  bash-1 [000]  1.000001: task_newtask: pid=2 comm=x clone_flags=0 oom_score_adj=0',
      ]),
    ).toBe('trace-cmd');
    expect(detectFormat(['[  1.000000] hello'])).toBe('kernel-log');
    expect(detectFormat(['1.000000001 0 1 1 close fd=3'])).toBe('bpftrace');
    expect(detectFormat(['just some words'])).toBeUndefined();
  });
});

describe('ids and at', () => {
  it('the same trace gives the same ids; the capture header gives at', async () => {
    const a = await collect([fixture('tracefs-v6.18.txt')], { gate: takesAll });
    const b = await collect([fixture('tracefs-v6.18.txt')], { gate: takesAll });
    expect(a.inputs.map((i) => i.id)).toEqual(b.inputs.map((i) => i.id));
    expect(new Set(a.inputs.map((i) => i.id)).size).toBe(a.inputs.length);
    expect(a.inputs[0]?.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    // boot 08:19:55.244864 + 833.176153 s
    expect(a.inputs[0]?.at).toBe('2026-12-01T08:33:48.421Z');
    const other = await collect([fixture('tracefs-v6.18.txt')], {
      gate: takesAll,
      bootId: 'x',
      bootTimeMs: 0,
    });
    expect(other.inputs[0]?.id).toBe(a.inputs[0]?.id); // the header's boot id wins over the default
  });
  it('without a boot time, at is left out and the report says so', async () => {
    const { inputs, report } = await collect([fixture('perf-script-v6.txt')], { gate: takesAll });
    expect(inputs.every((i) => i.at === undefined)).toBe(true);
    expect(report.format()).toMatch(/no boot time .* 7 events have no "at"/);
  });
});
