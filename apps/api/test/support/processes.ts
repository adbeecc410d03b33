import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { productEnv } from '@pasid/testing';

const MAIN = fileURLToPath(new URL('../../dist/main.js', import.meta.url));

/** `node dist/main.js` as its own process on `databaseUrl` and an ephemeral port. */
export async function startApiProcess(
  databaseUrl: string | undefined,
  env: Record<string, string> = {},
): Promise<{ url: string; output(): string; alive(): boolean; pid: number; stop(): Promise<void> }> {
  // As users run it: without the NODE_ENV=test vitest sets for itself.
  const base: Record<string, string | undefined> = productEnv({
    API_PORT: '0',
    READS_REQUIRE_KEY: 'false',
    ...env,
  });
  if (databaseUrl === undefined) delete base.DATABASE_URL;
  else base.DATABASE_URL = databaseUrl;
  const child: ChildProcess = spawn(process.execPath, [MAIN], {
    env: base,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`API process did not start:\n${output}`)), 60_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /listening on (http:\/\/\S+)/.exec(output);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`API process exited with ${code}:\n${output}`));
    });
  });
  return {
    url,
    output: () => output,
    alive: () => child.exitCode === null && child.signalCode === null,
    pid: child.pid ?? 0,
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
}
