import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createReadStream, createWriteStream } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { DEFAULT_MAX_PASID, formatHistoryEvent, formatHistoryHeader, generateHistory } from '@pasid/domain';
import { absolute, type BenchContext, compared, type Figure, type Scenario, timed } from '../scenario.js';

const EVENTS = 1_000_000;
const RUNS = 2;

/** Writes a random valid history (every event accepted by `decide`) of `count` events. */
async function writeRandomHistory(file: string, count: number, ctx: BenchContext): Promise<void> {
  const out = createWriteStream(file);
  const policy = 'LAZY_REFCOUNT';
  out.write(`${formatHistoryHeader({ system: 'bench-random', policy, maxPasid: DEFAULT_MAX_PASID })}\n`);
  const events = generateHistory({ policy, maxPasid: DEFAULT_MAX_PASID, seed: 20261124 });
  let batch = '';
  for (let i = 1; i <= count; i++) {
    batch += `${formatHistoryEvent(events.next().value)}\n`;
    if (i % 10_000 === 0) {
      if (!out.write(batch)) await once(out, 'drain');
      batch = '';
    }
    if (i % 250_000 === 0) ctx.progress(`generated ${i.toLocaleString('en-US')} events`);
  }
  out.end(batch);
  await once(out, 'finish');
}

/** The raw floor: read the file in chunks, split lines, JSON.parse each one. */
async function parseOnly(file: string): Promise<number> {
  let rest = '';
  let parsed = 0;
  for await (const chunk of createReadStream(file, { encoding: 'utf8', highWaterMark: 1 << 20 })) {
    const lines = (rest + chunk).split('\n');
    rest = lines.pop() ?? '';
    for (const line of lines) if (line !== '' && JSON.parse(line)) parsed += 1;
  }
  if (rest !== '' && JSON.parse(rest)) parsed += 1;
  return parsed - 1; // the header is not an event
}

/** `pasid replay FILE --json` in a child process; the probe reports the child's peak RSS. */
async function replayInChild(ctx: BenchContext, file: string, probe: string) {
  const bin = path.join(ctx.repoRoot, 'apps/cli/bin/pasid.js');
  const child = spawn(
    process.execPath,
    ['--import', pathToFileURL(probe).href, bin, 'replay', file, '--json'],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => {
    stdout += d.toString();
  });
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const [code] = (await once(child, 'close')) as [number];
  if (code !== 0) throw new Error(`pasid replay exited with ${code}: ${stderr}`);
  const rss = /maxrss-kb (\d+)/.exec(stderr);
  const document = JSON.parse(stdout) as { events: number; hazards: unknown[] };
  return { events: document.events, hazards: document.hazards.length, maxRssKb: Number(rss?.[1]) };
}

export const replayScenario: Scenario = {
  name: 'replay',
  async run(ctx): Promise<Figure[]> {
    const file = path.join(ctx.tmpDir, 'random-1m.jsonl');
    const probe = path.join(ctx.tmpDir, 'rss-probe.mjs');
    await writeFile(
      probe,
      "process.on('exit', () => process.stderr.write('\\nmaxrss-kb ' + process.resourceUsage().maxRSS + '\\n'));\n",
    );
    ctx.progress(`generating a ${EVENTS.toLocaleString('en-US')}-event valid history`);
    await writeRandomHistory(file, EVENTS, ctx);

    let baselineSeconds = Number.POSITIVE_INFINITY;
    let oursSeconds = Number.POSITIVE_INFINITY;
    let peakKb = 0;
    for (let run = 1; run <= RUNS; run++) {
      ctx.progress(`run ${run}/${RUNS}: JSON.parse baseline`);
      const base = await timed(() => parseOnly(file));
      if (base.result !== EVENTS) throw new Error(`baseline parsed ${base.result} events`);
      baselineSeconds = Math.min(baselineSeconds, base.seconds);
      ctx.progress(`run ${run}/${RUNS}: pasid replay --json`);
      const ours = await timed(() => replayInChild(ctx, file, probe));
      if (ours.result.events !== EVENTS) throw new Error(`replay counted ${ours.result.events} events`);
      oursSeconds = Math.min(oursSeconds, ours.seconds);
      peakKb = Math.max(peakKb, ours.result.maxRssKb);
      ctx.progress(
        `  baseline ${base.seconds.toFixed(2)} s, replay ${ours.seconds.toFixed(2)} s, ${ours.result.hazards} hazards`,
      );
    }
    return [
      compared('replay.events_per_second', EVENTS / oursSeconds, 'events/s', EVENTS / baselineSeconds),
      absolute('replay.peak_rss', peakKb / 1024, 'MB'),
    ];
  },
};
