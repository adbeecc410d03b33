import { type InputEvent, type InputEventType, inputEventSchemas } from '../events.js';
import type { HistoryHeader } from './parse.js';

const keyOrder = Object.fromEntries(
  Object.entries(inputEventSchemas).map(([type, schema]) => [type, Object.keys(schema.shape)]),
) as Record<InputEventType, string[]>;

/** One history line for an input event, keys in the spec's order, absent fields left out. */
export function formatHistoryEvent(event: InputEvent): string {
  const source = event as Record<string, unknown>;
  const ordered: Record<string, unknown> = {};
  for (const key of keyOrder[event.type]) {
    if (source[key] !== undefined) ordered[key] = source[key];
  }
  return JSON.stringify(ordered);
}

export function formatHistoryHeader(header: HistoryHeader): string {
  const ordered: Record<string, unknown> = {};
  if (header.system !== undefined) ordered.system = header.system;
  if (header.policy !== undefined) ordered.policy = header.policy;
  if (header.maxPasid !== undefined) ordered.maxPasid = header.maxPasid;
  return JSON.stringify(ordered);
}

/** A whole history file, a line at a time (each ending in a newline), for streaming out. */
export function* writeHistory(header: HistoryHeader, events: Iterable<InputEvent>): Generator<string> {
  yield `${formatHistoryHeader(header)}\n`;
  for (const event of events) yield `${formatHistoryEvent(event)}\n`;
}
