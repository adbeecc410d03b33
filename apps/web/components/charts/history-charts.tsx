'use client';

import { useVirtualizer } from '@tanstack/react-virtual';
import { useRouter } from 'next/navigation';
import { useMemo, useRef } from 'react';
import {
  CartesianGrid,
  Line,
  LineChart,
  type MouseHandlerDataParam,
  ReferenceLine,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import type { PasidLine, PasidSeries } from '@/lib/replay/series';

/** Height of one PASID's own chart: one chart per PASID, so no line hides another. */
const ROW_HEIGHT = 96;

/** The count axis's labels: 0, the top, and the middle when it is a whole number apart from both. */
const countTicks = (top: number) =>
  top <= 1 ? [0, 1] : top === 2 ? [0, 1, 2] : [0, Math.round(top / 2), top];

export function HistoryCharts({
  system,
  series,
  policy,
  maxPasid,
  note,
}: {
  system: string;
  series: PasidSeries;
  policy: string;
  maxPasid: number;
  note: string | null;
}) {
  const router = useRouter();
  // The x axis is the version: recharts hands back the hovered point's label (or its index).
  const onClick = (state: MouseHandlerDataParam) => {
    const label = Number(state?.activeLabel);
    const index = Number(state?.activeTooltipIndex);
    const version = Number.isInteger(label) ? label : series.versions[index];
    if (version !== undefined) router.push(`/systems/${encodeURIComponent(system)}?at=${version}`);
  };
  if (series.versions.length <= 1) {
    return <div className="panel empty">Nothing recorded yet: no chart to draw.</div>;
  }
  const peak = Math.max(...series.allocated.map((p) => p.allocated));
  const capacity = maxPasid - 1;
  return (
    <div className="stack" data-testid="charts">
      <p className="muted small">{note ? `${note}. ` : ''}Click a point to open the replay there.</p>
      <section className="panel">
        <div className="panel-title">
          <h2>Allocated PASIDs</h2>
          <span className="muted small" data-testid="pool-usage">
            at most {peak.toLocaleString('en')} of {capacity.toLocaleString('en')} (maxPasid{' '}
            {maxPasid.toLocaleString('en')}, values 1 to {capacity.toLocaleString('en')})
          </span>
        </div>
        <div className="chart-box" data-testid="chart-allocated">
          <ResponsiveContainer width="100%" height="100%">
            <LineChart data={series.allocated} onClick={onClick} style={{ cursor: 'pointer' }}>
              <CartesianGrid strokeDasharray="3 3" stroke="#e3e7ec" />
              <XAxis dataKey="version" type="number" domain={['dataMin', 'dataMax']} allowDecimals={false} />
              <YAxis allowDecimals={false} domain={[0, capacity <= peak * 4 ? capacity : 'auto']} />
              <Tooltip labelFormatter={(v) => `after event ${v}`} />
              {capacity <= peak * 4 ? (
                <ReferenceLine y={capacity} stroke="#c62828" strokeDasharray="4 3" label="pool full" />
              ) : null}
              <Line
                type="stepAfter"
                dataKey="allocated"
                name="allocated PASIDs"
                stroke="#1f5fbf"
                strokeWidth={2}
                dot={series.allocated.length <= 60}
                isAnimationActive={false}
              />
            </LineChart>
          </ResponsiveContainer>
        </div>
      </section>
      <section className="panel">
        <div className="panel-title">
          <h2>Reference count per PASID</h2>
          {series.hasRefcounts ? (
            <span className="muted small" data-testid="refcount-count">
              all {series.lines.length.toLocaleString('en')} PASID values, each in its own chart, in numeric
              order; 0 where it was freed
            </span>
          ) : null}
        </div>
        {series.hasRefcounts ? (
          <RefcountCharts series={series} onClick={onClick} />
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

/** One small chart per PASID value on a shared x axis, virtualized: a long history has thousands. */
function RefcountCharts({
  series,
  onClick,
}: {
  series: PasidSeries;
  onClick: (state: MouseHandlerDataParam) => void;
}) {
  const parent = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({
    count: series.lines.length,
    getScrollElement: () => parent.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 4,
  });
  const top = Math.max(...series.lines.map((l) => l.peak), 1);
  return (
    <div ref={parent} className="refcount-charts" data-testid="chart-refcount">
      <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
        {virtualizer.getVirtualItems().map((item) => {
          const line = series.lines[item.index]!;
          return (
            <div
              key={line.pasid}
              className="refcount-row"
              data-pasid={line.pasid}
              style={{ position: 'absolute', top: item.start, height: ROW_HEIGHT, left: 0, right: 0 }}
            >
              <div className="refcount-label">
                <strong>PASID {line.pasid}</strong>
                <span className="muted small">peak {line.peak}</span>
              </div>
              <RefcountChart line={line} versions={series.versions} top={top} onClick={onClick} />
            </div>
          );
        })}
      </div>
    </div>
  );
}

function RefcountChart({
  line,
  versions,
  top,
  onClick,
}: {
  line: PasidLine;
  versions: number[];
  top: number;
  onClick: (state: MouseHandlerDataParam) => void;
}) {
  const data = useMemo(
    () => versions.map((version, i) => ({ version, count: line.counts[i] })),
    [line, versions],
  );
  return (
    <ResponsiveContainer width="100%" height="100%">
      <LineChart data={data} onClick={onClick} style={{ cursor: 'pointer' }} syncId="refcounts">
        <CartesianGrid strokeDasharray="3 3" stroke="#e3e7ec" />
        <XAxis dataKey="version" type="number" domain={['dataMin', 'dataMax']} allowDecimals={false} hide />
        {/* Explicit ticks: in a row this low the axis would otherwise drop the 0 label, and 0 is
            where a freed PASID's line ends. */}
        <YAxis allowDecimals={false} domain={[0, top]} ticks={countTicks(top)} interval={0} width={30} />
        <Tooltip labelFormatter={(v) => `after event ${v}`} />
        <Line
          type="stepAfter"
          dataKey="count"
          name={`PASID ${line.pasid}`}
          stroke="#1f5fbf"
          strokeWidth={2}
          dot={versions.length <= 60}
          connectNulls={false}
          isAnimationActive={false}
        />
      </LineChart>
    </ResponsiveContainer>
  );
}
