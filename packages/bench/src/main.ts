import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { emmettVerdicts, formatFigures } from './report.js';
import type { Figure } from './scenario.js';
import { scenarios } from './scenarios/index.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

async function main(): Promise<number> {
  const { values } = parseArgs({ options: { only: { type: 'string' } } });
  // An exact name picks that scenario alone (`--only replay` is not also `web-replay`).
  const exact = scenarios.filter((s) => s.name === values.only);
  const chosen =
    exact.length > 0
      ? exact
      : scenarios.filter((s) => values.only === undefined || s.name.includes(values.only));
  if (chosen.length === 0) {
    process.stderr.write(
      `bench: no scenario matches "${values.only}" (have: ${scenarios.map((s) => s.name).join(', ')})\n`,
    );
    return 1;
  }
  const all: Figure[] = [];
  for (const scenario of chosen) {
    const tmpDir = await mkdtemp(path.join(tmpdir(), `pasid-bench-${scenario.name}-`));
    const progress = (message: string) => process.stderr.write(`[${scenario.name}] ${message}\n`);
    try {
      progress('starting');
      const figures = await scenario.run({ repoRoot, tmpDir, progress });
      process.stdout.write(`\n${scenario.name}\n${formatFigures(figures)}\n`);
      all.push(...figures);
    } finally {
      await rm(tmpDir, { recursive: true, force: true });
    }
  }
  const verdicts = emmettVerdicts(all);
  if (verdicts.length > 0)
    process.stdout.write(`\nagainst Emmett (same run, same raw baseline)\n${verdicts.join('\n')}\n`);
  const out = path.join(repoRoot, 'bench-results.json');
  // With --only, figures of the scenarios not run are kept from the previous run.
  const kept =
    values.only === undefined
      ? []
      : (await previousFigures(out)).filter((f) => !all.some((a) => a.name === f.name));
  await writeFile(out, `${JSON.stringify([...kept, ...all], null, 2)}\n`);
  process.stderr.write(`bench: ${all.length} figures written to ${out}\n`);
  return 0;
}

async function previousFigures(file: string): Promise<Figure[]> {
  try {
    const value: unknown = JSON.parse(await readFile(file, 'utf8'));
    return Array.isArray(value) ? (value as Figure[]) : [];
  } catch {
    return [];
  }
}

process.exitCode = await main();
