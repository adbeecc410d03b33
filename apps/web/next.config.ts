import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { NextConfig } from 'next';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '../..');

const nextConfig: NextConfig = {
  // The monorepo root, so that tracing and Turbopack see the workspace packages.
  outputFileTracingRoot: root,
  turbopack: { root },
  poweredByHeader: false,
  // History files are uploaded through a Server Action (1 MB by default); the API has its own limit.
  experimental: { serverActions: { bodySizeLimit: '50mb' } },
};

export default nextConfig;
