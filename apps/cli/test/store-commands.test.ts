import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateHistory, type InputEvent, writeHistory } from '@pasid/domain';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// `pasid import/export/verify` as a user runs them: child processes of the built command.
const BIN = fileURLToPath(new URL('../bin/pasid.js', import.meta.url));
const SAMPLE = fileURLToPath(new URL('../../../samples/worked-example.jsonl', import.meta.url));
const ADMIN_URL = process.env.PASID_TEST_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

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

async function postgresUp(): Promise<boolean> {
  const client = new pg.Client({ connectionString: ADMIN_URL, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.end();
    return true;
  } catch (error) {
    if (process.env.CI)
      throw new Error(`CI needs Postgres at PASID_TEST_ADMIN_URL: ${(error as Error).message}`);
    return false;
  }
}

async function admin(sql: string, url = ADMIN_URL): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query(sql);
  await client.end();
}

describe('pasid import, export and verify on Postgres', async () => {
  const skip = !(await postgresUp());
  const name = `pasid_test_cli_${randomBytes(4).toString('hex')}`;
  const url = (() => {
    const u = new URL(ADMIN_URL);
    u.pathname = `/${name}`;
    return u.toString();
  })();
  beforeAll(async () => {
    if (!skip) await admin(`CREATE DATABASE ${name}`);
  });
  afterAll(async () => {
    if (!skip) await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
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
    writeFileSync(file, '{"system":"bad"}\n{"type":"ProcessCreated","pid":1}\n{"type":"Enqcmd","tid":1}\n');
    const result = pasid(['import', file], { DATABASE_URL: url });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/bad\.jsonl: line 3: .*device/);
    expect(result.stdout).toBe('');
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    const { rows } = await client.query(`SELECT count(*)::int AS n FROM systems WHERE name = 'bad'`);
    await client.end();
    expect(rows[0].n).toBe(0);
  });

  it.skipIf(skip)('exits 1 from verify when a superuser changed an event', async () => {
    await admin(
      `BEGIN; SET LOCAL session_replication_role = replica;
       UPDATE events SET actor = 'mallory' WHERE position = 3; COMMIT;`,
      url,
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
