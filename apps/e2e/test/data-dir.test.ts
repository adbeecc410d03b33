import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort, productEnv } from '@pasid/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { graphql, REPO_ROOT, run } from './support/processes.js';

/**
 * PASID_DATA_DIR as operators set it: an empty folder (as `mkdir` leaves it) is initialised; a
 * folder that is not a PGlite database is refused, naming the folder and what it holds, with exit
 * code 2, by `npm start`, the API process and the CLI alike. NODE_ENV as users have it (unset).
 */
const START = path.join(REPO_ROOT, 'scripts/start.mjs');
const API_MAIN = path.join(REPO_ROOT, 'apps/api/dist/main.js');
const PASID = path.join(REPO_ROOT, 'apps/cli/bin/pasid.js');
const folders: string[] = [];

const folder = async (contents: Record<string, string> = {}) => {
  const dir = await mkdtemp(path.join(tmpdir(), 'pasid-data-dir-'));
  folders.push(dir);
  for (const [name, text] of Object.entries(contents)) {
    await mkdir(path.dirname(path.join(dir, name)), { recursive: true });
    await writeFile(path.join(dir, name), text);
  }
  return dir;
};

afterAll(async () => {
  for (const dir of folders) await rm(dir, { recursive: true, force: true });
});

describe('PASID_DATA_DIR', () => {
  it('npm start initialises an empty folder and opens it again on the next start', async () => {
    const dir = await folder();
    for (const round of [1, 2]) {
      const [apiPort, webPort] = [await freePort(), await freePort()];
      const start = run('start', process.execPath, [START], {
        cwd: REPO_ROOT,
        env: productEnv({
          DATABASE_URL: '',
          PASID_DATA_DIR: dir,
          PASID_LOAD_SAMPLES: 'false',
          API_PORT: String(apiPort),
          WEB_PORT: String(webPort),
        }),
        processGroup: true,
      });
      try {
        await start.waitFor(/PASID Ledger is running/, 180_000);
        const { data } = await graphql<{ systems: unknown[] }>(
          `http://127.0.0.1:${apiPort}/graphql`,
          '{ systems { name } }',
        );
        expect(data.systems, `round ${round}`).toEqual([]);
      } finally {
        expect(await start.stop(), start.output()).toEqual({ code: 0, signal: null });
      }
      expect(existsSync(path.join(dir, 'PG_VERSION')), `round ${round}`).toBe(true);
    }
  });

  it('npm start refuses a folder that is not a PGlite database, naming it and what it holds', async () => {
    const dir = await folder({ 'notes.txt': 'mine\n', 'photos/cat.jpg': 'x' });
    const result = spawnSync(process.execPath, [START], {
      cwd: REPO_ROOT,
      env: productEnv({
        DATABASE_URL: '',
        PASID_DATA_DIR: dir,
        PASID_LOAD_SAMPLES: 'false',
        API_PORT: String(await freePort()),
        WEB_PORT: String(await freePort()),
      }),
      encoding: 'utf8',
      timeout: 180_000,
    });
    const output = result.stdout + result.stderr;
    expect(result.status, output).toBe(2);
    expect(output).toContain(
      `the data folder ${dir} is not a PGlite database (no PG_VERSION): it holds notes.txt, photos`,
    );
    expect(output).not.toMatch(/ExitStatus|Program terminated/);
    // Nothing of the database was written into someone else's folder.
    expect(existsSync(path.join(dir, 'PG_VERSION'))).toBe(false);
  });

  it('the API process and the CLI refuse it the same way (exit 2)', async () => {
    const dir = await folder({ 'backup.tar': 'x' });
    const env = productEnv({ DATABASE_URL: '', PASID_DATA_DIR: dir, API_PORT: '0' });
    for (const args of [[API_MAIN], [PASID, 'verify']]) {
      const result = spawnSync(process.execPath, args, {
        cwd: REPO_ROOT,
        env,
        encoding: 'utf8',
        timeout: 60_000,
      });
      expect(result.status, result.stderr).toBe(2);
      expect(result.stderr).toContain(
        `the data folder ${dir} is not a PGlite database (no PG_VERSION): it holds backup.tar`,
      );
    }
  });
});
