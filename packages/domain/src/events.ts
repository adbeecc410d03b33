import { z } from 'zod';

/** The three answers to "when is a PASID freed?" (see the package README). */
export const POLICIES = ['LAZY_REFCOUNT', 'MM_EXIT', 'EAGER_UNBIND'] as const;
export type Policy = (typeof POLICIES)[number];
export const DEFAULT_POLICY: Policy = 'MM_EXIT';
/** 2^20: the PASID space of PCIe and of the kernel's global IDA. */
export const DEFAULT_MAX_PASID = 1 << 20;

/** A PCI address DDDD:BB:DD.F in lower-case hex (device 00-1f, function 0-7). */
export const DEVICE_PATTERN = /^[0-9a-f]{4}:[0-9a-f]{2}:[01][0-9a-f]\.[0-7]$/;

/** The largest pid, tid or PASID: the log stores them as Postgres int4. */
export const MAX_ID = 2_147_483_647;
const id = z.int().positive().max(MAX_ID);
/** Years 1 to 9999: what Postgres timestamps and ISO-8601 strings both hold. */
const inTimestampRange = (value: string) => {
  const year = new Date(value).getUTCFullYear();
  return year >= 1 && year <= 9999;
};
const device = z
  .string()
  .regex(DEVICE_PATTERN, 'must be a PCI address DDDD:BB:DD.F in lower-case hex, like 0000:6a:01.0');
const meta = {
  id: z.uuid().optional(),
  at: z.iso
    .datetime({ offset: true })
    .refine(inTimestampRange, 'must be a time from year 1 to 9999')
    .optional(),
};

export const inputEventSchemas = {
  ProcessCreated: z.strictObject({
    type: z.literal('ProcessCreated'),
    pid: id,
    parent: id.optional(),
    ...meta,
  }),
  ThreadCreated: z.strictObject({ type: z.literal('ThreadCreated'), tid: id, pid: id, ...meta }),
  DeviceBound: z.strictObject({
    type: z.literal('DeviceBound'),
    pid: id,
    device,
    pasid: id.optional(),
    ...meta,
  }),
  DeviceUnbound: z.strictObject({ type: z.literal('DeviceUnbound'), pid: id, device, ...meta }),
  Enqcmd: z.strictObject({ type: z.literal('Enqcmd'), tid: id, device, ...meta }),
  TaskExited: z.strictObject({ type: z.literal('TaskExited'), tid: id, ...meta }),
  ProcessExec: z.strictObject({ type: z.literal('ProcessExec'), pid: id, ...meta }),
} as const;

export type InputEventType = keyof typeof inputEventSchemas;
export const INPUT_EVENT_TYPES = Object.keys(inputEventSchemas) as InputEventType[];
export type InputEventOf<T extends InputEventType> = z.infer<(typeof inputEventSchemas)[T]>;
/** What a client or a trace records: the seven inputs of the spec. */
export type InputEvent = { [T in InputEventType]: InputEventOf<T> }[InputEventType];

export const HAZARD_CODES = ['SIGSEGV', 'DMAR_FAULT', 'WRONG_ADDRESS_SPACE', 'PASID_EXHAUSTED'] as const;
export type HazardCode = (typeof HAZARD_CODES)[number];

/**
 * What the domain decides an input implies. `refcount` appears only under LAZY_REFCOUNT, on the event
 * that changed the count, and is the count after the change.
 */
export type DerivedEvent =
  | { type: 'PasidAllocated'; pid: number; pasid: number }
  | { type: 'BondAdded'; pid: number; device: string; pasid: number; bonds: number; refcount?: number }
  | { type: 'PasidEntryInstalled'; device: string; pasid: number }
  | { type: 'PasidEntryRemoved'; device: string; pasid: number }
  | { type: 'MsrFixedUp'; tid: number; pasid: number; refcount?: number }
  | { type: 'WorkSubmitted'; tid: number; device: string; pasid: number }
  | { type: 'DeviceUnbound'; pid: number; device: string; reason: 'exit' | 'exec'; refcount?: number }
  | { type: 'RefcountChanged'; pid: number; pasid: number; refcount: number }
  | { type: 'PasidFreed'; pid: number; pasid: number }
  | { type: 'BindFailed'; pid: number; device: string }
  | ({ type: 'HazardDetected' } & HazardFields)
  | { type: 'ProcessExited'; pid: number };

export type DerivedEventType = DerivedEvent['type'];
export const DERIVED_EVENT_TYPES: readonly DerivedEventType[] = [
  'PasidAllocated',
  'BondAdded',
  'PasidEntryInstalled',
  'PasidEntryRemoved',
  'MsrFixedUp',
  'WorkSubmitted',
  'DeviceUnbound',
  'RefcountChanged',
  'PasidFreed',
  'BindFailed',
  'HazardDetected',
  'ProcessExited',
];

export interface HazardFields {
  code: HazardCode;
  tid?: number;
  pid?: number;
  device?: string;
  pasid?: number;
}

/** Any event of the log: an input as recorded, or one the domain derived from it. */
export type LedgerEvent = InputEvent | DerivedEvent;

export function assertNever(value: never): never {
  throw new Error(`unhandled case: ${JSON.stringify(value)}`);
}
