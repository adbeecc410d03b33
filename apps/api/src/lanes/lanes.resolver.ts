import { Args, Ctx, Query, Resolver } from 'type-graphql';
import { pageCost } from '../common/complexity.js';
import type { ApiContext } from '../context.js';
import { LanesArgs } from './lanes.args.js';
import { LaneWindow } from './lanes.type.js';

@Resolver(() => LaneWindow)
export class LanesResolver {
  @Query(() => LaneWindow, {
    description:
      "The lifetime lanes of a system's history in a window [from, to), filtered, a page of rows at a time, bars merged and hazard marks bucketed to `resolution` steps. The first request for a (system, version, policy) decides the history once (long work); later ones read the cache.",
    complexity: pageCost,
  })
  lanes(@Args(() => LanesArgs) args: LanesArgs, @Ctx() ctx: ApiContext): Promise<LaneWindow> {
    return ctx.services.lanes.window(args);
  }
}
