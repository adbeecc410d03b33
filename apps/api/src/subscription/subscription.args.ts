import type { Position as LogPosition } from '@pasid/store';
import { ArgsType, Field } from 'type-graphql';
import { Position } from '../common/scalars.js';

@ArgsType()
export class EventAppendedArgs {
  @Field(() => String, { nullable: true, description: 'One system only; every system when absent.' })
  system?: string | null;

  @Field(() => Position, {
    nullable: true,
    description:
      'Replay the stored events after this position first (reconnect with the last position seen). A Position string; an Int literal is still accepted up to 2^53 - 1.',
  })
  after?: LogPosition | null;
}

@ArgsType()
export class StateChangedArgs {
  @Field(() => String)
  system!: string;
}
