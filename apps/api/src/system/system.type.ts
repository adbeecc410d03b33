import type { Policy as PolicyName } from '@pasid/domain';
import { Field, Int, ObjectType } from 'type-graphql';
import { Policy } from '../common/enums.js';
import { DateTimeISO } from '../common/scalars.js';

@ObjectType({ description: 'A traced machine: one stream of the log.' })
export class System {
  @Field(() => String)
  name!: string;

  @Field(() => Policy)
  policy!: PolicyName;

  @Field(() => Int, { description: 'PASIDs are allocated from 1 to maxPasid - 1.' })
  maxPasid!: number;

  @Field(() => Int, { description: 'Input events recorded so far.' })
  version!: number;

  @Field(() => DateTimeISO)
  createdAt!: Date;

  @Field(() => String, { description: 'The API key name (or `cli`) that created it.' })
  createdBy!: string;

  @Field(() => Int, { description: 'Events stored, input and derived.' })
  eventCount!: number;

  @Field(() => Int, { description: 'PASIDs allocated now.' })
  livePasids!: number;

  @Field(() => Int, { description: 'Hazards detected so far.' })
  hazardCount!: number;
}
