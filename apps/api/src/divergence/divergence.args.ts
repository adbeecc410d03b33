import type { Policy as PolicyName } from '@pasid/domain';
import { ArgsType, Field } from 'type-graphql';
import { Policy } from '../common/enums.js';

@ArgsType()
export class DivergenceArgs {
  @Field(() => String)
  system!: string;

  @Field(() => [Policy], { description: 'Two policies to compare (the first is `left` in each difference).' })
  policies!: PolicyName[];
}
