import { Args, Ctx, Query, Resolver } from 'type-graphql';
import { pageCost } from '../common/complexity.js';
import type { ApiContext } from '../context.js';
import { HazardArgs, HazardPage } from './hazard.type.js';

@Resolver()
export class HazardResolver {
  @Query(() => HazardPage, {
    description:
      "Hazards by system and/or code, a page at a time in (system, seq) order, from the store's hazards table (no replay).",
    complexity: pageCost,
  })
  hazards(@Args(() => HazardArgs) args: HazardArgs, @Ctx() ctx: ApiContext): Promise<HazardPage> {
    return ctx.services.hazards.page(args);
  }
}
