import { execFile } from 'node:child_process';
import { cp, mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT } from './processes.js';

/**
 * docker/Dockerfile without Docker: its stages read into instructions, and a stage built as a
 * folder standing for the image's /app, by fixed rules (also in docs/deployment.md):
 *
 * 1. `FROM <image> AS base`, the first stage, is an empty /app (the node image's own files are
 *    this machine's Node). A stage `FROM <earlier stage>` starts as a copy of that stage's folder.
 * 2. The stage named `build` is not run: the repository itself, built by turbo before the tests,
 *    stands for it (running `npm ci && npm run build` again would only repeat the test run's own).
 * 3. `COPY <paths> <dest>` copies from the repository; `COPY --from=<stage> <path> <dest>` from
 *    that stage's folder (the repository for `build`). `/app/...` is the stage's folder.
 * 4. `RUN` runs its command with sh in the stage's folder; `ENV` values are kept for the
 *    processes started from the image; `WORKDIR`, `USER` and `CMD` are read, not applied.
 */

export interface Instruction {
  op: string;
  args: string;
}

export interface Stage {
  name: string;
  from: string;
  instructions: Instruction[];
  env: Record<string, string>;
}

export function parseDockerfile(text: string): Stage[] {
  const lines = text
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
  const stages: Stage[] = [];
  for (const line of lines) {
    const [op = '', ...rest] = line.split(/\s+/);
    const args = rest.join(' ');
    if (op === 'FROM') {
      const m = /^(\S+)\s+AS\s+(\S+)$/i.exec(args);
      if (!m) throw new Error(`every stage needs a name: FROM ${args}`);
      stages.push({ name: m[2]!, from: m[1]!, instructions: [], env: {} });
      continue;
    }
    const stage = stages.at(-1);
    if (!stage) throw new Error(`${op} before any FROM`);
    stage.instructions.push({ op, args });
    if (op === 'ENV') {
      for (const pair of args.split(/\s+/)) {
        const eq = pair.indexOf('=');
        if (eq > 0) stage.env[pair.slice(0, eq)] = pair.slice(eq + 1);
      }
    }
  }
  return stages;
}

/** A stage's environment, its parents' first. */
export function stageEnv(stages: Stage[], name: string): Record<string, string> {
  const stage = stages.find((s) => s.name === name);
  if (!stage) throw new Error(`no stage ${name}`);
  const parent = stages.find((s) => s.name === stage.from);
  return { ...(parent ? stageEnv(stages, parent.name) : {}), ...stage.env };
}

/** Builds stage `target` (and the stages it needs) as folders; returns the folder of `target`. */
export async function buildStage(
  stages: Stage[],
  target: string,
  log: (line: string) => void = () => {},
): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const root = await mkdtemp(path.join(tmpdir(), 'pasid-image-'));
  const built = new Map<string, string>([['build', REPO_ROOT]]);
  const build = async (name: string): Promise<string> => {
    const done = built.get(name);
    if (done) return done;
    const stage = stages.find((s) => s.name === name);
    if (!stage) throw new Error(`no stage ${name}`);
    const dir = path.join(root, name);
    if (stages.some((s) => s.name === stage.from)) await cp(await build(stage.from), dir, copyOptions);
    else await mkdir(dir, { recursive: true });
    for (const { op, args } of stage.instructions) {
      if (op === 'COPY') {
        const words = args.split(/\s+/);
        const from = words.find((w) => w.startsWith('--from='))?.slice('--from='.length);
        const paths = words.filter((w) => !w.startsWith('--'));
        const dest = paths.pop()!;
        const sourceRoot = from ? await build(from) : REPO_ROOT;
        for (const source of paths) {
          const relative = source.replace(/^\/app\/?/, '');
          const target = dest.startsWith('/app')
            ? path.join(dir, dest.slice('/app'.length))
            : path.join(dir, dest);
          const into = dest.endsWith('/') ? path.join(target, path.basename(relative)) : target;
          await mkdir(path.dirname(into), { recursive: true });
          if (relative === '' || relative === '.') {
            for (const entry of await readdir(sourceRoot)) {
              await cp(path.join(sourceRoot, entry), path.join(into, entry), copyOptions);
            }
          } else await cp(path.join(sourceRoot, relative), into, copyOptions);
        }
      } else if (op === 'RUN') {
        log(`${name}: RUN ${args}`);
        await promisify(execFile)('sh', ['-c', args], {
          cwd: dir,
          // The stage's own npm cache, as an image build has: its `npm cache clean --force` must
          // not empty the machine's (which other npm processes may be reading at the time).
          env: { ...process.env, ...stageEnv(stages, name), npm_config_cache: path.join(root, '.npm-cache') },
          maxBuffer: 64 * 1024 * 1024,
        });
      }
    }
    built.set(name, dir);
    return dir;
  };
  const dir = await build(target);
  return { dir, cleanup: () => rm(root, { recursive: true, force: true }) };
}

const copyOptions = { recursive: true, verbatimSymlinks: true, force: true } as const;
