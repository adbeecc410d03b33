import { isValidMaxPasid, MAX_PASID_RULE, POLICIES, type Policy } from '@pasid/domain';
import { parseBootTime, TRACE_KINDS, type TraceKind } from '@pasid/trace';

/**
 * The options `pasid trace` takes and their checks, shared by the one-shot conversion
 * (`trace.ts`) and `--follow` (`trace-follow.ts`), apart from both so neither imports the other.
 */
export interface TraceCommandOptions {
  format?: string;
  out?: string;
  system?: string;
  policy?: string;
  maxPasid?: string;
  strict?: boolean;
  bootTime?: string;
  follow?: boolean;
  api?: string;
  key?: string;
  batch?: string;
}

const isPolicy = (value: string): value is Policy => (POLICIES as readonly string[]).includes(value);
const isKind = (value: string): value is TraceKind => (TRACE_KINDS as readonly string[]).includes(value);

/** A wrong option: printed with the usage's exit code, not as a crash. */
export class UsageError extends Error {}

export function checkOptions(options: TraceCommandOptions): {
  policy?: Policy;
  format?: TraceKind;
  bootTimeMs?: number;
  maxPasid?: number;
} {
  if (options.policy !== undefined && !isPolicy(options.policy)) {
    throw new UsageError(`unknown policy "${options.policy}"; expected one of ${POLICIES.join(', ')}`);
  }
  if (options.format !== undefined && !isKind(options.format)) {
    throw new UsageError(`unknown format "${options.format}"; expected one of ${TRACE_KINDS.join(', ')}`);
  }
  let maxPasid: number | undefined;
  if (options.maxPasid !== undefined) {
    maxPasid = Number(options.maxPasid);
    if (!isValidMaxPasid(maxPasid)) {
      throw new UsageError(`--max-pasid must be ${MAX_PASID_RULE}, got "${options.maxPasid}"`);
    }
  }
  let bootTimeMs: number | undefined;
  if (options.bootTime !== undefined) {
    bootTimeMs = parseBootTime(options.bootTime);
    if (bootTimeMs === undefined) {
      throw new UsageError(
        `--boot-time must be RFC 3339 (2026-12-01T08:19:55.244864Z) or seconds since the epoch, got "${options.bootTime}"`,
      );
    }
  }
  return {
    policy: options.policy as Policy | undefined,
    format: options.format as TraceKind | undefined,
    bootTimeMs,
    ...(maxPasid === undefined ? {} : { maxPasid }),
  };
}
