import type {
  HazardCode as HazardCodeName,
  Policy as PolicyName,
  SigsegvReason as SigsegvReasonName,
} from '@pasid/domain';
import { Field, Int, ObjectType } from 'type-graphql';
import { HazardCode, Policy, SigsegvReason } from '../common/enums.js';

@ObjectType({
  description: 'An allocated PASID: its holder, its count and the devices with a PASID table entry.',
})
export class Pasid {
  @Field(() => Int, { description: 'The PASID value, in [1, maxPasid).' })
  pasid!: number;

  @Field(() => Int, { description: 'The pid of the process whose mm holds it.' })
  pid!: number;

  @Field(() => Int, { nullable: true, description: 'The reference count under LAZY_REFCOUNT, else null.' })
  refcount!: number | null;

  @Field(() => [String], {
    description: 'Devices whose PASID table entry for it is present and points at the holding mm, sorted.',
  })
  devices!: string[];

  @Field(() => Boolean, {
    description:
      'The holding mm has no live task any more (its process exited or exec-ed); open files keep it.',
  })
  released!: boolean;
}

@ObjectType({ description: 'A live task (thread) and its IA32_PASID MSR.' })
export class Task {
  @Field(() => Int)
  tid!: number;

  @Field(() => Int)
  pid!: number;

  @Field(() => Int, { nullable: true, description: 'The PASID in the MSR, null while invalid.' })
  msr!: number | null;

  @Field(() => Boolean, {
    description: 'The #GP fix-up has run in this task (set at the fix-up, cleared only at task creation).',
  })
  activated!: boolean;

  @Field(() => Boolean, {
    description:
      "The MSR holds a PASID that is not its mm's (freed while the task carried it): EAGER_UNBIND's stale MSR, or after a PASID_FREED_WHILE_BOUND.",
  })
  msrStale!: boolean;
}

@ObjectType({ description: "An open fd of a process's fd table and the open file (and bond) it refers to." })
export class OpenFile {
  @Field(() => Int, { description: 'The process whose fd table holds the fd.' })
  pid!: number;

  @Field(() => Int)
  fd!: number;

  @Field(() => String)
  device!: string;

  @Field(() => Int, { description: "The PASID the file's bond was made with." })
  pasid!: number;

  @Field(() => Int, {
    description: "The pid whose mm the file's bond is to; differs from pid for an inherited file.",
  })
  holder!: number;

  @Field(() => Boolean)
  cloexec!: boolean;
}

@ObjectType({
  description: 'A hazard the rules detected: a fact about the traced system, not an input error.',
})
export class Hazard {
  @Field(() => HazardCode)
  code!: HazardCodeName;

  @Field(() => SigsegvReason, { nullable: true, description: 'SIGSEGV: why the fix-up did not run.' })
  reason?: SigsegvReasonName;

  @Field(() => Int, { description: 'The version (1-based input event) that caused it.' })
  event!: number;

  @Field(() => Int, { nullable: true })
  tid?: number;

  @Field(() => Int, { nullable: true })
  pid?: number;

  @Field(() => String, { nullable: true })
  device?: string;

  @Field(() => Int, { nullable: true })
  pasid?: number;

  @Field(() => Boolean, { nullable: true, description: 'DMAR_FAULT: true when the kernel logged it.' })
  observed?: boolean;

  @Field(() => Boolean, {
    nullable: true,
    description:
      'A logged DMAR_FAULT: true when the model has no entry for it, so the lifecycle explains it.',
  })
  explained?: boolean;

  @Field(() => String, { description: 'What the kernel did, in one sentence (from the domain).' })
  description!: string;
}

@ObjectType({
  description:
    "Binds of one device by a live process's mm not yet unbound (process bonds and its files' bonds).",
})
export class Bond {
  @Field(() => Int)
  pid!: number;

  @Field(() => String)
  device!: string;

  @Field(() => Int, { description: 'Binds not yet unbound.' })
  count!: number;

  @Field(() => Int, {
    nullable: true,
    description:
      "The PASID the bond was made with: the mm's, unless the mm lost it while bound (PASID_FREED_WHILE_BOUND).",
  })
  pasid!: number | null;
}

@ObjectType({
  description:
    'A PASID table entry (device, pasid) the IOMMU holds, and the mm whose page tables it translates for.',
})
export class PasidTableEntry {
  @Field(() => String)
  device!: string;

  @Field(() => Int)
  pasid!: number;

  @Field(() => Int, {
    description:
      "The process whose mm the entry points at: DMA tagged with this PASID on this device runs in that mm's memory.",
  })
  pid!: number;

  @Field(() => Boolean, {
    description:
      "True when that mm no longer holds this PASID value: the entry was left behind by a PASID_FREED_WHILE_BOUND (the seed's use-after-free), and the value may be another process's by now.",
  })
  stale!: boolean;
}

@ObjectType({ description: 'A live process (thread group) and its mm.' })
export class Process {
  @Field(() => Int)
  pid!: number;

  @Field(() => Int, { nullable: true })
  parent!: number | null;

  @Field(() => [Int], { description: 'Live tasks, in creation order.' })
  tasks!: number[];

  @Field(() => Int, { nullable: true, description: "The PASID of the process's mm, if any." })
  pasid!: number | null;

  @Field(() => [Bond], { description: 'Devices bound, in bind order.' })
  bonds!: Bond[];
}

@ObjectType({ description: 'One device: its PASID table entries and the processes bound to it.' })
export class Device {
  @Field(() => String, { description: 'PCI address DDDD:BB:DD.F.' })
  address!: string;

  @Field(() => [PasidTableEntry])
  entries!: PasidTableEntry[];

  @Field(() => [Bond])
  bonds!: Bond[];
}

@ObjectType({
  description:
    'The projected state of a system after input event `events`. policy, events, pasids, tasks, files, freed and hazards are the `pasid replay --json` document; the rest adds what that document leaves out.',
})
export class SystemState {
  @Field(() => Policy)
  policy!: PolicyName;

  @Field(() => Int, { description: 'Input events applied (the version of this state).' })
  events!: number;

  @Field(() => Int)
  maxPasid!: number;

  @Field(() => [Pasid], { description: 'Allocated PASIDs, sorted by value.' })
  pasids!: Pasid[];

  @Field(() => [Task], { description: 'Live tasks, sorted by tid.' })
  tasks!: Task[];

  @Field(() => [OpenFile], { description: 'Open fds, sorted by pid then fd.' })
  files!: OpenFile[];

  @Field(() => [Int], { description: 'Freed PASID values in the order they were freed.' })
  freed!: number[];

  @Field(() => [Hazard], { description: 'Hazards in the order detected.' })
  hazards!: Hazard[];

  @Field(() => [Process], { description: 'Live processes, sorted by pid.' })
  processes!: Process[];

  @Field(() => [Bond], { description: 'Every bond of every live process, by pid then bind order.' })
  bonds!: Bond[];

  @Field(() => [PasidTableEntry], { description: 'PASID table entries, by PASID then device.' })
  entries!: PasidTableEntry[];

  @Field(() => [Device], { description: 'Devices with a bond or an entry, sorted by address.' })
  devices!: Device[];
}
