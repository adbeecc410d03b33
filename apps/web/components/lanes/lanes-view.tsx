'use client';

import { useVirtualizer } from '@tanstack/react-virtual';
import { useCallback, useEffect, useRef, useState } from 'react';
import type { LaneBar, LaneMark, LaneRow, LaneWindow } from '@/lib/ledger/types';
import {
  axisTicks,
  clampRange,
  LANE_RESOLUTION,
  LANES_PAGE,
  type LaneFilter,
  zoomRange,
} from '@/lib/replay/lanes';

const ROW_HEIGHT = 24;
const GROUP_HEIGHT = 30;

/** The page's own measure, from a zoom or a filter (or the navigation) to its lanes on screen. */
export const LANES_DRAWN_MEASURE = 'lanes:drawn';

/** What is on screen: the window asked for, its size, and the pages of its rows fetched so far. */
interface Shown {
  filter: LaneFilter;
  range: [number, number];
  window: Omit<LaneWindow, 'rows' | 'offset'>;
  /** Its rows, by page; a page arrives as the lanes scroll to it. */
  pages: Pages;
  /** When its request started (performance.now()); 0 for the server's first render. */
  started: number;
}

const sameFilter = (a: LaneFilter, b: LaneFilter) =>
  (['pid', 'tid', 'pasid', 'device', 'fd', 'code'] as const).every((k) => a[k] === b[k]);

function laneUrl(
  system: string,
  policy: string,
  filter: LaneFilter,
  range: [number, number],
  offset: number,
) {
  const params = new URLSearchParams({
    policy,
    from: String(range[0]),
    to: String(range[1]),
    resolution: String(LANE_RESOLUTION),
    offset: String(offset),
    first: String(LANES_PAGE),
  });
  for (const [key, value] of Object.entries(filter)) if (value !== undefined) params.set(key, String(value));
  return `/api/systems/${encodeURIComponent(system)}/lanes?${params}`;
}

async function fetchWindow(url: string): Promise<LaneWindow> {
  const res = await fetch(url);
  const body = (await res.json()) as LaneWindow | { error: string };
  if (!res.ok || 'error' in body) throw new Error('error' in body ? body.error : `HTTP ${res.status}`);
  return body;
}

/** The rows fetched so far, a page (LANES_PAGE rows) per entry: nothing sized by the whole window. */
type Pages = ReadonlyMap<number, LaneRow[]>;

const withPage = (pages: Pages, page: LaneWindow): Pages =>
  new Map(pages).set(Math.floor(page.offset / LANES_PAGE), page.rows);

const rowAt = (pages: Pages, i: number): LaneRow | undefined =>
  pages.get(Math.floor(i / LANES_PAGE))?.[i % LANES_PAGE];

/**
 * Lifetime lanes, as Perfetto or KernelShark draw a trace: time (steps) left to right, one lane
 * per PASID value, process, task, open file (with its fd slots), PASID table entry and hazard code.
 * Zoom with the buttons, the keys + and -, or by dragging a range on the axis; filters narrow
 * every group at once. Only the window on screen comes from the API (its `lanes` query, through
 * this app's /api route): the lanes with something in the range, a page at a time, bars merged
 * and hazard marks bucketed to about a pixel, so any zoom of any history draws a bounded amount.
 */
export function LanesView({
  system,
  initial,
  policy,
}: {
  system: string;
  initial: { window: LaneWindow; filter: LaneFilter; range: [number, number] };
  policy: string;
}) {
  const last = initial.window.version;
  const [filter, setFilter] = useState<LaneFilter>(initial.filter);
  const [range, setRange] = useState<[number, number]>(initial.range);
  const [shown, setShown] = useState<Shown>(() => ({
    filter: initial.filter,
    range: initial.range,
    window: initial.window,
    pages: withPage(new Map(), initial.window),
    started: 0,
  }));
  const [error, setError] = useState<string | null>(null);
  const latest = useRef(0);

  // A new zoom or filter: ask for its window; only the latest answer is drawn.
  useEffect(() => {
    const ticket = ++latest.current;
    // Back to what is on screen: an answer still on its way is for a view no longer wanted.
    if (sameFilter(filter, shown.filter) && range[0] === shown.range[0] && range[1] === shown.range[1])
      return;
    const started = performance.now();
    fetchWindow(laneUrl(system, policy, filter, range, 0)).then(
      (window) => {
        if (ticket !== latest.current) return;
        setError(null);
        setShown({ filter, range, window, pages: withPage(new Map(), window), started });
      },
      (e: Error) => ticket === latest.current && setError(e.message),
    );
  }, [system, policy, filter, range, shown.filter, shown.range]);

  // The window on screen: close the measure its request (or the navigation) started.
  useEffect(() => {
    performance.measure(LANES_DRAWN_MEASURE, {
      start: shown.started,
      end: performance.now(),
      detail: { from: shown.range[0], to: shown.range[1], rows: shown.window.total },
    });
  }, [shown.started, shown.range, shown.window]);

  // A page of rows scrolled to: fetched for the window on screen.
  const pending = useRef(new Set<string>());
  const loadPage = useCallback(
    (offset: number) => {
      const url = laneUrl(system, policy, shown.filter, shown.range, offset);
      if (pending.current.has(url)) return;
      pending.current.add(url);
      fetchWindow(url).then(
        (page) => {
          pending.current.delete(url);
          setShown((s) =>
            s.filter === shown.filter && s.range === shown.range
              ? { ...s, pages: withPage(s.pages, page) }
              : s,
          );
        },
        (e: Error) => {
          pending.current.delete(url);
          setError(e.message);
        },
      );
    },
    [system, policy, shown.filter, shown.range],
  );

  // The filters and the range drawn are in the URL, so a view is a link.
  useEffect(() => {
    const url = new URL(window.location.href);
    for (const key of ['pid', 'tid', 'pasid', 'device', 'fd', 'code', 'from', 'to'])
      url.searchParams.delete(key);
    for (const [key, value] of Object.entries(shown.filter))
      if (value !== undefined) url.searchParams.set(key, String(value));
    if (shown.range[0] !== 0 || shown.range[1] !== last + 1) {
      url.searchParams.set('from', String(shown.range[0]));
      url.searchParams.set('to', String(shown.range[1]));
    }
    window.history.replaceState(window.history.state, '', url);
  }, [shown.filter, shown.range, last]);

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
  const { devices, codes, hasFiles } = shown.window;

  return (
    <div className="stack" data-testid="lanes">
      <section className="panel lanes-toolbar">
        <div className="filters">
          <NumberFilter label="pid" value={filter.pid} onChange={setNumber('pid')} />
          <NumberFilter label="tid" value={filter.tid} onChange={setNumber('tid')} />
          <NumberFilter label="PASID" value={filter.pasid} onChange={setNumber('pasid')} />
          {hasFiles || filter.fd !== undefined ? (
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
          it; click one to open the replay there. Bars closer than a pixel are drawn as one (its title says
          how many): zoom in to see each.
        </p>
        {error ? (
          <div className="error-box" role="alert">
            Could not load the lanes: {error}
          </div>
        ) : null}
      </section>
      <LaneChart
        system={system}
        pages={shown.pages}
        total={shown.window.total}
        range={range}
        last={last}
        onRange={setRange}
        onMissing={loadPage}
      />
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
  pages,
  total,
  range,
  last,
  onRange,
  onMissing,
}: {
  system: string;
  pages: Pages;
  total: number;
  range: [number, number];
  last: number;
  onRange: (range: [number, number]) => void;
  /** Asks for the page of rows from this index. */
  onMissing: (offset: number) => void;
}) {
  const parent = useRef<HTMLDivElement>(null);
  const estimateSize = useCallback(
    (i: number) => (rowAt(pages, i)?.kind === 'group' ? GROUP_HEIGHT : ROW_HEIGHT),
    [pages],
  );
  const virtualizer = useVirtualizer({
    count: total,
    getScrollElement: () => parent.current,
    estimateSize,
    overscan: 10,
  });
  const items = virtualizer.getVirtualItems();
  // Rows scrolled to that have not come yet: ask for their page.
  const missing = items.find((item) => rowAt(pages, item.index) === undefined)?.index;
  useEffect(() => {
    if (missing !== undefined) onMissing(Math.floor(missing / LANES_PAGE) * LANES_PAGE);
  }, [missing, onMissing]);
  const [from, to] = range;
  const pct = (v: number) => ((v - from) / (to - from)) * 100;
  const replayHref = (at: number) =>
    `/systems/${encodeURIComponent(system)}?at=${Math.min(Math.max(at, 0), last)}`;

  return (
    <section className="panel lanes-panel">
      <Axis range={range} last={last} onRange={onRange} />
      <div ref={parent} className="lanes-scroll" data-testid="lanes-scroll">
        <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
          {items.map((item) => {
            const row = rowAt(pages, item.index);
            const style = {
              position: 'absolute' as const,
              top: item.start,
              left: 0,
              right: 0,
              height: item.size,
            };
            if (row === undefined)
              return <div key={`pending:${item.index}`} className="lane" style={style} />;
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
      data-count={bar.count > 1 ? bar.count : undefined}
      style={{ left: `${left}%`, width: `max(2px, ${right - left}%)` }}
    >
      {bar.label ? <span>{bar.label}</span> : null}
    </a>
  );
}

/** Marks drawn as elements (links, each with its title) up to this many in a lane; more on a canvas. */
const MARK_ELEMENTS = 200;

const markTitle = (m: LaneMark) =>
  m.count > 1
    ? `${m.count.toLocaleString('en')} ${m.code} hazards, steps ${m.version} to ${m.lastVersion}`
    : `${m.code} at step ${m.version}${m.tid !== null ? ` tid ${m.tid}` : ''}${m.pid !== null ? ` pid ${m.pid}` : ''}${m.device ? ` ${m.device}` : ''}${m.pasid !== null ? ` PASID ${m.pasid}` : ''}`;

/**
 * A lane's hazard marks, one per bucket the API made (a step of the window: about two pixels).
 * A few are links; a dense lane (a long history's DMAR faults) is one canvas, whose click opens
 * the replay at the nearest mark: thousands of elements would cost more to draw than the rest.
 */
function Marks({
  marks,
  from,
  to,
  href,
}: {
  marks: LaneMark[];
  from: number;
  to: number;
  href: (at: number) => string;
}) {
  const pct = (v: number) => ((v - from) / (to - from)) * 100;
  const shown = marks.filter((m) => m.version >= from && m.version < to);
  if (shown.length > MARK_ELEMENTS) return <MarkCanvas marks={shown} from={from} to={to} href={href} />;
  return (
    <>
      {shown.map((m) => (
        <a
          key={`${m.version}:${m.tid ?? ''}:${m.pid ?? ''}`}
          className={`lane-mark code-${m.code}`}
          href={href(m.version)}
          data-version={m.version}
          data-count={m.count}
          title={markTitle(m)}
          style={{ left: `${pct(m.version + 0.5)}%` }}
        >
          <span className="visually-hidden">{m.code}</span>
        </a>
      ))}
    </>
  );
}

function MarkCanvas({
  marks,
  from,
  to,
  href,
}: {
  marks: LaneMark[];
  from: number;
  to: number;
  href: (at: number) => string;
}) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const code = marks[0]!.code;
  useEffect(() => {
    const c = canvas.current;
    if (!c) return;
    const width = c.clientWidth;
    const height = c.clientHeight;
    c.width = width;
    c.height = height;
    const ctx = c.getContext('2d');
    if (!ctx) return;
    // The colour of the code's marks, from the stylesheet (.lane-mark.code-X).
    ctx.fillStyle = getComputedStyle(c).color;
    for (const m of marks)
      ctx.fillRect(Math.round(((m.version + 0.5 - from) / (to - from)) * width) - 1, 0, 3, height);
  }, [marks, from, to]);
  const nearest = (clientX: number) => {
    const r = canvas.current!.getBoundingClientRect();
    const at = from + ((clientX - r.left) / r.width) * (to - from);
    let best = marks[0]!;
    for (const m of marks) if (Math.abs(m.version - at) < Math.abs(best.version - at)) best = m;
    return best;
  };
  return (
    <canvas
      ref={canvas}
      className={`lane-marks code-${code}`}
      data-count={marks.reduce((n, m) => n + m.count, 0)}
      aria-label={`${marks.reduce((n, m) => n + m.count, 0).toLocaleString('en')} ${code} hazards`}
      onMouseMove={(e) => {
        e.currentTarget.title = markTitle(nearest(e.clientX));
      }}
      onClick={(e) => {
        window.location.assign(href(nearest(e.clientX).version));
      }}
    />
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
