/**
 * The web app's only door to the ledger API. Server code (pages, route handlers, Server Actions)
 * calls these functions; they speak GraphQL and return the UI's types.
 */
import { cache } from 'react';
import type { TimelineEvent } from '../replay/timeline';
import { requestKey } from '../session';
import { LedgerError, ledgerFetch, ledgerFetchText } from './client';
import type {
  PasidsStateFieldsFragment,
  StateFieldsFragment,
  StepStateFieldsFragment,
  ViewerQuery,
} from './generated/graphql';
import type { LogPosition } from './log-position';
import {
  toDivergence,
  toHazardEntry,
  toLedgerEvent,
  toLedgerState,
  toSystemSummary,
  toTimelineEvent,
} from './mappers';
import { createSystemMutation, importHistoryMutation } from './mutations';
import {
  divergenceQuery,
  exportQuery,
  freedQuery,
  hazardsQuery,
  inputsQuery,
  lanesQuery,
  logQuery,
  stateQuery,
  statesQuery,
  stepEventsQuery,
  systemQuery,
  systemsQuery,
  verifyQuery,
  viewerQuery,
} from './queries';
import type {
  Divergence,
  EventFilter,
  EventPage,
  FreedEntry,
  HazardEntry,
  ImportResult,
  KeyRole,
  LaneBar,
  LaneFilter,
  LaneGroup,
  LaneWindow,
  LedgerEvent,
  LedgerState,
  Policy,
  SystemSummary,
  VerifyResult,
  Viewer,
} from './types';

export { LedgerError, LedgerUnavailableError } from './client';
export { exportHistoryStream, importHistoryStream } from './history';
export type * from './types';
export { canWrite, POLICY_NAMES } from './types';

export async function getSystems(): Promise<SystemSummary[]> {
  const data = await ledgerFetch(systemsQuery);
  return data.systems.map(toSystemSummary).sort((a, b) => a.name.localeCompare(b.name));
}

/** One system's summary; deduplicated within a request (the layout and the page both ask). */
export const getSystem = cache(async (name: string): Promise<SystemSummary | null> => {
  try {
    const data = await ledgerFetch(systemQuery, { name });
    return data.system ? toSystemSummary(data.system) : null;
  } catch (error) {
    // The API answers an unknown name with NOT_FOUND: the pages turn null into a 404.
    if (error instanceof LedgerError && error.code === 'NOT_FOUND') return null;
    throw error;
  }
});

/** The state after input event `at` (the latest when absent), under `policy` when given (what-if). */
export async function getState(name: string, at?: number, policy?: Policy): Promise<LedgerState> {
  const data = await ledgerFetch(stateQuery, { name, at, policy });
  if (!data.system) throw new LedgerError(`no system named "${name}"`, 'NOT_FOUND');
  return toLedgerState(data.system.state);
}

/**
 * Every hazard of a system's history, in order (those of its latest state): as recorded, or
 * under `policy` when given (what-if).
 */
export async function getHazards(name: string, policy?: Policy): Promise<HazardEntry[]> {
  const data = await ledgerFetch(hazardsQuery, { name, policy });
  if (!data.system) throw new LedgerError(`no system named "${name}"`, 'NOT_FOUND');
  return data.system.state.hazards.map(toHazardEntry);
}

/**
 * The states at each of `versions`, in one request. With `hazards: false` the states come without
 * their hazards (empty lists): a long history has thousands, and they never change once recorded,
 * so the replay takes them once and picks those up to each step itself.
 */
export async function getStates(
  name: string,
  versions: readonly number[],
  policy?: Policy,
  options: { hazards: boolean } = { hazards: true },
): Promise<LedgerState[]> {
  if (versions.length === 0) return [];
  const variables: Record<string, unknown> = { name, policy };
  versions.forEach((v, i) => {
    variables[`at${i}`] = v;
  });
  const data = await ledgerFetchText<{
    system: Record<string, StateFieldsFragment | StepStateFieldsFragment> | null;
  }>(statesQuery(versions.length, options.hazards ? 'full' : 'step'), variables);
  if (!data.system) throw new LedgerError(`no system named "${name}"`, 'NOT_FOUND');
  const system = data.system;
  return versions.map((_, i) => toLedgerState(system[`s${i}`]!));
}

/** The state at `at` and the one before it (to show what this step changed). */
export async function getStatePair(
  name: string,
  at: number,
  policy?: Policy,
  options: { hazards: boolean } = { hazards: true },
): Promise<{ state: LedgerState; previous: LedgerState | null }> {
  if (at <= 0) return { state: (await getStates(name, [0], policy, options))[0]!, previous: null };
  const [previous, state] = await getStates(name, [at - 1, at], policy, options);
  return { state: state!, previous: previous! };
}

/** Refcount and allocation series: a light state (PASIDs only) at each version. */
export async function getPasidSeries(
  name: string,
  versions: readonly number[],
  policy?: Policy,
): Promise<{ version: number; pasids: { pasid: number; pid: number; refcount: number | null }[] }[]> {
  if (versions.length === 0) return [];
  const variables: Record<string, unknown> = { name, policy };
  versions.forEach((v, i) => {
    variables[`at${i}`] = v;
  });
  const data = await ledgerFetchText<{ system: Record<string, PasidsStateFieldsFragment> | null }>(
    statesQuery(versions.length, 'pasids'),
    variables,
  );
  if (!data.system) throw new LedgerError(`no system named "${name}"`, 'NOT_FOUND');
  const system = data.system;
  return versions.map((_, i) => ({ version: system[`s${i}`]!.events, pasids: system[`s${i}`]!.pasids }));
}

/** Events per request when reading a range of versions: the API's default page limit. */
const RANGE_PAGE = 1000;

/**
 * The events of input versions `fromVersion..toVersion` (inclusive), input and derived, in log
 * order: the API's version range (`events(fromVersion, toVersion)`), a page at a time.
 */
export async function getStream(
  name: string,
  fromVersion: number,
  toVersion: number,
): Promise<TimelineEvent[]> {
  const out: TimelineEvent[] = [];
  let after: string | undefined;
  for (;;) {
    const data = await ledgerFetch(inputsQuery, {
      name,
      from: fromVersion,
      to: toVersion,
      after,
      first: Math.min(RANGE_PAGE, toVersion - fromVersion + 1),
    });
    for (const input of data.events.nodes)
      out.push(toTimelineEvent(input), ...(input.derived ?? []).map(toTimelineEvent));
    const { hasNextPage, endCursor } = data.events.pageInfo;
    if (!hasNextPage || endCursor === null) return out;
    after = endCursor;
  }
}

/** Freed PASIDs read per page; a long history frees thousands. */
const FREED_PAGE = 1000;
const FREED_LIMIT = 50_000;

/** Every PASID freed in a system, in order: the value, its holder and the step that freed it. */
export async function getFreed(name: string): Promise<FreedEntry[]> {
  const out: FreedEntry[] = [];
  let after: string | undefined;
  while (out.length < FREED_LIMIT) {
    const data = await ledgerFetch(freedQuery, { name, after, first: FREED_PAGE });
    for (const node of data.events.nodes) {
      const pasid = node.data.pasid;
      const pid = node.data.pid;
      if (typeof pasid === 'number')
        out.push({ event: node.version, pasid, pid: typeof pid === 'number' ? pid : null });
    }
    if (!data.events.pageInfo.hasNextPage || data.events.pageInfo.endCursor === null) break;
    after = data.events.pageInfo.endCursor;
  }
  return out;
}

/** A page of the whole log (or one system's), filtered, after position `after`. */
export async function getEvents(filter: EventFilter, after?: LogPosition, first = 200): Promise<EventPage> {
  const { system, types, kind, actor, correlationId, from, to } = filter;
  const data = await ledgerFetch(logQuery, {
    system,
    filter: { types, kind, actor, correlationId, from, to },
    after,
    first,
  });
  const { nodes, pageInfo } = data.log;
  return {
    events: nodes.map(toLedgerEvent),
    endCursor: pageInfo.endCursor,
    hasNextPage: pageInfo.hasNextPage,
  };
}

/**
 * The input event of step `version` and the events derived from it, with all their metadata;
 * null when the system has no such step.
 */
export async function getEventDetail(
  name: string,
  version: number,
): Promise<{ input: LedgerEvent; derived: LedgerEvent[] } | null> {
  const events: LedgerEvent[] = [];
  let after: string | undefined;
  for (;;) {
    const data = await ledgerFetch(stepEventsQuery, { name, version, after, first: RANGE_PAGE });
    events.push(...data.events.nodes.map(toLedgerEvent));
    const { hasNextPage, endCursor } = data.events.pageInfo;
    if (!hasNextPage || endCursor === null) break;
    after = endCursor;
  }
  const [input, ...derived] = events;
  if (input?.kind !== 'INPUT') return null;
  return { input, derived };
}

/**
 * Where the history's states under `left` and `right` first differ, from the API (its domain
 * follows the whole history once, on the server: no step limit); null when they never do.
 */
export async function getDivergence(name: string, left: Policy, right: Policy): Promise<Divergence | null> {
  const data = await ledgerFetch(divergenceQuery, { name, policies: [left, right] });
  return data.divergence ? toDivergence(data.divergence) : null;
}

/**
 * A page of the lifetime lanes one zoom shows, from the API (which folds the history with the
 * domain's `lifetimes` once and keeps it): the lanes with something in [from, to) under
 * `filter`, rows `offset` on, bars merged and hazard marks bucketed to `resolution` steps.
 */
export async function getLaneWindow(
  name: string,
  request: {
    policy?: Policy;
    from?: number;
    to?: number;
    resolution?: number;
    filter?: LaneFilter;
    offset?: number;
    first?: number;
  },
): Promise<LaneWindow> {
  const { filter, ...rest } = request;
  const data = await ledgerFetch(lanesQuery, { name, ...rest, filter: filter ?? {} });
  const w = data.lanes;
  return {
    ...w,
    rows: w.rows.map((r) =>
      r.kind === 'GROUP'
        ? { kind: 'group', key: r.key, group: r.group as LaneGroup, label: r.label, count: r.count }
        : {
            kind: 'lane',
            key: r.key,
            group: r.group as LaneGroup,
            label: r.label,
            nested: r.nested,
            bars: r.bars.map((b) => ({ ...b, tone: b.tone as LaneBar['tone'] })),
            marks: r.marks,
          },
    ),
  };
}

export async function exportHistory(name: string): Promise<string> {
  const data = await ledgerFetch(exportQuery, { name });
  return data.exportHistory;
}

export async function verifyLog(): Promise<VerifyResult> {
  const data = await ledgerFetch(verifyQuery);
  const r = data.verifyLog;
  return {
    ok: r.ok,
    checked: r.eventsChecked,
    problems: r.breaches.map((b) => ({
      position: b.position,
      message: `${b.system}${b.version !== null ? ` version ${b.version}` : ''}: ${b.reason}`,
    })),
  };
}

/** The line number an import error names, from the API's error extensions or its message. */
function lineOf(error: LedgerError): number | null {
  const fromExtensions = error.extensions.line;
  if (typeof fromExtensions === 'number') return fromExtensions;
  const match = /\bline (\d+)/i.exec(error.message);
  return match ? Number(match[1]) : null;
}

export async function importHistory(
  system: string,
  policy: Policy | undefined,
  history: string,
): Promise<ImportResult> {
  try {
    const data = await ledgerFetch(importHistoryMutation, { system, policy, history });
    return { ok: true, system: data.importHistory.system.name, version: data.importHistory.version };
  } catch (error) {
    if (error instanceof LedgerError) return { ok: false, message: error.message, line: lineOf(error) };
    throw error;
  }
}

export async function createSystem(name: string, policy: Policy, maxPasid?: number): Promise<void> {
  await ledgerFetch(createSystemMutation, { input: { name, policy, maxPasid } });
}

/**
 * Who the request is for: signed out, signed in with a key the API knows (its name and role), or
 * signed in with a key the API refuses (revoked since). Deduplicated within a request.
 */
export const getViewer = cache(async (): Promise<Viewer> => {
  const key = await requestKey();
  if (key === undefined) return { state: 'signed-out' };
  try {
    // With the key given: a refused key is this function's answer, not a redirect to sign in.
    const { viewer } = await ledgerFetchText<ViewerQuery>(viewerQuery.toString(), {}, { key });
    return viewer ? { state: 'signed-in', name: viewer.name, role: viewer.role } : { state: 'signed-out' };
  } catch (error) {
    if (error instanceof LedgerError && error.code === 'UNAUTHENTICATED')
      return { state: 'refused', message: error.message };
    throw error;
  }
});

/** The name and role of `key`, or why the API refuses it. */
export async function checkKey(
  key: string,
): Promise<{ ok: true; name: string; role: KeyRole } | { ok: false; message: string }> {
  try {
    const { viewer } = await ledgerFetchText<ViewerQuery>(viewerQuery.toString(), {}, { key });
    if (!viewer) return { ok: false, message: 'the API did not take the key' };
    return { ok: true, name: viewer.name, role: viewer.role };
  } catch (error) {
    if (error instanceof LedgerError) return { ok: false, message: error.message };
    throw error;
  }
}
