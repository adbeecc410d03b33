import Table from 'cli-table3';
import type { Figure } from './scenario.js';

function formatNumber(value: number | null): string {
  if (value === null) return '-';
  if (Math.abs(value) >= 1000) return Math.round(value).toLocaleString('en-US');
  return value.toPrecision(3);
}

/** The figures as a table a person reads at a glance. */
export function formatFigures(figures: readonly Figure[]): string {
  const table = new Table({ head: ['figure', 'value', 'unit', 'baseline', 'ratio'] });
  for (const f of figures) {
    table.push([
      f.name,
      formatNumber(f.value),
      f.unit,
      formatNumber(f.baseline),
      f.ratio === null ? '-' : f.ratio.toFixed(2),
    ]);
  }
  return table.toString();
}

/** Units where less is better (latencies); every other figure is a rate, where more is. */
const LOWER_IS_BETTER = new Set(['ms', 's', 'bytes', 'MB']);

/**
 * One line per `store.*` figure: whether it is ahead of its Emmett twin (`<name>.emmett`,
 * measured in the same run against the same raw baseline), behind, or has no twin.
 */
export function emmettVerdicts(figures: readonly Figure[]): string[] {
  const byName = new Map(figures.map((f) => [f.name, f]));
  const lines: string[] = [];
  for (const f of figures) {
    if (!f.name.startsWith('store.') || f.name.endsWith('.emmett')) continue;
    const twin = byName.get(`${f.name}.emmett`);
    if (!twin) {
      lines.push(`${f.name}: no Emmett twin`);
      continue;
    }
    const lower = LOWER_IS_BETTER.has(f.unit);
    const ahead = lower ? f.value <= twin.value : f.value >= twin.value;
    const ratio = (x: Figure) => (x.ratio === null ? '-' : x.ratio.toFixed(2));
    lines.push(
      `${f.name}: ${ahead ? 'ahead of' : 'BEHIND'} Emmett (ours ${formatNumber(f.value)} ${f.unit}, ratio ${ratio(f)}; Emmett ${formatNumber(twin.value)} ${twin.unit}, ratio ${ratio(twin)}${lower ? '; lower is better' : ''})`,
    );
  }
  return lines;
}
