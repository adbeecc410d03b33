#!/usr/bin/env node
/**
 * After `next build`: puts the static assets where the standalone server serves them from. Next
 * leaves `.next/static` (and `public/`) out of `.next/standalone` on purpose, to be served by a
 * CDN; this app serves them itself, so they are copied in, as Next's deployment docs say. Run by
 * `npm run build`; the image and `npm start` then run `.next/standalone/apps/web/server.js`.
 */
import { cpSync, existsSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const web = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
// The monorepo root is the tracing root (next.config.ts), so the app sits at apps/web inside it.
const server = path.join(web, '.next/standalone/apps/web');
if (!existsSync(path.join(server, 'server.js'))) {
  console.error(`standalone-assets: no ${path.relative(web, server)}/server.js: is output 'standalone' set?`);
  process.exit(1);
}
for (const [from, to] of [
  ['.next/static', '.next/static'],
  ['public', 'public'],
]) {
  const source = path.join(web, from);
  if (!existsSync(source)) continue;
  const target = path.join(server, to);
  rmSync(target, { recursive: true, force: true });
  cpSync(source, target, { recursive: true });
}
console.log(`standalone-assets: static assets copied into ${path.relative(web, server)}`);
