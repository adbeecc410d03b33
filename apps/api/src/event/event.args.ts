import type { EventKind as EventKindName } from '@pasid/store';
import { ArgsType, Field, ID, InputType, Int } from 'type-graphql';
import { EventKind } from '../common/enums.js';
import { DateTimeISO } from '../common/scalars.js';

@InputType({ description: 'Narrows a list of events; every field given must match.' })
export class EventFilterInput {
  @Field(() => [String], {
    nullable: true,
    description: 'Event types, input or derived (e.g. HazardDetected).',
  })
  types?: string[] | null;

  @Field(() => EventKind, { nullable: true })
  kind?: EventKindName | null;

  @Field(() => String, { nullable: true, description: 'The API key name (or `cli`) that recorded it.' })
  actor?: string | null;

  @Field(() => ID, { nullable: true, description: 'One batch: a recordEvents or importHistory call.' })
  correlationId?: string | null;

  @Field(() => DateTimeISO, { nullable: true, description: 'Recorded at or after.' })
  from?: Date | null;

  @Field(() => DateTimeISO, { nullable: true, description: 'Recorded at or before.' })
  to?: Date | null;
}

@ArgsType()
export class PageArgs {
  @Field(() => Int, {
    defaultValue: 50,
    description: 'Page size (at most the server limit, 1000 by default).',
  })
  first!: number;

  @Field(() => String, {
    nullable: true,
    description: 'A cursor (endCursor of the previous page): events after it.',
  })
  after?: string | null;

  @Field(() => EventFilterInput, { nullable: true })
  filter?: EventFilterInput | null;
}

@ArgsType()
export class EventsArgs extends PageArgs {
  @Field(() => String)
  system!: string;

  @Field(() => Int, {
    nullable: true,
    description:
      'The first version to include (the input and its derived events); from the start when absent.',
  })
  fromVersion?: number | null;

  @Field(() => Int, { nullable: true, description: 'The last version to include; to the end when absent.' })
  toVersion?: number | null;
}

@ArgsType()
export class LogArgs extends PageArgs {
  @Field(() => String, { nullable: true, description: 'One system only; the whole log when absent.' })
  system?: string | null;
}

@ArgsType()
export class DerivedEventsArgs {
  @Field(() => ID, { description: 'The id of an input event.' })
  inputId!: string;
}
