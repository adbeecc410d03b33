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
  it('--policy overrides the header', () => {
    const run = pasid(
      'replay',
      path.join(samples, 'worked-example.jsonl'),
      '--policy',
      'EAGER_UNBIND',
      '--json',
    );
    expect(run.status).toBe(0);
    const doc = JSON.parse(run.stdout);
    expect(doc.policy).toBe('EAGER_UNBIND');
    expect(doc.pasids).toEqual([{ pasid: 1, pid: 200, refcount: null, devices: [dsa0] }]);
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

describe('pasid replay without --json', { timeout: 30_000 }, () => {
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
      ['{"type": "ProcessCreated", "pid": 1}', '{"type": "Enqcmd", "tid": 1}'],
      /line 2: missing field "device" in Enqcmd/,
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
      /line 3: DeviceUnbound rejected: pid 1 has no bind of 0000:6a:01\.0 left to unbind \(NOT_BOUND\)/,
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
