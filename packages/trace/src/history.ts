import type { Policy } from '@pasid/domain';
import type { TraceInput } from './inputs.js';

/** Key order of each input as pasid-lifecycle.md lists its fields, then `id` and `at`. */
const FIELDS: Record<TraceInput['type'], readonly string[]> = {
  ProcessCreated: ['pid', 'parent', 'id', 'at'],
  ThreadCreated: ['tid', 'pid', 'id', 'at'],
  DeviceBound: ['pid', 'device', 'pasid', 'fd', 'cloexec', 'id', 'at'],
  DeviceUnbound: ['pid', 'device', 'id', 'at'],
  FileClosed: ['pid', 'fd', 'id', 'at'],
  Enqcmd: ['tid', 'device', 'id', 'at'],
  TaskExited: ['tid', 'id', 'at'],
  ProcessExec: ['pid', 'id', 'at'],
  DmarFaultLogged: ['device', 'pasid', 'reason', 'id', 'at'],
};

/** One history line (contract.md, "History files"). */
export function historyLine(input: TraceInput): string {
  const source = input as Record<string, unknown>;
  // Built as text: the fields are numbers and plain strings, and an object per line was slow.
  let line = `{"type":"${input.type}"`;
  for (const key of FIELDS[input.type]) {
    const value = source[key];
    if (value !== undefined) line += `,"${key}":${typeof value === 'string' ? JSON.stringify(value) : value}`;
  }
  return `${line}}`;
}

export function historyHeaderLine(header: { system?: string; policy?: Policy }): string {
  const ordered: Record<string, unknown> = {};
  if (header.system !== undefined) ordered.system = header.system;
  if (header.policy !== undefined) ordered.policy = header.policy;
  return JSON.stringify(ordered);
}
