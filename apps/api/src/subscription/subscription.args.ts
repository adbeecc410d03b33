import { ArgsType, Field, Int } from 'type-graphql';

@ArgsType()
export class EventAppendedArgs {
  @Field(() => String, { nullable: true, description: 'One system only; every system when absent.' })
  system?: string | null;

  @Field(() => Int, {
    nullable: true,
    description:
      'Replay the stored events after this position first (reconnect with the last position seen).',
  })
  after?: number | null;
}

@ArgsType()
export class StateChangedArgs {
  @Field(() => String)
  system!: string;
}
