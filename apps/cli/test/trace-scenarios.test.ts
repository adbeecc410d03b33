import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

/**
 * Trace -> history -> replay, as a user runs it: `pasid trace FILE... | pasid replay --json -`
 * through a shell pipe, on captures (packages/trace/test/fixtures/scenarios/, each naming its
 * source) that end in the hazards a trace can show. The model decides every hazard; these tests
 * check that what the kernel recorded reaches it intact and comes back with its code, reason and
 * explanation.
 */
const here = path.dirname(fileURLToPath(import.meta.url));
const bin = path.resolve(here, '../bin/pasid.js');
const scenarios = path.resolve(here, '../../../packages/trace/test/fixtures/scenarios');
const tmp = mkdtempSync(path.join(tmpdir(), 'pasid-cli-scenarios-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const quote = (arg: string) => `'${arg.replaceAll("'", "'\\''")}'`;
const pasidCommand = (args: string[]) => [process.execPath, bin, ...args].map(quote).join(' ');

interface StateDocument {
  policy: string;
  events: number;
  pasids: { pasid: number; pid: number; devices: string[]; released: boolean }[];
  tasks: { tid: number; msr: number | null; activated: boolean }[];
  files: { pid: number; fd: number; device: string; pasid: number; holder: number }[];
  freed: number[];
  hazards: Record<string, unknown>[];
}

/** `pasid trace <trace> | pasid replay --json -` in sh; the replay's document and the trace's report. */
function traceThenReplay(trace: string[], replay: string[] = []) {
  const command = `${pasidCommand(['trace', ...trace])} | ${pasidCommand(['replay', '--json', ...replay, '-'])}`;
  const run = spawnSync('sh', ['-c', command], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  expect(run.status, run.stderr).toBe(0);
  return { document: JSON.parse(run.stdout) as StateDocument, stderr: run.stderr };
}

function traceToHistory(trace: string[]) {
  const run = spawnSync(process.execPath, [bin, 'trace', ...trace], { encoding: 'utf8' });
  expect(run.status, run.stderr).toBe(0);
  return run.stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

const at = (name: string) => path.join(scenarios, name);

describe('DMAR faults in the kernel log: one the lifecycle explains, one it does not (MM_EXIT)', () => {
  const files = [at('dmar-faults.perf.txt'), at('dmar-faults.dmesg.txt')];

  it('perf script + dmesg | replay: explained after the file was closed, unexplained once PASID 1 is reused', () => {
    const { document, stderr } = traceThenReplay([
      ...files,
      '--policy',
      'MM_EXIT',
      '--boot-time',
      '2026-12-01T08:19:55.244864Z',
    ]);
    expect(document.hazards).toEqual([
      // dsa-app closed its only file: the entry (dsa0, 1) is gone while its mm still holds PASID 1
      { code: 'DMAR_FAULT', event: 6, device: '0000:6a:01.0', pasid: 1, observed: true, explained: true },
      // PASID 1 was freed at dsa-app's exit and given to crc-app, whose entry is present: the
      // fault (0x71, a first-level page not present) has a cause the model does not see
      { code: 'DMAR_FAULT', event: 12, device: '0000:6a:01.0', pasid: 1, observed: true, explained: false },
    ]);
    expect(document.freed).toEqual([1, 1]);
    expect(document.pasids).toEqual([]);
    expect(document.events).toBe(13);
    // the report names what the trace did not say: the fault without a PASID, the other opens
    expect(stderr).toMatch(
      /dmar-faults\.dmesg\.txt \(kernel-log\): 12 lines read, 2 used, 10 ignored, 0 skipped/,
    );
    expect(stderr).toContain('1 DMAR fault without a PASID');
    expect(stderr).toMatch(
      /dmar-faults\.perf\.txt \(perf-script\): 30 lines read, 13 used, 17 ignored, 0 skipped/,
    );
  });

  it('the faults are in the history as the kernel logged them, between the lifecycle events, with at from --boot-time', () => {
    const history = traceToHistory([...files, '--boot-time', '2026-12-01T08:19:55.244864Z']);
    const faults = history.filter((e) => e.type === 'DmarFaultLogged');
    expect(faults).toEqual([
      expect.objectContaining({
        device: '0000:6a:01.0',
        pasid: 1,
        reason: '0x59',
        at: '2026-12-01T08:24:55.245Z',
      }),
      expect.objectContaining({
        device: '0000:6a:01.0',
        pasid: 1,
        reason: '0x71',
        at: '2026-12-01T08:24:55.248Z',
      }),
    ]);
    expect(history.slice(1).map((e) => e.type)).toEqual([
      'ProcessCreated',
      'ProcessExec',
      'DeviceBound',
      'Enqcmd',
      'FileClosed',
      'DmarFaultLogged',
      'TaskExited',
      'ProcessCreated',
      'ProcessExec',
      'DeviceBound',
      'Enqcmd',
      'DmarFaultLogged',
      'TaskExited',
    ]);
    expect(history.every((e, i) => i === 0 || typeof e.at === 'string')).toBe(true);
  });
});

describe('SIGSEGV after exec, and in a forked child: the fix-up trail of pasid.bt with its kretprobe', () => {
  const trace = at('exec-sigsegv.bt.txt');

  it('MM_EXIT: the exec kept pasid_activated (ALREADY_ACTIVATED); the child inherited the fd, not the PASID (NO_PASID)', () => {
    const { document } = traceThenReplay([trace, '--policy', 'MM_EXIT']);
    expect(document.hazards).toEqual([
      { code: 'SIGSEGV', reason: 'ALREADY_ACTIVATED', event: 8, tid: 2300 },
      { code: 'SIGSEGV', reason: 'NO_PASID', event: 9, tid: 2301 },
    ]);
    // PASID 1 freed at the exec (the close-on-exec file was the old mm's last bond), again at exit
    expect(document.freed).toEqual([1, 1]);
    expect(document.tasks).toEqual([]);
  });

  it("LAZY_REFCOUNT (the seed's code): the same SIGSEGVs, then the exit's put of a reference never taken", () => {
    const { document } = traceThenReplay([trace, '--policy', 'LAZY_REFCOUNT']);
    expect(document.hazards).toEqual([
      { code: 'SIGSEGV', reason: 'ALREADY_ACTIVATED', event: 8, tid: 2300 },
      { code: 'SIGSEGV', reason: 'NO_PASID', event: 9, tid: 2301 },
      { code: 'UNBALANCED_PUT', event: 11, tid: 2300, pid: 2300, pasid: 1 },
      { code: 'PASID_FREED_WHILE_BOUND', event: 11, pid: 2300, pasid: 1 },
      { code: 'REFCOUNT_UNDERFLOW', event: 11, pid: 2300, pasid: 1 },
    ]);
  });

  it('--policy on replay reads the same history under another policy: the SIGSEGVs hold under every policy', () => {
    const { document } = traceThenReplay([trace, '--policy', 'MM_EXIT'], ['--policy', 'EAGER_UNBIND']);
    expect(document.policy).toBe('EAGER_UNBIND');
    expect(document.hazards.map((h) => [h.code, h.reason])).toEqual([
      ['SIGSEGV', 'ALREADY_ACTIVATED'],
      ['SIGSEGV', 'NO_PASID'],
    ]);
  });

  it('without the kretprobe (pasid.bt alone: MSR writes only) the refused #GPs leave no line, and no SIGSEGV is shown', () => {
    const msrOnly = path.join(tmp, 'exec-msr-only.bt.txt');
    writeFileSync(
      msrOnly,
      readFileSync(trace, 'utf8')
        .split('\n')
        .filter((l) => !l.includes('try_fixup_enqcmd_gp'))
        .join('\n'),
    );
    const { document } = traceThenReplay([msrOnly, '--policy', 'MM_EXIT']);
    expect(document.hazards).toEqual([]);
    expect(document.freed).toEqual([1, 1]);
    // the one ENQCMD the trail still shows is the fix-up before the exec (its MSR write)
    const enqcmds = traceToHistory([msrOnly]).filter((e) => e.type === 'Enqcmd');
    expect(enqcmds).toEqual([expect.objectContaining({ tid: 2300, at: '2026-12-01T08:28:15.245Z' })]);
  });
});

describe('a fork with an inherited idxd file (MM_EXIT, the second example of pasid-lifecycle.md)', () => {
  it("tracefs + journalctl -k | replay: the worker holds the parent's released mm through fd 3; the fault after the exit is explained", () => {
    const { document } = traceThenReplay([
      at('inherited-file.tracefs.txt'),
      at('inherited-file.journal.txt'),
      '--policy',
      'MM_EXIT',
    ]);
    expect(document.files).toEqual([
      { pid: 3001, fd: 3, device: '0000:6a:01.0', pasid: 1, holder: 3000, cloexec: false },
      { pid: 3001, fd: 4, device: '0000:6a:01.0', pasid: 2, holder: 3001, cloexec: false },
    ]);
    // PASID 1 stays allocated to the exited parent's released mm, with no PASID table entry
    expect(document.pasids).toEqual([
      { pasid: 1, pid: 3000, refcount: null, devices: [], released: true },
      { pasid: 2, pid: 3001, refcount: null, devices: ['0000:6a:01.0'], released: false },
    ]);
    expect(document.tasks).toEqual([{ tid: 3001, pid: 3001, msr: 2, activated: true }]);
    expect(document.hazards).toEqual([
      { code: 'DMAR_FAULT', event: 7, device: '0000:6a:01.0', pasid: 1, observed: true, explained: true },
    ]);
    expect(document.freed).toEqual([]);
  });
});

describe('binds the kernel failed (pasid.bt prints err=): the model says why', () => {
  it('PASID_EXHAUSTED: a machine with PASIDs 1..2 (--max-pasid 3, in the header), a third process finds none (-ENOSPC)', () => {
    const history = traceToHistory([at('pasid-exhausted.bt.txt'), '--max-pasid', '3', '--policy', 'MM_EXIT']);
    expect(history[0]).toEqual({ policy: 'MM_EXIT', maxPasid: 3 });
    // the failed bind reaches the model as an attempt, without fd (the open failed)
    expect(history.filter((e) => e.type === 'DeviceBound').map((e) => [e.pid, e.pasid, e.fd])).toEqual([
      [3100, 1, 3],
      [3200, 2, 3],
      [3300, undefined, undefined],
    ]);
    const { document, stderr } = traceThenReplay([at('pasid-exhausted.bt.txt'), '--max-pasid', '3']);
    expect(document.hazards).toEqual([
      { code: 'PASID_EXHAUSTED', event: 9, pid: 3300, device: '0000:6a:01.0' },
    ]);
    expect(document.pasids.map((p) => [p.pasid, p.pid])).toEqual([
      [1, 3100],
      [2, 3200],
    ]);
    expect(stderr).not.toContain('a bind the kernel failed was taken by the model');
  });

  it('the same trace with the default PASID space: the model binds what the kernel failed, and the report says so', () => {
    const run = spawnSync(process.execPath, [bin, 'trace', at('pasid-exhausted.bt.txt')], {
      encoding: 'utf8',
    });
    expect(run.status, run.stderr).toBe(0);
    expect(run.stderr).toContain(
      "pasid-exhausted.bt.txt:20: DeviceBound of pid 3300: the kernel failed it (errno -28), the model bound it (is --max-pasid the machine's?)",
    );
  });

  it("PASID_ENTRY_BUSY (LAZY_REFCOUNT, the seed's code): PASID 1 freed while its mm kept the entry, handed out again, -EBUSY", () => {
    const { document } = traceThenReplay([at('entry-busy.bt.txt'), '--policy', 'LAZY_REFCOUNT']);
    expect(document.hazards).toEqual([
      // the leader, activated before its exec, exits first: a put of a reference never taken
      { code: 'UNBALANCED_PUT', event: 8, tid: 2500, pid: 2500, pasid: 1 },
      { code: 'PASID_FREED_WHILE_BOUND', event: 8, pid: 2500, pasid: 1 },
      // crc-app's bind is given PASID 1 again: the entry (dsa0, 1) still points at 2500's mm
      { code: 'PASID_ENTRY_BUSY', event: 11, pid: 2600, device: '0000:6a:01.0', pasid: 1 },
      // the thread's exit releases the mm and its file: a put on a PASID already freed
      { code: 'REFCOUNT_UNDERFLOW', event: 13, pid: 2500, pasid: 1 },
    ]);
    expect(document.freed).toEqual([1, 1]);
  });
});

describe('a non-leader exec (sched_process_exec old_pid != pid)', () => {
  const trace = at('non-leader-exec.tracefs.txt');

  it("the leader's exit comes first, then the exec under the leader's pid: one process, its thread now the leader", () => {
    const history = traceToHistory([trace]);
    expect(history.slice(1).map((e) => [e.type, e.tid ?? e.pid])).toEqual([
      ['ProcessCreated', 2700],
      ['ProcessExec', 2700],
      ['DeviceBound', 2700],
      ['ThreadCreated', 2701],
      ['Enqcmd', 2701],
      ['TaskExited', 2700],
      ['ProcessExec', 2700],
      ['TaskExited', 2700],
    ]);
    const { document } = traceThenReplay([trace, '--policy', 'MM_EXIT']);
    expect(document.hazards).toEqual([]);
    expect(document.freed).toEqual([1]);
    expect(document.tasks).toEqual([]);
  });

  it('right after the exec: task 2700 (was 2701) keeps its activation, its MSR reset; fd 3 holds the released old mm', () => {
    const cut = path.join(tmp, 'non-leader-exec-cut.txt');
    const text = readFileSync(trace, 'utf8').split('\n');
    writeFileSync(
      cut,
      text
        .slice(0, text.findIndex((l) => l.includes('sched_process_exec: filename=./crc-tool')) + 1)
        .join('\n'),
    );
    const { document } = traceThenReplay([cut, '--policy', 'MM_EXIT']);
    expect(document.tasks).toEqual([{ tid: 2700, pid: 2700, msr: null, activated: true }]);
    expect(document.files).toEqual([
      { pid: 2700, fd: 3, device: '0000:6a:01.0', pasid: 1, holder: 2700, cloexec: false },
    ]);
    expect(document.pasids).toEqual([{ pasid: 1, pid: 2700, refcount: null, devices: [], released: true }]);
  });
});

describe('WRONG_ADDRESS_SPACE cannot come from a trace', () => {
  it("a trace's Enqcmd never names a device (the fix-up does not say which portal), so no policy shows it on any scenario", () => {
    const scenarios: string[][] = [
      [at('dmar-faults.perf.txt'), at('dmar-faults.dmesg.txt')],
      [at('exec-sigsegv.bt.txt')],
      [at('inherited-file.tracefs.txt'), at('inherited-file.journal.txt')],
      [at('entry-busy.bt.txt')],
      [at('non-leader-exec.tracefs.txt')],
    ];
    let enqcmds = 0;
    for (const files of scenarios) {
      const history = traceToHistory(files);
      for (const e of history.filter((x) => x.type === 'Enqcmd')) {
        enqcmds += 1;
        expect(Object.keys(e).sort()).toEqual(['at', 'id', 'tid', 'type']);
      }
      for (const policy of ['LAZY_REFCOUNT', 'MM_EXIT', 'EAGER_UNBIND']) {
        const { document } = traceThenReplay(files, ['--policy', policy]);
        expect(document.hazards.map((h) => h.code)).not.toContain('WRONG_ADDRESS_SPACE');
      }
    }
    expect(enqcmds).toBeGreaterThanOrEqual(6);
  });
});
