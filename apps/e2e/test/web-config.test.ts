import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { freePort, productEnv } from '@pasid/testing';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT, run } from './support/processes.js';

/**
 * The web app checks its environment as it starts (apps/web/instrumentation.ts), not at the first
 * page. It runs as `npm start` and the web image run it: Next's standalone server.
 */
const SERVER = path.join(REPO_ROOT, 'apps/web/.next/standalone/apps/web/server.js');

const startWeb = (env: Record<string, string>) =>
  spawnSync(process.execPath, [SERVER], {
    cwd: REPO_ROOT,
    env: {
      ...process.env,
      NODE_ENV: 'production',
      NEXT_TELEMETRY_DISABLED: '1',
      PORT: '0',
      HOSTNAME: '127.0.0.1',
      ...env,
    },
    encoding: 'utf8',
    timeout: 60_000,
  });

describe('the web server with a wrong setting', () => {
  it.each([
    [{ PASID_API_URL: 'ftp://api/graphql' }, 'PASID_API_URL'],
    [{ PASID_API_WS_URL: 'http://api/graphql' }, 'PASID_API_WS_URL'],
    // The one shared writer key of earlier versions: people sign in with their own now.
    [{ PASID_API_KEY: 'a-shared-writer-key' }, 'PASID_API_KEY'],
    [{ PASID_API_KEY_FILE: '/run/pasid/web-api-key' }, 'PASID_API_KEY_FILE'],
  ])('%j stops the server at start with exit code 2, naming the variable', (env, name) => {
    const result = startWeb(env);
    expect(result.status, result.stdout + result.stderr).toBe(2);
    expect(result.stderr).toMatch(new RegExp(`pasid-web: invalid web app environment: ${name}`));
  });
});

describe('the web server with valid settings', () => {
  it('answers its health route /healthz with 200, whether or not the API is up', async () => {
    const port = await freePort();
    const web = run('web', process.execPath, [SERVER], {
      cwd: REPO_ROOT,
      // No API listens at this address: the web app's health is its own.
      env: productEnv({
        NODE_ENV: 'production',
        NEXT_TELEMETRY_DISABLED: '1',
        PORT: String(port),
        HOSTNAME: '127.0.0.1',
        PASID_API_URL: `http://127.0.0.1:${await freePort()}/graphql`,
      }),
    });
    try {
      await web.waitFor(/Ready in|✓ Ready/);
      const response = await fetch(`http://127.0.0.1:${port}/healthz`);
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ status: 'ok' });
    } finally {
      await web.stop();
    }
  });
});
