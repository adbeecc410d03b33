import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateHistory, type InputEvent, writeHistory } from '@pasid/domain';
import { createTestDatabase, postgresAvailable, sql, type TestDatabase } from '@pasid/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// `pasid import/export/verify` as a user runs them: child processes of the built command.
const BIN = fileURLToPath(new URL('../bin/pasid.js', import.meta.url));
const SAMPLE = fileURLToPath(new URL('../../../samples/worked-example.jsonl', import.meta.url));

const dir = mkdtempSync(join(tmpdir(), 'pasid-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function pasid(args: string[], env: Record<string, string>) {
  const result = spawnSync(process.execPath, [BIN, ...args], {
    encoding: 'utf8',
    env: { ...process.env, DATABASE_URL: '', PASID_DATA_DIR: '', ...env },
    timeout: 60_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

function history(name: string, events: number): string {
  const inputs: InputEvent[] = [];
  for (const e of generateHistory({ policy: 'LAZY_REFCOUNT', maxPasid: 64, seed: 3 })) {
    inputs.push(e);
    if (inputs.length === events) break;
  }
  const file = join(dir, `${name}.jsonl`);
  writeFileSync(
    file,
    [...writeHistory({ system: name, policy: 'LAZY_REFCOUNT', maxPasid: 64 }, inputs)].join(''),
  );
  return file;
}

describe('pasid import, export and verify on Postgres', async () => {
  const skip = !(await postgresAvailable('the CLI store tests'));
  let database: TestDatabase;
  let url = '';
  beforeAll(async () => {
    if (skip) return;
    database = await createTestDatabase('cli');
    url = database.url;
  });
  afterAll(async () => {
    if (!skip) await database.drop();
  });

  it.skipIf(skip)('imports, exports the same history, verifies, and finds a tampered row', () => {
    const file = history('cli-node', 400);
    const imported = pasid(['import', file], { DATABASE_URL: url });
    expect(imported.stderr).toBe('');
    expect(imported.status).toBe(0);
    expect(imported.stdout).toMatch(/^cli-node\nlast position \d+ \(version 400\)\n$/);
    const last = Number(/last position (\d+)/.exec(imported.stdout)?.[1]);
    expect(last).toBeGreaterThan(400);

    const exported = pasid(['export', 'cli-node'], { DATABASE_URL: url });
    expect(exported.status).toBe(0);
    expect(exported.stdout).toBe(readFileSync(file, 'utf8'));
    // The round trip carries the inputs of model version 2 (the generator makes them all).
    for (const text of ['"fd":', '"cloexec":true', '"FileClosed"', '"DmarFaultLogged"', '"reason":"0x59"']) {
      expect(exported.stdout).toContain(text);
    }

    const again = pasid(['import', file, '--system', 'cli-copy'], { DATABASE_URL: url });
    expect(again.status).toBe(0);
    expect(pasid(['export', 'cli-copy'], { DATABASE_URL: url }).stdout.split('\n').slice(1)).toEqual(
      exported.stdout.split('\n').slice(1),
    );

    const ok = pasid(['verify'], { DATABASE_URL: url });
    expect(ok.status).toBe(0);
    expect(ok.stdout).toMatch(/intact/);
    expect(pasid(['export', 'nope'], { DATABASE_URL: url }).status).toBe(1);
  });

  it.skipIf(skip)('refuses a bad file with its line number and stores nothing', async () => {
    const file = join(dir, 'bad.jsonl');
    writeFileSync(
      file,
      '{"system":"bad"}\n{"type":"ProcessCreated","pid":1}\n{"type":"FileClosed","pid":1}\n',
    );
    const result = pasid(['import', file], { DATABASE_URL: url });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/bad\.jsonl: line 3: .*fd/);
    expect(result.stdout).toBe('');
    const rows = await sql<{ n: number }>(url, `SELECT count(*)::int AS n FROM systems WHERE name = 'bad'`);
    expect(rows[0]?.n).toBe(0);
  });

  it.skipIf(skip)('exits 1 from verify when a superuser changed an event', async () => {
    await sql(
      url,
      `BEGIN; SET LOCAL session_replication_role = replica;
       UPDATE events SET actor = 'mallory' WHERE position = 3; COMMIT;`,
    );
    const result = pasid(['verify'], { DATABASE_URL: url });
    expect(result.status).toBe(1);
    expect(result.stdout).toMatch(/BREACH system cli-node, position 3, .*changed/);
  });
});

describe('pasid import and export on the embedded database', () => {
  it('imports a sample into PASID_DATA_DIR and exports it back', () => {
    const env = { PASID_DATA_DIR: join(dir, 'data') };
    const imported = pasid(['import', SAMPLE, '--system', 'sample'], env);
    expect(imported.stderr).toBe('');
    expect(imported.status).toBe(0);
    expect(imported.stdout.startsWith('sample\n')).toBe(true);
    const exported = pasid(['export', 'sample'], env);
    const original = readFileSync(SAMPLE, 'utf8')
      .split('\n')
      .filter((l) => l.trim() !== '' && l.includes('"type"'));
    const events = exported.stdout.split('\n').slice(1, -1);
    expect(events.map((l) => JSON.parse(l))).toEqual(original.map((l) => JSON.parse(l)));
    expect(pasid(['verify'], env).status).toBe(0);
  }, 60_000);
});
