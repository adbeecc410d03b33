import type { Position as LogPosition } from '@pasid/store';
import { Field, Int, ObjectType } from 'type-graphql';
import { Position } from '../common/scalars.js';

@ObjectType({ description: 'A changed, removed or reordered event: the first breach found in one system.' })
export class LogBreach {
  @Field(() => String)
  system!: string;

  @Field(() => Position, { nullable: true })
  position!: LogPosition | null;

  @Field(() => Int, { nullable: true })
  version!: number | null;

  @Field(() => String)
  reason!: string;
}

@ObjectType({ description: "The integrity check of the whole log: every system's hash chain." })
export class VerifyReport {
  @Field(() => Boolean)
  ok!: boolean;

  @Field(() => Int)
  eventsChecked!: number;

  @Field(() => Int)
  systemsChecked!: number;

  @Field(() => [LogBreach])
  breaches!: LogBreach[];
}
