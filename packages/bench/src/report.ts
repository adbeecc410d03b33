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
