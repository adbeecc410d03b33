import type { Policy as PolicyName } from '@pasid/domain';
import { ArgsType, Field, Int } from 'type-graphql';
import { Policy } from '../common/enums.js';
import { LifecycleEventInput } from './lifecycle-event.input.js';

@ArgsType()
export class RecordEventsArgs {
  @Field(() => String)
  system!: string;

  @Field(() => Int, {
    nullable: true,
    description:
      'Optimistic concurrency: the version the system must be at, else CONFLICT and nothing is stored.',
  })
  expectedVersion?: number | null;

  @Field(() => [LifecycleEventInput], { description: 'Appended all or nothing, in order.' })
  events!: LifecycleEventInput[];
}

@ArgsType()
export class ImportHistoryArgs {
  @Field(() => String, { description: 'The system to create (a header naming another system is refused).' })
  system!: string;

  @Field(() => Policy, { nullable: true, description: "Overrides the header's policy." })
  policy?: PolicyName | null;

  @Field(() => String, { description: 'A history file: JSON Lines, optional header first.' })
  history!: string;
}
