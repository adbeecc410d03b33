import { spawnSync } from 'node:child_process';
import path from 'node:path';
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
