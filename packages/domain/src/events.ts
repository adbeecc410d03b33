import { z } from 'zod';

/** The three answers to "when is a PASID freed?" (see the package README). */
export const POLICIES = ['LAZY_REFCOUNT', 'MM_EXIT', 'EAGER_UNBIND'] as const;
export type Policy = (typeof POLICIES)[number];
export const DEFAULT_POLICY: Policy = 'MM_EXIT';
/** 2^20: the PASID space of PCIe and of the kernel's global IDA. */
export const DEFAULT_MAX_PASID = 1 << 20;
/** The smallest maxPasid: PASID 0 is reserved, so 2 leaves one PASID to allocate. */
export const MIN_MAX_PASID = 2;
/** What a system's maxPasid must be, in words (for error messages everywhere). */
export const MAX_PASID_RULE = `an integer from ${MIN_MAX_PASID} to ${DEFAULT_MAX_PASID}`;

/** Whether `value` is a valid maxPasid for a system: the one range check (store, API, history). */
export function isValidMaxPasid(value: unknown): value is number {
  return (
    Number.isInteger(value) && (value as number) >= MIN_MAX_PASID && (value as number) <= DEFAULT_MAX_PASID
  );
}

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
const fd = z.int().min(0).max(MAX_ID);
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
    fd: fd.optional(),
    cloexec: z.boolean().optional(),
    ...meta,
  }),
  DeviceUnbound: z.strictObject({ type: z.literal('DeviceUnbound'), pid: id, device, ...meta }),
  FileClosed: z.strictObject({ type: z.literal('FileClosed'), pid: id, fd, ...meta }),
  Enqcmd: z.strictObject({ type: z.literal('Enqcmd'), tid: id, device: device.optional(), ...meta }),
  TaskExited: z.strictObject({ type: z.literal('TaskExited'), tid: id, ...meta }),
  ProcessExec: z.strictObject({ type: z.literal('ProcessExec'), pid: id, ...meta }),
  DmarFaultLogged: z.strictObject({
    type: z.literal('DmarFaultLogged'),
    device,
    // A logged fault may name any 20-bit value, 0 included (RID2PASID).
    pasid: z
      .int()
      .min(0)
      .max(DEFAULT_MAX_PASID - 1),
    reason: z.string().min(1).max(64).optional(),
    ...meta,
  }),
} as const;

export type InputEventType = keyof typeof inputEventSchemas;
export const INPUT_EVENT_TYPES = Object.keys(inputEventSchemas) as InputEventType[];
export type InputEventOf<T extends InputEventType> = z.infer<(typeof inputEventSchemas)[T]>;
/** What a client or a trace records: the nine inputs of the spec. */
export type InputEvent = { [T in InputEventType]: InputEventOf<T> }[InputEventType];

export const HAZARD_CODES = [
  'SIGSEGV',
  'DMAR_FAULT',
  'WRONG_ADDRESS_SPACE',
  'PASID_EXHAUSTED',
  'UNBALANCED_PUT',
  'PASID_FREED_WHILE_BOUND',
  'PASID_ENTRY_BUSY',
  'REFCOUNT_UNDERFLOW',
] as const;
export type HazardCode = (typeof HAZARD_CODES)[number];

/** Why the #GP fix-up did not run (`SIGSEGV`), in the order `try_fixup_enqcmd_gp` checks. */
export const SIGSEGV_REASONS = ['NO_PASID', 'ALREADY_ACTIVATED'] as const;
export type SigsegvReason = (typeof SIGSEGV_REASONS)[number];

/** Why a bond was unbound without a `DeviceUnbound` input asking for it. */
export const UNBIND_REASONS = ['close', 'exit', 'exec'] as const;
export type UnbindReason = (typeof UNBIND_REASONS)[number];
/** Why a PASID table entry went: its last bond was unbound, or its mm was released. */
export const ENTRY_REMOVAL_REASONS = ['unbind', 'mm-release'] as const;
export type EntryRemovalReason = (typeof ENTRY_REMOVAL_REASONS)[number];
/** Why an fd was closed without a `FileClosed` input: its process exited or exec'd. */
export const FILE_CLOSE_REASONS = ['exit', 'exec'] as const;
export type FileCloseReason = (typeof FILE_CLOSE_REASONS)[number];

/**
 * What the domain decides an input implies. `refcount` appears only under LAZY_REFCOUNT, on the event
 * that changed the count, and is the count after the change. Fields marked "ours" are not in the
 * spec; the README says why.
 */
export type DerivedEvent =
  | { type: 'PasidAllocated'; pid: number; pasid: number }
  /** Ours: every bind, with the mm's bonds on the device after it; `fd`/`cloexec` open a file. */
  | {
      type: 'BondAdded';
      pid: number;
      device: string;
      pasid: number;
      bonds: number;
      refcount?: number;
      fd?: number;
      cloexec?: boolean;
    }
  /** `pid` names the mm the entry points at (absent in logs of model version 1: the holder's). */
  | { type: 'PasidEntryInstalled'; device: string; pasid: number; pid?: number }
  /** `reason` is absent in logs of model version 1 (where it was always an unbind or an exit). */
  | { type: 'PasidEntryRemoved'; device: string; pasid: number; reason?: EntryRemovalReason }
  | { type: 'MsrFixedUp'; tid: number; pasid: number; refcount?: number }
  | { type: 'WorkSubmitted'; tid: number; device: string; pasid: number }
  /**
   * An unbind no `DeviceUnbound` input asked for. `pid` names the bond's mm by its process; `file`
   * (ours) is the open file that held the bond, named by the version that opened it; without it
   * the bond was a process bond of `pid`. `pasid` is absent in logs of model version 1.
   */
  | {
      type: 'DeviceUnbound';
      pid: number;
      device: string;
      pasid?: number;
      reason: UnbindReason;
      file?: number;
      refcount?: number;
    }
  | { type: 'FileClosed'; pid: number; fd: number; reason: FileCloseReason }
  | { type: 'MmReleased'; pid: number }
  /** Ours: a count change that no other derived event of the step carries. */
  | { type: 'RefcountChanged'; pid: number; pasid: number; refcount: number }
  | { type: 'PasidFreed'; pid: number; pasid: number }
  | { type: 'BindFailed'; pid: number; device: string }
  | ({ type: 'HazardDetected' } & HazardFields)
  /** Ours: the last task of the process has exited; the process leaves the state. */
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
  'FileClosed',
  'MmReleased',
  'RefcountChanged',
  'PasidFreed',
  'BindFailed',
  'HazardDetected',
  'ProcessExited',
];

/** A hazard's fields: which apply depends on the code (see `HAZARD_FIELDS`). */
export interface HazardFields {
  code: HazardCode;
  reason?: SigsegvReason;
  tid?: number;
  pid?: number;
  device?: string;
  pasid?: number;
  /** A `DMAR_FAULT` the kernel logged (`DmarFaultLogged`), not one the model predicted. */
  observed?: boolean;
  /** For a logged fault: whether the model has no entry for it, so its lifecycle explains it. */
  explained?: boolean;
}

/** Any event of the log: an input as recorded, or one the domain derived from it. */
export type LedgerEvent = InputEvent | DerivedEvent;

export function assertNever(value: never): never {
  throw new Error(`unhandled case: ${JSON.stringify(value)}`);
}
