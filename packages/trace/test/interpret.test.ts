import { describe, expect, it } from 'vitest';
import { bare, collect, fixture, takesAll, textSource } from './support.js';

describe('interpretation of the IOMMU half (facts -> inputs, whatever the model says)', () => {
  it('pasid.bt lines: bind + fd, fix-ups, fork, close, a release in another process; put back in time order', async () => {
    const { inputs, report } = await collect([fixture('pasid-bt-iommu.txt')], { gate: takesAll });
    expect(report.sources[0]?.kind).toBe('bpftrace');
    expect(bare(inputs)).toEqual([
      { type: 'ProcessCreated', pid: 1100, parent: 1000 },
      { type: 'ProcessExec', pid: 1100 },
      { type: 'DeviceBound', pid: 1100, device: '0000:6a:01.0', pasid: 1, fd: 3, cloexec: false },
      { type: 'ThreadCreated', tid: 1101, pid: 1100 },
      { type: 'Enqcmd', tid: 1100 },
      { type: 'Enqcmd', tid: 1101 },
      { type: 'ProcessCreated', pid: 1200, parent: 1100 },
      { type: 'FileClosed', pid: 1100, fd: 3 },
      { type: 'TaskExited', tid: 1101 },
      { type: 'TaskExited', tid: 1200 },
      { type: 'TaskExited', tid: 1100 },
    ]);
    const stats = report.sources[0];
    expect(stats?.used).toBe(12); // 11 inputs, the bind counting its fd line too
    expect(stats?.ignored.get("a file's release: the model derives it from the closes")).toBe(1);
    expect(report.skippedTotal).toBe(0);
    expect(inputs[0]?.at).toBe('2026-12-01T08:21:35.244Z');
  });

  it('perf probe events: the entry gives the device, the return the PASID, the next openat the fd', async () => {
    const { inputs } = await collect([fixture('perf-script-probes.txt')], { gate: takesAll });
    expect(bare(inputs)).toEqual([
      { type: 'DeviceBound', pid: 1100, device: '0000:6a:01.0', pasid: 2, fd: 3, cloexec: false },
      { type: 'Enqcmd', tid: 1100 },
      { type: 'FileClosed', pid: 1100, fd: 4 },
      { type: 'FileClosed', pid: 1100, fd: 3 },
    ]);
  });

  it('a bind with no fd after it is a process bond; an unbind outside a release is DeviceUnbound', async () => {
    const text = [
      '10.000000001 0   7       7       iommu_sva_bind_device    device=0000:6a:02.0 pasid=5',
      '10.000000002 0   7       7       write_msr                msr=0xd93 value=0x80000005',
      '10.000000003 0   7       7       try_fixup_enqcmd_gp      pasid=5',
      '10.000000004 0   7       7       write_msr                msr=0xd93 value=0x0',
      '10.000000005 0   7       7       iommu_sva_unbind_device  device=0000:6a:02.0 pasid=5',
    ].join('\n');
    const { inputs, report } = await collect([textSource('bt.txt', text)], { gate: takesAll });
    expect(bare(inputs)).toEqual([
      { type: 'DeviceBound', pid: 7, device: '0000:6a:02.0', pasid: 5 },
      { type: 'Enqcmd', tid: 7 },
      { type: 'DeviceUnbound', pid: 7, device: '0000:6a:02.0' },
    ]);
    expect(report.sources[0]?.ignored.get('return of the fix-up whose MSR write is above')).toBe(1);
    expect(report.sources[0]?.ignored.get('IA32_PASID cleared')).toBe(1);
  });

  it('a fix-up writes IA32_PASID inside try_fixup_enqcmd_gp, so its kretprobe follows the write: one Enqcmd; a refusal writes nothing', async () => {
    const text = [
      '10.000000001 0   7       7       try_fixup_enqcmd_gp      ret=0',
      '10.000000002 0   7       7       write_msr                msr=0xd93 value=0x80000005',
      '10.000000003 0   7       7       try_fixup_enqcmd_gp      ret=1',
      '10.000000004 0   8       8       try_fixup_enqcmd_gp      ret=1',
      '10.000000005 0   7       7       write_msr                msr=0xd93 value=0x80000005',
      '10.000000006 0   7       7       sched_process_exec       pid=7 old_pid=7',
      '10.000000007 0   7       7       try_fixup_enqcmd_gp      ret=1',
      '10.000000008 0   7       7       try_fixup_enqcmd_gp      ret=x',
    ].join('\n');
    const { inputs, report } = await collect([textSource('bt.txt', text)], { gate: takesAll });
    expect(bare(inputs)).toEqual([
      { type: 'Enqcmd', tid: 7 }, // refused: SIGSEGV, no MSR write
      { type: 'Enqcmd', tid: 7 }, // the write, then its own return (ignored)
      { type: 'Enqcmd', tid: 8 }, // a fix-up whose write the capture did not have
      { type: 'Enqcmd', tid: 7 }, // a write whose return never came
      { type: 'ProcessExec', pid: 7 },
      { type: 'Enqcmd', tid: 7 }, // a return after another fact of the task: not that write's
    ]);
    expect(report.sources[0]?.ignored.get('return of the fix-up whose MSR write is above')).toBe(1);
    expect(report.examples[0]).toMatchObject({
      line: 8,
      reason: 'try_fixup_enqcmd_gp: missing or bad field "ret"',
    });

    const perf = [
      '     dsa-app  1100/1100  [001]   200.000100: probe:pasid_fixup: (ffffffff81035b20 <- ffffffff81c0a3e5) ret=0x0',
      '     dsa-app  1100/1101  [000]   200.000200: msr:write_msr: d93, value 80000002',
      '     dsa-app  1100/1101  [000]   200.000201: probe:pasid_fixup: (ffffffff81035b20 <- ffffffff81c0a3e5) ret=0x1',
    ].join('\n');
    const fromPerf = await collect([textSource('perf.txt', perf)], { gate: takesAll });
    expect(bare(fromPerf.inputs)).toEqual([
      { type: 'Enqcmd', tid: 1100 },
      { type: 'Enqcmd', tid: 1101 },
    ]);
  });

  it('a thread of a process the trace never saw is skipped, never guessed; a child of it has no parent', async () => {
    const text = [
      '  app-50  [000] .....  1.000001: task_newtask: pid=51 comm=app clone_flags=3d0f00 oom_score_adj=0',
      '  app-50  [000] .....  1.000002: task_newtask: pid=52 comm=app clone_flags=1200011 oom_score_adj=0',
    ].join('\n');
    const { inputs, report } = await collect([textSource('pipe.txt', text)], { gate: takesAll });
    expect(bare(inputs)).toEqual([{ type: 'ProcessCreated', pid: 52 }]);
    expect(report.examples).toEqual([
      { file: 'pipe.txt', line: 1, reason: 'thread of a process the trace never saw start' },
    ]);
  });
});

describe('syscall tracepoints as each tool prints them', () => {
  it.each([
    ['tracefs-syscalls-v6.18.txt', '"fd: 9", "fd: 0xb", "fd: 0x10"'],
    ['tracefs-syscalls-v6.17.txt', '"fd: 9", "fd: b", "fd: 10" (hex without 0x)'],
  ])('tracefs syscall arguments of both generations (%s: %s) are the same fds', async (name) => {
    const { inputs, report } = await collect([fixture(name)], { gate: takesAll });
    expect(report.sources[0]?.kind).toBe('tracefs');
    expect(bare(inputs).filter((i) => i.type === 'FileClosed')).toEqual([
      { type: 'FileClosed', pid: 24187, fd: 9 },
      { type: 'FileClosed', pid: 24187, fd: 11 },
      { type: 'FileClosed', pid: 24187, fd: 16 },
    ]);
    expect(report.sources[0]?.ignored.get('openat of a file that is not an accelerator')).toBe(3);
    expect(report.sources[0]?.ignored.get('openat failed')).toBe(1);
    expect(report.skippedTotal).toBe(0);
  });

  it('tracefs "sys_openat -> 0x3" and "sys_close(fd: 3)"; perf "0xfffffffffffffffe" is a failed openat', async () => {
    const text = [
      '# tracer: nop',
      '  app-60  (     60) [000] .....  1.000001: task_newtask: pid=61 comm=app clone_flags=1200011 oom_score_adj=0',
      '  app-61  (     61) [000] .....  1.000002: pasid_bind: (iommu_sva_bind_device+0x0/0x2a0) dev="0000:6a:01.0"',
      '  app-61  (     61) [000] .....  1.000003: pasid_bind_ret: (idxd_cdev_open+0x12a/0x3c0 <- iommu_sva_bind_device) pasid=0x3',
      '  app-61  (     61) [000] .....  1.000004: sys_openat -> 0x5',
      '  app-61  (     61) [000] .....  1.000005: sys_close(fd: 5)',
      '  app-61  (     61) [000] .....  1.000006: sys_read(fd: 5, buf: 0, count: 1)',
    ].join('\n');
    const { inputs, report } = await collect([textSource('t.txt', text)], { gate: takesAll });
    expect(bare(inputs)).toEqual([
      { type: 'ProcessCreated', pid: 61, parent: 60 },
      { type: 'DeviceBound', pid: 61, device: '0000:6a:01.0', pasid: 3, fd: 5, cloexec: false },
      { type: 'FileClosed', pid: 61, fd: 5 },
    ]);
    expect(report.examples).toEqual([{ file: 't.txt', line: 7, reason: 'unknown event "sys_enter_read"' }]);
    const perf = await collect(
      [textSource('p.txt', '   app 61 [000]  1.000004: syscalls:sys_exit_openat: 0xfffffffffffffffe')],
      { gate: takesAll },
    );
    expect(perf.inputs).toEqual([]);
    expect(perf.report.sources[0]?.ignored.get('openat failed')).toBe(1);
  });
});

describe('what the model rejects is reported, never hidden (the domain decides)', () => {
  it('a child of a parent the model never saw is taken without it, and the report names its line', async () => {
    const text = [
      '# tracer: nop',
      '  bash-40  (     40) [000] .....  1.000001: task_newtask: pid=41 comm=bash clone_flags=1200011 oom_score_adj=0',
    ].join('\n');
    const { inputs, report } = await collect([textSource('t.txt', text)]);
    expect(bare(inputs)).toEqual([{ type: 'ProcessCreated', pid: 41 }]);
    expect(report.adjustedExamples).toEqual([
      {
        file: 't.txt',
        line: 2,
        reason:
          'ProcessCreated of pid 41 taken without its parent: pid 40 is not a process the model knows (it started before the capture)',
      },
    ]);
    expect(report.format()).toContain('used with a change: 1 ProcessCreated taken without its parent');
  });

  it('syscall closes: an fd the model holds no file for is ignored; a close in a process it does not know is skipped (and fails --strict)', async () => {
    const text = [
      '# tracer: nop',
      '  bash-40  (     40) [000] .....  1.000001: task_newtask: pid=41 comm=bash clone_flags=1200011 oom_score_adj=0',
      '  app-41  (     41) [000] .....  1.000002: sys_close(fd: 0xa)',
      '  cron-77  (     77) [001] .....  1.000003: sys_close(fd: 4)',
    ].join('\n');
    const { inputs, report } = await collect([textSource('t.txt', text)]);
    expect(bare(inputs)).toEqual([{ type: 'ProcessCreated', pid: 41 }]);
    expect(report.sources[0]?.ignored.get('close of an fd that is not an open accelerator file')).toBe(1);
    expect(report.examples).toEqual([
      {
        file: 't.txt',
        line: 4,
        reason: 'FileClosed left out: pid 77 is not a live process (PROCESS_NOT_FOUND)',
      },
    ]);
    await expect(collect([textSource('t.txt', text)], { strict: true })).rejects.toThrow(
      't.txt:4: FileClosed left out: pid 77 is not a live process (PROCESS_NOT_FOUND)',
    );
  });
});
