import type { InputEventType as InputEventTypeName } from '@pasid/domain';
import { Field, ID, InputType, Int } from 'type-graphql';
import { InputEventType } from '../common/enums.js';

/**
 * One input event. GraphQL has no input unions, so the fields of all the types sit side by side;
 * give exactly those of `type` (the domain checks them and names the one at fault).
 */
@InputType({ description: 'One input event: `type` plus the fields of that type (see the README).' })
export class LifecycleEventInput {
  @Field(() => InputEventType)
  type!: InputEventTypeName;

  @Field(() => Int, {
    nullable: true,
    description: 'ProcessCreated, ThreadCreated, DeviceBound, DeviceUnbound, FileClosed, ProcessExec.',
  })
  pid?: number | null;

  @Field(() => Int, { nullable: true, description: 'ThreadCreated, Enqcmd, TaskExited.' })
  tid?: number | null;

  @Field(() => Int, { nullable: true, description: 'ProcessCreated: the parent process.' })
  parent?: number | null;

  @Field(() => String, {
    nullable: true,
    description:
      'DeviceBound, DeviceUnbound, DmarFaultLogged, Enqcmd (optional: without it, only the #GP): PCI address like 0000:6a:01.0.',
  })
  device?: string | null;

  @Field(() => Int, {
    nullable: true,
    description:
      'DeviceBound: the PASID the kernel was seen to use. DmarFaultLogged: the PASID of the fault.',
  })
  pasid?: number | null;

  @Field(() => Int, {
    nullable: true,
    description: 'DeviceBound: the fd of the open file that holds the bond. FileClosed: the fd closed.',
  })
  fd?: number | null;

  @Field(() => Boolean, {
    nullable: true,
    description: 'DeviceBound with fd: close-on-exec (default false).',
  })
  cloexec?: boolean | null;

  @Field(() => String, { nullable: true, description: 'DmarFaultLogged: the fault reason code, e.g. 0x59.' })
  reason?: string | null;

  @Field(() => ID, { nullable: true, description: 'A UUID for idempotent retries.' })
  id?: string | null;

  @Field(() => String, { nullable: true, description: 'When it was observed, RFC 3339 with offset.' })
  at?: string | null;
}
