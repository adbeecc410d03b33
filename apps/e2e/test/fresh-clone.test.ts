import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { freePort } from '@pasid/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { graphql, REPO_ROOT, type RunningProcess, run } from './support/processes.js';

/**
 * The README's start command from a fresh clone of the committed HEAD: `npm start` installs,
 * builds, starts the API on the embedded database and the web app, loads the samples once; a
 * restart keeps the data. A full install and build take minutes, so this runs only under CI or
 * with PASID_SLOW_TESTS set; when it runs, failure is failure.
 */
const SLOW = Boolean(process.env.CI || process.env.PASID_SLOW_TESTS);
const START_TIMEOUT_MS = 25 * 60_000;

describe.skipIf(!SLOW)('npm start from a fresh clone', () => {
  let clone: string;
  let apiPort: number;
  let webPort: number;
  let app: RunningProcess | undefined;

  const start = () => {
    // Only what a newcomer's shell would have: no database URL, no data folder, no test settings.
    const { DATABASE_URL: _db, PASID_DATA_DIR: _dir, API_PORT: _a, WEB_PORT: _w, ...env } = process.env;
    return run('npm start', 'npm', ['start'], {
      cwd: clone,
      env: { ...env, API_PORT: String(apiPort), WEB_PORT: String(webPort) },
      processGroup: true,
    });
  };
  const api = () => `http://127.0.0.1:${apiPort}/graphql`;
  const web = () => `http://127.0.0.1:${webPort}`;
  const systems = async () =>
    (await graphql<{ systems: { name: string; version: number }[] }>(api(), '{ systems { name version } }'))
      .data.systems;

  // The start command's last line: everything it prints before is in the output by then.
  beforeAll(async () => {
    clone = await mkdtemp(path.join(tmpdir(), 'pasid-clone-'));
    await promisify(execFile)('git', ['clone', '--quiet', REPO_ROOT, clone]);
    [apiPort, webPort] = [await freePort(), await freePort()];
    app = start();
    await app.waitFor(/Ctrl-C stops both\./, START_TIMEOUT_MS);
  }, START_TIMEOUT_MS + 60_000);

  afterAll(async () => {
    await app?.stop(30_000);
    if (clone) await rm(clone, { recursive: true, force: true });
  }, 120_000);

  it('printed the addresses, installed, built and loaded the samples', async () => {
    const output = app!.output();
    expect(output).toContain(`web  http://127.0.0.1:${webPort}`);
    expect(output).toContain(`API  http://127.0.0.1:${apiPort}/graphql`);
    expect(output).toMatch(/\[pasid\] install \(first start\): done/);
    expect(output).toMatch(/\[pasid\] build \(.*\): done/);
    // Every history in samples/ is loaded, whatever their number.
    const samples = (await readdir(path.join(REPO_ROOT, 'samples'))).filter((f) => f.endsWith('.jsonl'));
    expect(samples.length).toBeGreaterThan(3);
    expect(output).toContain(`samples: loaded ${samples.length} histories`);
  });

  it('answers GraphQL on the embedded database with the samples', async () => {
    const names = await systems();
    expect(names).toEqual(
      expect.arrayContaining([
        { name: 'worked-example', version: 14 },
        { name: 'random-seed-7', version: 10_000 },
      ]),
    );
    const { data } = await graphql<{ system: { state: { pasids: { pasid: number; pid: number }[] } } }>(
      api(),
      '{ system(name: "worked-example") { state { pasids { pasid pid } } } }',
    );
    expect(data.system.state.pasids).toEqual([{ pasid: 2, pid: 200 }]);
  });

  it('printed the key to sign in with, named after the OS user, and it writes under that name', async () => {
    const output = app!.output();
    const printed = /Sign in at (\S+) to import, as (\S+), with the key\n\[pasid\] {3}(\S+)/.exec(output);
    expect(printed, output).not.toBeNull();
    const [, address, name, key] = printed!;
    expect(address).toBe(`${web()}/sign-in`);
    expect(name).toBe(userInfo().username);
    expect((await readFile(path.join(clone, '.data', 'sign-in-key'), 'utf8')).trim()).toBe(key);
    expect((await fetch(address!)).status).toBe(200);
    const { data } = await graphql<{ viewer: { name: string; role: string } }>(
      api(),
      '{ viewer { name role } }',
      {},
      key,
    );
    expect(data.viewer).toEqual({ name, role: 'writer' });
  });

  it('serves the web pages', async () => {
    const home = await fetch(`${web()}/`);
    expect(home.status).toBe(200);
    expect(await home.text()).toContain('worked-example');
    const system = await fetch(`${web()}/systems/worked-example`);
    expect(system.status).toBe(200);
  });

  it(
    'keeps the data across a restart, without loading the samples again',
    async () => {
      const key = (await readFile(path.join(clone, '.data', 'sign-in-key'), 'utf8')).trim();
      await graphql(
        api(),
        'mutation { createSystem(input: {name: "kept-across-restart", policy: MM_EXIT}) { name } }',
        {},
        key,
      );
      const before = await systems();
      const stopped = await app!.stop(30_000);
      // SIGTERM to the whole group, as Ctrl-C does: npm ends itself by the signal, the start
      // script stops the web app and the API (in their own groups) and says so.
      expect([0, null]).toContain(stopped.code);
      expect(app!.output()).toMatch(/\[pasid\] stopped/);
      // Both services are gone: nothing answers on their ports any more.
      await expect(fetch(api(), { method: 'POST' })).rejects.toThrow();
      await expect(fetch(web())).rejects.toThrow();

      app = start();
      await app.waitFor(/Ctrl-C stops both\./, 5 * 60_000);
      expect(app.output()).toMatch(/build: up to date/);
      expect(app.output()).toMatch(/samples: the database already has systems/);
      expect(await systems()).toEqual(before);
      expect(before.map((s) => s.name)).toContain('kept-across-restart');
      expect((await fetch(`${web()}/`)).status).toBe(200);
    },
    6 * 60_000,
  );
});
