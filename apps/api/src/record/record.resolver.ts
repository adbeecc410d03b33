import { Args, Authorized, Ctx, Mutation, Resolver } from 'type-graphql';
import type { ApiContext } from '../context.js';
import { ImportHistoryArgs, RecordEventsArgs } from './record.args.js';
import { ImportResult, RecordResult } from './record.type.js';

@Resolver()
export class RecordResolver {
  @Authorized('writer')
  @Mutation(() => RecordResult, {
    description: 'Appends input events to a system, all or nothing; the key name becomes their actor.',
  })
  recordEvents(
    @Args(() => RecordEventsArgs) args: RecordEventsArgs,
    @Ctx() ctx: ApiContext,
  ): Promise<RecordResult> {
    return ctx.services.record.record(args.system, args.events, args.expectedVersion, ctx.actor());
  }

  @Authorized('writer')
  @Mutation(() => ImportResult, {
    description: "Creates a system from a history file's text, all or nothing; errors name the line.",
  })
  importHistory(
    @Args(() => ImportHistoryArgs) args: ImportHistoryArgs,
    @Ctx() ctx: ApiContext,
  ): Promise<ImportResult> {
    return ctx.services.record.importHistory(args.system, args.history, args.policy, ctx.actor());
  }
}
