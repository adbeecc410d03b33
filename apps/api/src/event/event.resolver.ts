import { Args, Ctx, FieldResolver, Query, Resolver, Root } from 'type-graphql';
import { fixedCost, pageCost } from '../common/complexity.js';
import type { ApiContext } from '../context.js';
import { DerivedEventsArgs, EventsArgs, LogArgs } from './event.args.js';
import { EventConnection, LedgerEvent } from './event.type.js';

@Resolver(() => LedgerEvent)
export class EventResolver {
  @Query(() => EventConnection, {
    description:
      "A system's stored events, input and derived, in log order, a page at a time; `fromVersion`/`toVersion` narrow them to a range of versions.",
    complexity: pageCost,
  })
  events(@Args(() => EventsArgs) args: EventsArgs, @Ctx() ctx: ApiContext): Promise<EventConnection> {
    return ctx.services.events.page(args);
  }

  @Query(() => EventConnection, {
    description:
      'The whole log (every system), or one system, in log order, a page at a time: the audit view.',
    complexity: pageCost,
  })
  log(@Args(() => LogArgs) args: LogArgs, @Ctx() ctx: ApiContext): Promise<EventConnection> {
    return ctx.services.events.page(args);
  }

  @Query(() => [LedgerEvent], {
    description: 'The derived events of one input event, by its id.',
    complexity: fixedCost(20),
  })
  derivedEvents(
    @Args(() => DerivedEventsArgs) { inputId }: DerivedEventsArgs,
    @Ctx() ctx: ApiContext,
  ): Promise<LedgerEvent[]> {
    return ctx.services.events.derivedByInputId(inputId);
  }

  @FieldResolver(() => [LedgerEvent], {
    description: 'For an input: the events derived from it (empty for a derived event).',
    complexity: fixedCost(5),
  })
  derived(@Root() event: LedgerEvent, @Ctx() ctx: ApiContext): Promise<LedgerEvent[]> {
    return ctx.services.events.derivedOf(event);
  }

  @FieldResolver(() => LedgerEvent, {
    nullable: true,
    description: 'For a derived event: the input it came from (an input is its own cause).',
    complexity: fixedCost(5),
  })
  cause(@Root() event: LedgerEvent, @Ctx() ctx: ApiContext): Promise<LedgerEvent | null> {
    return ctx.services.events.causeOf(event);
  }
}
