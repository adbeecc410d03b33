import { Ctx, Query, Resolver } from 'type-graphql';
import type { ApiContext } from '../context.js';
import { Viewer } from './viewer.type.js';

@Resolver(() => Viewer)
export class ViewerResolver {
  @Query(() => Viewer, {
    nullable: true,
    description:
      'The key this request carries (null without one). An unknown or revoked key is refused ' +
      'with UNAUTHENTICATED before any field, as everywhere: the web app signs in with this.',
  })
  viewer(@Ctx() ctx: ApiContext): Viewer | null {
    const key = ctx.caller.key;
    return key ? { name: key.name, role: key.role } : null;
  }
}
