import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { InputEvent } from '@pasid/domain';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildWorkload,
  captureHeader,
  EVENTS,
  has,
  need,
  runsWith,
  runWorkload,
  TraceInstance,
  tracefsAvailable,
  type WorkloadPids,
} from './capture-support.js';
import { bare, collect, textSource } from './support.js';

const available = tracefsAvailable();
const tmp = mkdtempSync(path.join(tmpdir(), 'pasid-trace-capture-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
let workload = '';
beforeAll(() => {
  if (available) workload = buildWorkload(tmp);
});

/** The inputs about the workload's own tasks, in history order. */
function ofWorkload(inputs: InputEvent[], pids: WorkloadPids) {
  const ours = new Set([pids.main, pids.thread, pids.child]);
  return bare(inputs).filter((i) => [i.pid, i.tid].some((n) => typeof n === 'number' && ours.has(n)));
}

const expected = (p: WorkloadPids) => [
  // the workload's own process: its parent (the test runner) started before the capture
  { type: 'ProcessCreated', pid: p.main },
  { type: 'ProcessExec', pid: p.main },
  { type: 'ThreadCreated', tid: p.thread, pid: p.main },
  { type: 'TaskExited', tid: p.thread },
  { type: 'ProcessCreated', pid: p.child, parent: p.main },
  { type: 'ProcessExec', pid: p.child },
  { type: 'TaskExited', tid: p.child },
  { type: 'TaskExited', tid: p.main },
];

/** Runs the workload with the instance's events on; returns what the instance recorded. */
function captureWith(instance: TraceInstance): { text: string; pids: WorkloadPids } {
  instance.on();
  const pids = runWorkload(workload);
  instance.off();
  return { text: instance.text(), pids };
}

describe.runIf(available)('real captures of a real workload on this kernel', () => {
  it("tracefs trace -> the workload's history, through the domain", async () => {
    const instance = new TraceInstance(`pasid-test-${process.pid}-tracefs`);
    try {
      const { text, pids } = captureWith(instance);
      const { inputs, report } = await collect([textSource('trace', `${captureHeader()}\n${text}`, 1 << 16)]);
      expect(report.sources[0]?.kind).toBe('tracefs');
      expect(ofWorkload(inputs, pids)).toEqual(expected(pids));
      // the node process's own tasks (started before the capture) are left out, and counted
      expect(inputs.every((i) => i.id && i.at)).toBe(true);
      const at = Date.parse(inputs[0]?.at ?? '');
      expect(Math.abs(at - Date.now())).toBeLessThan(60_000);
    } finally {
      instance.remove();
    }
  });

  const traceCmd = has('trace-cmd');
  it.runIf(runsWith('trace-cmd (Debian: apt-get install trace-cmd)', traceCmd))(
    'trace-cmd extract + report of the same kind of capture',
    async () => {
      need('trace-cmd (Debian: apt-get install trace-cmd)', traceCmd);
      const instance = new TraceInstance(`pasid-test-${process.pid}-tc`);
      try {
        instance.on();
        const pids = runWorkload(workload);
        instance.off();
        const dat = path.join(tmp, 'trace.dat');
        // `trace-cmd record` needs to write /proc/sys/kernel/ftrace_enabled, which containers often
        // refuse; `extract` reads the instance's buffer as it is.
        const extract = spawnSync('trace-cmd', ['extract', '-B', instance.name, '-o', dat], {
          encoding: 'utf8',
        });
        expect(extract.status, extract.stderr).toBe(0);
        const report = spawnSync('trace-cmd', ['report', '-i', dat], {
          encoding: 'utf8',
          maxBuffer: 1 << 28,
        });
        expect(report.status, report.stderr).toBe(0);
        const { inputs, report: r } = await collect([textSource('report', report.stdout, 1 << 16)]);
        expect(r.sources[0]?.kind).toBe('trace-cmd');
        expect(ofWorkload(inputs, pids)).toEqual(expected(pids));
      } finally {
        instance.remove();
      }
    },
  );

  const perf = has('perf');
  it.runIf(runsWith('perf (Debian: apt-get install linux-perf)', perf))(
    'perf record + perf script',
    async () => {
      need('perf (Debian: apt-get install linux-perf)', perf);
      const data = path.join(tmp, 'perf.data');
      // perf enables the events when its command execs: a shell that forks the workload lets the
      // capture see the workload's own creation.
      const args = [
        'record',
        '-q',
        '-o',
        data,
        ...EVENTS.flatMap((e) => ['-e', e]),
        'sh',
        '-c',
        `${workload}; true`,
      ];
      const record = spawnSync('perf', args, { encoding: 'utf8' });
      if (record.status !== 0) {
        if (process.env.CI) throw new Error(`perf record failed: ${record.stderr}`);
        console.warn(`skipping perf: ${record.stderr.trim()}`);
        return;
      }
      const pids = (() => {
        const [main, thread, child] = record.stdout.trim().split(' ').map(Number) as [number, number, number];
        return { main, thread, child };
      })();
      const script = spawnSync('perf', ['script', '-i', data], { encoding: 'utf8', maxBuffer: 1 << 28 });
      expect(script.status, script.stderr).toBe(0);
      writeFileSync(path.join(tmp, 'perf.txt'), script.stdout);
      const { inputs, report } = await collect([textSource('perf.txt', script.stdout, 1 << 16)]);
      expect(report.sources[0]?.kind).toBe('perf-script');
      expect(ofWorkload(inputs, pids)).toEqual(expected(pids));
    },
  );
});
