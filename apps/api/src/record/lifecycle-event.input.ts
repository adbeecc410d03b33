import type { InputEventType as InputEventTypeName } from '@pasid/domain';
import { Field, ID, InputType, Int } from 'type-graphql';
import { InputEventType } from '../common/enums.js';

/**
 * One input event. GraphQL has no input unions, so the fields of all seven types sit side by side;
 * give exactly those of `type` (the domain checks them and names the one at fault).
 */
@InputType({ description: 'One input event: `type` plus the fields of that type (see the README).' })
export class LifecycleEventInput {
  @Field(() => InputEventType)
  type!: InputEventTypeName;

  @Field(() => Int, {
    nullable: true,
    description: 'ProcessCreated, ThreadCreated, DeviceBound, DeviceUnbound, ProcessExec.',
  })
  pid?: number | null;

  @Field(() => Int, { nullable: true, description: 'ThreadCreated, Enqcmd, TaskExited.' })
  tid?: number | null;

  @Field(() => Int, { nullable: true, description: 'ProcessCreated: the parent process.' })
  parent?: number | null;

  @Field(() => String, {
    nullable: true,
    description: 'DeviceBound, DeviceUnbound, Enqcmd: PCI address like 0000:6a:01.0.',
  })
  device?: string | null;

  @Field(() => Int, { nullable: true, description: 'DeviceBound: the PASID the kernel was seen to use.' })
  pasid?: number | null;

  @Field(() => ID, { nullable: true, description: 'A UUID for idempotent retries.' })
  id?: string | null;

  @Field(() => String, { nullable: true, description: 'When it was observed, RFC 3339 with offset.' })
  at?: string | null;
}
