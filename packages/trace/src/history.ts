import { type InputEvent, type InputEventType, inputEventSchemas, type Policy } from '@pasid/domain';

/**
 * Key order of each input after `type`: the domain's schemas' (the spec's field order, then `id`
 * and `at`), so a trace's history line and the domain's `formatHistoryEvent` agree.
 */
const FIELDS = Object.fromEntries(
  Object.entries(inputEventSchemas).map(([type, schema]) => [
    type,
    Object.keys(schema.shape).filter((key) => key !== 'type'),
  ]),
) as Record<InputEventType, string[]>;

/** One history line (contract.md, "History files"). */
export function historyLine(input: InputEvent): string {
  const source = input as Record<string, unknown>;
  // Built as text: the fields are numbers and plain strings, and an object per line was slow.
  let line = `{"type":"${input.type}"`;
  for (const key of FIELDS[input.type]) {
    const value = source[key];
    if (value !== undefined) line += `,"${key}":${typeof value === 'string' ? JSON.stringify(value) : value}`;
  }
  return `${line}}`;
}

export function historyHeaderLine(header: { system?: string; policy?: Policy; maxPasid?: number }): string {
  const ordered: Record<string, unknown> = {};
  if (header.system !== undefined) ordered.system = header.system;
  if (header.policy !== undefined) ordered.policy = header.policy;
  if (header.maxPasid !== undefined) ordered.maxPasid = header.maxPasid;
  return JSON.stringify(ordered);
}
