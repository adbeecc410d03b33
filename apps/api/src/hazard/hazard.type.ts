import { ArgsType, Field, InputType, Int, ObjectType } from 'type-graphql';
import { HazardCode } from '../common/enums.js';
import { Hazard } from '../state/state.type.js';

@ObjectType({ description: 'A hazard as the store keeps it: which system raised it and its place there.' })
export class StoredHazard extends Hazard {
  @Field(() => String)
  system!: string;

  @Field(() => Int, { description: "Its place among the system's hazards, from 1 (state.hazards[seq - 1])." })
  seq!: number;
}

@InputType({ description: 'A place in the (system, seq) order: the last hazard of the previous page.' })
export class HazardCursor {
  @Field(() => String)
  system!: string;

  @Field(() => Int)
  seq!: number;
}

@ObjectType({ description: 'A place in the (system, seq) order, to pass back as `after`.' })
export class HazardPlace {
  @Field(() => String)
  system!: string;

  @Field(() => Int)
  seq!: number;
}

@ObjectType()
export class HazardPage {
  @Field(() => [StoredHazard], { description: 'In (system, seq) order.' })
  items!: StoredHazard[];

  @Field(() => HazardPlace, {
    nullable: true,
    description: "The last item's place: pass it as `after` for the next page; null on the last page.",
  })
  next!: HazardPlace | null;
}

@ArgsType()
export class HazardArgs {
  @Field(() => String, { nullable: true, description: "One system's hazards; every system's when absent." })
  system?: string;

  @Field(() => HazardCode, { nullable: true, description: 'Only hazards of this code.' })
  code?: string;

  @Field(() => HazardCursor, { nullable: true, description: 'Start after this place.' })
  after?: HazardCursor;

  @Field(() => Int, { defaultValue: 100, description: 'At most this many (1 to 1000).' })
  first!: number;
}
