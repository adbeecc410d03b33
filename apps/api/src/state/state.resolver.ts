import { Args, Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import type { ApiContext } from '../context.js';
import { System } from '../system/system.type.js';
import {
  DeviceLookupArgs,
  FileHolderLookupArgs,
  PasidLookupArgs,
  ProcessLookupArgs,
  StateArgs,
  StatesArgs,
} from './state.args.js';
import { Device, OpenFile, Pasid, Process, SystemState } from './state.type.js';

@Resolver(() => System)
export class SystemStateResolver {
  @FieldResolver(() => SystemState, {
    description:
      'The projected state: the latest, after input event `at` (time travel), or under another policy (what-if).',
    // Priced by server/work-cost.ts from what the store says it would replay.
  })
  state(
    @Root() system: System,
    @Args(() => StateArgs) args: StateArgs,
    @Ctx() ctx: ApiContext,
  ): Promise<SystemState> {
    return ctx.services.state.state(system.name, args.at, args.policy);
  }

  @FieldResolver(() => [SystemState], {
    description:
      'The states after several versions in one request (e.g. the steps a view shows), in the order asked.',
    // Priced by server/work-cost.ts, as `state` for each version.
  })
  states(
    @Root() system: System,
    @Args(() => StatesArgs) args: StatesArgs,
    @Ctx() ctx: ApiContext,
  ): Promise<SystemState[]> {
    return ctx.services.state.states(system.name, args.versions, args.policy);
  }
}

/** Look-ups inside one state: by PASID value, by pid, by device, by the holder of open files. */
@Resolver(() => SystemState)
export class StateLookupResolver {
  @FieldResolver(() => Pasid, { nullable: true, description: 'The allocated PASID with this value, if any.' })
  pasid(@Root() state: SystemState, @Args(() => PasidLookupArgs) { value }: PasidLookupArgs): Pasid | null {
    return state.pasids.find((p) => p.pasid === value) ?? null;
  }

  @FieldResolver(() => Process, { nullable: true, description: 'The live process with this pid, if any.' })
  process(
    @Root() state: SystemState,
    @Args(() => ProcessLookupArgs) { pid }: ProcessLookupArgs,
  ): Process | null {
    return state.processes.find((p) => p.pid === pid) ?? null;
  }

  @FieldResolver(() => Device, {
    nullable: true,
    description: 'The device with this address, if it has a bond or an entry.',
  })
  device(
    @Root() state: SystemState,
    @Args(() => DeviceLookupArgs) { address }: DeviceLookupArgs,
  ): Device | null {
    return state.devices.find((d) => d.address === address) ?? null;
  }

  @FieldResolver(() => [OpenFile], {
    description:
      "The open fds whose file's bond is to this pid's mm, in any process (an inherited file keeps a released mm alive).",
  })
  filesHeldBy(
    @Root() state: SystemState,
    @Args(() => FileHolderLookupArgs) { holder }: FileHolderLookupArgs,
  ): OpenFile[] {
    return state.files.filter((f) => f.holder === holder);
  }
}
