import type { HazardCode as HazardCodeName, Policy as PolicyName } from '@pasid/domain';
import { Field, Float, Int, ObjectType } from 'type-graphql';
import { HazardCode, Policy } from '../common/enums.js';

@ObjectType({ description: 'A bar of a lane: one span, or several of a kind merged at this zoom.' })
export class LaneBar {
  @Field(() => String, { description: 'Stable across requests for a bar as it is.' })
  key!: string;

  @Field(() => Int, { description: 'The version whose step began it (the first one merged).' })
  from!: number;

  @Field(() => Int, {
    nullable: true,
    description: 'The version whose step ended it (the last one merged); null while open at the end.',
  })
  to!: number | null;

  @Field(() => String, { description: 'pasid, pasid-alt, process, task, msr, entry, file or fd.' })
  tone!: string;

  @Field(() => String)
  label!: string;

  @Field(() => String, { description: 'What it is, in a sentence.' })
  title!: string;

  @Field(() => Int, { description: 'The spans merged into it: 1 for a span as it is.' })
  count!: number;
}

@ObjectType({ description: "A lane's hazards within one step of the window: the first one, and how many." })
export class LaneMark {
  @Field(() => HazardCode)
  code!: HazardCodeName;

  @Field(() => Int, { description: "The first one's version." })
  version!: number;

  @Field(() => Int, { description: "The last one's version." })
  lastVersion!: number;

  @Field(() => Int)
  count!: number;

  @Field(() => Int, { nullable: true })
  tid!: number | null;

  @Field(() => Int, { nullable: true })
  pid!: number | null;

  @Field(() => String, { nullable: true })
  device!: string | null;

  @Field(() => Int, { nullable: true })
  pasid!: number | null;
}

@ObjectType({ description: 'A group heading (with its lanes in the window) or a lane.' })
export class LaneRow {
  @Field(() => String, { description: 'GROUP or LANE.' })
  kind!: 'GROUP' | 'LANE';

  @Field(() => String, {
    description: 'Stable: pasid:1, process:100:1, task:100:1, file:2, hazard:SIGSEGV, ...',
  })
  key!: string;

  @Field(() => String, { description: 'hazards, pasids, processes, files or entries.' })
  group!: string;

  @Field(() => String)
  label!: string;

  @Field(() => Boolean, { description: 'Drawn under the lane before it (a task under its process).' })
  nested!: boolean;

  @Field(() => Int, { description: "A heading's lanes in the window; 0 for a lane." })
  count!: number;

  @Field(() => [LaneBar], { description: 'In start order; empty for a heading or a hazard lane.' })
  bars!: LaneBar[];

  @Field(() => [LaneMark], { description: "A hazard lane's marks, in version order." })
  marks!: LaneMark[];
}

@ObjectType({
  description:
    "What one zoom of the lifetime lanes shows: a page of the lanes with something in [from, to), with at most about `resolution` bars and marks each. From the domain's lifetimes of the history, computed once per system, version and policy.",
})
export class LaneWindow {
  @Field(() => Int, { description: 'The last version of the history the lanes are of.' })
  version!: number;

  @Field(() => Policy)
  policy!: PolicyName;

  @Field(() => Int)
  from!: number;

  @Field(() => Int, { description: 'The end of the window (exclusive).' })
  to!: number;

  @Field(() => Float, {
    description: 'Versions per step: bars closer than this merged, marks within one shared.',
  })
  step!: number;

  @Field(() => Int, {
    description: 'Rows (headings and lanes) in the window; `rows` is the page from `offset`.',
  })
  total!: number;

  @Field(() => Int)
  offset!: number;

  @Field(() => [LaneRow])
  rows!: LaneRow[];

  @Field(() => [String], { description: 'Every device of the history (for a device filter), sorted.' })
  devices!: string[];

  @Field(() => [HazardCode], { description: 'Every hazard code of the history (for a code filter), sorted.' })
  codes!: HazardCodeName[];

  @Field(() => Boolean, { description: 'The history opened files (it has fd lanes to filter).' })
  hasFiles!: boolean;
}
