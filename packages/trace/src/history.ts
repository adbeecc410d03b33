import type { Policy } from '@pasid/domain';
import type { TraceInput } from './inputs.js';

/** Key order of each input as pasid-lifecycle.md lists its fields, then `id` and `at`. */
const FIELDS: Record<TraceInput['type'], readonly string[]> = {
  ProcessCreated: ['pid', 'parent'],
  ThreadCreated: ['tid', 'pid'],
  DeviceBound: ['pid', 'device', 'pasid', 'fd', 'cloexec'],
  DeviceUnbound: ['pid', 'device'],
  FileClosed: ['pid', 'fd'],
  Enqcmd: ['tid', 'device'],
  TaskExited: ['tid'],
  ProcessExec: ['pid'],
  DmarFaultLogged: ['device', 'pasid', 'reason'],
};

/** One history line (contract.md, "History files"). */
export function historyLine(input: TraceInput): string {
  const source = input as Record<string, unknown>;
  const ordered: Record<string, unknown> = { type: input.type };
  for (const key of [...FIELDS[input.type], 'id', 'at']) {
    if (source[key] !== undefined) ordered[key] = source[key];
  }
  return JSON.stringify(ordered);
}

export function historyHeaderLine(header: { system?: string; policy?: Policy }): string {
  const ordered: Record<string, unknown> = {};
  if (header.system !== undefined) ordered.system = header.system;
  if (header.policy !== undefined) ordered.policy = header.policy;
  return JSON.stringify(ordered);
}
