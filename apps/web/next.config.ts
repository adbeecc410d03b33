import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { NextConfig } from 'next';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '../..');

const nextConfig: NextConfig = {
  // The monorepo root, so that tracing and Turbopack see the workspace packages.
  outputFileTracingRoot: root,
  turbopack: { root },
  poweredByHeader: false,
  // The server with only the files it needs (.next/standalone/apps/web/server.js, its traced
  // node_modules beside it): the image ships that, not the whole install. `npm run build` copies
  // the static assets into it (scripts/standalone-assets.mjs), as Next's docs say to.
  output: 'standalone',
  // History files are uploaded by the browser to app/systems/[name]/history (streamed, any size up
  // to PASID_HISTORY_LIMIT); the Server Action takes pasted lines and kernel traces, converted on
  // the server, which it holds whole: those stay under this bound.
  experimental: { serverActions: { bodySizeLimit: '50mb' } },
};

export default nextConfig;
