'use client';

import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useRef } from 'react';
import { describeEvent, type TimelineEvent } from '@/lib/replay/timeline';
import { useTimelineBlocks } from './use-timeline-blocks';

const SETTLE_MS = 250;

/** The input events, derived events folded under each, hazards marked; row 0 is the empty start. */
export function Timeline({
  system,
  version,
  selected,
  initialEvents,
  onSelect,
}: {
  system: string;
  version: number;
  selected: number;
  initialEvents: TimelineEvent[];
  onSelect: (version: number) => void;
}) {
  const parent = useRef<HTMLDivElement>(null);
  const { steps, ensure, error } = useTimelineBlocks(system, version, initialEvents);
  const virtualizer = useVirtualizer({
    count: version + 1,
    getScrollElement: () => parent.current,
    estimateSize: () => 64,
    overscan: 12,
  });
  const items = virtualizer.getVirtualItems();
  const firstVisible = items[0]?.index ?? 0;
  const lastVisible = items[items.length - 1]?.index ?? 0;

  // Load the rows in view once the list settles: while the scrubber flies over a long history the
  // state requests go first, and no block is fetched for a place only passed through.
  useEffect(() => {
    const timer = setTimeout(() => ensure(firstVisible, lastVisible), SETTLE_MS);
    return () => clearTimeout(timer);
  }, [ensure, firstVisible, lastVisible]);

  // Keep the selected step in view as it moves (keys, play, scrubber).
  // Once the position settles: a scrub across a long history does not drag the list along.
  useEffect(() => {
    const timer = setTimeout(() => {
      const el = parent.current;
      const item = virtualizer.getVirtualItems().find((i) => i.index === selected);
      const visible = el && item && item.start >= el.scrollTop && item.end <= el.scrollTop + el.clientHeight;
      if (!visible) virtualizer.scrollToIndex(selected, { align: 'center' });
    }, SETTLE_MS);
    return () => clearTimeout(timer);
  }, [selected, virtualizer]);

  return (
    <div>
      {error ? <div className="error-box small">Timeline: {error}</div> : null}
      <div ref={parent} className="timeline" data-testid="timeline">
        <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
          {items.map((item) => {
            const v = item.index;
            const step = steps.get(v);
            const hazard = step !== undefined && step.hazards.length > 0;
            const classes = [
              'timeline-row',
              v === selected ? 'selected' : '',
              v > selected ? 'future' : '',
              hazard ? 'has-hazard' : '',
            ]
              .filter(Boolean)
              .join(' ');
            return (
              // biome-ignore lint/a11y/useSemanticElements: a virtualized row cannot be a <button> holding a list
              <div
                key={item.key}
                data-index={item.index}
                data-version={v}
                ref={virtualizer.measureElement}
                className={classes}
                style={{ transform: `translateY(${item.start}px)` }}
                onClick={() => onSelect(v)}
                onKeyDown={(e) => {
                  if (e.key === 'Enter') onSelect(v);
                }}
                role="button"
                tabIndex={-1}
                aria-current={v === selected ? 'step' : undefined}
              >
                {v === 0 ? (
                  <div className="input-line">
                    <span className="version">0</span>
                    <span className="muted">start: nothing recorded yet</span>
                  </div>
                ) : step?.input ? (
                  <>
                    <div className="input-line">
                      <span className="version">{v}</span>
                      <span className="type">{step.input.type}</span>
                      <span>{describeEvent(step.input.type, step.input.data)}</span>
                      {step.hazards.map((code) => (
                        <span key={code} className="badge hazard">
                          {code}
                        </span>
                      ))}
                      {v === selected ? (
                        <a
                          className="small event-link"
                          href={`/systems/${encodeURIComponent(system)}/events/${v}`}
                          onClick={(e) => e.stopPropagation()}
                          data-testid="event-details"
                          title="raw JSON, ids, correlation and causation, derived events"
                        >
                          details
                        </a>
                      ) : null}
                    </div>
                    {step.derived.length > 0 ? (
                      <ul className="derived">
                        {step.derived.map((d) => (
                          <li key={d.index} className={d.type === 'HazardDetected' ? 'hazard' : undefined}>
                            ↳ {describeEvent(d.type, d.data)}
                          </li>
                        ))}
                      </ul>
                    ) : null}
                  </>
                ) : (
                  <div className="input-line">
                    <span className="version">{v}</span>
                    <span className="muted">…</span>
                  </div>
                )}
              </div>
            );
          })}
        </div>
      </div>
    </div>
  );
}
