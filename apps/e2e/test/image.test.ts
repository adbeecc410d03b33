import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { createTestDatabase, freePort, postgresAvailable, productEnv } from '@pasid/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { buildStage, parseDockerfile, type Stage, stageEnv } from './support/dockerfile.js';
import { REPO_ROOT, type RunningProcess, run } from './support/processes.js';

/**
 * Issue 11 item 10: docker/Dockerfile's images hold what they run and no more. No Docker engine
 * here: its stages are checked as text, then the api and web stages are built as folders by the
 * rules in support/dockerfile.ts (the api stage's `npm ci --omit=dev` really runs, from the
 * registry) and their commands run from those folders, away from the repository's node_modules,
 * with the image's environment (NODE_ENV=production).
 */
const DOCKERFILE = await readFile(path.join(REPO_ROOT, 'docker/Dockerfile'), 'utf8');
const stages = parseDockerfile(DOCKERFILE);
const stage = (name: string): Stage => {
  const found = stages.find((s) => s.name === name);
  if (!found) throw new Error(`docker/Dockerfile has no stage ${name}`);
  return found;
};
const workspaces = async (): Promise<string[]> => {
  const out: string[] = [];
  for (const group of ['apps', 'packages']) {
    for (const entry of await readdir(path.join(REPO_ROOT, group), { withFileTypes: true })) {
      if (entry.isDirectory() && existsSync(path.join(REPO_ROOT, group, entry.name, 'package.json')))
        out.push(`${group}/${entry.name}`);
    }
  }
  return out.sort();
};

/** Polls `url` until it answers (any status), failing with the process's output after `ms`. */
async function answer(url: string, server: RunningProcess, ms = 60_000): Promise<Response> {
  const deadline = Date.now() + ms;
  for (;;) {
    const response = await fetch(url).catch(() => null);
    if (response) return response;
    if (Date.now() > deadline) throw new Error(`${url} never answered:\n${server.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

describe('docker/Dockerfile, as text', () => {
  it('installs from the manifests and the lock alone before any source is copied', async () => {
    const manifests = stage('manifests');
    const copied = manifests.instructions
      .filter((i) => i.op === 'COPY')
      .flatMap((i) => i.args.split(/\s+/).slice(0, -1));
    // Every workspace's package.json (npm ci needs them all), the root's and the lock: nothing else.
    expect(copied.sort()).toEqual(
      ['package-lock.json', 'package.json', ...(await workspaces()).map((w) => `${w}/package.json`)].sort(),
    );
    const build = stage('build');
    expect(build.from).toBe('manifests');
    const ops = build.instructions.map((i) => `${i.op} ${i.args}`);
    expect(ops[0]).toBe('RUN npm ci --no-audit --no-fund');
    expect(ops.indexOf('COPY . .')).toBeGreaterThan(0);
  });

  it('ships production dependencies in the api image, the standalone server in the web image', () => {
    expect(stage('api-deps').instructions.map((i) => i.args)).toContainEqual(
      expect.stringMatching(/^npm ci --omit=dev --omit=optional --workspace @pasid\/api /),
    );
    for (const name of ['api', 'web']) {
      const final = stage(name);
      expect(stageEnv(stages, name).NODE_ENV).toBe('production');
      expect(final.instructions).toContainEqual({ op: 'USER', args: 'node' });
      // Never the whole build (its node_modules is the 1 GB the issue is about).
      for (const i of final.instructions.filter((i) => i.op === 'COPY'))
        expect(i.args).not.toMatch(/--from=build\s+(--\S+\s+)*\/app\s+\/app$/);
    }
    const webCopies = stage('web').instructions.filter((i) => i.op === 'COPY');
    expect(webCopies.map((i) => i.args)).toEqual([
      '--from=build --chown=node:node /app/apps/web/.next/standalone apps/web/.next/standalone',
    ]);
  });

  it("is what docker-compose.yml builds: each service's target, and the web's command", async () => {
    const compose = parse(await readFile(path.join(REPO_ROOT, 'docker-compose.yml'), 'utf8'), {
      merge: true,
    }) as { services: Record<string, { build?: { target?: string }; command?: string[] }> };
    const targets = Object.fromEntries(
      Object.entries(compose.services)
        .filter(([, s]) => s.build)
        .map(([name, s]) => [name, s.build?.target]),
    );
    expect(targets).toEqual({ migrate: 'api', 'api-1': 'api', 'api-2': 'api', web: 'web' });
    expect(compose.services.web?.command).toEqual(['node', 'apps/web/.next/standalone/apps/web/server.js']);
    expect(stage('web').instructions).toContainEqual({
      op: 'CMD',
      args: '["node", "apps/web/.next/standalone/apps/web/server.js"]',
    });
  });
});

describe('the web image, built as a folder', () => {
  let image: Awaited<ReturnType<typeof buildStage>>;
  beforeAll(async () => {
    image = await buildStage(stages, 'web');
  });
  afterAll(() => image?.cleanup());

  it('starts its standalone server.js with NODE_ENV=production: /healthz 200, pages and static assets', async () => {
    // Nothing but the standalone output: no repository node_modules to fall back on.
    expect(await readdir(image.dir)).toEqual(['apps']);
    expect((await readdir(path.join(image.dir, 'apps/web/.next/standalone'))).sort()).toEqual([
      'apps',
      'node_modules',
    ]);
    const port = await freePort();
    const web = run('web', process.execPath, ['apps/web/.next/standalone/apps/web/server.js'], {
      cwd: image.dir,
      env: productEnv({
        ...stageEnv(stages, 'web'),
        HOSTNAME: '127.0.0.1',
        PORT: String(port),
        // No API here: the web app's health is its own.
        PASID_API_URL: `http://127.0.0.1:${await freePort()}/graphql`,
      }),
    });
    try {
      await web.waitFor(/Ready in/);
      const health = await answer(`http://127.0.0.1:${port}/healthz`, web);
      expect(health.status).toBe(200);
      expect(await health.json()).toEqual({ status: 'ok' });
      const signIn = await fetch(`http://127.0.0.1:${port}/sign-in`);
      expect(signIn.status).toBe(200);
      const html = await signIn.text();
      const css = /\/_next\/static\/[^"]+\.css/.exec(html)?.[0];
      expect(css, 'the page links its stylesheet').toBeDefined();
      expect((await fetch(`http://127.0.0.1:${port}${css}`)).status).toBe(200);
      // `next start` would warn that it does not work with standalone output; this is the server itself.
      expect(web.output()).not.toMatch(/does not work with "output: standalone"/);
    } finally {
      await web.stop();
    }
  });
});

describe.skipIf(!(await postgresAvailable('the image checks')))('the api image, built as a folder', () => {
  let image: Awaited<ReturnType<typeof buildStage>>;
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  beforeAll(async () => {
    database = await createTestDatabase('image');
    // Runs the api-deps stage's npm ci: production dependencies only, from the registry.
    image = await buildStage(stages, 'api');
  }, 600_000);
  afterAll(async () => {
    await image?.cleanup();
    await database?.drop();
  });

  it('holds no build tool, and migrates, makes a key and serves GraphQL from its own dependencies', async () => {
    for (const tool of [
      'typescript',
      'next',
      '@biomejs/biome',
      'playwright-core',
      'turbo',
      'prisma',
      'vitest',
    ])
      expect(existsSync(path.join(image.dir, 'node_modules', tool)), tool).toBe(false);
    const env = productEnv({ ...stageEnv(stages, 'api'), DATABASE_URL: database.url, LOG_LEVEL: 'warn' });
    const exec = promisify(execFile);
    const migrated = await exec(process.execPath, ['scripts/migrate.mjs'], { cwd: image.dir, env });
    expect(migrated.stdout).toContain('pasid-migrate: the Postgres server is migrated');
    const key = (
      await exec(process.execPath, ['apps/api/dist/keys.js', 'create', 'image-tracer', '--role', 'writer'], {
        cwd: image.dir,
        env,
      })
    ).stdout.trim();
    const port = await freePort();
    const api = run('api', process.execPath, ['apps/api/dist/main.js'], {
      cwd: image.dir,
      env: { ...env, API_PORT: String(port), API_HOST: '127.0.0.1' },
    });
    try {
      await api.waitFor(/listening on http/);
      expect((await answer(`http://127.0.0.1:${port}/readyz`, api)).status).toBe(200);
      const response = await fetch(`http://127.0.0.1:${port}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
        body: JSON.stringify({
          query: 'mutation { createSystem(input: {name: "from-image", policy: MM_EXIT}) { createdBy } }',
        }),
      });
      expect(await response.json()).toEqual({ data: { createSystem: { createdBy: 'image-tracer' } } });
    } finally {
      await api.stop();
    }
  });
});
