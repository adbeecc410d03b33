/**
 * The model inputs a trace becomes: the input events of pasid-lifecycle.md version 2, with the
 * `id` and `at` every traced event carries. The domain's own types replace these once its v2
 * is on main (issue 9); the shapes are the spec's.
 */
export type TraceInput = (
  | { type: 'ProcessCreated'; pid: number; parent?: number }
  | { type: 'ThreadCreated'; tid: number; pid: number }
  | { type: 'DeviceBound'; pid: number; device: string; pasid?: number; fd?: number; cloexec?: boolean }
  | { type: 'DeviceUnbound'; pid: number; device: string }
  | { type: 'FileClosed'; pid: number; fd: number }
  | { type: 'Enqcmd'; tid: number }
  | { type: 'TaskExited'; tid: number }
  | { type: 'ProcessExec'; pid: number }
  | { type: 'DmarFaultLogged'; device: string; pasid: number; reason?: string }
) & { id?: string; at?: string };

export type TraceInputType = TraceInput['type'];
