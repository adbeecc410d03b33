import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { postgresAvailable } from '@pasid/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from './support/api.js';
import { gql, ok } from './support/client.js';
import { startApiProcess } from './support/processes.js';

const run = promisify(execFile);
const KEYS = fileURLToPath(new URL('../dist/keys.js', import.meta.url));
const CREATE = 'mutation($n: String!) { createSystem(input: { name: $n }) { name createdBy } }';

describe.skipIf(!(await postgresAvailable('the API tests')))('the keys command', () => {
  let t: TestApi;
  beforeAll(async () => {
    t = await startTestApi();
  });
  afterAll(() => t?.close());

  it('creates a key whose token writes as its name, lists it, and revokes it', {
    timeout: 90_000,
  }, async () => {
    const env = { ...process.env, DATABASE_URL: t.databaseUrl };
    const created = await run(process.execPath, [KEYS, 'create', 'lab-tracer', '--role', 'writer'], { env });
    const token = created.stdout.trim();
    expect(token.length).toBeGreaterThanOrEqual(32);
    expect(created.stderr).toContain('role writer');

    const { createSystem } = await ok<{ createSystem: { createdBy: string } }>(
      t.url,
      CREATE,
      { n: 'lab' },
      token,
    );
    expect(createSystem.createdBy).toBe('lab-tracer');

    const listed = await run(process.execPath, [KEYS, 'list'], { env });
    expect(listed.stdout).toMatch(/^lab-tracer\twriter\t\S+\tlive$/m);
    expect(listed.stdout).not.toContain(token);

    await run(process.execPath, [KEYS, 'revoke', 'lab-tracer'], { env });
    const refused = await gql(t.url, CREATE, { n: 'lab2' }, token);
    expect(refused.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');

    const badRole = await run(process.execPath, [KEYS, 'create', 'x', '--role', 'root'], { env }).catch(
      (e) => e,
    );
    expect(badRole.code).not.toBe(0);
    expect(badRole.stderr).toContain('must be one of reader, writer, admin');
  });
});

describe('the start command on the embedded database', () => {
  let dataDir: string;
  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'pasid-api-embedded-'));
  });
  afterAll(() => rm(dataDir, { recursive: true, force: true }));

  it('writes a working writer key for the first user, named as told, and keeps it across restarts', {
    timeout: 120_000,
  }, async () => {
    const first = await startApiProcess(undefined, { PASID_DATA_DIR: dataDir, API_START_KEY_NAME: 'ada' });
    const keyFile = path.join(dataDir, 'sign-in-key');
    let token: string;
    try {
      token = (await readFile(keyFile, 'utf8')).trim();
      expect((await stat(keyFile)).mode & 0o777).toBe(0o600);
      const { createSystem } = await ok<{ createSystem: { createdBy: string } }>(
        first.url,
        CREATE,
        { n: 'laptop' },
        token,
      );
      // The log names the person who signed in with it, not a shared "web" key.
      expect(createSystem.createdBy).toBe('ada');
      expect(first.output()).toContain('sign-in key for ada written to');
    } finally {
      await first.stop();
    }
    const second = await startApiProcess(undefined, { PASID_DATA_DIR: dataDir, API_START_KEY_NAME: 'ada' });
    try {
      expect(second.output()).toContain('kept in');
      expect((await readFile(keyFile, 'utf8')).trim()).toBe(token);
      const { systems } = await ok<{ systems: { name: string }[] }>(
        second.url,
        '{ systems { name } }',
        {},
        token,
      );
      expect(systems.map((s) => s.name)).toEqual(['laptop']);
    } finally {
      await second.stop();
    }
  });

  it('refuses a wrong setting with a message naming it', async () => {
    const failed = await run(process.execPath, [fileURLToPath(new URL('../dist/main.js', import.meta.url))], {
      env: { ...process.env, API_PORT: '99999', PASID_DATA_DIR: dataDir },
    }).catch((e) => e);
    expect(failed.code).toBe(2);
    expect(failed.stderr).toContain('API_PORT="99999": must be a port number from 0 to 65535');
  });
});
