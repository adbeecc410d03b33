import { ArgsType, Field } from 'type-graphql';

@ArgsType()
export class ExportHistoryArgs {
  @Field(() => String)
  system!: string;
}
