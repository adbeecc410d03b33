import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { freePort, productEnv } from '@pasid/testing';

const here = path.dirname(fileURLToPath(import.meta.url));
export const WEB_DIR = path.resolve(here, '../..');
const require = createRequire(import.meta.url);
/** The API's built entry points (turbo builds @pasid/api before these tests: it is a dev dependency). */
const API_DIST = path.dirname(require.resolve('@pasid/api'));
/** Next's standalone server, as `npm start` and the web image run it (`npm run build` makes it). */
export const WEB_SERVER = path.join(WEB_DIR, '.next/standalone/apps/web/server.js');

export interface Server {
  url: string;
  process: ChildProcess;
  output: () => string;
  stop(): Promise<void>;
}

function startProcess(
  command: string,
  args: string[],
  env: Record<string, string>,
  ready: RegExp,
  cwd: string,
  timeoutMs = 60_000,
): Promise<Server & { match: RegExpMatchArray }> {
  const child = spawn(command, args, {
    cwd,
    // As users run them: without the NODE_ENV=test vitest sets for itself.
    env: productEnv(env) as NodeJS.ProcessEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const stop = () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), 5000).unref();
    });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      void stop();
      reject(new Error(`${path.basename(args[0] ?? command)} did not start in ${timeoutMs} ms:\n${output}`));
    }, timeoutMs);
    let started = false;
    // Always drain both pipes: a child blocked on a full pipe would hang the test.
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = started ? null : output.match(ready);
      if (match) {
        started = true;
        clearTimeout(timer);
        resolve({ url: match[1] ?? '', match, process: child, output: () => output, stop });
      }
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      if (!started) reject(new Error(`${path.basename(args[0] ?? command)} exited with ${code}:\n${output}`));
    });
  });
}

/** A key (a writer's unless told) in the API's database, made with the API's own key command. */
export async function createApiKey(
  databaseUrl: string,
  name: string,
  role: 'reader' | 'writer' | 'admin' = 'writer',
): Promise<string> {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [path.join(API_DIST, 'keys.js'), 'create', name, '--role', role],
    {
      env: { ...process.env, DATABASE_URL: databaseUrl },
    },
  );
  return stdout.trim();
}

/** Revokes the key `name` with the API's own key command. */
export async function revokeApiKey(databaseUrl: string, name: string): Promise<void> {
  await promisify(execFile)(process.execPath, [path.join(API_DIST, 'keys.js'), 'revoke', name], {
    env: { ...process.env, DATABASE_URL: databaseUrl },
  });
}

/** The real API (`node apps/api/dist/main.js`) on an ephemeral port over `databaseUrl`. */
export async function startApi(
  databaseUrl: string,
  host = '127.0.0.1',
  env: Record<string, string> = {},
): Promise<Server> {
  return startProcess(
    process.execPath,
    [path.join(API_DIST, 'main.js')],
    { API_PORT: '0', API_HOST: host, DATABASE_URL: databaseUrl, ...env },
    /listening on (http:\/\/\S+)/,
    WEB_DIR,
  );
}

/**
 * The built web app (Next's standalone `server.js`, as the image runs it) on a free port, talking
 * to `apiUrl`. It has no key of its own: pages are signed in with `signIn` (support/session.ts).
 */
export async function startWeb(apiUrl: string, options: { host?: string } = {}): Promise<Server> {
  const port = await freePort();
  const server = await startProcess(
    process.execPath,
    [WEB_SERVER],
    {
      PORT: String(port),
      HOSTNAME: options.host ?? '127.0.0.1',
      PASID_API_URL: apiUrl,
      NEXT_TELEMETRY_DISABLED: '1',
      NODE_ENV: 'production',
    },
    /Ready in|✓ Ready/,
    WEB_DIR,
  );
  return { ...server, url: `http://127.0.0.1:${port}` };
}
