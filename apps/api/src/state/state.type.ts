import type { HazardCode as HazardCodeName, Policy as PolicyName } from '@pasid/domain';
import { Field, Int, ObjectType } from 'type-graphql';
import { HazardCode, Policy } from '../common/enums.js';

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

  @Field(() => [String], { description: 'Devices with a PASID table entry for it, sorted.' })
  devices!: string[];
}

@ObjectType({ description: 'A live task (thread) and its IA32_PASID MSR.' })
export class Task {
  @Field(() => Int)
  tid!: number;

  @Field(() => Int)
  pid!: number;

  @Field(() => Int, { nullable: true, description: 'The PASID in the MSR, null while invalid.' })
  msr!: number | null;
}

@ObjectType({
  description: 'A hazard the rules detected: a fact about the traced system, not an input error.',
})
export class Hazard {
  @Field(() => HazardCode)
  code!: HazardCodeName;

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
}

@ObjectType({ description: 'Binds of one device by one process not yet unbound (its mm bonds).' })
export class Bond {
  @Field(() => Int)
  pid!: number;

  @Field(() => String)
  device!: string;

  @Field(() => Int, { description: 'Binds not yet unbound.' })
  count!: number;

  @Field(() => Int, { nullable: true, description: "The PASID of the process's mm, if it has one." })
  pasid!: number | null;
}

@ObjectType({ description: 'A PASID table entry (device, pasid) the IOMMU holds.' })
export class PasidTableEntry {
  @Field(() => String)
  device!: string;

  @Field(() => Int)
  pasid!: number;

  @Field(() => Int, { description: 'The holder of the PASID.' })
  pid!: number;
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
    'The projected state of a system after input event `events`. policy, events, pasids, tasks, freed and hazards are the `pasid replay --json` document; the rest adds what that document leaves out.',
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
