import { HAZARD_CODES, INPUT_EVENT_TYPES, POLICIES, SIGSEGV_REASONS } from '@pasid/domain';
import { registerEnumType } from 'type-graphql';

/** GraphQL enums over the domain's own lists, so the two can never drift apart. */
const enumOf = <T extends string>(values: readonly T[]) =>
  Object.fromEntries(values.map((v) => [v, v])) as { [K in T]: K };

export const Policy = enumOf(POLICIES);
registerEnumType(Policy, {
  name: 'Policy',
  description:
    'When a PASID is freed: LAZY_REFCOUNT (count drops to 0), MM_EXIT (mm goes away), EAGER_UNBIND (last unbind).',
});

export const InputEventType = enumOf(INPUT_EVENT_TYPES);
registerEnumType(InputEventType, {
  name: 'InputEventType',
  description: 'The input events a client or a trace records.',
});

export const HazardCode = enumOf(HAZARD_CODES);
registerEnumType(HazardCode, {
  name: 'HazardCode',
  description: 'A fact about the traced system the rules detected.',
});

export const SigsegvReason = enumOf(SIGSEGV_REASONS);
registerEnumType(SigsegvReason, {
  name: 'SigsegvReason',
  description:
    'Why the ENQCMD #GP fix-up did not run: the mm has no PASID, or the task was already activated.',
});

export const EventKind = { INPUT: 'input', DERIVED: 'derived' } as const;
registerEnumType(EventKind, {
  name: 'EventKind',
  description: 'INPUT: recorded by a client; DERIVED: decided by the domain from an input.',
});

export const KeyRole = { reader: 'reader', writer: 'writer', admin: 'admin' } as const;
registerEnumType(KeyRole, {
  name: 'KeyRole',
  description: 'What an API key may do: a reader reads, a writer also records, an admin also manages keys.',
});
