import { ArgsType, Field } from 'type-graphql';

@ArgsType()
export class SystemArgs {
  @Field(() => String)
  name!: string;
}
