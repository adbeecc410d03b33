import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const here = path.dirname(fileURLToPath(import.meta.url));
const bin = path.resolve(here, '../bin/pasid.js');
const samples = path.resolve(here, '../../../samples');
/** The contract's `replay --json` document for the worked example, committed beside it. */
const workedExampleDocument: unknown = JSON.parse(
  readFileSync(path.join(samples, 'worked-example.expected.json'), 'utf8'),
);
const tmp = mkdtempSync(path.join(tmpdir(), 'pasid-cli-test-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Runs the built `pasid` bin as a user would (needs `npm run build`; turbo's test task builds first). */
function pasid(...args: string[]) {
  const result = spawnSync(process.execPath, [bin, ...args], {
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1' },
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

function fileWith(name: string, lines: string[]): string {
  const file = path.join(tmp, name);
  writeFileSync(file, lines.join('\n'));
  return file;
}

const dsa0 = '0000:6a:01.0';

describe('pasid replay --json on the samples', { timeout: 30_000 }, () => {
  it('worked-example.jsonl gives the contract document exactly, exit 0 despite hazards', () => {
    const run = pasid('replay', path.join(samples, 'worked-example.jsonl'), '--json');
    expect(run.status).toBe(0);
    expect(run.stderr).toBe('');
    expect(JSON.parse(run.stdout)).toStrictEqual(workedExampleDocument);
  });
  // The worked example's two hazards under every policy: step 12 finds no entry for (dsa0, 1)
  // whether PASID 1 is still held (LAZY_REFCOUNT, MM_EXIT) or already freed (EAGER_UNBIND).
  const workedExampleHazards = [
    { code: 'SIGSEGV', reason: 'NO_PASID', event: 8, tid: 200, device: dsa0 },
    { code: 'DMAR_FAULT', event: 12, tid: 100, device: dsa0, pasid: 1 },
  ];
  it('worked-example.jsonl --policy MM_EXIT: the same PASIDs allocated and freed as under LAZY_REFCOUNT, no count', () => {
    const run = pasid('replay', path.join(samples, 'worked-example.jsonl'), '--policy', 'MM_EXIT', '--json');
    expect(run.status, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toStrictEqual({
      policy: 'MM_EXIT',
      events: 14,
      pasids: [{ pasid: 2, pid: 200, refcount: null, devices: [dsa0], released: false }],
      tasks: [{ tid: 200, pid: 200, msr: null, activated: false }],
      files: [],
      freed: [1],
      hazards: workedExampleHazards,
    });
  });
  it('worked-example.jsonl --policy EAGER_UNBIND (overriding the header): PASID 1 freed at step 11 and handed to process 200', () => {
    const run = pasid(
      'replay',
      path.join(samples, 'worked-example.jsonl'),
      '--policy',
      'EAGER_UNBIND',
      '--json',
    );
    expect(run.status, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toStrictEqual({
      policy: 'EAGER_UNBIND',
      events: 14,
      pasids: [{ pasid: 1, pid: 200, refcount: null, devices: [dsa0], released: false }],
      tasks: [{ tid: 200, pid: 200, msr: null, activated: false }],
      files: [],
      freed: [1],
      hazards: workedExampleHazards,
    });
  });
  it('eager-unbind-wrong-address-space.jsonl ends in WRONG_ADDRESS_SPACE into process 200', () => {
    const run = pasid('replay', path.join(samples, 'eager-unbind-wrong-address-space.jsonl'), '--json');
    expect(run.status).toBe(0);
    expect(JSON.parse(run.stdout).hazards.at(-1)).toEqual({
      code: 'WRONG_ADDRESS_SPACE',
      event: 14,
      tid: 100,
      pid: 200,
      device: dsa0,
      pasid: 1,
    });
  });
  it('pasid-exhaustion.jsonl has a PASID_EXHAUSTED and recovers after an exit', () => {
    const doc = JSON.parse(pasid('replay', path.join(samples, 'pasid-exhaustion.jsonl'), '--json').stdout);
    expect(doc.hazards.map((h: { code: string }) => h.code)).toContain('PASID_EXHAUSTED');
    expect(doc.freed).toEqual([2]);
    expect(doc.pasids.find((p: { pid: number }) => p.pid === 40)?.pasid).toBe(2);
  });
  it('random-10k.jsonl replays all 10,000 events', () => {
    const run = pasid('replay', path.join(samples, 'random-10k.jsonl'), '--json');
    expect(run.status).toBe(0);
    expect(JSON.parse(run.stdout).events).toBe(10000);
  });
});

describe("pasid replay --json gives the spec's answers for its second and third examples", {
  timeout: 60_000,
}, () => {
  const expected = (name: string): unknown =>
    JSON.parse(readFileSync(path.join(samples, `${name}.expected.json`), 'utf8'));
  const replay = (name: string, policy: string) => {
    const run = pasid('replay', path.join(samples, `${name}.jsonl`), '--policy', policy, '--json');
    expect(run.status, run.stderr).toBe(0);
    return JSON.parse(run.stdout);
  };
  it('inherited-file.jsonl (MM_EXIT, its header) gives its expected document; PASID 1 freed at the last close under every policy', () => {
    expect(replay('inherited-file', 'MM_EXIT')).toStrictEqual(expected('inherited-file'));
    for (const policy of ['LAZY_REFCOUNT', 'EAGER_UNBIND']) {
      const doc = replay('inherited-file', policy);
      expect(doc.freed).toEqual([1]);
      expect(doc.pasids.map((p: { pasid: number; pid: number }) => [p.pasid, p.pid])).toEqual([[2, 301]]);
    }
  });
  it("inherited-file.jsonl cut before the close: the file in 301 holds 300's released mm and PASID 1", () => {
    const lines = readFileSync(path.join(samples, 'inherited-file.jsonl'), 'utf8').trim().split('\n');
    const run = pasid('replay', fileWith('inherited-6.jsonl', lines.slice(0, 7)), '--json');
    const doc = JSON.parse(run.stdout);
    expect(doc.files).toEqual([{ pid: 301, fd: 3, device: dsa0, pasid: 1, holder: 300, cloexec: false }]);
    expect(doc.pasids[0]).toEqual({ pasid: 1, pid: 300, refcount: null, devices: [], released: true });
  });
  it("exec-after-enqcmd.jsonl (LAZY_REFCOUNT) gives its expected document: the seed's UNBALANCED_PUT and what follows", () => {
    const doc = replay('exec-after-enqcmd', 'LAZY_REFCOUNT');
    expect(doc).toStrictEqual(expected('exec-after-enqcmd'));
    expect(doc.hazards.map((h: { code: string }) => h.code)).toEqual([
      'SIGSEGV',
      'UNBALANCED_PUT',
      'PASID_FREED_WHILE_BOUND',
      'REFCOUNT_UNDERFLOW',
    ]);
  });
  it('exec-after-enqcmd.jsonl under MM_EXIT and EAGER_UNBIND: the same SIGSEGV (ALREADY_ACTIVATED), PASID 1 freed at exec and at the end', () => {
    for (const policy of ['MM_EXIT', 'EAGER_UNBIND']) {
      const doc = replay('exec-after-enqcmd', policy);
      expect(doc.hazards).toEqual([
        { code: 'SIGSEGV', reason: 'ALREADY_ACTIVATED', event: 6, tid: 400, device: '0000:6a:02.0' },
      ]);
      expect(doc.freed).toEqual([1, 1]);
    }
  });
});

describe('pasid replay without --json', { timeout: 30_000 }, () => {
  it('shows open files (inherited ones marked), released mms, activation and SIGSEGV reasons', () => {
    const lines = readFileSync(path.join(samples, 'inherited-file.jsonl'), 'utf8').trim().split('\n');
    const run = pasid('replay', fileWith('inherited-tables.jsonl', lines.slice(0, 7)));
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/Open files \(1\)/);
    expect(run.stdout).toMatch(/300 \(inherited\)/);
    expect(run.stdout).toMatch(/released/);
    const exec = pasid('replay', path.join(samples, 'exec-after-enqcmd.jsonl'));
    expect(exec.stdout).toMatch(/ALREADY_ACTIVATED/);
    expect(exec.stdout).toMatch(/UNBALANCED_PUT/);
  });
  it('prints a summary: header line and tables, no colour codes when stdout is not a TTY', () => {
    const run = pasid('replay', path.join(samples, 'worked-example.jsonl'));
    expect(run.status).toBe(0);
    const [first] = run.stdout.split('\n');
    expect(first).toContain('worked-example');
    expect(first).toContain('LAZY_REFCOUNT');
    expect(first).toContain('events 14');
    for (const heading of ['PASIDs', 'Live tasks', 'Freed', 'Hazards', 'holder pid', 'MSR', 'DMAR_FAULT']) {
      expect(run.stdout).toContain(heading);
    }
    expect(run.stdout).not.toContain('\u001b[');
  });
});

describe('pasid replay on bad input: exit 1 and a line-numbered message', { timeout: 30_000 }, () => {
  const cases: [string, string[], RegExp][] = [
    [
      'bad JSON',
      ['{"policy": "MM_EXIT"}', '', '{"type": "ProcessCreated", "pid": 1'],
      /line 3: not valid JSON/,
    ],
    [
      'unknown type',
      ['{"type": "ProcessCreated", "pid": 1}', '{"type": "Spawn", "pid": 2}'],
      /line 2: unknown type "Spawn"/,
    ],
    [
      'missing field',
      ['{"type": "ProcessCreated", "pid": 1}', '{"type": "FileClosed", "pid": 1}'],
      /line 2: missing field "fd" in FileClosed/,
    ],
    [
      'ill-typed field',
      ['{"type": "ProcessCreated", "pid": "one"}'],
      /line 1: field "pid" must be a positive integer/,
    ],
    [
      'rejected event',
      [
        '{"type": "ProcessCreated", "pid": 1}',
        '\r',
        `{"type": "DeviceUnbound", "pid": 1, "device": "${dsa0}"}`,
      ],
      /line 3: DeviceUnbound rejected: pid 1 has no process bond of 0000:6a:01\.0 to unbind \(NOT_BOUND\)/,
    ],
  ];
  it.each(cases)('%s', (name, lines, message) => {
    const run = pasid('replay', fileWith(`${name.replace(/ /g, '-')}.jsonl`, lines), '--json');
    expect(run.status).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(message);
  });
  it('an unknown --policy is refused with the allowed values', () => {
    const run = pasid('replay', path.join(samples, 'worked-example.jsonl'), '--policy', 'SOMETIMES');
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('unknown policy "SOMETIMES"');
    expect(run.stderr).toContain('LAZY_REFCOUNT, MM_EXIT, EAGER_UNBIND');
  });
  it('a missing file is a clear error', () => {
    const run = pasid('replay', path.join(tmp, 'nope.jsonl'));
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('no such file');
  });
});
