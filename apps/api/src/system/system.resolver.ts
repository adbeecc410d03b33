import type { SystemInfo } from '@pasid/store';
import { Arg, Args, Authorized, Ctx, Mutation, Query, Resolver } from 'type-graphql';
import { listCost, SYSTEMS_LIST_SIZE } from '../common/complexity.js';
import type { ApiContext } from '../context.js';
import { CreateSystemInput } from './create-system.input.js';
import { SystemArgs } from './system.args.js';
import { System } from './system.type.js';

@Resolver(() => System)
export class SystemResolver {
  @Query(() => [System], {
    description: 'Every system, with its counts.',
    complexity: listCost(SYSTEMS_LIST_SIZE),
  })
  systems(@Ctx() ctx: ApiContext): Promise<SystemInfo[]> {
    return ctx.services.systems.list();
  }

  @Query(() => System, { nullable: true, description: 'One system by name; NOT_FOUND when there is none.' })
  system(@Args(() => SystemArgs) { name }: SystemArgs, @Ctx() ctx: ApiContext): Promise<SystemInfo> {
    return ctx.services.systems.get(name);
  }

  @Authorized('writer')
  @Mutation(() => System, { description: 'Creates an empty system (importHistory creates one from a file).' })
  createSystem(
    @Arg('input', () => CreateSystemInput) input: CreateSystemInput,
    @Ctx() ctx: ApiContext,
  ): Promise<SystemInfo> {
    return ctx.services.systems.create(input, ctx.actor());
  }
}
