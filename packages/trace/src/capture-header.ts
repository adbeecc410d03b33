import type { CaptureInfo } from './fact.js';

/**
 * The capture header: one comment line any format may start with, written by the project's
 * bpftrace script or by the shell line in docs/capture.md:
 *   # pasid-capture boot_id=08f069cf-... boot_time=2026-12-01T08:19:55.244864+0000
 * `boot_time` is RFC 3339 (a `+0000` offset is taken too) or seconds since the epoch.
 */
const HEADER = /^#\s*pasid-capture\b(.*)$/;

export function readCaptureHeader(line: string): CaptureInfo | undefined {
  const match = HEADER.exec(line);
  if (!match) return undefined;
  const info: CaptureInfo = {};
  for (const pair of (match[1] ?? '').trim().split(/\s+/)) {
    const eq = pair.indexOf('=');
    if (eq < 0) continue;
    const key = pair.slice(0, eq);
    const value = pair.slice(eq + 1);
    if (key === 'boot_id' && value) info.bootId = value;
    if (key === 'boot_time') {
      const ms = parseBootTime(value);
      if (ms !== undefined) info.bootTimeMs = ms;
    }
  }
  return info;
}

/** RFC 3339 (fractions to the nanosecond; `Z`, `+00:00` or `+0000`) or epoch seconds. */
export function parseBootTime(text: string): number | undefined {
  if (/^\d+(\.\d+)?$/.test(text)) return Number(text) * 1000;
  const match = /^(\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2})(\.\d+)?(Z|[+-]\d{2}:?\d{2})$/.exec(text);
  if (!match) return undefined;
  const zone = match[3] === 'Z' ? 'Z' : `${match[3]!.slice(0, 3)}:${match[3]!.slice(-2)}`;
  const whole = Date.parse(`${match[1]!.replace(' ', 'T')}${zone}`);
  if (Number.isNaN(whole)) return undefined;
  return whole + (match[2] ? Number(`0${match[2]}`) * 1000 : 0);
}
