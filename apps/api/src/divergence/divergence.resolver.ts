import { Args, Ctx, Query, Resolver } from 'type-graphql';
import type { ApiContext } from '../context.js';
import { DivergenceArgs } from './divergence.args.js';
import { Divergence } from './divergence.type.js';

@Resolver(() => Divergence)
export class DivergenceResolver {
  @Query(() => Divergence, {
    nullable: true,
    description:
      "The first input after which the system's states under two policies differ, and what differs; null when they agree over the whole history. Computed on the server in one pass.",
    // Priced by server/work-cost.ts from the system's version (two replays of its history).
  })
  divergence(
    @Args(() => DivergenceArgs) args: DivergenceArgs,
    @Ctx() ctx: ApiContext,
  ): Promise<Divergence | null> {
    return ctx.services.divergence.first(args.system, args.policies);
  }
}
