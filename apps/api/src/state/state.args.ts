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

/** More states per request would be a bulk export, not a view: page through versions instead. */
export const MAX_STATES_PER_REQUEST = 100;

@ArgsType()
export class StatesArgs {
  @Field(() => [Int], {
    description: `Versions to read the state after (0 = empty), at most ${MAX_STATES_PER_REQUEST}; answered in this order.`,
  })
  versions!: number[];

  @Field(() => Policy, { nullable: true, description: 'What-if: under another policy, as for `state`.' })
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

@ArgsType()
export class FileHolderLookupArgs {
  @Field(() => Int, { description: "A pid whose mm (live or released) open files' bonds are to." })
  holder!: number;
}
