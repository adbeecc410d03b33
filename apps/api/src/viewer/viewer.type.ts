import type { ApiKeyRole } from '@pasid/store';
import { Field, ObjectType } from 'type-graphql';
import { KeyRole } from '../common/enums.js';

@ObjectType({ description: 'The API key a request carries: who the log names as the actor of its writes.' })
export class Viewer {
  @Field(() => String, { description: "The key's name, recorded as the actor of every event it writes." })
  name!: string;

  @Field(() => KeyRole)
  role!: ApiKeyRole;
}
