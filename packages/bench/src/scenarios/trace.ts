import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { absolute, type BenchContext, compared, type Figure, type Scenario } from '../scenario.js';

const LINES = 1_000_000;
const RUNS = 2;

/**
 * A `perf script` capture of `count` lines in perf's default layout: processes that fork, exec,
 * start a thread whose first ENQCMD is fixed up (write_msr 0xd93), and exit, among the other
 * MSR writes a real capture of msr:write_msr is mostly made of (the TSC deadline timer, 0x6e0).
 */
export async function writePerfScript(file: string, count: number, ctx?: BenchContext): Promise<void> {
  const out = createWriteStream(file);
  let batch = '';
  let written = 0;
  let t = 1000;
  let next = 100_000;
  const line = (comm: string, tid: number, cpu: number, event: string, fields: string) => {
    t += 0.000003;
    batch += `${comm.padStart(16)} ${String(tid).padStart(6)} [${String(cpu).padStart(3, '0')}] ${t.toFixed(6)}: ${event.padStart(24)}: ${fields}\n`;
    written += 1;
  };
  while (written < count) {
    const pid = next;
    const thread = next + 1;
    next += 2;
    if (next > 4_000_000) next = 100_000; // pids wrap, as the kernel's do
    line('bash', 500, 0, 'task:task_newtask', `pid=${pid} comm=bash clone_flags=1200011 oom_score_adj=0`);
    line(
      'dsa-app',
      pid,
      1,
      'sched:sched_process_exec',
      `filename=/usr/bin/dsa-app pid=${pid} old_pid=${pid}`,
    );
    line(
      'dsa-app',
      pid,
      1,
      'task:task_newtask',
      `pid=${thread} comm=dsa-app clone_flags=3d0f00 oom_score_adj=0`,
    );
    for (let i = 0; i < 6; i++)
      line('swapper/2', 0, 2, 'msr:write_msr', `6e0, value ${(39_000_000 + written).toString(16)}`);
    line('dsa-app', thread, 3, 'msr:write_msr', 'd93, value 80000001');
    line(
      'dsa-app',
      thread,
      3,
      'sched:sched_process_exit',
      `comm=dsa-app pid=${thread} prio=120 group_dead=false`,
    );
    line('dsa-app', pid, 1, 'sched:sched_process_exit', `comm=dsa-app pid=${pid} prio=120 group_dead=true`);
    if (batch.length > 1 << 20) {
      if (!out.write(batch)) await once(out, 'drain');
      batch = '';
    }
    if (ctx && written % 250_000 < 12) ctx.progress(`generated ${written.toLocaleString('en-US')} lines`);
  }
  out.end(batch);
  await once(out, 'finish');
}

/**
 * The raw floor, as a child's main: read the file in 1 MiB chunks, split lines, RegExp.exec each
 * with perf script's line pattern (the least a reader of this format does). Prints lines matched.
 */
const SPLIT_AND_MATCH = `
import { createReadStream } from 'node:fs';
const LINE = /^\\s*(.*?)\\s+(\\d+)(?:\\/(\\d+))?\\s+\\[(\\d+)\\]\\s+(\\d+\\.\\d+):\\s+(?:\\d+\\s+)?([\\w:.-]+):\\s*(.*)$/;
let rest = '';
let matched = 0;
for await (const chunk of createReadStream(process.argv[2], { encoding: 'utf8', highWaterMark: 1 << 20 })) {
  const lines = (rest + chunk).split('\\n');
  rest = lines.pop() ?? '';
  for (const line of lines) if (LINE.exec(line)) matched += 1;
}
console.log(matched);
`;

const RSS_PROBE =
  "process.on('exit', () => process.stderr.write('\\nmaxrss-kb ' + process.resourceUsage().maxRSS + '\\n'));\n";

async function runChild(args: string[], probe: string) {
  const start = process.hrtime.bigint();
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
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (code !== 0) throw new Error(`node ${args.join(' ')} exited with ${code}: ${stderr}`);
  const rss = /maxrss-kb (\d+)/.exec(stderr);
  return { stdout, stderr, seconds, maxRssKb: Number(rss?.[1]) };
}

export const traceScenario: Scenario = {
  name: 'trace',
  async run(ctx): Promise<Figure[]> {
    const file = path.join(ctx.tmpDir, 'perf-1m.txt');
    const probe = path.join(ctx.tmpDir, 'rss-probe.mjs');
    const baseline = path.join(ctx.tmpDir, 'split-and-match.mjs');
    const history = path.join(ctx.tmpDir, 'history.jsonl');
    await writeFile(probe, RSS_PROBE);
    await writeFile(baseline, SPLIT_AND_MATCH);
    const bin = path.join(ctx.repoRoot, 'apps/cli/bin/pasid.js');
    ctx.progress(`generating a ${LINES.toLocaleString('en-US')}-line perf script capture`);
    await writePerfScript(file, LINES, ctx);

    let best = { base: Infinity, ours: Infinity, rss: 0 };
    for (let run = 1; run <= RUNS; run++) {
      ctx.progress(`run ${run}/${RUNS}: split + RegExp.exec`);
      const base = await runChild([baseline, file], probe);
      if (Number(base.stdout) < LINES) throw new Error(`the baseline matched only ${base.stdout} lines`);
      ctx.progress(`run ${run}/${RUNS}: pasid trace`);
      const ours = await runChild([bin, 'trace', file, '--out', history], probe);
      if (!/1000\d{3} lines read/.test(ours.stderr)) throw new Error(`pasid trace: ${ours.stderr}`);
      best = {
        base: Math.min(best.base, base.seconds),
        ours: Math.min(best.ours, ours.seconds),
        rss: Math.max(best.rss, ours.maxRssKb),
      };
    }
    const actual = (await import('node:fs')).readFileSync(history, 'utf8').split('\n').length - 2;
    ctx.progress(`pasid trace wrote ${actual.toLocaleString('en-US')} events`);
    return [
      compared('trace.lines_per_second', LINES / best.ours, 'lines/s', LINES / best.base),
      absolute('trace.peak_rss', best.rss / 1024, 'MB'),
    ];
  },
};
