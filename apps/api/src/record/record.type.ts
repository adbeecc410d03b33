import type { Position as LogPosition } from '@pasid/store';
import { Field, Int, ObjectType } from 'type-graphql';
import { Position } from '../common/scalars.js';
import { LedgerEvent } from '../event/event.type.js';
import { Hazard } from '../state/state.type.js';
import { System } from '../system/system.type.js';

@ObjectType({ description: 'What recordEvents stored.' })
export class RecordResult {
  @Field(() => System, { description: 'The system after the append.' })
  system!: System;

  @Field(() => Int, { description: 'The new version: pass it as expectedVersion next time.' })
  version!: number;

  @Field(() => [LedgerEvent], {
    description: 'Every event stored by this call, input and derived, in log order.',
  })
  events!: LedgerEvent[];

  @Field(() => [LedgerEvent], { description: 'The derived events only.' })
  derived!: LedgerEvent[];

  @Field(() => [Hazard], { description: 'Hazards the batch caused.' })
  hazards!: Hazard[];

  @Field(() => Boolean, {
    description: 'True when every event id was stored already: nothing new was written.',
  })
  idempotentReplay!: boolean;
}

@ObjectType({ description: 'What importHistory stored.' })
export class ImportResult {
  @Field(() => System)
  system!: System;

  @Field(() => Int)
  version!: number;

  @Field(() => Position, { description: 'Position of the last event stored.' })
  lastPosition!: LogPosition;
}
