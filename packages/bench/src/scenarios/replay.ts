import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createReadStream, createWriteStream } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  DEFAULT_MAX_PASID,
  formatHistoryEvent,
  formatHistoryHeader,
  generateHistory,
  type HistoryLine,
  HistoryLineReader,
  Replayer,
  toStateDocument,
} from '@pasid/domain';
import { absolute, type BenchContext, compared, type Figure, type Scenario, timed } from '../scenario.js';

const EVENTS = 1_000_000;
const RUNS = 3;
const POLICY = 'LAZY_REFCOUNT';

/**
 * Writes a random valid history (every event accepted by `decide`) of `count` events: the domain's
 * `generateHistory` (seed 20261124), which mixes all nine input types (binds with and without an
 * fd, some close-on-exec, closes, forks inheriting fds, exec after ENQCMD, ENQCMD without a device,
 * logged DMAR faults). Returns how many events of each type it wrote, and how many binds opened a
 * file, so the figure says what it was measured on.
 */
async function writeRandomHistory(file: string, count: number, ctx: BenchContext): Promise<string> {
  const out = createWriteStream(file);
  out.write(
    `${formatHistoryHeader({ system: 'bench-random', policy: POLICY, maxPasid: DEFAULT_MAX_PASID })}\n`,
  );
  const events = generateHistory({ policy: POLICY, maxPasid: DEFAULT_MAX_PASID, seed: 20261124 });
  const types = new Map<string, number>();
  let fileBinds = 0;
  let batch = '';
  for (let i = 1; i <= count; i++) {
    const event = events.next().value;
    types.set(event.type, (types.get(event.type) ?? 0) + 1);
    if (event.type === 'DeviceBound' && event.fd !== undefined) fileBinds += 1;
    batch += `${formatHistoryEvent(event)}\n`;
    if (i % 10_000 === 0) {
      if (!out.write(batch)) await once(out, 'drain');
      batch = '';
    }
    if (i % 250_000 === 0) ctx.progress(`generated ${i.toLocaleString('en-US')} events`);
  }
  out.end(batch);
  await once(out, 'finish');
  const mix = [...types].sort(([, a], [, b]) => b - a).map(([type, n]) => `${type} ${n}`);
  return `${mix.join(', ')}; ${fileBinds} of the binds open a file`;
}

/**
 * The raw floor, a module used in-process and as a child's main: read the file in chunks, split
 * lines, JSON.parse each one. Returns (prints, as a child) the number of events, header excluded.
 */
const PARSE_ONLY = `
import { createReadStream } from 'node:fs';
import { pathToFileURL } from 'node:url';
export async function parseOnly(file, chunkBytes) {
  let rest = '';
  let parsed = 0;
  for await (const chunk of createReadStream(file, { encoding: 'utf8', highWaterMark: chunkBytes })) {
    const lines = (rest + chunk).split('\\n');
    rest = lines.pop() ?? '';
    for (const line of lines) if (line !== '' && JSON.parse(line)) parsed += 1;
  }
  if (rest !== '' && JSON.parse(rest)) parsed += 1;
  return parsed - 1;
}
if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  console.log(await parseOnly(process.argv[2], Number(process.argv[3])));
}
`;

/** Reports a child's peak RSS on stderr when it exits (loaded with --import). */
const RSS_PROBE =
  "process.on('exit', () => process.stderr.write('\\nmaxrss-kb ' + process.resourceUsage().maxRSS + '\\n'));\n";

/** Runs `node ...args`; returns its stdout and peak RSS. */
async function runChild(args: string[], probe: string) {
  const child = spawn(process.execPath, ['--import', pathToFileURL(probe).href, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => {
    stdout += d.toString();
  });
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const [code] = (await once(child, 'close')) as [number];
  if (code !== 0) throw new Error(`node ${args.join(' ')} exited with ${code}: ${stderr}`);
  const rss = /maxrss-kb (\d+)/.exec(stderr);
  return { stdout, maxRssKb: Number(rss?.[1]) };
}

/** Our path without process start-up, as `pasid replay` takes it: stream -> HistoryLineReader -> Replayer -> document. */
async function replayInProcess(file: string): Promise<number> {
  const reader = new HistoryLineReader();
  const replayer = new Replayer({ policy: POLICY, maxPasid: DEFAULT_MAX_PASID });
  const take = (lines: HistoryLine[]) => {
    for (const line of lines) {
      if ('event' in line && replayer.replay(line.event) !== undefined)
        throw new Error(`line ${line.line} rejected`);
    }
  };
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 16 }))
    take(reader.push(chunk as Buffer));
  take(reader.end());
  return toStateDocument(replayer.state).events;
}

const secs = (seconds: number) => `${seconds.toFixed(2)} s`;

export const replayScenario: Scenario = {
  name: 'replay',
  async run(ctx): Promise<Figure[]> {
    const file = path.join(ctx.tmpDir, 'random-1m.jsonl');
    const probe = path.join(ctx.tmpDir, 'rss-probe.mjs');
    const baselineScript = path.join(ctx.tmpDir, 'parse-only.mjs');
    await writeFile(probe, RSS_PROBE);
    await writeFile(baselineScript, PARSE_ONLY);
    const { parseOnly } = (await import(pathToFileURL(baselineScript).href)) as {
      parseOnly: (file: string, chunkBytes: number) => Promise<number>;
    };
    const bin = path.join(ctx.repoRoot, 'apps/cli/bin/pasid.js');

    ctx.progress(`generating a ${EVENTS.toLocaleString('en-US')}-event valid history`);
    const workload = await writeRandomHistory(file, EVENTS, ctx);
    ctx.progress(`workload (${POLICY}): ${workload}`);

    const best = { base: Infinity, ours: Infinity, baseChild: Infinity, oursChild: Infinity, peakKb: 0 };
    const check = (what: string, events: number) => {
      if (events !== EVENTS) throw new Error(`${what} counted ${events} events, not ${EVENTS}`);
    };
    for (let run = 1; run <= RUNS; run++) {
      ctx.progress(`run ${run}/${RUNS}: in process, JSON.parse baseline then replay`);
      // The baseline gets its best chunk size: 64 KiB (what replay reads) or 1 MiB.
      for (const chunkBytes of [1 << 16, 1 << 20]) {
        const base = await timed(() => parseOnly(file, chunkBytes));
        check('baseline', base.result);
        best.base = Math.min(best.base, base.seconds);
      }
      const ours = await timed(() => replayInProcess(file));
      check('in-process replay', ours.result);
      best.ours = Math.min(best.ours, ours.seconds);

      ctx.progress(`run ${run}/${RUNS}: child processes, node parse-only.mjs then pasid replay --json`);
      const baseChild = await timed(() => runChild([baselineScript, file, String(1 << 16)], probe));
      check('child baseline', Number(baseChild.result.stdout));
      best.baseChild = Math.min(best.baseChild, baseChild.seconds);
      const oursChild = await timed(() => runChild([bin, 'replay', file, '--json'], probe));
      const document = JSON.parse(oursChild.result.stdout) as { events: number; hazards: { code: string }[] };
      if (run === 1) {
        const codes = new Map<string, number>();
        for (const { code } of document.hazards) codes.set(code, (codes.get(code) ?? 0) + 1);
        ctx.progress(`  hazards: ${[...codes].map(([code, n]) => `${code} ${n}`).join(', ')}`);
      }
      check('pasid replay', document.events);
      best.oursChild = Math.min(best.oursChild, oursChild.seconds);
      best.peakKb = Math.max(best.peakKb, oursChild.result.maxRssKb);
      ctx.progress(
        `  in process ${secs(best.base)} vs ${secs(ours.seconds)}; children ${secs(baseChild.seconds)} vs ${secs(oursChild.seconds)}; ${document.hazards.length} hazards`,
      );
    }
    return [
      // The command as a user runs it, start-up and output included; the baseline is a child too.
      compared('replay.events_per_second', EVENTS / best.oursChild, 'events/s', EVENTS / best.baseChild),
      // The same path without process start-up or output, against the in-process baseline.
      compared('replay.in_process_events_per_second', EVENTS / best.ours, 'events/s', EVENTS / best.base),
      absolute('replay.peak_rss', best.peakKb / 1024, 'MB'),
    ];
  },
};
