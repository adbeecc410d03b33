'use client';

import { useRouter } from 'next/navigation';
import {
  CartesianGrid,
  Legend,
  Line,
  LineChart,
  type MouseHandlerDataParam,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import type { PasidSeries } from '@/lib/replay/series';

const COLORS = [
  '#1f5fbf',
  '#c62828',
  '#2e7d32',
  '#ef6c00',
  '#6a1b9a',
  '#00838f',
  '#ad1457',
  '#5d4037',
  '#455a64',
  '#9e9d24',
  '#283593',
  '#00695c',
];

export function HistoryCharts({
  system,
  series,
  policy,
  note,
}: {
  system: string;
  series: PasidSeries;
  policy: string;
  note: string | null;
}) {
  const router = useRouter();
  // The x axis is the version: recharts hands back the hovered point's label (or its index).
  const onClick = (state: MouseHandlerDataParam) => {
    const label = Number(state?.activeLabel);
    const index = Number(state?.activeTooltipIndex);
    const version = Number.isInteger(label) ? label : series.points[index]?.version;
    if (version !== undefined) router.push(`/systems/${encodeURIComponent(system)}?at=${version}`);
  };
  if (series.points.length <= 1) {
    return <div className="panel empty">Nothing recorded yet: no chart to draw.</div>;
  }
  return (
    <div className="stack" data-testid="charts">
      {note ? (
        <p className="muted small">{note}. Click a point to open the replay there.</p>
      ) : (
        <p className="muted small">Click a point to open the replay there.</p>
      )}
      <section className="panel">
        <h2>Allocated PASIDs</h2>
        <div className="chart-box" data-testid="chart-allocated">
          <ResponsiveContainer width="100%" height="100%">
            <LineChart data={series.points} onClick={onClick} style={{ cursor: 'pointer' }}>
              <CartesianGrid strokeDasharray="3 3" stroke="#e3e7ec" />
              <XAxis dataKey="version" type="number" domain={['dataMin', 'dataMax']} allowDecimals={false} />
              <YAxis allowDecimals={false} />
              <Tooltip labelFormatter={(v) => `after event ${v}`} />
              <Line
                type="stepAfter"
                dataKey="allocated"
                name="allocated PASIDs"
                stroke="#1f5fbf"
                strokeWidth={2}
                dot={series.points.length <= 60}
                isAnimationActive={false}
              />
            </LineChart>
          </ResponsiveContainer>
        </div>
      </section>
      <section className="panel">
        <h2>Reference count per PASID</h2>
        {series.hasRefcounts ? (
          <div className="chart-box" data-testid="chart-refcount">
            <ResponsiveContainer width="100%" height="100%">
              <LineChart data={series.points} onClick={onClick} style={{ cursor: 'pointer' }}>
                <CartesianGrid strokeDasharray="3 3" stroke="#e3e7ec" />
                <XAxis
                  dataKey="version"
                  type="number"
                  domain={['dataMin', 'dataMax']}
                  allowDecimals={false}
                />
                <YAxis allowDecimals={false} />
                <Tooltip labelFormatter={(v) => `after event ${v}`} />
                <Legend />
                {series.pasids.map((p, i) => (
                  <Line
                    key={p}
                    type="stepAfter"
                    dataKey={`p${p}`}
                    name={`PASID ${p}`}
                    stroke={COLORS[i % COLORS.length]}
                    strokeWidth={2}
                    dot={series.points.length <= 60}
                    connectNulls={false}
                    isAnimationActive={false}
                  />
                ))}
              </LineChart>
            </ResponsiveContainer>
          </div>
        ) : (
          <p className="muted">
            Under <code>{policy}</code> a PASID has no reference count (only <code>LAZY_REFCOUNT</code> counts
            references).
          </p>
        )}
      </section>
    </div>
  );
}
