import { DEFAULT_MAX_PASID, DEFAULT_POLICY, MIN_MAX_PASID, type Policy as PolicyName } from '@pasid/domain';
import { Field, InputType, Int } from 'type-graphql';
import { Policy } from '../common/enums.js';

@InputType()
export class CreateSystemInput {
  @Field(() => String, { description: '1 to 200 characters.' })
  name!: string;

  @Field(() => Policy, { defaultValue: DEFAULT_POLICY })
  policy!: PolicyName;

  @Field(() => Int, {
    defaultValue: DEFAULT_MAX_PASID,
    description: `${MIN_MAX_PASID} to ${DEFAULT_MAX_PASID}.`,
  })
  maxPasid!: number;
}
