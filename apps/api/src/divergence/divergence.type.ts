import type { Policy as PolicyName } from '@pasid/domain';
import { Field, Int, ObjectType } from 'type-graphql';
import { Policy } from '../common/enums.js';
import { LedgerEvent } from '../event/event.type.js';

@ObjectType({ description: "One thing two policies' states disagree on, from the state documents." })
export class StateDifference {
  @Field(() => String, { description: 'The state field: pasids, tasks, freed, hazards, ...' })
  field!: string;

  @Field(() => String, {
    nullable: true,
    description: 'For a list of records, the item by its first field (e.g. `pasid=1`); null otherwise.',
  })
  key!: string | null;

  @Field(() => String, { description: "The first policy's value or item as JSON (`null` when it has none)." })
  left!: string;

  @Field(() => String, {
    description: "The second policy's value or item as JSON (`null` when it has none).",
  })
  right!: string;

  @Field(() => String, { description: 'The difference in one sentence.' })
  description!: string;
}

@ObjectType({
  description: "The first input after which a system's states under two policies differ, and what differs.",
})
export class Divergence {
  @Field(() => Int, { description: 'The version of that input (the states agree before it).' })
  version!: number;

  @Field(() => LedgerEvent, { description: 'The input recorded at that version.' })
  input!: LedgerEvent;

  @Field(() => [Policy])
  policies!: PolicyName[];

  @Field(() => [StateDifference])
  differences!: StateDifference[];

  @Field(() => String, {
    description:
      "Why it matters, in one sentence (the domain's explainDivergence): what the input did, then first any task whose IA32_PASID MSR holds a PASID its mm no longer has on one side, and where its next ENQCMD runs.",
  })
  explanation!: string;
}
