import { spawnSync } from 'node:child_process';
import { copyFile, cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { productEnv } from '@pasid/testing';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from './support/processes.js';

/** The start command checks its variables before it installs, builds or starts anything. */
const start = (env: Record<string, string>) =>
  spawnSync(process.execPath, [path.join(REPO_ROOT, 'scripts/start.mjs')], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...env },
    encoding: 'utf8',
    timeout: 20_000,
  });

describe('npm start with a wrong setting', () => {
  it.each([
    [{ API_PORT: '70000' }, 'API_PORT="70000": must be a port number from 1 to 65535'],
    [{ WEB_PORT: 'web' }, 'WEB_PORT="web": must be a port number from 1 to 65535'],
    [{ API_PORT: '3100', WEB_PORT: '3100' }, 'API_PORT and WEB_PORT are both 3100: they must differ'],
    [
      { DATABASE_URL: 'mysql://db/pasid' },
      'DATABASE_URL="mysql://db/pasid": must be a postgres:// or postgresql:// URL',
    ],
    [{ PASID_LOAD_SAMPLES: 'maybe' }, 'PASID_LOAD_SAMPLES="maybe": must be auto, true or false'],
    [
      { PASID_API_WS_URL: 'http://x/graphql' },
      'PASID_API_WS_URL="http://x/graphql": must be a ws:// or wss:// URL',
    ],
    [{ WEB_HOST: 'http://0.0.0.0' }, 'WEB_HOST="http://0.0.0.0": must be a host name or address'],
  ])('%j stops at once with exit code 2, naming the variable', (env, message) => {
    const result = start(env);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('[pasid] invalid environment:');
    expect(result.stderr).toContain(message);
    // Nothing ran: no install, no build, no server.
    expect(result.stdout).toBe('');
  });

  it('names every wrong variable at once', () => {
    const result = start({ API_PORT: '0', WEB_PORT: '99999' });
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('API_PORT="0"');
    expect(result.stderr).toContain('WEB_PORT="99999"');
  });
});

describe('npm start installs exactly the locked dependencies', () => {
  it('runs npm ci and nothing else: a refused npm ci stops the start (no npm install fallback)', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'pasid-start-install-'));
    try {
      await cp(path.join(REPO_ROOT, 'scripts'), path.join(dir, 'scripts'), { recursive: true });
      for (const file of ['package.json', 'package-lock.json'])
        await copyFile(path.join(REPO_ROOT, file), path.join(dir, file));
      // An npm that records how it was called and refuses, as npm ci does on a lock it rejects.
      const bin = path.join(dir, 'fake-bin');
      await mkdir(bin);
      await writeFile(path.join(bin, 'npm'), '#!/bin/sh\necho "$@" >> "$NPM_CALLS"\nexit 1\n', {
        mode: 0o755,
      });
      const calls = path.join(dir, 'npm-calls');
      const result = spawnSync(process.execPath, [path.join(dir, 'scripts/start.mjs')], {
        cwd: dir,
        env: productEnv({
          PATH: `${bin}:${process.env.PATH}`,
          NPM_CALLS: calls,
          PASID_LOAD_SAMPLES: 'false',
        }),
        encoding: 'utf8',
        timeout: 20_000,
      });
      expect(result.status, result.stdout + result.stderr).not.toBe(0);
      expect((await readFile(calls, 'utf8')).trim().split('\n')).toEqual(['ci --no-audit --no-fund']);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
