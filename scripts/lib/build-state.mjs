import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';

/**
 * Whether the start command must install or build first. Plain Node (runs before `npm ci`).
 * The build is stale when a source file is newer than the stamp the last build through the start
 * command left; turbo's cache makes a rebuild of unchanged packages cheap anyway.
 */

const SKIP = new Set(['node_modules', 'dist', '.next', '.turbo', 'test', 'e2e', 'coverage', 'generated']);

/** Files a successful build leaves; any one missing means build. */
export const BUILD_OUTPUTS = [
  'packages/domain/dist/index.js',
  'packages/store/dist/index.js',
  'apps/api/dist/main.js',
  'apps/cli/dist/main.js',
  'apps/web/.next/BUILD_ID',
  // The standalone server and its static assets (scripts/standalone-assets.mjs copies them).
  'apps/web/.next/standalone/apps/web/server.js',
  'apps/web/.next/standalone/apps/web/.next/static',
];

export const stampFile = (root) => path.join(root, 'node_modules', '.cache', 'pasid-start', 'build-stamp');

function newestIn(dir, newest = 0) {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return newest;
  }
  for (const entry of entries) {
    if (SKIP.has(entry.name) || entry.name.endsWith('.tsbuildinfo')) continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) newest = newestIn(full, newest);
    else if (entry.isFile()) newest = Math.max(newest, statSync(full).mtimeMs);
  }
  return newest;
}

const mtime = (file) => (existsSync(file) ? statSync(file).mtimeMs : 0);

/** 'missing' | 'stale' | 'outdated-lock' | 'ok' for node_modules. */
export function installState(root) {
  if (!existsSync(path.join(root, 'node_modules'))) return 'missing';
  // npm writes node_modules/.package-lock.json at each install: older than the lock means the lock changed.
  const lock = mtime(path.join(root, 'package-lock.json'));
  const installed = mtime(path.join(root, 'node_modules', '.package-lock.json'));
  return installed === 0 || lock > installed ? 'stale' : 'ok';
}

/** The reason to build, or null when the build is complete and newer than every source. */
export function buildReason(root) {
  const missing = BUILD_OUTPUTS.find((file) => !existsSync(path.join(root, file)));
  if (missing) return `${missing} is missing`;
  const stamp = mtime(stampFile(root));
  if (stamp === 0) return 'no build by the start command yet';
  const sources = [
    ...['apps', 'packages'].flatMap((group) =>
      readdirSync(path.join(root, group), { withFileTypes: true })
        .filter((d) => d.isDirectory())
        .map((d) => path.join(root, group, d.name)),
    ),
    path.join(root, 'prisma'),
  ];
  const newest = Math.max(
    ...sources.map((dir) => newestIn(dir)),
    mtime(path.join(root, 'package-lock.json')),
  );
  return newest > stamp ? 'sources changed since the last build' : null;
}
