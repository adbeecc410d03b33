/** The audit filter in a URL's query (so a filtered view is a link), and back. */
import type { EventFilter, EventKind } from './types';

type Params = Record<string, string | string[] | undefined>;

const one = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v)?.trim() || undefined;

/** A datetime-local value (no zone) or an ISO time, as ISO; undefined when not a time. */
function isoTime(v: string | undefined): string | undefined {
  if (!v) return undefined;
  const withZone = /[zZ]|[+-]\d\d:\d\d$/.test(v) ? v : `${v}Z`;
  const t = new Date(withZone);
  return Number.isNaN(t.getTime()) ? undefined : t.toISOString();
}

export function filterFromParams(params: Params): EventFilter {
  const types = one(params.type)
    ?.split(',')
    .map((t) => t.trim())
    .filter(Boolean);
  const kind = one(params.kind)?.toUpperCase();
  return {
    system: one(params.system),
    types: types && types.length > 0 ? types : undefined,
    kind: kind === 'INPUT' || kind === 'DERIVED' ? (kind as EventKind) : undefined,
    actor: one(params.actor),
    correlationId: one(params.correlation),
    from: isoTime(one(params.from)),
    to: isoTime(one(params.to)),
  };
}

export function filterToParams(filter: EventFilter): URLSearchParams {
  const out = new URLSearchParams();
  if (filter.system) out.set('system', filter.system);
  if (filter.types?.length) out.set('type', filter.types.join(','));
  if (filter.kind) out.set('kind', filter.kind);
  if (filter.actor) out.set('actor', filter.actor);
  if (filter.correlationId) out.set('correlation', filter.correlationId);
  if (filter.from) out.set('from', filter.from);
  if (filter.to) out.set('to', filter.to);
  return out;
}
