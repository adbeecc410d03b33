import type { RejectionCode } from './decide.js';
import type { HazardCode, HazardFields, SigsegvReason } from './events.js';

/**
 * What the kernel did, one sentence per hazard code: the web app and the API show these and never
 * restate them.
 */
export const HAZARD_DESCRIPTIONS: Readonly<Record<HazardCode, string>> = {
  SIGSEGV:
    'The task executed ENQCMD with an invalid IA32_PASID MSR and the #GP fix-up did not run, so the kernel sent it SIGSEGV.',
  DMAR_FAULT:
    'The IOMMU found no PASID table entry for the device and PASID the DMA carried, and the kernel logged a DMAR fault.',
  WRONG_ADDRESS_SPACE:
    "The task submitted work with a stale PASID that now belongs to another process, so the device's DMA ran in that process's memory.",
  PASID_EXHAUSTED:
    'iommu_sva_bind_device() found no free PASID (ida_alloc_range failed), so the open() of the device failed.',
  UNBALANCED_PUT:
    "The seed's pasid_put() at exit or exec dropped a reference on the new mm's PASID that the task, activated before an exec, never took.",
  PASID_FREED_WHILE_BOUND:
    'The reference count reached zero and the kernel freed the PASID while bonds still used it: a use-after-free.',
  PASID_ENTRY_BUSY:
    'The bind found the PASID table slot for this device and PASID still used by another mm, so the kernel refused it with -EBUSY.',
  REFCOUNT_UNDERFLOW:
    'The kernel dropped a reference on a PASID that was no longer allocated: the count went below zero.',
};

/** Why the #GP fix-up refused, one sentence per `SIGSEGV` reason. */
export const SIGSEGV_REASON_DESCRIPTIONS: Readonly<Record<SigsegvReason, string>> = {
  NO_PASID: "try_fixup_enqcmd_gp() found no PASID in the task's mm (no device bound since fork or exec).",
  ALREADY_ACTIVATED:
    'try_fixup_enqcmd_gp() refused because the task was already activated: the flag survives exec, so the fix-up runs once per task.',
};

/** A DMAR fault the kernel logged (`DmarFaultLogged`): whether the model's lifecycle explains it. */
export const LOGGED_DMAR_FAULT_DESCRIPTIONS: Readonly<Record<'explained' | 'unexplained', string>> = {
  explained:
    'The kernel logged a DMAR fault for this device and PASID, and the model has no PASID table entry for them: the lifecycle explains the fault.',
  unexplained:
    'The kernel logged a DMAR fault for this device and PASID although the model holds their PASID table entry: the fault has another cause (a bad descriptor, an unmapped page) that the lifecycle does not see.',
};

/**
 * What the kernel did for one hazard, in one sentence (two for a `SIGSEGV`: what happened, then
 * why the fix-up refused): the code's sentence, the `SIGSEGV` reason's, and a logged DMAR fault's
 * own (explained or not). The API serves it as a hazard's `description`; the web app shows it.
 */
export function describeHazard(
  hazard: Pick<HazardFields, 'code' | 'reason' | 'observed' | 'explained'>,
): string {
  if (hazard.code === 'DMAR_FAULT' && hazard.observed)
    return LOGGED_DMAR_FAULT_DESCRIPTIONS[hazard.explained ? 'explained' : 'unexplained'];
  const sentence = HAZARD_DESCRIPTIONS[hazard.code];
  return hazard.code === 'SIGSEGV' && hazard.reason
    ? `${sentence} ${SIGSEGV_REASON_DESCRIPTIONS[hazard.reason]}`
    : sentence;
}

/** What each rejection means, one sentence per code (the rejection's message adds the ids). */
export const REJECTION_DESCRIPTIONS: Readonly<Record<RejectionCode, string>> = {
  PROCESS_EXISTS: 'The pid is already a live process.',
  TASK_EXISTS: 'The id is already a live task, or the pid of a live process.',
  PROCESS_NOT_FOUND: 'The pid is not a live process.',
  PARENT_NOT_FOUND: 'The parent is not a live process.',
  TASK_NOT_FOUND: 'The tid is not a live task.',
  NOT_BOUND: 'The process has no process bond of that device left to unbind.',
  FD_IN_USE: 'The fd is already open in that process.',
  FD_NOT_OPEN: 'The fd is not open in that process.',
  CLOEXEC_WITHOUT_FD: 'cloexec is a flag of an fd: a bind without fd cannot have it.',
  PASID_TAKEN: 'The PASID the bind names is held by another mm.',
  PASID_MISMATCH: 'The process already holds a different PASID from the one the bind names.',
  PASID_OUT_OF_RANGE: 'The PASID the bind names is not in 1..maxPasid-1.',
  EXEC_MULTITHREADED:
    'exec needs the process to have exactly one live task (de_thread ends the others first).',
};
