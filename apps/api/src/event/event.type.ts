import type { HazardCode as HazardCodeName } from '@pasid/domain';
import type { EventKind as EventKindName, Position as LogPosition } from '@pasid/store';
import { Field, ID, Int, ObjectType } from 'type-graphql';
import { EventKind, HazardCode } from '../common/enums.js';
import { DateTimeISO, JSONObject, Position } from '../common/scalars.js';

@ObjectType('Event', {
  description:
    'One event of the log, input or derived, with all its audit metadata. The common fields of `data` are also exposed typed (null where the event has none).',
})
export class LedgerEvent {
  @Field(() => ID, { description: "UUID: the input's own id when the client gave one, else generated." })
  id!: string;

  @Field(() => Position, { description: 'Global position in the whole log, gap-free in commit order.' })
  position!: LogPosition;

  @Field(() => String)
  system!: string;

  @Field(() => Int, { description: "The input event's version; derived events share it." })
  version!: number;

  @Field(() => Int, { description: '0 for the input, 1.. for the derived events in the order decided.' })
  index!: number;

  @Field(() => EventKind)
  kind!: EventKindName;

  @Field(() => String, {
    description: 'Event type: an InputEventType, or a derived type such as PasidAllocated.',
  })
  type!: string;

  @Field(() => JSONObject, { description: 'The event as the domain knows it (`type` included).' })
  data!: Record<string, unknown>;

  @Field(() => ID, { nullable: true, description: 'The id of the input that led to a derived event.' })
  causationId!: string | null;

  @Field(() => ID, { description: 'The id of the batch (one recordEvents or importHistory call).' })
  correlationId!: string;

  @Field(() => String, { description: 'Who recorded it: an API key name, `cli`, ...' })
  actor!: string;

  @Field(() => DateTimeISO, { description: "The database's clock at commit." })
  recordedAt!: Date;

  @Field(() => DateTimeISO, { nullable: true, description: 'When it was observed (`at` of the input).' })
  observedAt!: Date | null;

  @Field(() => String, { description: 'Hex SHA-256 chained to the previous event of the same system.' })
  hash!: string;

  @Field(() => String, { description: 'The hash of the previous event of the same system (the chain link).' })
  prevHash!: string;

  @Field(() => Int, { nullable: true })
  pid!: number | null;

  @Field(() => Int, { nullable: true })
  tid!: number | null;

  @Field(() => Int, { nullable: true })
  parent!: number | null;

  @Field(() => String, { nullable: true })
  device!: string | null;

  @Field(() => Int, { nullable: true })
  pasid!: number | null;

  @Field(() => Int, { nullable: true, description: 'The PASID count after this event (LAZY_REFCOUNT).' })
  refcount!: number | null;

  @Field(() => HazardCode, { nullable: true, description: 'HazardDetected: the hazard code.' })
  code!: HazardCodeName | null;

  @Field(() => String, { nullable: true, description: 'Implicit DeviceUnbound: exit or exec.' })
  reason!: string | null;
}

@ObjectType()
export class PageInfo {
  @Field(() => Boolean)
  hasNextPage!: boolean;

  @Field(() => Boolean, { description: 'True when the page started after a cursor.' })
  hasPreviousPage!: boolean;

  @Field(() => String, { nullable: true })
  startCursor!: string | null;

  @Field(() => String, { nullable: true, description: 'Pass as `after` for the next page.' })
  endCursor!: string | null;
}

@ObjectType()
export class EventEdge {
  @Field(() => String, { description: "The event's position, as a string." })
  cursor!: string;

  @Field(() => LedgerEvent)
  node!: LedgerEvent;
}

@ObjectType({ description: 'A page of events, in log order (Relay connection; the cursor is the position).' })
export class EventConnection {
  @Field(() => [EventEdge])
  edges!: EventEdge[];

  @Field(() => [LedgerEvent], { description: 'The same events as `edges`, without cursors.' })
  nodes!: LedgerEvent[];

  @Field(() => PageInfo)
  pageInfo!: PageInfo;
}
