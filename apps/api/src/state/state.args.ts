import type { Policy as PolicyName } from '@pasid/domain';
import { ArgsType, Field, Int } from 'type-graphql';
import { Policy } from '../common/enums.js';

@ArgsType()
export class StateArgs {
  @Field(() => Int, {
    nullable: true,
    description: 'Time travel: the state after input event `at` (0 = empty); the latest when absent.',
  })
  at?: number | null;

  @Field(() => Policy, {
    nullable: true,
    description:
      "What-if: re-decide the system's inputs under another policy, in memory (nothing is stored).",
  })
  policy?: PolicyName | null;
}

@ArgsType()
export class PasidLookupArgs {
  @Field(() => Int, { description: 'A PASID value.' })
  value!: number;
}

@ArgsType()
export class ProcessLookupArgs {
  @Field(() => Int)
  pid!: number;
}

@ArgsType()
export class DeviceLookupArgs {
  @Field(() => String, { description: 'PCI address DDDD:BB:DD.F.' })
  address!: string;
}
