import { z } from 'zod';
import {
  DEFAULT_MAX_PASID,
  DEVICE_PATTERN,
  INPUT_EVENT_TYPES,
  type InputEvent,
  type InputEventType,
  inputEventSchemas,
  isValidMaxPasid,
  MAX_ID,
  MAX_PASID_RULE,
  POLICIES,
} from '../events.js';
import { HistoryError } from './errors.js';

export const historyHeaderSchema = z.strictObject({
  system: z.string().min(1).max(200).optional(),
  policy: z.enum(POLICIES).optional(),
  maxPasid: z.custom<number>(isValidMaxPasid).optional(),
});
export type HistoryHeader = z.infer<typeof historyHeaderSchema>;

export type HistoryLine = { line: number; header: HistoryHeader } | { line: number; event: InputEvent };

const knownTypes = new Set<string>(INPUT_EVENT_TYPES);

/** Why a value is not an input event, as `{field, reason}`, or the event. */
export type InputEventCheck = { ok: true; event: InputEvent } | { ok: false; field?: string; reason: string };

/**
 * Validates one input event (already parsed from JSON). The event returned may be `value` itself,
 * its `device` then replaced by an equal string seen before (see `ownDevice`).
 */
export function checkInputEvent(value: unknown): InputEventCheck {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, reason: 'an event must be a JSON object' };
  }
  const fast = plainInputEvent(value as Record<string, unknown>);
  if (fast) return { ok: true, event: fast };
  const type = (value as { type?: unknown }).type;
  if (type === undefined) return { ok: false, field: 'type', reason: 'missing field "type"' };
  if (typeof type !== 'string' || !knownTypes.has(type)) {
    return {
      ok: false,
      field: 'type',
      reason: `unknown type ${JSON.stringify(type)}; expected one of ${INPUT_EVENT_TYPES.join(', ')}`,
    };
  }
  const result = inputEventSchemas[type as InputEventType].safeParse(value);
  if (result.success) return { ok: true, event: result.data as InputEvent };
  return { ok: false, ...describeIssue(result.error.issues[0], value as Record<string, unknown>, type) };
}

const isId = (v: unknown): boolean => typeof v === 'number' && Number.isInteger(v) && v > 0 && v <= MAX_ID;
const isFd = (v: unknown): boolean => typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= MAX_ID;
/**
 * Device strings already seen valid, first instances: a history names few devices, so the regex
 * runs rarely, and every event of a device then carries the same string, which the fold's Map
 * lookups and comparisons match by identity instead of by content. A short array compared in
 * order (a fresh string has no hash yet, and `===` on 12 characters is cheaper than hashing them).
 */
const validDevices: string[] = [];
/** Whether the event's `device` is valid; replaces it with the first instance of that string. */
function ownDevice(v: Record<string, unknown>): boolean {
  const device = v.device;
  if (typeof device !== 'string') return false;
  for (let i = 0; i < validDevices.length; i++) {
    const known = validDevices[i] as string;
    if (known === device) {
      v.device = known;
      return true;
    }
  }
  if (!DEVICE_PATTERN.test(device)) return false;
  // Past 64 devices (a history rarely names more) the regex decides, as for any string.
  if (validDevices.length < 64) validDevices.push(device);
  return true;
}
const isFaultPasid = (v: unknown): boolean =>
  typeof v === 'number' && Number.isInteger(v) && v >= 0 && v < DEFAULT_MAX_PASID;
const isFaultReason = (v: unknown): boolean => typeof v === 'string' && v.length >= 1 && v.length <= 64;
/** Counts own enumerable keys without allocating (a JSON object's keys are all own, enumerable). */
function keyCount(value: object): number {
  let n = 0;
  for (const _ in value) n += 1;
  return n;
}

/**
 * The hot path of a replay: accepts an event without `id`/`at` whose fields are plainly valid, as
 * the zod schema would (a test checks they agree), and returns undefined for anything else so that
 * zod decides and words the error. Profiling showed zod at a third of replay time.
 */
function plainInputEvent(v: Record<string, unknown>): InputEvent | undefined {
  switch (v.type) {
    case 'Enqcmd':
      if (v.device === undefined) return keyCount(v) === 2 && isId(v.tid) ? (v as InputEvent) : undefined;
      return keyCount(v) === 3 && isId(v.tid) && ownDevice(v) ? (v as InputEvent) : undefined;
    case 'DeviceBound': {
      let n = 3;
      if (v.pasid !== undefined) n = isId(v.pasid) ? n + 1 : -1;
      if (v.fd !== undefined) n = isFd(v.fd) ? n + 1 : -1;
      if (v.cloexec !== undefined) n = typeof v.cloexec === 'boolean' ? n + 1 : -1;
      return keyCount(v) === n && isId(v.pid) && ownDevice(v) ? (v as InputEvent) : undefined;
    }
    case 'DeviceUnbound':
      return keyCount(v) === 3 && isId(v.pid) && ownDevice(v) ? (v as InputEvent) : undefined;
    case 'FileClosed':
      return keyCount(v) === 3 && isId(v.pid) && isFd(v.fd) ? (v as InputEvent) : undefined;
    case 'ThreadCreated':
      return keyCount(v) === 3 && isId(v.tid) && isId(v.pid) ? (v as InputEvent) : undefined;
    case 'ProcessCreated': {
      const n = v.parent === undefined ? 2 : isId(v.parent) ? 3 : 0;
      return keyCount(v) === n && isId(v.pid) ? (v as InputEvent) : undefined;
    }
    case 'TaskExited':
      return keyCount(v) === 2 && isId(v.tid) ? (v as InputEvent) : undefined;
    case 'ProcessExec':
      return keyCount(v) === 2 && isId(v.pid) ? (v as InputEvent) : undefined;
    case 'DmarFaultLogged': {
      // pasid may be 0 here (RID2PASID) and reason a short string; zod words any error.
      const n = v.reason === undefined ? 3 : isFaultReason(v.reason) ? 4 : -1;
      return keyCount(v) === n && isFaultPasid(v.pasid) && ownDevice(v) ? (v as InputEvent) : undefined;
    }
    default:
      return undefined;
  }
}

function describeIssue(
  issue: z.core.$ZodIssue | undefined,
  value: Record<string, unknown>,
  type: string,
): { field?: string; reason: string } {
  if (!issue) return { reason: `invalid ${type}` };
  if (issue.code === 'unrecognized_keys') {
    const field = issue.keys[0] ?? '';
    return { field, reason: `unknown field ${JSON.stringify(field)} in ${type}` };
  }
  const field = issue.path.map(String).join('.');
  if (!field) return { reason: issue.message };
  if (value[field] === undefined) return { field, reason: `missing field "${field}" in ${type}` };
  const hint =
    issue.code === 'invalid_type' || issue.code === 'too_small' || issue.code === 'too_big'
      ? expectation(field, type)
      : issue.message;
  return { field, reason: `field "${field}" ${hint}, got ${JSON.stringify(value[field])}` };
}

function expectation(field: string, type: string): string {
  if (field === 'device') return 'must be a PCI address string like "0000:6a:01.0"';
  if (field === 'id' || field === 'at' || field === 'reason') return 'must be a string';
  if (field === 'cloexec') return 'must be true or false';
  if (field === 'fd') return `must be an integer from 0 to ${MAX_ID}`;
  if (field === 'pasid' && type === 'DmarFaultLogged')
    return `must be an integer from 0 to ${DEFAULT_MAX_PASID - 1}`;
  return `must be a positive integer (at most ${MAX_ID})`;
}

/**
 * Whether a history's first line with content is its header: a JSON object without "type" (an
 * input event always has one). The one rule, for the reader below and `readHistoryHeader`.
 */
export function isHistoryHeader(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !('type' in value);
}

/** Whether a line holds nothing but white space (the reader skips it, wherever it is). */
function isBlank(text: string): boolean {
  // Only a line that starts with white space can be blank; JSON.parse skips it otherwise.
  return text.length === 0 || (text.charCodeAt(0) <= 32 && text.trim() === '');
}

/**
 * The header of a history's text as the reader finds it: the first line with content (after any
 * number of blank lines), when it is a header; null when the history has none or that line is
 * not JSON (the import names the line). Its fields are not checked here: the import does that
 * and names the field. For callers that need the system's name before importing.
 */
export function readHistoryHeader(text: string): Record<string, unknown> | null {
  for (let start = 0; start < text.length; ) {
    const end = text.indexOf('\n', start);
    const line = text.slice(start, end < 0 ? text.length : end);
    start = end < 0 ? text.length : end + 1;
    if (isBlank(line)) continue;
    try {
      const value: unknown = JSON.parse(line);
      return isHistoryHeader(value) ? value : null;
    } catch {
      return null;
    }
  }
  return null;
}

export function checkHistoryHeader(value: Record<string, unknown>, line: number): HistoryHeader {
  const result = historyHeaderSchema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const field = issue?.code === 'unrecognized_keys' ? issue.keys[0] : issue?.path.map(String).join('.');
  const reason =
    issue?.code === 'unrecognized_keys'
      ? `unknown header field ${JSON.stringify(field)} (a header has system, policy, maxPasid; an event needs "type")`
      : `header field "${field}": ${field === 'policy' ? `must be one of ${POLICIES.join(', ')}` : field === 'maxPasid' ? `must be ${MAX_PASID_RULE}` : issue?.message}`;
  throw new HistoryError(line, reason, field);
}

const EMPTY = new Uint8Array(0);

function concatBytes(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

/** The trailing bytes of an unfinished UTF-8 sequence at the end of `previous + bytes` (0-3 bytes). */
function unfinishedCharacter(previous: Uint8Array, bytes: Uint8Array): Uint8Array {
  const recent = bytes.length >= 4 ? bytes.subarray(bytes.length - 4) : concatBytes(previous, bytes);
  for (let j = recent.length - 1; j >= Math.max(0, recent.length - 4); j--) {
    const b = recent[j] as number;
    if ((b & 0xc0) === 0x80) continue;
    const length = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1;
    return recent.length - j < length ? recent.slice(j) : EMPTY;
  }
  return EMPTY;
}

/** The offset of the first byte that makes `bytes` invalid UTF-8 (a prefix that is valid stays so). */
function firstInvalidByte(bytes: Uint8Array): number {
  const valid = (n: number) => {
    try {
      new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(0, n), { stream: true });
      return true;
    } catch {
      return false;
    }
  };
  let lo = 0; // valid prefix length
  let hi = bytes.length + 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (valid(mid)) lo = mid;
    else hi = mid;
  }
  return lo;
}

/**
 * Turns a history file's text, fed in chunks of any size, into lines of events. Never holds more
 * than one chunk and one partial line, so files larger than memory stream through.
 */
export class HistoryLineReader {
  private rest = '';
  private lineNo = 0;
  private seenContent = false;
  private readonly decoder = new TextDecoder('utf-8', { fatal: true });
  /** The bytes of a character cut by the end of the last chunk (the decoder holds them too). */
  private tail: Uint8Array = EMPTY;

  /** Parses the complete lines of `chunk`; throws `HistoryError` at the first bad one. */
  push(chunk: string | Uint8Array): HistoryLine[] {
    const text = typeof chunk === 'string' ? chunk : this.decode(chunk, true);
    // String#split is native and measured faster than an indexOf/slice loop on 1 MiB chunks.
    const lines = (this.rest + text).split('\n');
    this.rest = lines.pop() ?? '';
    const out: HistoryLine[] = [];
    for (const line of lines) this.take(line, out);
    return out;
  }

  /** The last line, when the file does not end with a newline. */
  end(): HistoryLine[] {
    const out: HistoryLine[] = [];
    const tail = this.rest + this.decode(new Uint8Array(0), false);
    this.rest = '';
    if (tail.length > 0) this.take(tail, out);
    return out;
  }

  private decode(bytes: Uint8Array, stream: boolean): string {
    try {
      const text = this.decoder.decode(bytes, { stream });
      this.tail = stream ? unfinishedCharacter(this.tail, bytes) : EMPTY;
      return text;
    } catch {
      // Rare: find the bad byte to name its line (the lines before it in this chunk count too).
      const all = concatBytes(this.tail, bytes);
      const bad = firstInvalidByte(all);
      let newlines = 0;
      for (let i = 0; i < bad; i++) if (all[i] === 0x0a) newlines += 1;
      throw new HistoryError(this.lineNo + 1 + newlines, 'the file is not valid UTF-8');
    }
  }

  private take(raw: string, out: HistoryLine[]): void {
    this.lineNo += 1;
    const line = this.lineNo;
    const text = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (isBlank(text)) return;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      throw new HistoryError(line, `not valid JSON (${(error as Error).message})`);
    }
    const first = !this.seenContent;
    this.seenContent = true;
    if (first && isHistoryHeader(value)) {
      out.push({ line, header: checkHistoryHeader(value, line) });
      return;
    }
    // The plain fast path first, without checkInputEvent's result object (most lines take it).
    const plain =
      typeof value === 'object' && value !== null
        ? plainInputEvent(value as Record<string, unknown>)
        : undefined;
    if (plain !== undefined) {
      out.push({ line, event: plain });
      return;
    }
    const checked = checkInputEvent(value);
    if (!checked.ok) throw new HistoryError(line, checked.reason, checked.field);
    out.push({ line, event: checked.event });
  }
}

/** Streams a history from any source of chunks, a batch of lines per chunk. */
export async function* readHistory(
  source: AsyncIterable<string | Uint8Array> | Iterable<string | Uint8Array>,
): AsyncGenerator<HistoryLine[]> {
  const reader = new HistoryLineReader();
  for await (const chunk of source) {
    const lines = reader.push(chunk);
    if (lines.length > 0) yield lines;
  }
  const last = reader.end();
  if (last.length > 0) yield last;
}
