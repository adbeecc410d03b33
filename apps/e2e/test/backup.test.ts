import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { createTestDatabase, postgresAvailable, sql, type TestDatabase } from '@pasid/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from './support/processes.js';

/**
 * Backup and restore end to end with the real commands: the samples imported with `pasid import`
 * into Postgres, `pasid verify`, `npm run backup`, `npm run restore` into a fresh Postgres
 * database and into a fresh embedded one, `pasid verify` and `pasid export` on each.
 */
const exec = promisify(execFile);
const PASID = path.join(REPO_ROOT, 'apps/cli/bin/pasid.js');
const SAMPLES = ['worked-example.jsonl', 'pasid-exhaustion.jsonl', 'eager-unbind-wrong-address-space.jsonl'];
const hasPostgres = await postgresAvailable('the production checks');

type Target = { DATABASE_URL: string } | { PASID_DATA_DIR: string };
const envFor = (target: Target) => ({ ...process.env, DATABASE_URL: '', PASID_DATA_DIR: '', ...target });
const pasid = (target: Target, ...args: string[]) =>
  exec(process.execPath, [PASID, ...args], { cwd: REPO_ROOT, env: envFor(target) });
const script = (target: Target, name: string, ...args: string[]) =>
  exec(process.execPath, [path.join(REPO_ROOT, 'scripts', name), ...args], {
    cwd: REPO_ROOT,
    env: envFor(target),
  });

describe.skipIf(!hasPostgres)('backup and restore', () => {
  let source: TestDatabase;
  let restored: TestDatabase;
  let work: string;

  beforeAll(async () => {
    [source, restored] = await Promise.all([createTestDatabase('e2e'), createTestDatabase('e2e')]);
    work = await mkdtemp(path.join(tmpdir(), 'pasid-backup-'));
    for (const sample of SAMPLES)
      await pasid({ DATABASE_URL: source.url }, 'import', path.join(REPO_ROOT, 'samples', sample));
    // One more system written after the import, with a name that is not a safe file name.
    await pasid(
      { DATABASE_URL: source.url },
      'import',
      path.join(REPO_ROOT, 'samples/worked-example.jsonl'),
      '--system',
      'rack 7/dsa.0',
      '--policy',
      'MM_EXIT',
    );
  });

  afterAll(async () => {
    await source?.drop();
    await restored?.drop();
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('round-trips every system through a backup folder into Postgres and into the embedded database', async () => {
    const before = await pasid({ DATABASE_URL: source.url }, 'verify');
    expect(before.stdout).toMatch(/ in 4 systems in [\d.]+ s: intact$/m);

    const folder = path.join(work, 'backup');
    const backup = await script({ DATABASE_URL: source.url }, 'backup.mjs', folder);
    expect(backup.stdout).toContain('4 systems');
    const manifest = JSON.parse(await readFile(path.join(folder, 'manifest.json'), 'utf8'));
    expect(manifest.systems.map((s: { name: string }) => s.name).sort()).toEqual(
      ['eager-demo', 'rack 7/dsa.0', 'tiny-pool', 'worked-example'].sort(),
    );
    expect((await readdir(folder)).length).toBe(5);

    const original = await pasid({ DATABASE_URL: source.url }, 'export', 'rack 7/dsa.0');
    expect(original.stdout.split('\n').length).toBe(16); // header, 14 inputs, final newline
    const embedded = path.join(work, 'embedded-data');
    for (const target of [{ DATABASE_URL: restored.url }, { PASID_DATA_DIR: embedded }] as Target[]) {
      const restore = await script(target, 'restore.mjs', folder);
      expect(restore.stdout).toMatch(/4 systems into .*verified intact/);
      const after = await pasid(target, 'verify');
      expect(after.stdout).toMatch(/ in 4 systems in [\d.]+ s: intact$/m);
      // Each command opens the database anew (seconds each): `pasid export` checks the system
      // whose name is not a file name; the SQL below compares every event on Postgres.
      const copy = await pasid(target, 'export', 'rack 7/dsa.0');
      expect(copy.stdout).toBe(original.stdout);
    }

    // The same inputs, and the same events derived from them, read with plain SQL.
    const log = (url: string) =>
      sql<{ system: string; version: number; index: number; type: string; data: unknown }>(
        url,
        'SELECT system, version, index, type, data FROM events ORDER BY system, version, index',
      );
    const [sourceLog, restoredLog] = await Promise.all([log(source.url), log(restored.url)]);
    expect(restoredLog.length).toBeGreaterThan(40);
    expect(restoredLog).toEqual(sourceLog);
  }, 240_000);

  it('refuses to restore over systems that exist, and changes nothing', async () => {
    const folder = path.join(work, 'backup');
    const count = async () =>
      Number((await sql<{ n: string }>(restored.url, 'SELECT count(*) AS n FROM events'))[0]?.n);
    const before = await count();
    const failed = await script({ DATABASE_URL: restored.url }, 'restore.mjs', folder).catch((e) => e);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toMatch(/already holds .*worked-example.*nothing restored/);
    expect(await count()).toBe(before);
  });

  it('refuses a folder that is not empty for a backup, and a folder without a manifest for a restore', async () => {
    const notEmpty = await script(
      { DATABASE_URL: source.url },
      'backup.mjs',
      path.join(work, 'backup'),
    ).catch((e) => e);
    expect(notEmpty.code).toBe(2);
    expect(notEmpty.stderr).toMatch(/is not empty/);
    const noManifest = await script({ DATABASE_URL: source.url }, 'restore.mjs', work).catch((e) => e);
    expect(noManifest.code).toBe(2);
    expect(noManifest.stderr).toMatch(/manifest\.json/);
  });
});
