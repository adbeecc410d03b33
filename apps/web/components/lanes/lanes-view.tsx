'use client';

import type { HazardMark, Lifetimes } from '@pasid/domain';
import { useVirtualizer } from '@tanstack/react-virtual';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import {
  axisTicks,
  clampRange,
  type LaneBar,
  type LaneFilter,
  type LaneRow,
  laneRows,
  zoomRange,
} from '@/lib/replay/lanes';

const ROW_HEIGHT = 24;
const GROUP_HEIGHT = 30;
/** Hazard marks per lane at most: closer marks share one (its title gives the count). */
const MARK_SLOTS = 1200;

/**
 * Lifetime lanes, as Perfetto or KernelShark draw a trace: time (steps) left to right, one lane
 * per PASID value, process, task, open file (with its fd slots), PASID table entry and hazard code.
 * Zoom with the buttons, the keys + and -, or by dragging a range on the axis; filters narrow
 * every group at once.
 */
export function LanesView({
  system,
  lifetimes,
  policy,
  initialFilter,
  initialRange,
}: {
  system: string;
  lifetimes: Lifetimes;
  policy: string;
  initialFilter: LaneFilter;
  initialRange: [number, number] | null;
}) {
  const last = lifetimes.version;
  const [filter, setFilter] = useState<LaneFilter>(initialFilter);
  const [range, setRange] = useState<[number, number]>(() =>
    initialRange ? clampRange(initialRange[0], initialRange[1], last) : [0, last + 1],
  );
  const rows = useMemo(() => laneRows(lifetimes, filter), [lifetimes, filter]);
  const devices = useMemo(() => [...new Set(lifetimes.entries.map((e) => e.device))].sort(), [lifetimes]);
  const codes = useMemo(() => [...new Set(lifetimes.hazards.map((h) => h.code))].sort(), [lifetimes]);

  // The filters and the range are in the URL, so a view is a link.
  useEffect(() => {
    const url = new URL(window.location.href);
    for (const key of ['pid', 'tid', 'pasid', 'device', 'fd', 'code', 'from', 'to'])
      url.searchParams.delete(key);
    for (const [key, value] of Object.entries(filter))
      if (value !== undefined) url.searchParams.set(key, String(value));
    if (range[0] !== 0 || range[1] !== last + 1) {
      url.searchParams.set('from', String(range[0]));
      url.searchParams.set('to', String(range[1]));
    }
    window.history.replaceState(window.history.state, '', url);
  }, [filter, range, last]);

  const zoom = useCallback(
    (factor: number) => setRange((r) => zoomRange(r, factor, (r[0] + r[1]) / 2, last)),
    [last],
  );
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const tag = (e.target as HTMLElement | null)?.tagName;
      if (tag === 'INPUT' || tag === 'SELECT' || tag === 'TEXTAREA') return;
      if (e.key === '+' || e.key === '=') zoom(0.5);
      else if (e.key === '-') zoom(2);
      else if (e.key === '0') setRange([0, last + 1]);
      else return;
      e.preventDefault();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [zoom, last]);

  const setNumber = (key: 'pid' | 'tid' | 'pasid' | 'fd') => (value: string) =>
    setFilter((f) => ({ ...f, [key]: /^\d+$/.test(value.trim()) ? Number(value.trim()) : undefined }));

  return (
    <div className="stack" data-testid="lanes">
      <section className="panel lanes-toolbar">
        <div className="filters">
          <NumberFilter label="pid" value={filter.pid} onChange={setNumber('pid')} />
          <NumberFilter label="tid" value={filter.tid} onChange={setNumber('tid')} />
          <NumberFilter label="PASID" value={filter.pasid} onChange={setNumber('pasid')} />
          {lifetimes.files.length > 0 || filter.fd !== undefined ? (
            <NumberFilter label="fd" value={filter.fd} onChange={setNumber('fd')} />
          ) : null}
          <label className="field">
            <span>device</span>
            <select
              data-testid="filter-device"
              value={filter.device ?? ''}
              onChange={(e) => setFilter((f) => ({ ...f, device: e.currentTarget.value || undefined }))}
            >
              <option value="">any</option>
              {devices.map((d) => (
                <option key={d}>{d}</option>
              ))}
            </select>
          </label>
          <label className="field">
            <span>hazard</span>
            <select
              data-testid="filter-code"
              value={filter.code ?? ''}
              onChange={(e) =>
                setFilter((f) => ({ ...f, code: (e.currentTarget.value || undefined) as LaneFilter['code'] }))
              }
            >
              <option value="">any</option>
              {codes.map((c) => (
                <option key={c}>{c}</option>
              ))}
            </select>
          </label>
          <button type="button" onClick={() => setFilter({})}>
            Clear filters
          </button>
          <span className="lanes-zoom">
            <button type="button" onClick={() => zoom(0.5)} title="Zoom in (+)">
              +
            </button>
            <button type="button" onClick={() => zoom(2)} title="Zoom out (-)">
              −
            </button>
            <button type="button" onClick={() => setRange([0, last + 1])} title="Whole history (0)">
              all
            </button>
            <span className="muted small" data-testid="lanes-range">
              steps {range[0].toLocaleString('en')}–{(range[1] - 1).toLocaleString('en')} of{' '}
              {last.toLocaleString('en')}
            </span>
          </span>
        </div>
        <p className="muted small" style={{ margin: '0.4rem 0 0' }}>
          Under <code>{policy}</code>. Drag on the axis to zoom to a range; <kbd>+</kbd> <kbd>-</kbd> zoom,{' '}
          <kbd>0</kbd> shows it all. A bar starts at the step that began it and ends at the step that ended
          it; click one to open the replay there.
        </p>
      </section>
      <LaneChart system={system} rows={rows} range={range} last={last} onRange={setRange} />
    </div>
  );
}

function NumberFilter({
  label,
  value,
  onChange,
}: {
  label: string;
  value: number | undefined;
  onChange: (value: string) => void;
}) {
  return (
    <label className="field">
      <span>{label}</span>
      <input
        inputMode="numeric"
        size={7}
        data-testid={`filter-${label.toLowerCase()}`}
        defaultValue={value ?? ''}
        onChange={(e) => onChange(e.currentTarget.value)}
      />
    </label>
  );
}

function LaneChart({
  system,
  rows,
  range,
  last,
  onRange,
}: {
  system: string;
  rows: LaneRow[];
  range: [number, number];
  last: number;
  onRange: (range: [number, number]) => void;
}) {
  const parent = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => parent.current,
    estimateSize: (i) => (rows[i]?.kind === 'group' ? GROUP_HEIGHT : ROW_HEIGHT),
    overscan: 10,
  });
  const [from, to] = range;
  const pct = (v: number) => ((v - from) / (to - from)) * 100;
  const replayHref = (at: number) =>
    `/systems/${encodeURIComponent(system)}?at=${Math.min(Math.max(at, 0), last)}`;

  return (
    <section className="panel lanes-panel">
      <Axis range={range} last={last} onRange={onRange} />
      <div ref={parent} className="lanes-scroll" data-testid="lanes-scroll">
        <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
          {virtualizer.getVirtualItems().map((item) => {
            const row = rows[item.index]!;
            const style = {
              position: 'absolute' as const,
              top: item.start,
              left: 0,
              right: 0,
              height: item.size,
            };
            if (row.kind === 'group') {
              return (
                <div key={row.key} className="lane-group" style={style} data-group={row.group}>
                  <strong>{row.label}</strong> <span className="muted small">{row.count} lanes</span>
                </div>
              );
            }
            return (
              <div
                key={row.key}
                className={`lane ${row.nested ? 'nested' : ''}`}
                style={style}
                data-lane={row.key}
                data-group={row.group}
              >
                <div className="lane-label" title={row.label}>
                  {row.label}
                </div>
                <div className="lane-track">
                  {row.bars.map((bar) => (
                    <Bar
                      key={bar.key}
                      bar={bar}
                      from={from}
                      to={to}
                      last={last}
                      pct={pct}
                      href={replayHref(bar.from)}
                    />
                  ))}
                  <Marks marks={row.marks} from={from} to={to} href={replayHref} />
                </div>
              </div>
            );
          })}
        </div>
      </div>
    </section>
  );
}

function Bar({
  bar,
  from,
  to,
  last,
  pct,
  href,
}: {
  bar: LaneBar;
  from: number;
  to: number;
  last: number;
  pct: (v: number) => number;
  href: string;
}) {
  const end = bar.to ?? last + 1;
  if (end <= from || bar.from >= to) return null;
  const left = Math.max(0, pct(bar.from));
  const right = Math.min(100, pct(end));
  return (
    <a
      className={`lane-bar tone-${bar.tone}${bar.to === null ? ' open' : ''}`}
      href={href}
      title={bar.title}
      data-from={bar.from}
      data-to={bar.to ?? ''}
      style={{ left: `${left}%`, width: `max(2px, ${right - left}%)` }}
    >
      {bar.label ? <span>{bar.label}</span> : null}
    </a>
  );
}

function Marks({
  marks,
  from,
  to,
  href,
}: {
  marks: HazardMark[];
  from: number;
  to: number;
  href: (at: number) => string;
}) {
  const pct = (v: number) => ((v - from) / (to - from)) * 100;
  const slots = useMemo(() => {
    const pct = (v: number) => ((v - from) / (to - from)) * 100;
    const out = new Map<number, { first: HazardMark; count: number }>();
    for (const m of marks) {
      if (m.version < from || m.version >= to) continue;
      const slot = Math.floor((pct(m.version + 0.5) / 100) * MARK_SLOTS);
      const hit = out.get(slot);
      if (hit) hit.count += 1;
      else out.set(slot, { first: m, count: 1 });
    }
    return [...out.values()];
  }, [marks, from, to]);
  return (
    <>
      {slots.map(({ first, count }) => (
        <a
          key={`${first.version}:${first.tid ?? ''}:${first.pid ?? ''}`}
          className={`lane-mark code-${first.code}`}
          href={href(first.version)}
          data-version={first.version}
          data-count={count}
          title={
            count > 1
              ? `${count} ${first.code} hazards from step ${first.version}`
              : `${first.code} at step ${first.version}${first.tid !== undefined ? ` tid ${first.tid}` : ''}${first.pid !== undefined ? ` pid ${first.pid}` : ''}${first.device ? ` ${first.device}` : ''}${first.pasid !== undefined ? ` PASID ${first.pasid}` : ''}`
          }
          style={{ left: `${pct(first.version + 0.5)}%` }}
        >
          <span className="visually-hidden">{first.code}</span>
        </a>
      ))}
    </>
  );
}

/** Step numbers along the top; drag across it to zoom to that range. */
function Axis({
  range,
  last,
  onRange,
}: {
  range: [number, number];
  last: number;
  onRange: (range: [number, number]) => void;
}) {
  const [from, to] = range;
  const box = useRef<HTMLDivElement>(null);
  const [drag, setDrag] = useState<{ start: number; end: number } | null>(null);
  const stepAt = (clientX: number) => {
    const r = box.current!.getBoundingClientRect();
    return from + ((clientX - r.left) / r.width) * (to - from);
  };
  const pct = (v: number) => ((v - from) / (to - from)) * 100;
  return (
    <div className="lane axis-row">
      <div className="lane-label muted small">step</div>
      <div
        ref={box}
        className="lane-axis"
        data-testid="lanes-axis"
        onPointerDown={(e) => {
          e.currentTarget.setPointerCapture(e.pointerId);
          const s = stepAt(e.clientX);
          setDrag({ start: s, end: s });
        }}
        onPointerMove={(e) => drag && setDrag({ ...drag, end: stepAt(e.clientX) })}
        onPointerUp={() => {
          if (drag) {
            const a = Math.floor(Math.min(drag.start, drag.end));
            const b = Math.ceil(Math.max(drag.start, drag.end));
            if (b - a >= 2) onRange(clampRange(a, b, last));
          }
          setDrag(null);
        }}
      >
        {axisTicks(from, to).map((t) => (
          <span key={t} className="tick" style={{ left: `${pct(t)}%` }}>
            {t.toLocaleString('en')}
          </span>
        ))}
        {drag ? (
          <span
            className="selection"
            style={{
              left: `${pct(Math.min(drag.start, drag.end))}%`,
              width: `${Math.abs(pct(drag.end) - pct(drag.start))}%`,
            }}
          />
        ) : null}
      </div>
    </div>
  );
}
