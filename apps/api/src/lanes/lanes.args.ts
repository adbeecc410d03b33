import type { HazardCode as HazardCodeName, Policy as PolicyName } from '@pasid/domain';
import { ArgsType, Field, InputType, Int } from 'type-graphql';
import { HazardCode, Policy } from '../common/enums.js';

export const MAX_RESOLUTION = 4000;
export const MAX_LANES_PAGE = 1000;

@InputType({ description: 'Lanes that concern all of these (each absent: any).' })
export class LaneFilterInput {
  @Field(() => Int, { nullable: true })
  pid?: number;

  @Field(() => Int, { nullable: true })
  tid?: number;

  @Field(() => Int, { nullable: true })
  pasid?: number;

  @Field(() => String, { nullable: true })
  device?: string;

  @Field(() => Int, { nullable: true })
  fd?: number;

  @Field(() => HazardCode, { nullable: true })
  code?: HazardCodeName;
}

@ArgsType()
export class LanesArgs {
  @Field(() => String)
  system!: string;

  @Field(() => Policy, {
    nullable: true,
    description: "Under this policy (what-if); the system's own when absent.",
  })
  policy?: PolicyName;

  @Field(() => Int, { nullable: true, description: 'The window starts here; 0 when absent.' })
  from?: number;

  @Field(() => Int, {
    nullable: true,
    description: 'The window ends before this; the end of the history (version + 1) when absent.',
  })
  to?: number;

  @Field(() => Int, {
    defaultValue: 1000,
    description: `Steps across the window (about its width in pixels), 1 to ${MAX_RESOLUTION}.`,
  })
  resolution!: number;

  @Field(() => LaneFilterInput, { nullable: true })
  filter?: LaneFilterInput;

  @Field(() => Int, { defaultValue: 0, description: 'The first row of the page.' })
  offset!: number;

  @Field(() => Int, { defaultValue: 200, description: `Rows in the page, 1 to ${MAX_LANES_PAGE}.` })
  first!: number;
}
