#!/usr/bin/env node
/**
 * `npm start`: the whole product from one command on a machine with only Node.js 24 (LTS).
 * 1. installs the locked dependencies (`npm ci`, nothing else) when node_modules is missing or
 *    older than package-lock.json;
 * 2. builds when an output is missing or a source is newer than the last build;
 * 3. on DATABASE_URL, migrates the server and ensures the first user's sign-in key, a writer key
 *    named after the OS user (the API does both on the embedded database);
 * 4. starts the API, loads the sample histories through it into an empty database (embedded by
 *    default; PASID_LOAD_SAMPLES), starts the web app, and prints both addresses and the key to
 *    sign in with;
 * 5. on Ctrl-C or SIGTERM stops the web app, then the API (which finishes its writes), and exits.
 * Plain Node with no dependency until step 3, since it must run before `npm ci`.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { buildReason, installState, stampFile } from './lib/build-state.mjs';
import { loadStartConfig, StartConfigError } from './lib/start-env.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
/** The web app's standalone server (`npm run build` puts its static assets beside it). */
const WEB_SERVER = 'apps/web/.next/standalone/apps/web/server.js';
const log = (message) => console.log(`[pasid] ${message}`);
// The API gives requests in flight 20 s (API_SHUTDOWN_GRACE_SECONDS) and then 10 s to close.
const STOP_TIMEOUT_MS = 35_000;

/**
 * Whom the first user's key is named after: the OS account that runs the start (so the audit log
 * says who imported, not "web"); `local` where there is no name to take.
 */
function startKeyName() {
  let name = '';
  try {
    name = userInfo().username;
  } catch {}
  return /^[\w.@-]{1,64}$/.test(name) ? name : 'local';
}

function checkNode() {
  // Node.js 24 is the supported and tested runtime (Node 20 reached its end of life in April 2026).
  const [major] = process.versions.node.split('.').map(Number);
  if (major < 24) {
    console.error(`[pasid] Node.js 24 or newer is needed; this is ${process.versions.node}`);
    process.exit(1);
  }
}

/** Runs a step with its output on this terminal (npm and turbo print their own progress). */
function runStep(title, command, args) {
  log(`${title}: ${command} ${args.join(' ')}`);
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: ROOT, stdio: 'inherit', shell: process.platform === 'win32' });
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      if (code === 0) {
        log(`${title}: done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
        resolve();
      } else reject(new Error(`${title} failed (${signal ?? `exit code ${code}`})`));
    });
  });
}

/** A long-running child whose output is prefixed; resolves when a line matches `ready`. */
function startService(name, args, env, ready) {
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    // Its own process group: Ctrl-C reaches only this script, which stops the services in order.
    detached: true,
  });
  const service = { name, child, exited: new Promise((resolve) => child.once('exit', resolve)) };
  service.ready = new Promise((resolve, reject) => {
    let seen = false;
    const onLine = (line) => {
      console.log(`[${name}] ${line}`);
      if (!seen && ready.test(line)) {
        seen = true;
        resolve();
      }
    };
    for (const stream of [child.stdout, child.stderr]) {
      let rest = '';
      stream.on('data', (chunk) => {
        const lines = (rest + chunk.toString()).split('\n');
        rest = lines.pop() ?? '';
        for (const line of lines) onLine(line);
      });
    }
    child.once('exit', (code, signal) => {
      if (!seen) {
        const error = new Error(`${name} stopped before it was ready (${signal ?? `exit code ${code}`})`);
        error.exitCode = code;
        reject(error);
      }
    });
  });
  return service;
}

async function stopService(service) {
  const { child } = service;
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => {
    log(`${service.name} did not stop in ${STOP_TIMEOUT_MS / 1000} s: killing it`);
    child.kill('SIGKILL');
  }, STOP_TIMEOUT_MS);
  await service.exited;
  clearTimeout(timer);
}

async function main() {
  checkNode();
  let config;
  try {
    config = loadStartConfig();
  } catch (error) {
    if (error instanceof StartConfigError) {
      console.error(`[pasid] ${error.message}`);
      return 2;
    }
    throw error;
  }

  const install = installState(ROOT);
  if (install !== 'ok') {
    const title = install === 'missing' ? 'install (first start)' : 'install (package-lock.json changed)';
    // Exactly the locked install (the lock records every platform's optional binaries): no
    // fallback to `npm install`, which would install something else than what was tested.
    await runStep(title, 'npm', ['ci', '--no-audit', '--no-fund']);
  }
  const reason = buildReason(ROOT);
  if (reason) {
    await runStep(`build (${reason})`, 'npm', ['run', 'build']);
    mkdirSync(path.dirname(stampFile(ROOT)), { recursive: true });
    writeFileSync(stampFile(ROOT), `${new Date().toISOString()}\n`);
  } else {
    log('build: up to date');
  }

  const dataDir = path.resolve(ROOT, config.dataDir);
  const startKeyFile = path.join(dataDir, 'sign-in-key');
  const keyName = startKeyName();
  if (config.databaseUrl) {
    // The embedded database is opened by the API alone; a server can take this short connection first.
    const { migrateAndKey } = await import(pathToFileURL(path.join(ROOT, 'scripts/migrate.mjs')).href);
    log('database: migrating the Postgres server (DATABASE_URL)');
    await migrateAndKey({ databaseUrl: config.databaseUrl, startKeyFile, startKeyName: keyName });
  }

  const services = [];
  let stopping = false;
  const stopAll = async (reason) => {
    if (stopping) return;
    stopping = true;
    log(`stopping (${reason})`);
    // The web app first, so that nothing new reaches the API while it drains.
    for (const service of [...services].reverse()) await stopService(service);
    log('stopped');
  };
  const signalled = new Promise((resolve) => {
    for (const signal of ['SIGINT', 'SIGTERM']) process.once(signal, () => resolve(signal));
    // A wrapper (npm, sh) killed alone leaves this script orphaned: stop with it.
    const parent = process.ppid;
    setInterval(() => {
      if (process.ppid !== parent) resolve('SIGTERM');
    }, 1000).unref();
  });

  try {
    const apiHostForClients = ['0.0.0.0', '::'].includes(config.apiHost) ? 'localhost' : config.apiHost;
    const apiUrl = `http://${apiHostForClients}:${config.apiPort}/graphql`;
    log(`api: starting on ${config.databaseUrl ? 'Postgres' : `the embedded database in ${dataDir}`}`);
    const api = startService(
      'api',
      ['apps/api/dist/main.js'],
      {
        API_PORT: String(config.apiPort),
        API_HOST: config.apiHost,
        PASID_DATA_DIR: dataDir,
        ...(config.databaseUrl ? {} : { API_START_KEY_FILE: startKeyFile, API_START_KEY_NAME: keyName }),
      },
      /listening on http/,
    );
    services.push(api);
    const first = await Promise.race([api.ready.then(() => null), signalled]);
    if (first) {
      await stopAll(first);
      return 0;
    }

    const { readFile } = await import('node:fs/promises');
    const key = (await readFile(startKeyFile, 'utf8')).trim();
    if (config.loadSamples) {
      const { loadSamplesIfEmpty } = await import('./lib/samples.mjs');
      const loaded = await loadSamplesIfEmpty({ apiUrl, key, samplesDir: path.join(ROOT, 'samples'), log });
      log(
        loaded.length > 0
          ? `samples: loaded ${loaded.length} histories`
          : 'samples: the database already has systems',
      );
    }

    const webHostForClients = ['0.0.0.0', '::'].includes(config.webHost) ? 'localhost' : config.webHost;
    log('web: starting');
    const web = startService(
      'web',
      // Next's standalone server, as the image runs it (next.config.ts: output 'standalone').
      [WEB_SERVER],
      {
        NODE_ENV: 'production',
        NEXT_TELEMETRY_DISABLED: '1',
        PORT: String(config.webPort),
        HOSTNAME: config.webHost,
        PASID_API_URL: apiUrl,
      },
      /Ready in|✓ Ready/,
    );
    services.push(web);
    const second = await Promise.race([web.ready.then(() => null), signalled]);
    if (second) {
      await stopAll(second);
      return 0;
    }

    log('PASID Ledger is running:');
    log(`  web  http://${webHostForClients}:${config.webPort}`);
    log(`  API  ${apiUrl}  (GraphQL over HTTP and WebSocket)`);
    // A key of one's own, so that the audit log names who imported (no shared web key); printed
    // rather than signed in by itself: anyone who reaches the web port would otherwise be this user.
    log(
      `Sign in at http://${webHostForClients}:${config.webPort}/sign-in to import, as ${keyName}, with the key`,
    );
    log(`  ${key}`);
    const keptIn = path.relative(ROOT, startKeyFile);
    log(
      `  (kept in ${keptIn.startsWith('..') ? startKeyFile : keptIn}; more keys: node apps/api/dist/keys.js create NAME --role writer)`,
    );
    log('Ctrl-C stops both.');

    const crashed = Promise.race(
      services.map((s) => s.exited.then((code) => `${s.name} exited with code ${code}`)),
    );
    const why = await Promise.race([signalled, crashed]);
    await stopAll(why);
    return why === 'SIGINT' || why === 'SIGTERM' ? 0 : 1;
  } catch (error) {
    console.error(`[pasid] ${error instanceof Error ? error.message : String(error)}`);
    await stopAll('start failed');
    // A service refusing its settings (exit 2: a wrong variable, an unusable data folder) is a
    // settings error of the whole start too.
    return error?.exitCode === 2 ? 2 : 1;
  }
}

process.exitCode = await main();
