import type { StoredEvent } from '@pasid/store';
import { Args, Ctx, Resolver, Root, Subscription } from 'type-graphql';
import type { ApiContext } from '../context.js';
import { toLedgerEvent } from '../event/event.mapper.js';
import { LedgerEvent } from '../event/event.type.js';
import { SystemState } from '../state/state.type.js';
import { EventAppendedArgs, StateChangedArgs } from './subscription.args.js';
import type { StateChange } from './subscription.service.js';

@Resolver()
export class SubscriptionResolver {
  @Subscription(() => LedgerEvent, {
    description:
      'Every event appended from now on, input and derived, of one system or all; with `after`, the stored events after that position first. No gap, no duplicate.',
    subscribe: ({ args, context }) =>
      (context as ApiContext).services.subscriptions.events(args.system, args.after),
  })
  eventAppended(
    @Root() event: StoredEvent,
    @Args(() => EventAppendedArgs) _args: EventAppendedArgs,
  ): LedgerEvent {
    return toLedgerEvent(event);
  }

  @Subscription(() => LedgerEvent, {
    description: 'The HazardDetected events as they are recorded (same `after` replay as eventAppended).',
    subscribe: ({ args, context }) =>
      (context as ApiContext).services.subscriptions.hazards(args.system, args.after),
  })
  hazardDetected(
    @Root() event: StoredEvent,
    @Args(() => EventAppendedArgs) _args: EventAppendedArgs,
  ): LedgerEvent {
    return toLedgerEvent(event);
  }

  @Subscription(() => SystemState, {
    description: "A system's state now, then again after each input event recorded.",
    subscribe: ({ args, context }) =>
      (context as ApiContext).services.subscriptions.stateChanges(args.system),
  })
  systemStateChanged(
    @Root() change: StateChange,
    @Args(() => StateChangedArgs) _args: StateChangedArgs,
    @Ctx() ctx: ApiContext,
  ): Promise<SystemState> {
    return ctx.services.subscriptions.stateAt(change);
  }
}
