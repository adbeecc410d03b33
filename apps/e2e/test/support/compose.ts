import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort } from '@pasid/testing';
import { parse } from 'yaml';
import { REPO_ROOT } from './processes.js';

/**
 * Turns docker-compose.yml into plain processes on this machine, by fixed rules (also in
 * docs/deployment.md), so that the compose file stays true without a Docker engine:
 *
 * 1. A service with a `postgres` image and no `build` is infrastructure: the test's own
 *    database replaces it. Every `postgres://` URL whose host is such a service becomes the test
 *    database's URL.
 * 2. Every other service runs its `command` from the repository root (the image's WORKDIR holds
 *    the built repository); `node` is this Node, any other program (the proxy image's
 *    `haproxy`) is Debian's, found on PATH. Processes get the image's environment:
 *    `NODE_ENV=production`, never vitest's `test`.
 * 3. Each service's container port (`expose`, or the container side of `ports`) gets a free
 *    port. In every environment value, `<service>:<port>` becomes `127.0.0.1:<free>`, and a
 *    published `localhost:<host port>` becomes `127.0.0.1:<free>` of the service publishing it.
 *    In a service's own environment, command and healthcheck, the bare port and
 *    `127.0.0.1:<port>` become the free port.
 * 4. `0.0.0.0` becomes `127.0.0.1` (nothing listens beyond this machine).
 * 5. Each named volume is a fresh temporary folder; a bind mount (`./file:/path`) is that file
 *    of the repository; a value starting with a mount's container path starts with that
 *    folder or file instead.
 * 6. Services start in `depends_on` order: `service_completed_successfully` waits for exit code
 *    0, `service_healthy` runs the rewritten healthcheck until it passes.
 */

interface ComposeService {
  image?: string;
  build?: unknown;
  command?: string[];
  environment?: Record<string, string | number | boolean>;
  expose?: (string | number)[];
  ports?: string[];
  volumes?: string[];
  healthcheck?: { test: string[] };
  depends_on?: Record<string, { condition: string }>;
}

export interface PlannedService {
  name: string;
  command: string;
  args: string[];
  env: Record<string, string>;
  /** The free port it listens on, if any. */
  port: number | undefined;
  healthcheck: { command: string; args: string[] } | undefined;
  dependsOn: { service: string; condition: string }[];
}

export interface ComposePlan {
  /** In start order. */
  services: PlannedService[];
  /** Infrastructure services replaced by the test's own (rule 1). */
  replaced: string[];
  volumes: Record<string, string>;
}

const containerPort = (service: ComposeService): string | undefined => {
  const fromExpose = service.expose?.[0];
  if (fromExpose !== undefined) return String(fromExpose);
  const published = service.ports?.[0];
  return published === undefined ? undefined : String(published).split(':').at(-1);
};

export async function planCompose(text: string, databaseUrl: string): Promise<ComposePlan> {
  const doc = parse(text, { merge: true }) as {
    services: Record<string, ComposeService>;
    volumes?: Record<string, unknown>;
  };
  const entries = Object.entries(doc.services);
  const replaced = entries
    .filter(([, s]) => s.image?.startsWith('postgres') && !s.build)
    .map(([name]) => name);
  const apps = entries.filter(([name]) => !replaced.includes(name));

  const volumes: Record<string, string> = {};
  for (const name of Object.keys(doc.volumes ?? {})) {
    volumes[name] = await mkdtemp(path.join(tmpdir(), `pasid-compose-${name}-`));
  }

  const ports = new Map<string, { container: string; free: number; published?: string }>();
  for (const [name, service] of apps) {
    const container = containerPort(service);
    if (container === undefined) continue;
    const published = service.ports?.[0]?.split(':').slice(-2, -1)[0];
    ports.set(name, { container, free: await freePort(), ...(published ? { published } : {}) });
  }

  const rewrite = (value: string, own: string, mounts: [string, string][]): string => {
    let out = value;
    // Rule 1: the database URL.
    if (/^postgres(ql)?:\/\//.test(out) && replaced.includes(new URL(out).hostname)) return databaseUrl;
    // Rule 3: other services' addresses and published addresses.
    for (const [name, p] of ports) {
      out = out.replaceAll(`${name}:${p.container}`, `127.0.0.1:${p.free}`);
      if (p.published) out = out.replaceAll(`localhost:${p.published}`, `127.0.0.1:${p.free}`);
    }
    const mine = ports.get(own);
    if (mine) {
      out = out.replaceAll(`127.0.0.1:${mine.container}`, `127.0.0.1:${mine.free}`);
      if (out === mine.container) out = String(mine.free);
    }
    // Rule 4.
    if (out === '0.0.0.0') out = '127.0.0.1';
    // Rule 5.
    for (const [containerPath, hostPath] of mounts) {
      if (out === containerPath || out.startsWith(`${containerPath}/`))
        out = hostPath + out.slice(containerPath.length);
    }
    return out;
  };

  const planned = new Map<string, PlannedService>();
  for (const [name, service] of apps) {
    if (!service.command?.length) throw new Error(`compose service ${name} has no command`);
    const mounts: [string, string][] = (service.volumes ?? []).flatMap((spec) => {
      const [volume, containerPath] = spec.split(':');
      const hostPath = volume?.startsWith('./')
        ? path.join(REPO_ROOT, volume)
        : volume
          ? volumes[volume]
          : undefined;
      return hostPath && containerPath ? [[containerPath, hostPath] as [string, string]] : [];
    });
    const swap = (v: string) => rewrite(v, name, mounts);
    const node = (command: string) => (command === 'node' ? process.execPath : command);
    const [command, ...args] = service.command.map(swap);
    const test = service.healthcheck?.test;
    const check = test?.[0] === 'CMD' ? test.slice(1).map(swap) : undefined;
    planned.set(name, {
      name,
      command: node(command!),
      args,
      env: Object.fromEntries(
        Object.entries(service.environment ?? {}).map(([k, v]) => [k, swap(String(v))]),
      ),
      port: ports.get(name)?.free,
      healthcheck: check?.[0] ? { command: node(check[0]), args: check.slice(1) } : undefined,
      dependsOn: Object.entries(service.depends_on ?? {}).map(([dep, { condition }]) => ({
        service: dep,
        condition,
      })),
    });
  }

  // Rule 6: a topological order (compose refuses cycles; so do we).
  const order: PlannedService[] = [];
  const visiting = new Set<string>();
  const visit = (name: string) => {
    const service = planned.get(name);
    if (!service || order.includes(service)) return;
    if (visiting.has(name)) throw new Error(`depends_on cycle at ${name}`);
    visiting.add(name);
    for (const dep of service.dependsOn) visit(dep.service);
    order.push(service);
  };
  for (const name of planned.keys()) visit(name);
  return { services: order, replaced, volumes };
}
