import { Args, Ctx, Query, Resolver } from 'type-graphql';
import type { ApiContext } from '../context.js';
import { ExportHistoryArgs } from './audit.args.js';
import { VerifyReport } from './verify-report.type.js';

@Resolver()
export class AuditResolver {
  @Query(() => VerifyReport, {
    description: "Checks every system's hash chain: a changed, removed or reordered event is a breach.",
    // Priced by server/work-cost.ts from the log's size.
  })
  verifyLog(@Ctx() ctx: ApiContext): Promise<VerifyReport> {
    return ctx.services.audit.verify();
  }

  @Query(() => String, {
    description:
      'A stored history as a history file (input events only), ready for importHistory or pasid replay.',
    complexity: 500,
  })
  exportHistory(
    @Args(() => ExportHistoryArgs) { system }: ExportHistoryArgs,
    @Ctx() ctx: ApiContext,
  ): Promise<string> {
    return ctx.services.audit.exportHistory(system);
  }
}
